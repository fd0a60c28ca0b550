package contracts_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/internal/redistest"
)

// auditServer is the contracts API behind two named admin tokens.
func auditServer(t *testing.T, rdb *redis.Client) *echo.Echo {
	t.Helper()
	clock := func() time.Time { return now }
	e := echo.New()
	e.Validator = problem.NewValidator()
	e.HTTPErrorHandler = problem.ErrorHandler(func(err error, _ echo.Context) { t.Logf("handler error: %v", err) })
	g := e.Group("/api/v1", adminauth.Middleware([]string{"alice:alice-token-1", "bob:bob-token-22"}))
	contracts.NewHandler(contracts.HandlerConfig{Repo: contracts.NewRepo(rdb, clock), Clock: clock, Who: adminauth.Name}).Register(g)
	return e
}

func call(t *testing.T, e *echo.Echo, token, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return apitest.Do(t, e, req)
}

// Every change of a contract is in its history: who (the admin token's name), when,
// what, and the contract before and after.
func TestContractHistorySaysWhoChangedWhat(t *testing.T) {
	e := auditServer(t, redistest.Client(t))
	rec := call(t, e, "alice-token-1", http.MethodPost, "/api/v1/contracts", contractJSON(t))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	id := decodeBody(t, rec)["id"].(string)
	rec = call(t, e, "bob-token-22", http.MethodPatch, "/api/v1/contracts/"+id, `{"hourly_rate_cents":13000}`, "If-Match", `"v1"`)
	if rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	rec = call(t, e, "alice-token-1", http.MethodGet, "/api/v1/contracts/"+id+"/history", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("history: %d %s", rec.Code, rec.Body)
	}
	var h struct {
		Items []struct {
			At     time.Time           `json:"at"`
			Who    string              `json:"who"`
			Action string              `json:"action"`
			Before *contracts.Contract `json:"before"`
			After  *contracts.Contract `json:"after"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Items) != 2 {
		t.Fatalf("history has %d entries, want 2: %s", len(h.Items), rec.Body)
	}
	if c := h.Items[0]; c.Who != "alice" || c.Action != "create" || c.Before != nil || c.After == nil || !c.At.Equal(now) {
		t.Errorf("first entry: %+v", c)
	}
	c := h.Items[1]
	if c.Who != "bob" || c.Action != "patch" || c.Before == nil || c.After == nil ||
		*c.Before.HourlyRateCents != 12000 || *c.After.HourlyRateCents != 13000 {
		t.Errorf("second entry: %+v", c)
	}
	if rec := call(t, e, "alice-token-1", http.MethodGet, "/api/v1/contracts/c_nosuchcontract/history", ""); rec.Code != http.StatusNotFound {
		t.Errorf("history of an unknown contract: %d", rec.Code)
	}
}

// An export imported into an empty instance gives the same contracts (ids, versions,
// deleted or not); importing it again changes nothing; a bad file imports nothing.
func TestExportImportMovesEveryContract(t *testing.T) {
	src := auditServer(t, redistest.Client(t))
	for _, body := range []string{
		contractJSON(t),
		contractJSON(t, "customer", "Other AG", "organizations", []string{"77"}, "domains", []string{"other.at"}, "plan", "basic",
			"notify", map[string]any{"slack_url": "https://hooks.slack.com/services/T0/B0/X", "email": []string{"ops@other.at"}, "marks": []string{"breach"}}),
	} {
		if rec := call(t, src, "alice-token-1", http.MethodPost, "/api/v1/contracts", body); rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	rec := call(t, src, "alice-token-1", http.MethodGet, "/api/v1/contracts/export", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body)
	}
	exported := rec.Body.String()
	var x contracts.Export
	if err := json.Unmarshal([]byte(exported), &x); err != nil || len(x.Contracts) != 2 || x.Format != contracts.ExportFormat {
		t.Fatalf("export %v: %s", err, exported)
	}

	dstRedis := redistest.Client(t)
	dst := auditServer(t, dstRedis)
	bad := strings.Replace(exported, `"plan":"basic"`, `"plan":"gold"`, 1)
	if rec := call(t, dst, "bob-token-22", http.MethodPost, "/api/v1/contracts/import", bad); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), `"field":"contracts[1].plan"`) {
		t.Errorf("bad import: %d %s", rec.Code, rec.Body)
	}
	if n, _ := dstRedis.DBSize(t.Context()).Result(); n != 0 {
		t.Errorf("a refused import stored %d keys", n)
	}
	rec = call(t, dst, "bob-token-22", http.MethodPost, "/api/v1/contracts/import", exported)
	var res contracts.ImportResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); rec.Code != http.StatusOK || err != nil || len(res.Created) != 2 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	again := call(t, dst, "bob-token-22", http.MethodPost, "/api/v1/contracts/import", exported)
	if err := json.Unmarshal(again.Body.Bytes(), &res); err != nil || len(res.Created) != 0 || len(res.Skipped) != 2 {
		t.Errorf("second import: %s", again.Body)
	}
	reexport := call(t, dst, "alice-token-1", http.MethodGet, "/api/v1/contracts/export", "")
	var y contracts.Export
	if err := json.Unmarshal(reexport.Body.Bytes(), &y); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(x.Contracts)
	b, _ := json.Marshal(y.Contracts)
	if !strings.Contains(string(a), `"notify":{"slack_url":"https://hooks.slack.com/services/T0/B0/X","email":["ops@other.at"],"marks":["breach"]}`) {
		t.Errorf("the export lost the notify setting: %s", a)
	}
	if string(a) != string(b) {
		t.Errorf("contracts differ after the move:\n%s\n%s", a, b)
	}
	id := x.Contracts[0].ID
	hist := call(t, dst, "alice-token-1", http.MethodGet, "/api/v1/contracts/"+id+"/history", "")
	if !strings.Contains(hist.Body.String(), `"who":"bob","action":"import"`) {
		t.Errorf("import not in the history: %s", hist.Body)
	}
}
