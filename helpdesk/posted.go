package helpdesk

import (
	"context"
	"strings"
)

// PostedReader is implemented by adapters that can read back what a ticket's notes,
// replies and comments say. A worker that takes over a ticket's writes from one that may
// have died between the helpdesk's answer and recording it reads them once and drops
// (Unposted) the notes and replies already there: those are not idempotent in any
// helpdesk, and a customer must not get one confirmation twice.
type PostedReader interface {
	// Posted returns the plain-text bodies of the ticket's articles (notes, replies,
	// comments), in any order. ErrNotFound when the ticket is gone.
	Posted(ctx context.Context, t TicketRef) ([]string, error)
}

// Unposted returns w without its Note and Reply when one of posted already contains it,
// comparing with runs of white space collapsed to one space (helpdesks re-wrap and trim
// what they store). Tags and priority are kept: writing them again changes nothing.
func Unposted(w Write, posted []string) Write {
	if w.Note == "" && w.Reply == "" {
		return w
	}
	bodies := make([]string, len(posted))
	for i, p := range posted {
		bodies[i] = collapse(p)
	}
	has := func(s string) bool {
		s = collapse(s)
		for _, b := range bodies {
			if s != "" && strings.Contains(b, s) {
				return true
			}
		}
		return false
	}
	if w.Note != "" && has(w.Note) {
		w.Note = ""
	}
	if w.Reply != "" && has(w.Reply) {
		w.Reply, w.ReplySubject, w.ReplyTo = "", "", ""
	}
	return w
}

// Empty reports whether w changes nothing.
func (w Write) Empty() bool {
	return w.Priority == "" && len(w.Tags) == 0 && len(w.RemoveTags) == 0 && w.Note == "" && w.Reply == ""
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
