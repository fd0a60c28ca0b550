package classify

import (
	"strings"
)

// stripMail returns what the customer wrote in body for this ticket: without quoted
// replies ("> …", "Am … schrieb …:", "On … wrote:", an Outlook "Von:/Gesendet:" block
// of a reply, "-----Original Message-----"), without the closing greeting and the
// signature after it ("Mit freundlichen Grüßen", "LG", "Best regards", "-- "), without
// short opening greetings ("Hallo Team,") and without the header lines of forwarded
// mail — but with the forwarded mail's own text, which is often the problem ("WG:
// Bestellung nicht möglich"). subject tells a forward ("WG:", "Fwd:") from a reply when
// a mail client writes both with the same header block.
func stripMail(subject, body string) string {
	if len(body) > maxText {
		body = body[:maxText]
	}
	forwarded := isForwardSubject(subject)
	var b strings.Builder
	b.Grow(len(body))
	inHeader := false    // inside the header lines of a forwarded mail
	inSignature := false // after a closing greeting or "-- ", until a forwarded mail
	rest := body
	for rest != "" {
		line, next, _ := strings.Cut(rest, "\n")
		rest = next
		t := strings.TrimSpace(line)
		switch {
		case isForwardMarker(t):
			inHeader, inSignature = true, false
			continue
		case inHeader && (t == "" || isHeaderLine(t)):
			continue
		case strings.HasPrefix(t, ">"):
			continue
		case isReplyHeader(t, rest):
			if forwarded && isHeaderLine(t) {
				inHeader, inSignature = true, false
				continue
			}
			return b.String() // the rest is the earlier conversation
		}
		inHeader = false
		if inSignature {
			continue
		}
		if isSignatureStart(t) {
			inSignature = true
			continue
		}
		if isMobileFooter(t) || b.Len() == 0 && isOpeningGreeting(t) {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isForwardSubject(subject string) bool {
	s := strings.TrimSpace(subject)
	for _, p := range []string{"wg:", "fw:", "fwd:", "weitergeleitet:", "tr:"} {
		if hasPrefixFold(s, p) {
			return true
		}
	}
	return false
}

func isForwardMarker(t string) bool {
	l := strings.ToLower(strings.Trim(t, "-_ *"))
	return strings.HasPrefix(l, "forwarded message") || strings.HasPrefix(l, "weitergeleitete nachricht") ||
		strings.HasPrefix(l, "anfang der weitergeleiteten") || strings.HasPrefix(l, "begin forwarded message")
}

var headerNames = []string{"von:", "from:", "an:", "to:", "cc:", "datum:", "date:", "gesendet:", "sent:",
	"betreff:", "subject:", "antwort an:", "reply-to:"}

func isHeaderLine(t string) bool {
	t = strings.TrimLeft(t, "*")
	for _, h := range headerNames {
		if hasPrefixFold(t, h) {
			return true
		}
	}
	return false
}

// isReplyHeader reports whether line t (with the text after it) starts the quoted earlier
// conversation of a reply.
func isReplyHeader(t, rest string) bool {
	l := strings.ToLower(t)
	switch {
	case strings.Contains(l, "original message") || strings.Contains(l, "ursprüngliche nachricht") ||
		strings.Contains(l, "urspruengliche nachricht"):
		return strings.HasPrefix(l, "-") || strings.HasPrefix(l, "_")
	case (strings.HasPrefix(l, "am ") || strings.HasPrefix(l, "on ")) && len(l) < 200 &&
		(strings.HasSuffix(l, "schrieb:") || strings.HasSuffix(l, "wrote:") || strings.Contains(l, " schrieb ") && strings.HasSuffix(l, ":")):
		return true
	case hasPrefixFold(strings.TrimLeft(t, "*"), "von:") || hasPrefixFold(strings.TrimLeft(t, "*"), "from:"):
		// Outlook: a From line followed closely by a Sent/Date line.
		next := rest
		for i := 0; i < 3 && next != ""; i++ {
			var line string
			line, next, _ = strings.Cut(next, "\n")
			if isHeaderLine(strings.TrimSpace(line)) {
				return true
			}
		}
	}
	return false
}

// closings start the end of a mail; what follows them is the signature.
var closings = []string{
	"mit freundlichen grüßen", "mit freundlichen gruessen", "mit freundlichen grüssen", "mit besten grüßen",
	"freundliche grüße", "freundliche gruesse", "freundliche grüsse", "liebe grüße", "liebe gruesse", "liebe grüsse",
	"viele grüße", "viele gruesse", "viele grüsse", "beste grüße", "beste gruesse", "beste grüsse",
	"herzliche grüße", "herzliche gruesse", "schöne grüße", "schoene gruesse", "sonnige grüße", "grüße aus",
	"gruß", "gruss", "grüße", "gruesse", "lg", "lg,", "mfg", "vg", "glg", "bg",
	"best regards", "kind regards", "warm regards", "regards", "best wishes", "best,", "cheers", "thanks,",
	"thank you,", "many thanks", "danke und lg", "danke & lg", "danke und liebe grüße", "danke im voraus",
	"vielen dank im voraus", "thanks in advance", "beste grüße,", "sg", "schöne grüße,",
}

// isSignatureStart reports whether t closes the customer's text: a signature separator
// or a short closing greeting.
func isSignatureStart(t string) bool {
	if t == "--" || t == "-- " || strings.Trim(t, "_-=") == "" && len(t) >= 5 {
		return true
	}
	if len(t) > 60 {
		return false
	}
	l := strings.ToLower(strings.TrimRight(t, " ,.!"))
	for _, c := range closings {
		c = strings.TrimRight(c, ",")
		if l == c || strings.HasPrefix(l, c+" ") || strings.HasPrefix(l, c+",") {
			return true
		}
	}
	return false
}

func isMobileFooter(t string) bool {
	l := strings.ToLower(t)
	return strings.HasPrefix(l, "gesendet von meinem") || strings.HasPrefix(l, "sent from my") ||
		strings.HasPrefix(l, "von meinem iphone gesendet") || strings.HasPrefix(l, "get outlook for")
}

var openings = []string{"hallo", "hi", "hey", "liebe", "lieber", "liebes", "sehr geehrte", "sehr geehrter",
	"guten tag", "guten morgen", "servus", "grüß gott", "grüss gott", "griass di", "moin", "dear", "hello",
	"good morning", "good afternoon", "hallo zusammen", "liebes team", "hi there"}

// isOpeningGreeting reports whether t is only a salutation ("Hallo Team,", "Dear Anna").
func isOpeningGreeting(t string) bool {
	if t == "" || len(t) > 50 {
		return false
	}
	l := strings.ToLower(t)
	for _, o := range openings {
		if l == o || strings.HasPrefix(l, o+" ") || strings.HasPrefix(l, o+",") || strings.HasPrefix(l, o+"!") {
			return strings.HasSuffix(l, ",") || strings.HasSuffix(l, "!") || len(strings.Fields(l)) <= 4
		}
	}
	return false
}
