package jobs

import (
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Summary is what the ticket log keeps of a ticket's last evaluation: enough for the
// at-risk board and for the next evaluation, small enough for the memory budget of an
// open ticket (the full status is re-evaluated on demand).
type Summary struct {
	ContractID string         `json:"c,omitempty"`
	Number     string         `json:"n,omitempty"`
	Title      string         `json:"t,omitempty"`
	Priority   sla.Priority   `json:"p,omitempty"`
	FirstResp  sla.ClockState `json:"f,omitempty"`
	Resolution sla.ClockState `json:"r,omitempty"`
	Next       time.Time      `json:"d,omitzero"` // the earliest open deadline (board order)
	Marks      []string       `json:"m,omitempty"`
	// CorrectedTo is the priority slaguard corrected the ticket to, if any.
	CorrectedTo sla.Priority `json:"ct,omitempty"`
}

func summarize(ev *Evaluation) Summary {
	st := ev.Status
	s := Summary{ContractID: ev.ContractID, Number: ev.Number, Title: truncate(ev.Title, 120), Priority: st.Priority,
		FirstResp: st.FirstResponse.State, Resolution: st.Resolution.State, Next: boardInstant(st)}
	for _, m := range st.Marks {
		s.Marks = append(s.Marks, m.Key)
	}
	if st.Correction != nil {
		s.CorrectedTo = st.Correction.To
	}
	return s
}
