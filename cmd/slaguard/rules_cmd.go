package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
)

const rulesUsage = `usage: slaguard rules explain --title TEXT [--body TEXT | --body-file FILE|-] [--rules-file FILE] [--json]
       slaguard rules check [--rules-file FILE]
       slaguard rules default            print the built-in rules file, to start an own copy
  explain  what the priority-correction rules make of a ticket's subject and first message:
           the class, the score per class and the words that decided
  check    load and validate a rules file (the built-in one by default)
The rules file defaults to SLAGUARD_RULES_FILE, else the built-in rules.
`

// runRules is `slaguard rules …`: tuning the correction rules without Redis or a
// helpdesk.
func runRules(args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(rulesUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	title := fs.String("title", "", "the ticket's subject")
	body := fs.String("body", "", "the ticket's first message")
	bodyFile := fs.String("body-file", "", "read the first message from this file (- for standard input)")
	file := fs.String("rules-file", getenv("SLAGUARD_RULES_FILE"), "rules file (empty: the built-in rules)")
	asJSON := fs.Bool("json", false, "print the result as JSON, as POST /api/v1/rules/explain answers")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("rules %s: %w\n%s", sub, err, rulesUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("rules %s: unexpected argument %q\n%s", sub, fs.Arg(0), rulesUsage)
	}
	switch sub {
	case "default":
		_, err := stdout.Write(rulesfile.DefaultYAML())
		return err
	case "check":
		r, err := rulesfile.Load(*file)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d rules, valid\n", nameOrDefault(*file), len(r.List()))
		return nil
	case "explain":
	default:
		return fmt.Errorf("unknown rules command %q\n%s", sub, rulesUsage)
	}
	if *bodyFile != "" {
		var b []byte
		var err error
		if *bodyFile == "-" {
			b, err = io.ReadAll(io.LimitReader(stdin, maxExplainText+1))
		} else {
			b, err = os.ReadFile(*bodyFile)
		}
		if err != nil {
			return fmt.Errorf("rules explain: %w", err)
		}
		*body = string(b)
	}
	if strings.TrimSpace(*title) == "" && strings.TrimSpace(*body) == "" {
		return fmt.Errorf("rules explain: give --title and/or --body\n%s", rulesUsage)
	}
	rules, err := rulesfile.Load(*file)
	if err != nil {
		return err
	}
	res := explain(rules, *title, *body)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printExplanation(stdout, nameOrDefault(*file), res)
	return nil
}

func nameOrDefault(file string) string {
	if file == "" {
		return "built-in rules"
	}
	return file
}

// maxExplainText bounds the text an explanation reads (the analyser reads 16 KB of it).
const maxExplainText = 64 << 10

// explanation is the answer of `rules explain` and POST /api/v1/rules/explain.
type explanation struct {
	// Class decided, or "none": the priority the policy gives stays.
	Class         string              `json:"class"`
	ChangeRequest bool                `json:"change_request"`
	Outage        bool                `json:"outage"`
	Reason        string              `json:"reason"`
	Scores        []classify.Score    `json:"scores"`
	DecidingWords []string            `json:"deciding_words"`
	DecidingRules []string            `json:"deciding_rules"`
	Evidence      []classify.Evidence `json:"evidence"`
	Scoring       explainScoring      `json:"scoring"`
}

type explainScoring struct {
	SubjectWeight float64 `json:"subject_weight"`
	MinScore      float64 `json:"min_score"`
	Margin        float64 `json:"margin"`
}

func explain(rules *classify.Rules, title, body string) explanation {
	res := classify.Classify(rules, title, body)
	s := rules.Scoring()
	out := explanation{Class: string(res.Class), ChangeRequest: res.Class == classify.ChangeRequest, Outage: res.Outage,
		Reason: res.Reason, Scores: res.Scores, DecidingWords: res.Words(5), DecidingRules: res.Rules(),
		Evidence: res.Evidence, Scoring: explainScoring{SubjectWeight: s.SubjectWeight, MinScore: s.MinScore, Margin: s.Margin}}
	if out.Class == "" {
		out.Class = "none"
	}
	if out.DecidingWords == nil {
		out.DecidingWords = []string{}
	}
	if out.DecidingRules == nil {
		out.DecidingRules = []string{}
	}
	if out.Evidence == nil {
		out.Evidence = []classify.Evidence{}
	}
	return out
}

func printExplanation(w io.Writer, rulesName string, e explanation) {
	fmt.Fprintf(w, "class:   %s", e.Class)
	if e.Outage {
		fmt.Fprint(w, " (outage: critical outside business hours on a 24/7 contract)")
	}
	fmt.Fprintf(w, "\nreason:  %s\n", e.Reason)
	if len(e.DecidingWords) > 0 {
		fmt.Fprintf(w, "words:   %s (rules: %s)\n", strings.Join(e.DecidingWords, ", "), strings.Join(e.DecidingRules, ", "))
	}
	fmt.Fprintf(w, "scores:  ")
	for i, s := range e.Scores {
		if i > 0 {
			fmt.Fprint(w, "  ")
		}
		fmt.Fprintf(w, "%s %g", s.Class, s.Score)
	}
	fmt.Fprintf(w, "\n         (%s: subject ×%g, min score %g, margin %g)\n", rulesName, e.Scoring.SubjectWeight, e.Scoring.MinScore, e.Scoring.Margin)
	if len(e.Evidence) == 0 {
		return
	}
	fmt.Fprintln(w, "evidence:")
	for _, ev := range e.Evidence {
		note := ""
		if ev.Negated {
			note = "  (negated)"
		}
		fmt.Fprintf(w, "  %-14s %5g  %-7s %-20s %q ← %q%s\n", ev.Class, ev.Weight, ev.Field, ev.Rule, ev.Text, ev.Keyword, note)
	}
}
