// Package rulesfile loads the agency's priority-correction rules from a YAML file into
// sla.Rules. The default rules are embedded; a deployment may point at its own file. It
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

	"go.yaml.in/yaml/v3"

	"github.com/monobunt/slaguard/sla"
)

//go:embed default_rules.yaml
var defaultRules []byte

// ErrFormat is wrapped when a file is not a rules file: bad YAML, an unknown key, no rules.
var ErrFormat = errors.New("rulesfile: not a valid rules file")

type fileRules struct {
	Rules []fileRule `yaml:"rules"`
}

type fileRule struct {
	Name          string   `yaml:"name"`
	Priority      string   `yaml:"priority"`
	ChangeRequest bool     `yaml:"change_request"`
	Outage        bool     `yaml:"outage"`
	Keywords      []string `yaml:"keywords"`
}

// Default returns the rules shipped with slaguard (default_rules.yaml). It panics only if
// that embedded file is broken, which its test rules out.
func Default() *sla.Rules {
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
// sla.ErrInvalidRule, or the error of reading the file.
func Load(path string) (*sla.Rules, error) {
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
func Parse(b []byte, name string) (*sla.Rules, error) {
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
	rs := make([]sla.Rule, len(f.Rules))
	for i, r := range f.Rules {
		rs[i] = sla.Rule{Name: r.Name, Priority: sla.Priority(r.Priority), ChangeRequest: r.ChangeRequest,
			Outage: r.Outage, Keywords: r.Keywords}
	}
	rules, err := sla.NewRules(rs)
	if err != nil {
		return nil, fmt.Errorf("rulesfile: %s: %w", name, err)
	}
	return rules, nil
}
