package contracts

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/monobunt/slaguard/internal/problem"
)

// MergePatch applies an RFC 7396 JSON merge patch to spec and decodes the result strictly:
// null removes a member (an override returns to the plan's value), objects merge member by
// member, anything else replaces. Read-only members (id, version, …) and unknown members
// are refused like in a PUT body. Errors are *problem.Problem naming the field.
func MergePatch(spec Spec, patch []byte) (Spec, error) {
	var p any
	dec := json.NewDecoder(bytes.NewReader(patch))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return Spec{}, problem.Fields(http.StatusBadRequest, "the merge patch is not valid JSON")
	}
	if _, ok := p.(map[string]any); !ok {
		return Spec{}, problem.Fields(http.StatusBadRequest, "a merge patch of a contract must be a JSON object")
	}
	cur, err := json.Marshal(spec)
	if err != nil {
		return Spec{}, err
	}
	var doc any
	dec = json.NewDecoder(bytes.NewReader(cur))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return Spec{}, err
	}
	merged, err := json.Marshal(mergePatch(doc, p))
	if err != nil {
		return Spec{}, err
	}
	var out Spec
	if err := problem.Decode(bytes.NewReader(merged), &out); err != nil {
		return Spec{}, err
	}
	return out, nil
}

// mergePatch is RFC 7396's MergePatch(Target, Patch).
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}
