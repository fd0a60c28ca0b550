// Package flexjson reads JSON values that helpdesks send in more than one form: an id as
// a number or a string, a boolean as true or "true", a list or nothing. Webhook bodies
// rendered from templates (Zendesk triggers, Freshdesk automations) quote every value,
// and REST answers do not; these types read both instead of failing a whole delivery
// over one field. They never panic and never fail on a scalar.
package flexjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String reads a string, number, bool or null (""); objects and arrays are an error.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (f *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		if s, ok := plain(b); ok {
			*f = String(s)
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = String(s)
	case b[0] == '{' || b[0] == '[':
		return errors.New("want a string or a number")
	case b[0] == 't' || b[0] == 'f':
		*f = String(b)
	default: // a number; 4711.0 and 4.711e3 are the id 4711
		s := string(b)
		if strings.ContainsAny(s, ".eE") {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v == math.Trunc(v) && math.Abs(v) < 1e15 {
				s = strconv.FormatInt(int64(v), 10)
			}
		}
		*f = String(s)
	}
	return nil
}

// plain is the text of a quoted JSON string that has nothing to unescape or replace (no
// backslash, no control character, valid UTF-8), as json.Unmarshal would read it but
// without its second pass over the value; ok is false for any other.
func plain(b []byte) (string, bool) {
	if len(b) < 2 || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c == '\\' || c == '"' || c < ' ' {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// Trim is the value without surrounding space.
func (f String) Trim() string { return strings.TrimSpace(string(f)) }

// Float reads a number or a decimal string ("15.0"); null, "", anything unreadable and
// anything not finite are 0.
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s.Trim(), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	*f = Float(v)
	return nil
}

// Bool reads true/false, "true"/"false", 1/0; anything else is false.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *Bool) UnmarshalJSON(b []byte) error {
	var s String
	_ = s.UnmarshalJSON(b)
	v, _ := strconv.ParseBool(s.Trim())
	*f = Bool(v)
	return nil
}

// List reads an array of scalars as strings, or a string of values separated by spaces
// or commas (how helpdesk templates render a tag list); anything else is empty.
type List []string

// UnmarshalJSON implements json.Unmarshaler.
func (f *List) UnmarshalJSON(b []byte) error {
	*f = nil
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
			*f = append(*f, v)
		}
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		var s String
		if err := s.UnmarshalJSON(r); err == nil && s.Trim() != "" {
			out = append(out, s.Trim())
		}
	}
	*f = out
	return nil
}
