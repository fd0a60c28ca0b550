package zammad

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
)

// Zammad's payloads are generated from Rails models and custom payloads are written by
// hand, so a value may come as a number, a string or null. These types read the forms
// that occur instead of failing a whole delivery over one field.

// flexString reads a string, number, bool or null; objects and arrays are an error.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{' || b[0] == '[':
		return errors.New("want a string or a number")
	case b[0] == 't' || b[0] == 'f':
		*f = flexString(b)
	default: // a number; 4711.0 and 4.711e3 are the id 4711
		s := string(b)
		if strings.ContainsAny(s, ".eE") {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v == math.Trunc(v) && math.Abs(v) < 1e15 {
				s = strconv.FormatInt(int64(v), 10)
			}
		}
		*f = flexString(s)
	}
	return nil
}

// flexFloat reads a number or a decimal string ("15.0"); null, "" and anything
// unreadable or not finite are 0, since a bad booking must not cost the event.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	*f = flexFloat(v)
	return nil
}

// flexBool reads true/false, "true"/"false", 1/0; anything else is false.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	v, _ := strconv.ParseBool(string(s))
	*f = flexBool(v)
	return nil
}

// flexList reads an array of scalars as strings; anything else is an empty list.
type flexList []string

func (f *flexList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		*f = nil
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		var s flexString
		if err := s.UnmarshalJSON(r); err == nil && s != "" {
			out = append(out, string(s))
		}
	}
	*f = out
	return nil
}

// ref is an association: Zammad expands it into an object with an id and a name (or an
// e-mail), but older versions and custom payloads send just the name or the id.
type ref struct {
	ID    flexString `json:"id"`
	Name  flexString `json:"name"`
	Email flexString `json:"email"`
	Login flexString `json:"login"`
}

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*r = ref{}
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{':
		type plain ref
		var p plain
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		*r = ref(p)
	case '"':
		return json.Unmarshal(b, &r.Name)
	case '[':
		return errors.New("want an object or a name")
	case 'n', 't', 'f':
	default:
		return r.ID.UnmarshalJSON(b)
	}
	return nil
}
