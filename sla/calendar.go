package sla

import "time"

// STUB: the calendar helper replaces this file. The exported API below is fixed.

// Interval is a half-open span of time [From, To) in UTC, e.g. a pause while the ticket
// waits on the customer.
type Interval struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Calendar counts open (business) time.
type Calendar struct{}

// DefaultCalendar is Mon–Fri 08:00–17:00 Europe/Vienna, closed on Austrian public holidays.
func DefaultCalendar() *Calendar { panic("stub") }

// AlwaysOpen is the 24/7 calendar: every instant is open.
func AlwaysOpen() *Calendar { panic("stub") }

// NewCalendar builds a calendar from its spec; it fails naming the bad field.
func NewCalendar(spec CalendarSpec) (*Calendar, error) { panic("stub") }

// Add returns the earliest instant at which d of open time, not inside pauses, has
// elapsed since start.
func (c *Calendar) Add(start time.Time, d time.Duration, pauses []Interval) time.Time {
	panic("stub")
}

// Between returns the open time in [a, b) not inside pauses; 0 when b <= a.
func (c *Calendar) Between(a, b time.Time, pauses []Interval) time.Duration { panic("stub") }

// NextOpen returns t if t is open, else the next opening instant.
func (c *Calendar) NextOpen(t time.Time) time.Time { panic("stub") }

// IsOpen reports whether t is inside open time.
func (c *Calendar) IsOpen(t time.Time) bool { panic("stub") }
