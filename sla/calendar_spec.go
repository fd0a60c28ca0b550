package sla

// CalendarSpec describes a business calendar as data, as contracts store it. The zero
// value is the default calendar: Mon–Fri 08:00–17:00 Europe/Vienna, Austrian holidays.
type CalendarSpec struct {
	// Preset "24x7" makes every instant open (the other fields must then be empty);
	// empty or "default" uses the fields below.
	Preset string `json:"preset,omitempty"`
	// TimeZone is an IANA zone name; empty means Europe/Vienna.
	TimeZone string `json:"time_zone,omitempty"`
	// Opens and Closes are local wall-clock times "HH:MM"; empty means 08:00 and 17:00.
	Opens  string `json:"opens,omitempty"`
	Closes string `json:"closes,omitempty"`
	// Weekdays open, as lowercase English names ("monday"…); empty means Monday to Friday.
	Weekdays []string `json:"weekdays,omitempty"`
	// Holidays names the public holiday set: "AT" (default when empty) or "none".
	Holidays string `json:"holidays,omitempty"`
	// ClosedDays are extra closing days (company holidays), "YYYY-MM-DD" local dates.
	ClosedDays []string `json:"closed_days,omitempty"`
}
