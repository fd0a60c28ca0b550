package zendeskfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/monobunt/slaguard/helpdesk/zendesk"
)

// Body renders the trigger webhook slaguard's README recommends for ticket id, as user
// `by` made the last change: every placeholder rendered as Zendesk renders it into a
// JSON string. ok is false for an unknown ticket.
func (s *Server) Body(id, by int64) (body []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodyLocked(id, by)
}

func (s *Server) bodyLocked(id, by int64) ([]byte, bool) {
	t, ok := s.tickets[id]
	if !ok {
		return nil, false
	}
	u := s.users[by]
	latest, public := "", "false"
	if cs := s.comments[id]; len(cs) > 0 {
		latest, public = cs[len(cs)-1].Body, strconv.FormatBool(cs[len(cs)-1].Public)
	}
	str := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	m := map[string]any{
		"event": "ticket_updated", "current_user_id": str(by), "current_user_email": u.Email,
		"ticket": map[string]any{
			"id": str(t.ID), "subject": t.Subject, "status": t.Status, "priority": t.Priority, "via": t.Via,
			"tags": strings.Join(t.Tags, " "), "requester_email": s.users[t.RequesterID].Email,
			"organization_id": str(t.OrganizationID), "organization_name": s.orgs[t.OrganizationID].Name,
			"created_at": t.CreatedAt.UTC().Format("2006-01-02T15:04Z"), "updated_at": ts(t.UpdatedAt),
			"latest_comment": latest, "latest_comment_public": public, "time_spent_total": str(t.TimeSpent),
		},
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("zendeskfake: encode body: " + err.Error())
	}
	return b, true
}

// Headers returns the headers of a webhook delivery of body, signed at the fake's clock
// now with Options.WebhookSecret (none when it is empty).
func (s *Server) Headers(body []byte, invocation string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Zendesk Webhook")
	h.Set(zendesk.HeaderWebhookID, "01JFAKEWEBHOOK0000000000001")
	h.Set(zendesk.HeaderInvocation, invocation)
	if s.opt.WebhookSecret != "" {
		ts := s.opt.Clock().UTC().Format("2006-01-02T15:04:05Z")
		h.Set(zendesk.HeaderTimestamp, ts)
		h.Set(zendesk.HeaderSignature, zendesk.Sign(s.opt.WebhookSecret, ts, body))
	}
	return h
}
