package problem

import (
	"strings"
	"testing"
)

// Wrong types say what is wrong: a number too large for its field, a pause that is not a
// [from, to] pair, a length limit with its unit.
func TestDecodeReasonsNameTheProblem(t *testing.T) {
	type body struct {
		Cents  *int64      `json:"hourly_rate_cents"`
		Pauses [][2]string `json:"pauses"`
		Name   string      `json:"name" validate:"max=5"`
	}
	for _, c := range []struct{ json, want string }{
		{`{"hourly_rate_cents":12345678901234567890123}`, "must be a whole number from -9223372036854775808 to 9223372036854775807"},
		{`{"hourly_rate_cents":12.5}`, "must be a whole number"},
		{`{"pauses":[{"from":"a","to":"b"}]}`, "must be a [from, to] pair"},
	} {
		var b body
		err := Decode(strings.NewReader(c.json), &b)
		p, ok := err.(*Problem)
		if !ok || len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Reason, c.want) {
			t.Errorf("%s: %v %+v, want %q", c.json, err, p, c.want)
		}
	}
	err := NewValidator().Validate(&body{Name: "too long"})
	p, ok := err.(*Problem)
	if !ok || len(p.Errors) != 1 || p.Errors[0].Reason != "must be at most 5 characters" {
		t.Errorf("max on a string: %v", err)
	}
}
