package sla

// Rules is what sla reads of the agency's own texts and settings besides the contract:
// today the confirmation template. The priority correction rules themselves are applied
// before Evaluate, by the classifier outside sla; their outcome arrives with the ticket
// as Ticket.Verdict. A nil *Rules uses the default confirmation template. Rules is
// immutable and safe for concurrent use.
type Rules struct {
	confirmation *ConfirmationTemplate
}

// WithConfirmation returns a copy of r that writes confirmations with t instead of the
// default German template; r itself is unchanged and may be nil. A nil t means the
// default.
func (r *Rules) WithConfirmation(t *ConfirmationTemplate) *Rules {
	return &Rules{confirmation: t}
}
