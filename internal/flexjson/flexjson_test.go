package flexjson_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/monobunt/slaguard/internal/flexjson"
)

func TestStringReadsEveryScalarForm(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"4711"`, "4711"},
		{`4711`, "4711"},
		{`4711.0`, "4711"},
		{`4.711e3`, "4711"},
		{`null`, ""},
		{`true`, "true"},
		{`"Grüße"`, "Grüße"},
		{`"a\"b\\n\u00e4"`, "a\"b\\nä"},
		{"\"bad \xff byte\"", "bad \ufffd byte"},
	}
	for _, tt := range tests {
		var s flexjson.String
		if err := s.UnmarshalJSON([]byte(tt.in)); err != nil {
			t.Errorf("%s: %v", tt.in, err)
		}
		if string(s) != tt.want {
			t.Errorf("%s read as %q, want %q", tt.in, s, tt.want)
		}
	}
}

// FuzzStringReadsQuotedStringsAsJSONDoes holds the shortcut for strings with nothing to
// unescape to what encoding/json makes of every quoted string.
func FuzzStringReadsQuotedStringsAsJSONDoes(f *testing.F) {
	for _, s := range []string{`"plain"`, `"esc\"aped"`, `"\u00e4"`, `"ä"`, "\"\xff\"", "\"tab\t\"", `""`, `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			return
		}
		var want string
		wantErr := json.Unmarshal(b, &want)
		var got flexjson.String
		gotErr := got.UnmarshalJSON(b)
		if wantErr == nil && (gotErr != nil || string(got) != want) {
			t.Errorf("%q: read %q (%v), encoding/json %q", b, got, gotErr, want)
		}
	})
}

func TestListReadsAnArrayOrTheTagsATemplateJoined(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`["sla-critical","vip"]`, []string{"sla-critical", "vip"}},
		{`[1, "2", null, ""]`, []string{"1", "2"}},
		{`"sla-critical, vip"`, []string{"sla-critical", "vip"}}, // Zammad's #{ticket.tags}
		{`"sla-critical vip"`, []string{"sla-critical", "vip"}},  // Zendesk's {{ticket.tags}}
		{`""`, nil},
		{`null`, nil},
		{`{"a":1}`, nil},
	}
	for _, tt := range tests {
		var l flexjson.List
		if err := l.UnmarshalJSON([]byte(tt.in)); err != nil {
			t.Errorf("%s: %v", tt.in, err)
		}
		if !slices.Equal(l, tt.want) {
			t.Errorf("%s read as %q, want %q", tt.in, l, tt.want)
		}
	}
}

func TestBoolReadsTrueFalseInEveryForm(t *testing.T) {
	for in, want := range map[string]bool{`true`: true, `"true"`: true, `1`: true, `"1"`: true,
		`false`: false, `"false"`: false, `0`: false, `null`: false, `"yes"`: false, `{}`: false} {
		var b flexjson.Bool
		if err := b.UnmarshalJSON([]byte(in)); err != nil || bool(b) != want {
			t.Errorf("%s read as %v (%v), want %v", in, b, err, want)
		}
	}
}
