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
		l := "" // t in lower case, for the short lines that can be markers
		if len(t) <= maxMarkerLine {
			l = strings.ToLower(t)
		}
		switch {
		case isForwardMarker(l):
			inHeader, inSignature = true, false
			continue
		case inHeader && (t == "" || isHeaderLine(t)):
			continue
		case strings.HasPrefix(t, ">"):
			continue
		case isReplyHeader(t, l, rest):
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
		if isSignatureStart(t, l) {
			inSignature = true
			continue
		}
		if isMobileFooter(l) || b.Len() == 0 && isOpeningGreeting(l) {
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

// maxMarkerLine is the longest line that can be a greeting, a signature start or a
// reply or forward marker; longer lines are the customer's text.
const maxMarkerLine = 200

// hasWordPrefix reports whether l starts with p followed by the end, a space or a
// comma (l and p in lower case).
func hasWordPrefix(l, p string) bool {
	return strings.HasPrefix(l, p) && (len(l) == len(p) || l[len(p)] == ' ' || l[len(p)] == ',' || l[len(p)] == '!')
}

func isForwardMarker(l string) bool {
	if l == "" {
		return false
	}
	l = strings.Trim(l, "-_ *")
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
func isReplyHeader(t, l, rest string) bool {
	switch {
	case l == "":
		return false
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
func isSignatureStart(t, l string) bool {
	if t == "--" || t == "-- " || len(t) >= 5 && strings.Trim(t, "_-=") == "" {
		return true
	}
	if len(t) > 60 {
		return false
	}
	l = strings.TrimRight(l, " ,.!")
	for _, c := range closings {
		if hasWordPrefix(l, strings.TrimRight(c, ",")) {
			return true
		}
	}
	return false
}

func isMobileFooter(l string) bool {
	return strings.HasPrefix(l, "gesendet von meinem") || strings.HasPrefix(l, "sent from my") ||
		strings.HasPrefix(l, "von meinem iphone gesendet") || strings.HasPrefix(l, "get outlook for")
}

var openings = []string{"hallo", "hi", "hey", "liebe", "lieber", "liebes", "sehr geehrte", "sehr geehrter",
	"guten tag", "guten morgen", "servus", "grüß gott", "grüss gott", "griass di", "moin", "dear", "hello",
	"good morning", "good afternoon", "hallo zusammen", "liebes team", "hi there"}

// isOpeningGreeting reports whether t is only a salutation ("Hallo Team,", "Dear Anna").
func isOpeningGreeting(l string) bool {
	if l == "" || len(l) > 50 {
		return false
	}
	for _, o := range openings {
		if hasWordPrefix(l, o) {
			return strings.HasSuffix(l, ",") || strings.HasSuffix(l, "!") || len(strings.Fields(l)) <= 4
		}
	}
	return false
}
