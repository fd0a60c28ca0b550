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

// A body with several bad fields names every one of them, in the body's order and by
// path, not only the first one encoding/json meets.
func TestDecodeNamesEveryBadField(t *testing.T) {
	type pause struct {
		From string `json:"from"`
	}
	type inner struct {
		Days []int `json:"days"`
	}
	type embedded struct {
		Note string `json:"note"`
	}
	type body struct {
		embedded
		Name     string            `json:"name"`
		Cents    *int64            `json:"hourly_rate_cents"`
		Active   bool              `json:"active"`
		Domains  []string          `json:"domains"`
		Calendar *inner            `json:"calendar"`
		Targets  map[string]int    `json:"targets"`
		Pauses   []pause           `json:"pauses"`
		Labels   map[string]string `json:"labels"`
	}
	var b body
	err := Decode(strings.NewReader(`{"name":7,"hourly_rate_cents":"9600","active":"yes","note":1,
		"domains":["ok",3],"calendar":{"days":[1,"mon"],"colour":"red"},"targets":{"low":"8h","high":4},
		"pauses":[{"from":"a"},{"from":false}],"labels":null,"extra":true}`), &b)
	p, ok := err.(*Problem)
	if !ok {
		t.Fatalf("Decode = %v", err)
	}
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Field)
	}
	want := []string{"name", "hourly_rate_cents", "active", "note", "domains[1]", "calendar.days[1]", "calendar.colour",
		"targets.low", "pauses[1].from", "extra"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields %q, want %q\n%+v", got, want, p.Errors)
	}
	if p.Status != 400 || len(p.Errors) < 2 || p.Errors[1].Reason != "must be an integer" {
		t.Errorf("problem %+v", p)
	}
	// One bad field keeps the single-field answer.
	err = Decode(strings.NewReader(`{"name":7}`), &b)
	if p, ok := err.(*Problem); !ok || len(p.Errors) != 1 || p.Errors[0].Field != "name" {
		t.Errorf("one bad field: %v", err)
	}
}
