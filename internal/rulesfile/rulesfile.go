// Package rulesfile loads the agency's priority-correction rules from a YAML file into
// classify.Rules. The default rules are embedded; a deployment may point at its own file. It
// reads only the file it is given and is strict: unknown keys, a missing rules list or a
// bad rule are errors that name the file and the rule.
package rulesfile

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/sla"
)

//go:embed default_rules.yaml
var defaultRules []byte

// ErrFormat is wrapped when a file is not a rules file: bad YAML, an unknown key, no rules.
var ErrFormat = errors.New("rulesfile: not a valid rules file")

// MaxSize is the largest rules file read. A rules file is a few kilobytes of phrases;
// anything much larger is a mistake (a log file, a binary) and is refused before the
// YAML parser spends time on it.
const MaxSize = 256 << 10

type fileRules struct {
	Scoring fileScoring `yaml:"scoring"`
	Rules   []fileRule  `yaml:"rules"`
}

type fileScoring struct {
	SubjectWeight float64 `yaml:"subject_weight"`
	MinScore      float64 `yaml:"min_score"`
	Margin        float64 `yaml:"margin"`
}

type fileRule struct {
	Name          string   `yaml:"name"`
	Priority      string   `yaml:"priority"`
	ChangeRequest bool     `yaml:"change_request"`
	Outage        bool     `yaml:"outage"`
	Negatable     bool     `yaml:"negatable"`
	Quoted        bool     `yaml:"quoted"`
	Weight        float64  `yaml:"weight"`
	Keywords      []string `yaml:"keywords"`
}

// Default returns the rules shipped with slaguard (default_rules.yaml). It panics only if
// that embedded file is broken, which its test rules out.
func Default() *classify.Rules {
	r, err := Parse(defaultRules, "default_rules.yaml")
	if err != nil {
		panic(err)
	}
	return r
}

// DefaultYAML returns the text of the default rules file, e.g. to start an own copy.
func DefaultYAML() []byte { return bytes.Clone(defaultRules) }

// Load reads the rules file at path; an empty path means the default rules. Errors name
// the file and, for a bad rule, its position and name; they wrap ErrFormat or
// classify.ErrInvalidRule, or the error of reading the file.
func Load(path string) (*classify.Rules, error) {
	if path == "" {
		return Parse(defaultRules, "default_rules.yaml")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rulesfile: %w", err)
	}
	return Parse(b, path)
}

// Parse reads rules from YAML; name is used in errors (a file name).
func Parse(b []byte, name string) (*classify.Rules, error) {
	if err := precheck(b); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrFormat, name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f fileRules
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s: the file is empty", ErrFormat, name)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: more than one YAML document", ErrFormat, name)
	}
	if len(f.Rules) == 0 {
		return nil, fmt.Errorf("%w: %s: no rules (want a top-level \"rules:\" list)", ErrFormat, name)
	}
	rs := make([]classify.Rule, len(f.Rules))
	for i, r := range f.Rules {
		rs[i] = classify.Rule{Name: r.Name, Priority: sla.Priority(r.Priority), ChangeRequest: r.ChangeRequest,
			Outage: r.Outage, Negatable: r.Negatable, Quoted: r.Quoted, Weight: r.Weight, Keywords: r.Keywords}
	}
	sc := classify.Scoring{SubjectWeight: f.Scoring.SubjectWeight, MinScore: f.Scoring.MinScore, Margin: f.Scoring.Margin}
	rules, err := classify.NewRules(sc, rs)
	if err != nil {
		return nil, fmt.Errorf("rulesfile: %s: %w", name, err)
	}
	return rules, nil
}

// precheck refuses, before the YAML parser reads a byte of it, what cannot be a rules
// file: more than MaxSize bytes, bytes that are not UTF-8 text, and a document whose
// first key is not "scoring:" or "rules:" (a rules file is a block mapping of those two
// keys, comments and a "---" allowed before). The YAML parser would refuse all of these
// too, but only after reading them through at some 40 ns a byte; this reads them at a
// fraction of that, which matters to the fuzzer, whose minimizer parses an input once
// per byte range it tries to cut.
func precheck(b []byte) error {
	if len(b) > MaxSize {
		return fmt.Errorf("%d bytes, more than the %d a rules file may have", len(b), MaxSize)
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return errors.New("not UTF-8 text")
	}
	rest := bytes.TrimPrefix(b, []byte("\uFEFF"))
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		rest = next
		t := bytes.TrimSpace(line)
		switch {
		case len(t) == 0 || t[0] == '#' || t[0] == '%' || bytes.HasPrefix(t, []byte("---")):
			continue
		case bytes.HasPrefix(line, []byte("rules:")) || bytes.HasPrefix(line, []byte("scoring:")):
			return nil
		}
		if len(t) > 40 {
			t = append(t[:40:40], "…"...)
		}
		return fmt.Errorf("it starts with %q; a rules file is a YAML mapping with the keys \"scoring:\" and \"rules:\" at the start of their lines", t)
	}
	return errors.New("the file is empty")
}
