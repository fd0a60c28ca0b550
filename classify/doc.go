// Package classify decides what the agency's priority-correction rules make of a new
// ticket's text: a priority, a change request, or nothing. It owns the text analysis of
// German and English support mail (case, umlauts and ß, inflections and compounds through
// the Snowball stemmers, quoted replies, signatures, greetings and forwarded headers,
// negation, quoted strings) and the scoring of the rules' weighted evidence.
//
// Classify is a pure function of the compiled rules and the text: no I/O, no clock, no
// state between calls. Its outcome reaches sla as an input (sla.Ticket.Verdict), decided
// once before sla.Evaluate; sla never imports this package. The rules themselves are
// data (internal/rulesfile reads them from YAML): a new situation is a new phrase, not
// new code.
package classify
