package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
)

// Channel is where a warning goes; the names label the metrics and the marks.
type Channel string

// The channels.
const (
	Slack      Channel = "slack"
	Teams      Channel = "teams"
	Mattermost Channel = "mattermost"
	Email      Channel = "email"
)

// DefaultTimeout bounds one webhook request or one SMTP conversation, so a receiver that
// hangs holds a worker this long at most.
const DefaultTimeout = 10 * time.Second

// Webhook is an incoming webhook of Slack, Mattermost or Microsoft Teams (a Workflows
// "When a Teams webhook request is received" trigger).
type Webhook struct {
	Channel Channel
	URL     string
	// Client sends the request; nil uses one with DefaultTimeout.
	Client *http.Client
}

var defaultClient = &http.Client{Timeout: DefaultTimeout}

// Send posts m in the receiver's format. Any 2xx is success (Slack and Mattermost answer
// 200 "ok", a Teams workflow 202). A 408, 429 or 5xx answer and network errors are a
// *helpdesk.RetryableError (After from Retry-After); other answers (a webhook deleted,
// a channel archived, a payload refused) are final. Errors never contain the URL.
func (w Webhook) Send(ctx context.Context, m Message) error {
	body, err := Payload(w.Channel, m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: %s webhook %s: %w", w.Channel, Redact(w.URL), unwrapURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return &helpdesk.RetryableError{Err: fmt.Errorf("notify: %s webhook %s: %w", w.Channel, Redact(w.URL), unwrapURL(err))}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("notify: %s webhook %s answered %d%s", w.Channel, Redact(w.URL), resp.StatusCode, excerpt(answer))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500 {
		return &helpdesk.RetryableError{Err: err, Status: resp.StatusCode,
			After: helpdesk.RetryAfter(resp.Header.Get("Retry-After"), responseDate(resp))}
	}
	return err
}

// responseDate is the receiver's own clock (its Date header), against which an HTTP-date
// Retry-After is read; the zero time when it sent none.
func responseDate(resp *http.Response) time.Time {
	t, _ := http.ParseTime(resp.Header.Get("Date"))
	return t
}

// unwrapURL drops the *url.Error around a client error: its message holds the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + s
}

// Redact shortens a webhook URL for the log to its scheme and host: the path and query
// of Slack, Mattermost and Teams webhook URLs are the secret.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(webhook URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// Payload is m as the channel's webhook takes it (JSON).
func Payload(ch Channel, m Message) ([]byte, error) {
	var v any
	switch ch {
	case Slack:
		v = slackPayload(m)
	case Mattermost:
		v = map[string]string{"text": mattermostText(m)}
	case Teams:
		v = teamsPayload(m)
	default:
		return nil, fmt.Errorf("notify: %q is not a webhook channel", ch)
	}
	return json.Marshal(v)
}

// slackPayload: "text" is the notification and fallback; the blocks show the headline,
// the facts as fields and a button to the ticket (Block Kit).
func slackPayload(m Message) map[string]any {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	text := esc(m.Headline())
	if m.URL != "" {
		text += " <" + m.URL + "|Ticket " + esc(m.Ticket) + ">"
	}
	fields := []map[string]string{}
	for _, f := range m.Facts() {
		fields = append(fields, map[string]string{"type": "mrkdwn", "text": "*" + esc(f.Label) + "*\n" + esc(f.Value)})
	}
	blocks := []map[string]any{
		{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": "*" + esc(m.Headline()) + "*"}},
		{"type": "section", "fields": fields},
	}
	if m.URL != "" {
		blocks = append(blocks, map[string]any{"type": "actions", "elements": []map[string]any{{
			"type": "button", "text": map[string]string{"type": "plain_text", "text": "Ticket öffnen / Open the ticket"},
			"url": m.URL,
		}}})
	}
	return map[string]any{"text": text, "blocks": blocks}
}

// mattermostText is Markdown, the "text" of a Mattermost incoming webhook.
func mattermostText(m Message) string {
	esc := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`", "|", `\|`).Replace
	var b strings.Builder
	b.WriteString("**" + esc(m.Headline()) + "**\n\n")
	b.WriteString("| | |\n|:--|:--|\n")
	for _, f := range m.Facts() {
		b.WriteString("| " + esc(f.Label) + " | " + esc(f.Value) + " |\n")
	}
	if m.URL != "" {
		b.WriteString("\n[Ticket öffnen / Open the ticket](" + m.URL + ")\n")
	}
	return b.String()
}

// teamsPayload is the message envelope with one Adaptive Card that a Teams workflow
// (Power Automate, "When a Teams webhook request is received") posts to its channel.
// Workflows take Adaptive Cards only, not the MessageCard of the retired Office 365
// connectors.
func teamsPayload(m Message) map[string]any {
	color := "Warning"
	if m.Kind == Breach {
		color = "Attention"
	}
	facts := []map[string]string{}
	for _, f := range m.Facts() {
		facts = append(facts, map[string]string{"title": f.Label, "value": f.Value})
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"msteams": map[string]string{"width": "Full"},
		"body": []map[string]any{
			{"type": "TextBlock", "text": m.Headline(), "weight": "Bolder", "size": "Medium", "color": color, "wrap": true},
			{"type": "FactSet", "facts": facts},
		},
	}
	if m.URL != "" {
		card["actions"] = []map[string]string{{"type": "Action.OpenUrl", "title": "Ticket öffnen / Open the ticket", "url": m.URL}}
	}
	return map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content":     card,
		}},
	}
}
