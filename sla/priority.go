package sla

import (
	"fmt"
	"strings"
)

// Priority is a ticket's priority in the policy's words. Helpdesks have their own names;
// their adapters map to and from these four.
type Priority string

// The priorities, lowest first.
const (
	Low      Priority = "low"
	Medium   Priority = "medium"
	High     Priority = "high"
	Critical Priority = "critical"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{Low, Medium, High, Critical}

// ParsePriority reads a priority name case-insensitively; it fails on anything else.
func ParsePriority(s string) (Priority, error) {
	p := Priority(strings.ToLower(strings.TrimSpace(s)))
	if p.Valid() {
		return p, nil
	}
	return "", fmt.Errorf("sla: unknown priority %q (want low, medium, high or critical)", s)
}

// Valid reports whether p is one of the four priorities.
func (p Priority) Valid() bool {
	switch p {
	case Low, Medium, High, Critical:
		return true
	}
	return false
}

// Rank orders priorities: low 0 … critical 3; an invalid priority ranks -1.
func (p Priority) Rank() int {
	for i, q := range Priorities {
		if p == q {
			return i
		}
	}
	return -1
}

// CriticalTag is the tag of a critical ticket. A helpdesk without a critical priority
// carries critical as its high priority plus this tag.
const CriticalTag = "sla-critical"
