package contracts_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestMatchFindsTheActiveContractOfATicket(t *testing.T) {
	s := newServer(t)
	current := s.create(t, contractJSON(t, "organizations", []string{"42", "Example GmbH"}, "domains", []string{"example.at"}))["id"]
	ended := s.create(t, contractJSON(t, "customer", "Old", "starts_on", "2025-01-01", "ends_on", "2025-12-31",
		"organizations", []string{"77"}, "domains", []string{"old.example"}))["id"]
	other := s.create(t, contractJSON(t, "customer", "Other", "organizations", []string{"99"}, "domains", []string{"example.com"}))["id"]

	cases := []struct {
		name  string
		query url.Values
		want  any // contract id, or nil for 404
	}{
		{"organisation id", url.Values{"organization": {"42"}}, current},
		{"organisation name in other case", url.Values{"organization": {"EXAMPLE gmbh"}}, current},
		{"e-mail domain", url.Values{"email": {"office@example.at"}}, current},
		{"e-mail domain in other case with display name", url.Values{"email": {"Office <Office@Example.AT>"}}, current},
		{"subdomain does not match", url.Values{"email": {"office@shop.example.at"}}, nil},
		{"unknown organisation falls back to domain", url.Values{"organization": {"13"}, "email": {"a@example.com"}}, other},
		{"organisation wins over domain", url.Values{"organization": {"42"}, "email": {"a@example.com"}}, current},
		{"ended contract is not matched", url.Values{"organization": {"77"}}, nil},
		{"ended contract matched while it was active", url.Values{"organization": {"77"}, "at": {"2025-06-01T10:00:00Z"}}, ended},
		{"not yet active at that time", url.Values{"email": {"a@example.at"}, "at": {"2025-06-01T10:00:00Z"}}, nil},
		{"nobody", url.Values{"email": {"someone@gmail.com"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := s.do(t, http.MethodGet, "/api/v1/contracts/match?"+tc.query.Encode(), "")
			if tc.want == nil {
				if rec.Code != http.StatusNotFound {
					t.Fatalf("%d %s, want 404", rec.Code, rec.Body)
				}
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if got := decodeBody(t, rec)["id"]; got != tc.want {
				t.Errorf("matched %v, want %v", got, tc.want)
			}
		})
	}
	for _, q := range []string{"", "?email=nobody", "?organization=42&at=tomorrow"} {
		if rec := s.do(t, http.MethodGet, "/api/v1/contracts/match"+q, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("match%s: %d, want 400", q, rec.Code)
		}
	}
}
