package sla

import (
	"testing"
	"time"
)

// vt reads "2006-01-02 15:04" as Europe/Vienna local time.
func vt(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Vienna)
	if err != nil {
		tb.Fatalf("bad time %q: %v", s, err)
	}
	return t.UTC()
}

// local writes t the way vt reads it, for comparisons.
func local(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Vienna).Format("2006-01-02 15:04")
}

func planTerms(tb testing.TB, id string) *Terms {
	tb.Helper()
	p, ok := LookupPlan(id)
	if !ok {
		tb.Fatalf("no plan %q", id)
	}
	t := TermsOf(p)
	t.ContractID, t.ContractName = "c-1", "Beispiel GmbH"
	t.EmergencyPhone = "+43 1 234 56 78"
	return &t
}

// tk is a ticket under construction: created at a Vienna time with a priority.
type tk struct {
	tb testing.TB
	t  Ticket
}

func newTicket(tb testing.TB, created string, p Priority) *tk {
	tb.Helper()
	at := vt(tb, created)
	return &tk{tb: tb, t: Ticket{ID: "42", Number: "10042", Title: "Frage zur Website", Channel: ChannelWeb, CreatedAt: at,
		Snapshots: []Snapshot{{At: at, State: "new", Priority: p, Article: &Message{ID: "a1", At: at, Public: true,
			Channel: ChannelWeb, Subject: "Frage zur Website", Body: "Hallo, ich habe eine Frage."}}}}}
}

func (k *tk) title(s string) *tk {
	k.t.Title = s
	k.t.Snapshots[0].Article.Subject = s
	return k
}
func (k *tk) body(s string) *tk    { k.t.Snapshots[0].Article.Body = s; return k }
func (k *tk) channel(c string) *tk { k.t.Channel = c; k.t.Snapshots[0].Article.Channel = c; return k }
func (k *tk) quota(n int) *tk      { k.t.QuotaPosition = n; return k }
func (k *tk) says(v *Verdict) *tk  { k.t.Verdict = v; return k }

// last is the latest snapshot so far, the base of the next one.
func (k *tk) last() Snapshot {
	s := k.t.Snapshots[len(k.t.Snapshots)-1]
	s.Article = nil
	return s
}

func (k *tk) add(at string, f func(*Snapshot)) *tk {
	s := k.last()
	s.At = vt(k.tb, at)
	s.BySelf = false
	f(&s)
	k.t.Snapshots = append(k.t.Snapshots, s)
	return k
}

func (k *tk) state(at, name string) *tk {
	return k.add(at, func(s *Snapshot) {
		s.State, s.Paused, s.Closed = name, name == "pending", name == "closed"
	})
}
func (k *tk) prio(at string, p Priority) *tk { return k.add(at, func(s *Snapshot) { s.Priority = p }) }
func (k *tk) selfPrio(at string, p Priority) *tk {
	return k.add(at, func(s *Snapshot) { s.Priority, s.BySelf = p, true })
}
func (k *tk) article(at string, m Message) *tk {
	return k.add(at, func(s *Snapshot) {
		m.At = s.At
		if m.ID == "" {
			m.ID = "a-" + at
		}
		s.Article = &m
		s.BySelf = m.BySelf
	})
}
func (k *tk) reply(at string) *tk {
	return k.article(at, Message{FromAgent: true, Public: true, Channel: ChannelEmail, Body: "Wir kümmern uns darum."})
}
func (k *tk) note(at string) *tk {
	return k.article(at, Message{FromAgent: true, Public: false, Channel: ChannelNote, Body: "intern"})
}
func (k *tk) ticket() Ticket { return k.t }

func markKeys(s Status) []string {
	out := make([]string, 0, len(s.Marks))
	for _, m := range s.Marks {
		out = append(out, m.Key)
	}
	return out
}

const (
	second = time.Second
	minute = time.Minute
	hour   = time.Hour
)

// checkCriticalTagOnce: a critical ticket's marks carry CriticalTag exactly once, and on
// the correction when one raises the ticket to critical — a helpdesk without a critical
// priority writes the tag with that priority, so a second copy on the critical mark was
// a second tag write for one ticket.
func checkCriticalTagOnce(t *testing.T, st Status) {
	t.Helper()
	if !st.Critical {
		return
	}
	n := 0
	for _, m := range st.Marks {
		if m.Tag == CriticalTag {
			n++
		}
		if m.Key == MarkCorrection && m.Priority == Critical && m.Tag != CriticalTag {
			t.Errorf("the correction to critical carries tag %q, want %q", m.Tag, CriticalTag)
		}
	}
	if n != 1 {
		t.Errorf("%d marks carry %q, want 1", n, CriticalTag)
	}
}
