package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/contracts"
)

func validContract(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "customer": {"Tischlerei Holz"}, "plan": {"sla1"}, "starts_on": {"2026-01-01"},
		"domains": {"holz.example\nholz-shop.example"}, "hourly_rate_cents": {"95,5"}, "first_response.high": {"4h"}}
}

func TestContractFormCreatesAContract(t *testing.T) {
	s := startSite(t)
	csrf := s.login()
	resp, _ := s.post("/contracts", validContract(csrf))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	page, err := s.repo.List(context.Background(), contracts.ListQuery{})
	if err != nil || page.Total != 1 {
		t.Fatalf("stored: %v %v", page, err)
	}
	ct := page.Items[0]
	if ct.Customer != "Tischlerei Holz" || len(ct.Domains) != 2 || *ct.HourlyRateCents != 9550 || ct.FirstResponse["high"] != "4h" {
		t.Fatalf("stored %+v", ct.Spec)
	}
	hist, err := s.repo.History(context.Background(), ct.ID)
	if err != nil || len(hist) != 1 || hist[0].Who != "alice" || hist[0].Action != "create" {
		t.Fatalf("audit trail %+v %v: want one create by alice (the token's name)", hist, err)
	}
	_, list := s.get("/contracts?saved=" + ct.ID)
	if !strings.Contains(list, "Tischlerei Holz") || !strings.Contains(list, "saved") {
		t.Fatalf("list does not show the new contract:\n%s", list)
	}
}

func TestContractFormShowsTheAPIsMessagesNextToTheFields(t *testing.T) {
	s := startSite(t)
	csrf := s.login()
	v := validContract(csrf)
	v.Set("at_risk_percent", "150")
	v.Set("domains", "not a domain")
	v.Set("resolution.high", "soon")
	v.Set("hourly_rate_cents", "a lot")
	resp, body := s.post("/contracts", v)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkFieldErrors(t, body, map[string]string{
		"f-at-risk-percent-error":   "must be at most 99",
		"f-resolution-high-error":   "must be a duration like 8h, 90m or 45s",
		"f-domains-error":           "[0]: ",
		"f-hourly-rate-cents-error": "must be an amount in euros like 160.00",
	})
	if !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, `value="soon"`) {
		t.Error("the form neither marks the bad fields nor keeps what was typed")
	}
}

func TestStaleEditSaysSomeoneElseChangedTheContract(t *testing.T) {
	s := startSite(t)
	csrf := s.login()
	s.post("/contracts", validContract(csrf))
	page, _ := s.repo.List(context.Background(), contracts.ListQuery{})
	ct := page.Items[0]
	_, form := s.get("/contracts/" + ct.ID)
	if !strings.Contains(form, `name="version" value="1"`) {
		t.Fatal("the edit form does not carry the version it shows")
	}
	// Someone else saves first.
	spec := ct.Spec
	spec.Customer = "Tischlerei Holz GmbH"
	if _, err := s.repo.Update(context.Background(), ct.ID, ct.Version, spec); err != nil {
		t.Fatal(err)
	}
	v := validContract(csrf)
	v.Set("version", "1")
	v.Set("customer", "Holz & Co")
	resp, body := s.post("/contracts/"+ct.ID, v)
	if resp.StatusCode != http.StatusPreconditionFailed || !strings.Contains(body, "Someone else changed this contract") {
		t.Fatalf("stale edit: %d", resp.StatusCode)
	}
	got, _ := s.repo.Get(context.Background(), ct.ID)
	if got.Customer != "Tischlerei Holz GmbH" {
		t.Fatalf("the stale edit overwrote the newer version: %q", got.Customer)
	}
	v.Set("version", "2")
	if resp, _ := s.post("/contracts/"+ct.ID, v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit of the current version: %d", resp.StatusCode)
	}
}

func TestEditKeepsWhatTheFormDoesNotShow(t *testing.T) {
	s := startSite(t)
	s.login()
	rate := int64(9500)
	spec := contracts.Spec{Customer: "A", Plan: "sla1", StartsOn: "2026-01-01", Domains: []string{"a.example"}, HourlyRateCents: &rate}
	spec.Calendar.Opens = "07:00"
	ct, err := s.repo.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	_, form := s.get("/contracts/" + ct.ID)
	v := url.Values{"csrf": {csrfOf(t, form)}, "version": {"1"}, "customer": {"A2"}, "plan": {"sla1"},
		"starts_on": {"2026-01-01"}, "domains": {"a.example"}, "hourly_rate_cents": {"95"}}
	if resp, body := s.post("/contracts/"+ct.ID, v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	got, _ := s.repo.Get(context.Background(), ct.ID)
	if got.Customer != "A2" || got.Calendar.Opens != "07:00" {
		t.Fatalf("got %+v", got.Spec)
	}
}

func TestContractFormSetsPushNotifications(t *testing.T) {
	s := startSite(t)
	csrf := s.login()
	v := validContract(csrf)
	v.Set("notify.slack_url", "http://hooks.slack.com/services/T/B/X")
	v.Set("notify.email", "ops@holz.example\nnobody")
	resp, body := s.post("/contracts", v)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkFieldErrors(t, body, map[string]string{
		"f-notify-slack-url-error": "must be an https:// URL",
		"f-notify-email-error":     "[1]: must be an e-mail address",
	})
	v.Set("notify.slack_url", "https://hooks.slack.com/services/T/B/X")
	v.Set("notify.email", "ops@holz.example")
	v.Set("notify.marks", "breach")
	if resp, _ := s.post("/contracts", v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	page, _ := s.repo.List(context.Background(), contracts.ListQuery{})
	ct := page.Items[0]
	if n := ct.Notify; n == nil || n.SlackURL != "https://hooks.slack.com/services/T/B/X" || len(n.Email) != 1 ||
		len(n.Marks) != 1 || n.Marks[0] != "breach" {
		t.Fatalf("stored notify %+v", ct.Notify)
	}
	_, form := s.get("/contracts/" + ct.ID)
	if !strings.Contains(form, `value="https://hooks.slack.com/services/T/B/X"`) || !strings.Contains(form, `<option value="breach" selected>`) {
		t.Errorf("the edit form does not show the notify setting")
	}
	// Emptying every target turns the notifications off.
	v.Set("version", "1")
	v.Set("notify.slack_url", "")
	v.Set("notify.email", "")
	if resp, _ := s.post("/contracts/"+ct.ID, v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if got, _ := s.repo.Get(context.Background(), ct.ID); got.Notify != nil {
		t.Errorf("notify kept: %+v", got.Notify)
	}
}

// checkFieldErrors: each message (by the id of its element) is shown next to its field.
func checkFieldErrors(t *testing.T, body string, want map[string]string) {
	t.Helper()
	for id, msg := range want {
		i := strings.Index(body, `id="`+id+`">`)
		if i < 0 || !strings.Contains(body[i:min(i+200, len(body))], msg) {
			t.Errorf("no %q at %s", msg, id)
		}
	}
}
