package zammad

import (
	"context"
	"strings"

	"github.com/monobunt/slaguard/sla"
)

// Me returns the id of the user slaguard's token belongs to (GET /api/v1/users/me).
// Slaguard's own writes come back as webhooks with this id as updated_by_id; comparing
// Event.Ticket.UpdatedBy with it tells them apart from people's changes.
func (a *Adapter) Me(ctx context.Context) (userID string, err error) {
	var u struct {
		ID flexString `json:"id"`
	}
	c := call{What: "read own user", Method: "GET", Path: "/users/me"}
	if err := a.api.Do(ctx, c, &u); err != nil {
		return "", err
	}
	if u.ID == "" {
		return "", a.api.Errorf(c, "answer has no id")
	}
	return string(u.ID), nil
}

// DiscoverPriorities lists the instance's priorities (GET /api/v1/ticket_priorities) and,
// when no critical priority was configured, adopts an active one whose name reads as
// critical ("4 critical", "urgent"), so critical is written as itself instead of high
// plus CriticalTag. It returns the critical name in use ("" when there is none).
func (a *Adapter) DiscoverPriorities(ctx context.Context) (critical string, err error) {
	var list []struct {
		Name   flexString `json:"name"`
		Active *bool      `json:"active"`
	}
	c := call{What: "list priorities", Method: "GET", Path: "/ticket_priorities"}
	if err := a.api.Do(ctx, c, &list); err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.critical != "" {
		return a.critical, nil
	}
	for _, p := range list {
		name := strings.TrimSpace(string(p.Name))
		lower := strings.ToLower(name)
		if (p.Active == nil || *p.Active) && looksCritical(lower) {
			if _, mapped := a.prio[lower]; !mapped {
				a.prio[lower] = sla.Critical
			}
			if a.prio[lower] == sla.Critical {
				a.critical = name
				break
			}
		}
	}
	return a.critical, nil
}
