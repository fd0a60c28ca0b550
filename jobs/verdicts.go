package jobs

import (
	"hash/maphash"
	"sync"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/sla"
)

// maxVerdicts bounds a verdict memo: about 100 bytes an entry, so under 1 MB.
const maxVerdicts = 8192

// verdictMemo remembers the rules' verdicts by the text they were given. Classifying is a
// pure function of the rules and the text, and a ticket's text rarely changes between its
// evaluations: every timer check and re-evaluation would otherwise scan it again (on the
// timers scenario, 3.8 % of the worker). One memo belongs to one set of rules
// (loadedRules), so new rules start with an empty one. Texts are keyed by a 128-bit hash
// (two seeded maphashes, random per process), so the memo keeps no ticket text alive.
type verdictMemo struct {
	mu sync.Mutex
	m  map[[2]uint64]*sla.Verdict
}

// verdictSeeds seed the two halves of a text's key.
var verdictSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// textKey is subject and body's key in a verdict memo.
func textKey(subject, body string) [2]uint64 {
	var k [2]uint64
	for i, seed := range verdictSeeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(subject)
		h.WriteByte(0) // a subject's end: "ab"+"c" is not "a"+"bc"
		h.WriteString(body)
		k[i] = h.Sum64()
	}
	return k
}

// classify returns the verdict of rules on subject and body, from the memo when the same
// text was classified before. The verdict is a copy: callers may change it.
func (vm *verdictMemo) classify(rules *classify.Rules, subject, body string) *sla.Verdict {
	key := textKey(subject, body)
	vm.mu.Lock()
	v, ok := vm.m[key]
	vm.mu.Unlock()
	if !ok {
		v = classify.Classify(rules, subject, body).Verdict()
		vm.mu.Lock()
		if vm.m == nil || len(vm.m) >= maxVerdicts {
			vm.m = make(map[[2]uint64]*sla.Verdict) // full: start over, the live tickets come back
		}
		vm.m[key] = v
		vm.mu.Unlock()
	}
	if v == nil {
		return nil
	}
	c := *v
	return &c
}
