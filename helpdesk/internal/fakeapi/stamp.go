package fakeapi

import "time"

// NextID is the id an entry gets: id itself, or the next of the counter when id is 0.
func NextID[ID ~int | ~int64](id ID, counter *ID) ID {
	if id == 0 {
		*counter++
		id = *counter
	}
	return id
}

// At is when an entry was made, as the fakes stamp it: at, or now when at is zero, in
// UTC milliseconds (as their APIs show it, so a stamp read back compares equal).
func At(at time.Time, now func() time.Time) time.Time {
	if at.IsZero() {
		at = now()
	}
	return at.UTC().Truncate(time.Millisecond)
}

// Timestamp is how the fakes write times: UTC with milliseconds (Zammad writes them so;
// Zendesk and Freshdesk write seconds, and milliseconds keep two updates within one
// second of a fast test apart); null for the zero time.
func Timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// OrNil is id, or null for 0.
func OrNil[ID ~int | ~int64](id ID) any {
	if id == 0 {
		return nil
	}
	return id
}

// Stamp is now as the fakes stamp an update (ms), strictly after prev.
func Stamp(now, prev time.Time) time.Time {
	now = now.UTC().Truncate(time.Millisecond)
	if !now.After(prev) {
		now = prev.Add(time.Millisecond)
	}
	return now
}
