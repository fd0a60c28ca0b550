package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// harnessPrefixes are variables slaguard's own tests and bench scripts read; they are not
// settings but are not typos either.
var harnessPrefixes = []string{"SLAGUARD_TEST_", "SLAGUARD_SCALE", "SLAGUARD_CHAOS", "SLAGUARD_BENCH"}

// environ is the process environment; a variable so tests can hand run their own.
var environ = os.Environ

// unknownVariables names every SLAGUARD_* variable in env that no setting reads — a typo
// like SLAGUARD_CONCURENCY would otherwise be silently ignored — with the closest known
// name as a suggestion. The result is sorted.
func unknownVariables(env []string) []string {
	known := map[string]bool{}
	for _, s := range settings {
		known[s.env] = true
	}
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "SLAGUARD_") || known[name] || hasAnyPrefix(name, harnessPrefixes) {
			continue
		}
		msg := name + " is not a slaguard setting and is ignored"
		if best := closestSetting(name); best != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		}
		out = append(out, msg)
	}
	sort.Strings(out)
	return out
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// closestSetting is the known variable nearest to name by edit distance, if it is near
// enough to be a plausible typo (at most a third of the name's length apart).
func closestSetting(name string) string {
	best, bestD := "", len(name)/3+1
	for _, s := range settings {
		if d := editDistance(name, s.env); d < bestD {
			best, bestD = s.env, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes; variable names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
