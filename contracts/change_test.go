package contracts_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/contracts"
)

func TestEveryWriteAnnouncesTheContractsNewVersion(t *testing.T) {
	var mu sync.Mutex
	var got []contracts.Announcement
	s := newServer(t, func(cfg *contracts.HandlerConfig) {
		cfg.Repo.OnChange(func(_ context.Context, ch contracts.Announcement) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, ch)
			return nil
		})
	})
	started := s.create(t, contractJSON(t))
	id := started["id"].(string)
	if rec := s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"at_risk_percent": 10}`, "If-Match", `"v1"`); rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if rec := s.do(t, http.MethodDelete, "/api/v1/contracts/"+id, "", "If-Match", `"v2"`); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	future := s.create(t, contractJSON(t, "customer", "Later", "starts_on", "2030-01-01", "organizations", []string{"9"}, "domains", []string{"later.at"}))
	fid := future["id"].(string)
	if rec := s.do(t, http.MethodDelete, "/api/v1/contracts/"+fid, "", "If-Match", `"v1"`); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	// A refused write announces nothing.
	s.do(t, http.MethodPatch, "/api/v1/contracts/"+id, `{"at_risk_percent": 20}`, "If-Match", `"v1"`)
	want := []contracts.Announcement{
		{ContractID: id, Version: 1}, {ContractID: id, Version: 2}, {ContractID: id, Version: 3},
		{ContractID: fid, Version: 1}, {ContractID: fid, Removed: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("announced changes (-want +got):\n%s", diff)
	}
}
