package contracts_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/contracts"
)

func TestContractLifecycleCreateReadUpdatePatchDelete(t *testing.T) {
	s := newServer(t)
	rec := s.do(t, http.MethodPost, "/api/v1/contracts", contractJSON(t, "domains", []string{"Example.AT."}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	c := decodeBody(t, rec)
	id := c["id"].(string)
	if rec.Header().Get("ETag") != `"v1"` || rec.Header().Get("Location") != "/api/v1/contracts/"+id {
		t.Errorf("ETag %q Location %q", rec.Header().Get("ETag"), rec.Header().Get("Location"))
	}
	if c["domains"].([]any)[0] != "example.at" || c["active"] != true || c["deleted"] != false {
		t.Errorf("created contract %v: want normalized domain, active, not deleted", c)
	}

	rec = s.do(t, http.MethodGet, "/api/v1/contracts/"+id, "")
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"v1"` {
		t.Fatalf("get: %d %s %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}

	rec = s.do(t, http.MethodPut, "/api/v1/contracts/"+id,
		contractJSON(t, "customer", "Example AG", "first_response", map[string]string{"high": "4h"}), "If-Match", `"v1"`)
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"v2"` {
		t.Fatalf("put: %d %s %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	if got := decodeBody(t, rec)["customer"]; got != "Example AG" {
		t.Errorf("customer after PUT = %v", got)
	}

	rec = s.do(t, http.MethodPatch, "/api/v1/contracts/"+id,
		`{"quota_per_month": 10, "first_response": {"low": "90m"}, "ends_on": "2026-12-31"}`,
		"If-Match", `"v2"`, "Content-Type", "application/merge-patch+json")
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"v3"` {
		t.Fatalf("patch: %d %s %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	p := decodeBody(t, rec)
	fr := p["first_response"].(map[string]any)
	if p["quota_per_month"] != float64(10) || fr["low"] != "90m" || fr["high"] != "4h" || p["customer"] != "Example AG" {
		t.Errorf("after merge patch: %v", p)
	}

	rec = s.do(t, http.MethodGet, "/api/v1/contracts/"+id+"/effective", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("effective: %d %s", rec.Code, rec.Body)
	}
	eff := decodeBody(t, rec)
	efr := eff["first_response"].(map[string]any)
	want := map[string]any{"low": "1h30m", "medium": "8h", "high": "4h", "critical": "8h"}
	for k, v := range want {
		if efr[k] != v {
			t.Errorf("effective first_response[%s] = %v, want %v", k, efr[k], v)
		}
	}
	if eff["quota_per_month"] != float64(10) || eff["hourly_rate_cents"] != float64(12000) ||
		eff["critical_rate_cents"] != float64(16000) || eff["confirmation"] != true {
		t.Errorf("effective terms %v", eff)
	}

	// A null in a merge patch returns an override to the plan's value.
	rec = s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"quota_per_month": null}`, "If-Match", `"v3"`)
	if rec.Code != http.StatusOK {
		t.Fatalf("patch null: %d %s", rec.Code, rec.Body)
	}
	if _, ok := decodeBody(t, rec)["quota_per_month"]; ok {
		t.Error("quota_per_month still overridden after a null patch")
	}

	rec = s.do(t, http.MethodDelete, "/api/v1/contracts/"+id, "", "If-Match", `"v4"`)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	// It had started, so it is kept for history and billing, ended today.
	rec = s.do(t, http.MethodGet, "/api/v1/contracts/"+id, "")
	d := decodeBody(t, rec)
	if rec.Code != http.StatusOK || d["deleted"] != true || d["ends_on"] != "2026-11-25" || d["active"] != true {
		t.Fatalf("after delete: %d %v", rec.Code, d)
	}
	// A deleted contract is read-only.
	rec = s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"customer": "X"}`, "If-Match", `"v5"`)
	if rec.Code != http.StatusConflict {
		t.Errorf("patch of a deleted contract: %d %s", rec.Code, rec.Body)
	}
}

func TestDeleteRemovesOnlyNeverStartedContractsWithoutOpenTickets(t *testing.T) {
	cases := []struct {
		name     string
		startsOn string
		open     int
		wantKept bool
	}{
		{"started contract is kept", "2026-01-01", 0, true},
		{"starts today is kept", "2026-11-25", 0, true},
		{"future contract with open tickets is kept", "2027-01-01", 2, true},
		{"future contract without tickets is removed", "2027-01-01", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var asked string
			s := newServer(t, func(cfg *contracts.HandlerConfig) {
				cfg.OpenTickets = func(_ context.Context, id string) (int, error) { asked = id; return tc.open, nil }
			})
			id := s.create(t, contractJSON(t, "starts_on", tc.startsOn))["id"].(string)
			if rec := s.do(t, http.MethodDelete, "/api/v1/contracts/"+id, "", "If-Match", `"v1"`); rec.Code != http.StatusNoContent {
				t.Fatalf("delete: %d %s", rec.Code, rec.Body)
			}
			if asked != id {
				t.Errorf("OpenTickets asked for %q, want %q", asked, id)
			}
			rec := s.do(t, http.MethodGet, "/api/v1/contracts/"+id, "")
			if kept := rec.Code == http.StatusOK; kept != tc.wantKept {
				t.Fatalf("kept = %v (%d), want %v", kept, rec.Code, tc.wantKept)
			}
			if !tc.wantKept {
				// Only its audit trail outlives it: who created and who removed it.
				if keys := s.keys(t); len(keys) != 1 || !strings.Contains(keys[0], ":history:"+id) {
					t.Errorf("removed contract left keys %v", keys)
				}
				return
			}
			c := decodeBody(t, rec)
			wantEnd := "2026-11-25"
			if tc.startsOn > wantEnd {
				wantEnd = tc.startsOn
			}
			if c["deleted"] != true || c["ends_on"] != wantEnd {
				t.Errorf("soft-deleted contract %v, want deleted and ends_on %s", c, wantEnd)
			}
		})
	}
}

func TestWritesNeedCurrentETag(t *testing.T) {
	s := newServer(t)
	id := s.create(t, contractJSON(t))["id"].(string)
	if rec := s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"customer": "First Admin"}`, "If-Match", `"v1"`); rec.Code != http.StatusOK {
		t.Fatalf("first write: %d %s", rec.Code, rec.Body)
	}
	cases := []struct {
		name, method, body, ifMatch string
		want                        int
	}{
		{"stale PUT", http.MethodPut, contractJSON(t, "customer", "Second Admin"), `"v1"`, http.StatusPreconditionFailed},
		{"stale PATCH", http.MethodPatch, `{"customer": "Second Admin"}`, `"v1"`, http.StatusPreconditionFailed},
		{"stale DELETE", http.MethodDelete, "", `"v1"`, http.StatusPreconditionFailed},
		{"weak ETag never matches", http.MethodPatch, `{"customer": "Second Admin"}`, `W/"v2"`, http.StatusPreconditionFailed},
		{"PUT without If-Match", http.MethodPut, contractJSON(t, "customer", "Second Admin"), "", http.StatusPreconditionRequired},
		{"PATCH without If-Match", http.MethodPatch, `{"customer": "Second Admin"}`, "", http.StatusPreconditionRequired},
		{"DELETE without If-Match", http.MethodDelete, "", "", http.StatusPreconditionRequired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := s.do(t, tc.method, "/api/v1/contracts/"+id, tc.body, "If-Match", tc.ifMatch)
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			c := decodeBody(t, s.do(t, http.MethodGet, "/api/v1/contracts/"+id, ""))
			if c["customer"] != "First Admin" || c["version"] != float64(2) {
				t.Errorf("the refused write changed the contract: %v", c)
			}
		})
	}
	// The current ETag (in a list, too) is accepted.
	if rec := s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"customer": "Second Admin"}`, "If-Match", `"v1", "v2"`); rec.Code != http.StatusOK {
		t.Fatalf("current ETag: %d %s", rec.Code, rec.Body)
	}
}

func TestRequestsWithoutValidTokenAre401(t *testing.T) {
	s := newServer(t)
	for _, auth := range []string{"", "Bearer wrong-token", "Basic " + token} {
		rec := s.do(t, http.MethodGet, "/api/v1/contracts", "", "Authorization", auth)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d %q", auth, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
	rec := s.do(t, http.MethodPost, "/api/v1/contracts", contractJSON(t), "Authorization", "")
	if rec.Code != http.StatusUnauthorized || len(s.keys(t)) != 0 {
		t.Errorf("unauthorised create: %d, keys %v", rec.Code, s.keys(t))
	}
}

func TestPlansAreListedFromSLA(t *testing.T) {
	s := newServer(t)
	rec := s.do(t, http.MethodGet, "/api/v1/plans", "")
	items, _ := decodeBody(t, rec)["items"].([]any)
	if rec.Code != http.StatusOK || len(items) != 2 || items[0].(map[string]any)["id"] != "basic" {
		t.Fatalf("plans: %d %s", rec.Code, rec.Body)
	}
	rec = s.do(t, http.MethodGet, "/api/v1/plans/sla1", "")
	p := decodeBody(t, rec)
	if rec.Code != http.StatusOK || p["resolution"].(map[string]any)["low"] != "72h" || p["confirmation"] != true {
		t.Errorf("plan sla1: %d %v", rec.Code, p)
	}
	if rec := s.do(t, http.MethodGet, "/api/v1/plans/gold", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown plan: %d", rec.Code)
	}
}

func TestUnknownContractIs404(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/api/v1/contracts/c_nope", "/api/v1/contracts/c_nope/effective"} {
		if rec := s.do(t, http.MethodGet, path, ""); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, rec.Code)
		}
	}
	if rec := s.do(t, http.MethodPut, "/api/v1/contracts/c_nope", contractJSON(t), "If-Match", `"v1"`); rec.Code != http.StatusNotFound {
		t.Errorf("PUT: %d", rec.Code)
	}
}

func TestListFiltersByPlanAndActivityAndPages(t *testing.T) {
	s := newServer(t)
	var ids []string
	for i := range 5 {
		plan, ends := "sla1", ""
		if i%2 == 1 {
			plan = "basic"
		}
		if i == 4 {
			ends = "2026-06-30" // ended before today
		}
		body := contractJSON(t, "customer", fmt.Sprintf("Customer %d", i), "plan", plan,
			"organizations", []string{fmt.Sprint(100 + i)}, "domains", []string{fmt.Sprintf("c%d.example.at", i)})
		if ends != "" {
			body = contractJSON(t, "customer", fmt.Sprintf("Customer %d", i), "plan", plan, "ends_on", ends,
				"organizations", []string{fmt.Sprint(100 + i)}, "domains", []string{fmt.Sprintf("c%d.example.at", i)})
		}
		ids = append(ids, s.create(t, body)["id"].(string))
	}
	cases := []struct {
		query string
		want  []string
		total int
	}{
		{"", ids, 5},
		{"?plan=basic", []string{ids[1], ids[3]}, 2},
		{"?active=false", []string{ids[4]}, 1},
		{"?active=true&plan=sla1", []string{ids[0], ids[2]}, 2},
		{"?active=true&at=2026-05-01", ids, 5},
		{"?per_page=2&page=2", ids[2:4], 5},
		{"?per_page=2&page=3", ids[4:], 5},
		{"?per_page=2&page=4", nil, 5},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			rec := s.do(t, http.MethodGet, "/api/v1/contracts"+tc.query, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			body := decodeBody(t, rec)
			var got []string
			for _, it := range body["items"].([]any) {
				got = append(got, it.(map[string]any)["id"].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || body["total"] != float64(tc.total) {
				t.Errorf("ids %v total %v, want %v total %d", got, body["total"], tc.want, tc.total)
			}
		})
	}
	for _, q := range []string{"?plan=gold", "?active=maybe", "?page=0", "?per_page=1000", "?at=yesterday"} {
		if rec := s.do(t, http.MethodGet, "/api/v1/contracts"+q, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, rec.Code)
		}
	}
}
