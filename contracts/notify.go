package contracts

import "strings"

// Notify is where a contract's at-risk and breach warnings are pushed, besides the marks
// slaguard writes to the ticket: Slack, Microsoft Teams (a Workflows webhook) and
// Mattermost incoming webhooks, and e-mail. Every target is optional; at least one is set.
// The webhook URLs are secrets of the admin API: the log shows only their host.
type Notify struct {
	SlackURL      string `json:"slack_url,omitempty" validate:"omitempty,max=2000,https_url"`
	TeamsURL      string `json:"teams_url,omitempty" validate:"omitempty,max=2000,https_url"`
	MattermostURL string `json:"mattermost_url,omitempty" validate:"omitempty,max=2000,https_url"`
	// Email are addresses that get one e-mail per warning (over SLAGUARD_SMTP_URL).
	Email []string `json:"email,omitempty" validate:"max=20,dive,required,max=254,email"`
	// Marks are the warnings pushed: at_risk, breach; empty means both.
	Marks []string `json:"marks,omitempty" validate:"max=2,dive,oneof=at_risk breach"`
}

// The warnings a contract's Notify.Marks name.
const (
	NotifyAtRisk = "at_risk"
	NotifyBreach = "breach"
)

// Wants reports whether warnings of kind (NotifyAtRisk, NotifyBreach) are pushed.
func (n *Notify) Wants(kind string) bool {
	if n == nil {
		return false
	}
	if len(n.Marks) == 0 {
		return true
	}
	for _, m := range n.Marks {
		if m == kind {
			return true
		}
	}
	return false
}

// Channels lists the targets set, by channel name: "slack", "teams", "mattermost",
// "email", in that order.
func (n *Notify) Channels() []string {
	if n == nil {
		return nil
	}
	var out []string
	for _, ch := range []string{"slack", "teams", "mattermost"} {
		if n.URL(ch) != "" {
			out = append(out, ch)
		}
	}
	if len(n.Email) > 0 {
		out = append(out, "email")
	}
	return out
}

// URL is the webhook URL of a channel ("" when it is not set or not a webhook).
func (n *Notify) URL(channel string) string {
	if n == nil {
		return ""
	}
	switch channel {
	case "slack":
		return n.SlackURL
	case "teams":
		return n.TeamsURL
	case "mattermost":
		return n.MattermostURL
	}
	return ""
}

func (n *Notify) normalize() {
	if n == nil {
		return
	}
	n.SlackURL = strings.TrimSpace(n.SlackURL)
	n.TeamsURL = strings.TrimSpace(n.TeamsURL)
	n.MattermostURL = strings.TrimSpace(n.MattermostURL)
	n.Email = dedupe(n.Email, strings.TrimSpace)
	n.Marks = dedupe(n.Marks, func(s string) string { return strings.ToLower(strings.TrimSpace(s)) })
}

func (n *Notify) check(add func(field, reason string)) {
	if n == nil {
		return
	}
	if len(n.Channels()) == 0 {
		add("notify", "must name at least one target: slack_url, teams_url, mattermost_url or email")
	}
}
