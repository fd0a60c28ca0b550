package contracts_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestOverlappingContractsMayNotShareOrganisationOrDomain(t *testing.T) {
	cases := []struct {
		name       string
		first      []any
		second     []any
		wantStatus int
	}{
		{"same domain", nil, []any{"organizations", []string{"other"}}, http.StatusConflict},
		{"same organisation in other case", []any{"domains", nil}, []any{"organizations", []string{"EXAMPLE gmbh"}, "domains", nil}, http.StatusConflict},
		{"open-ended first, later second", nil, []any{"organizations", []string{"x"}, "starts_on", "2030-01-01"}, http.StatusConflict},
		{"second ends the day the first starts", []any{"starts_on", "2026-07-01"},
			[]any{"organizations", []string{"x"}, "starts_on", "2026-01-01", "ends_on", "2026-07-01"}, http.StatusConflict},
		{"consecutive validities", []any{"ends_on", "2026-06-30"},
			[]any{"starts_on", "2026-07-01"}, http.StatusCreated},
		{"different domain and organisation", nil,
			[]any{"organizations", []string{"7"}, "domains", []string{"example.com"}}, http.StatusCreated},
		{"subdomain is another domain", nil,
			[]any{"organizations", []string{"7"}, "domains", []string{"shop.example.at"}}, http.StatusCreated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			first := s.create(t, contractJSON(t, tc.first...))
			rec := s.do(t, http.MethodPost, "/api/v1/contracts", contractJSON(t, append([]any{"customer", "Second"}, tc.second...)...))
			if rec.Code != tc.wantStatus {
				t.Fatalf("second create: %d %s, want %d", rec.Code, rec.Body, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusConflict {
				return
			}
			p := decodeBody(t, rec)
			if p["conflicting_contract"] != first["id"] || !strings.Contains(p["detail"].(string), first["id"].(string)) {
				t.Errorf("409 does not name %s: %v", first["id"], p)
			}
			list := decodeBody(t, s.do(t, http.MethodGet, "/api/v1/contracts", ""))
			if list["total"] != float64(1) {
				t.Errorf("the refused contract was stored: %v", list)
			}
		})
	}
}

func TestUpdateIntoAnotherContractsDomainIs409AndChangesNothing(t *testing.T) {
	s := newServer(t)
	first := s.create(t, contractJSON(t))
	second := s.create(t, contractJSON(t, "organizations", []string{"7"}, "domains", []string{"example.com"}))
	id := second["id"].(string)
	rec := s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"domains": ["example.com", "example.at"]}`, "If-Match", `"v1"`)
	if rec.Code != http.StatusConflict || decodeBody(t, rec)["conflicting_contract"] != first["id"] {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	got := decodeBody(t, s.do(t, http.MethodGet, "/api/v1/contracts/"+id, ""))
	if got["version"] != float64(1) || len(got["domains"].([]any)) != 1 {
		t.Errorf("refused patch changed the contract: %v", got)
	}
	// Its own keys do not conflict with itself, and a removed domain is free again.
	rec = s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"domains": ["example.org"]}`, "If-Match", `"v1"`)
	if rec.Code != http.StatusOK {
		t.Fatalf("patch own: %d %s", rec.Code, rec.Body)
	}
	s.create(t, contractJSON(t, "organizations", []string{"9"}, "domains", []string{"example.com"}, "customer", "Third"))
}

func TestConcurrentCreatesForOneDomainLetExactlyOneWin(t *testing.T) {
	s := newServer(t)
	const n = 24
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := s.do(t, http.MethodPost, "/api/v1/contracts", contractJSON(t, "organizations", []string{"org-" + string(rune('a'+i))}))
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
		t.Fatalf("answers %v, want one 201 and %d 409", count, n-1)
	}
	members := s.rdb.SMembers(t.Context(), "slaguard:contract:{all}:domain:example.at").Val()
	if len(members) != 1 {
		t.Errorf("domain index holds %v, want one contract", members)
	}
}
