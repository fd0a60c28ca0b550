package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/web"
)

func TestMain(m *testing.M) { redistest.Main(m) }

const adminToken = "test-admin-token"

// manualClock is a service clock the test moves by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type site struct {
	t     *testing.T
	URL   string
	repo  *contracts.Repo
	clock *manualClock
	c     *http.Client // a browser: keeps cookies, does not follow redirects
}

func startSite(t *testing.T) *site {
	t.Helper()
	rdb := redistest.Client(t)
	clk := &manualClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	repo := contracts.NewRepo(rdb, clk.Now)
	srv, err := web.New(web.Config{Redis: rdb, Contracts: repo, Admit: adminauth.Admits([]string{"alice:" + adminToken}), Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = problem.ErrorHandler(nil)
	srv.Register(e)
	e.GET("/admin/queues", func(c echo.Context) error { return c.String(http.StatusOK, "queues") },
		srv.SessionOr(adminauth.Middleware([]string{"alice:" + adminToken})))
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	return &site{t: t, URL: ts.URL, repo: repo, clock: clk, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (s *site) get(path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := s.c.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (s *site) post(path string, v url.Values) (*http.Response, string) {
	s.t.Helper()
	resp, err := s.c.PostForm(s.URL+path, v)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// login logs in through the form and returns the CSRF token of the session.
func (s *site) login() string {
	s.t.Helper()
	_, page := s.get("/login")
	resp, _ := s.post("/login", url.Values{"csrf": {csrfOf(s.t, page)}, "token": {adminToken}, "next": {"/contracts"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contracts" {
		s.t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = s.get("/contracts")
	return csrfOf(s.t, page)
}

func TestPagesRedirectToLoginWithoutSession(t *testing.T) {
	s := startSite(t)
	resp, _ := s.get("/contracts/new")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fcontracts%2Fnew" {
		t.Fatalf("got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestLoginSetsAStrictHttpOnlySessionCookie(t *testing.T) {
	s := startSite(t)
	_, page := s.get("/login")
	resp, _ := s.post("/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {adminToken}})
	var got *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == web.CookieName {
			got = c
		}
	}
	if got == nil {
		t.Fatal("no session cookie")
	}
	if !got.HttpOnly || got.SameSite != http.SameSiteStrictMode || got.MaxAge != int(web.DefaultSessionTTL.Seconds()) || got.Secure {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict, Max-Age of the TTL, not Secure over plain HTTP", got)
	}
	if loc := resp.Header.Get("Location"); loc != "/board" {
		t.Fatalf("redirect to %q, want /board", loc)
	}
}

func TestCookieIsSecureBehindTLS(t *testing.T) {
	s := startSite(t)
	_, page := s.get("/login")
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/login",
		strings.NewReader(url.Values{"csrf": {csrfOf(t, page)}, "token": {adminToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := s.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == web.CookieName && !c.Secure {
			t.Fatal("session cookie behind a TLS proxy is not Secure")
		}
	}
}

func TestLoginRefusesAWrongTokenAndAForeignForm(t *testing.T) {
	s := startSite(t)
	_, page := s.get("/login")
	resp, body := s.post("/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {"not-the-token"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not valid") {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	resp, _ = s.post("/login", url.Values{"csrf": {"forged"}, "token": {adminToken}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without the form's token: %d, want 403", resp.StatusCode)
	}
}

func TestFormsWithoutTheSessionsCSRFTokenAreRefused(t *testing.T) {
	s := startSite(t)
	csrf := s.login()
	resp, body := s.post("/contracts", url.Values{"customer": {"X"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "security token") {
		t.Fatalf("without csrf: %d", resp.StatusCode)
	}
	resp, _ = s.post("/logout", url.Values{"csrf": {csrf + "x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with a wrong token: %d", resp.StatusCode)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	s := startSite(t)
	csrf := s.login()
	jarCookies := s.c.Jar.Cookies(mustURL(s.URL))
	resp, _ := s.post("/logout", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	// A copy of the old cookie opens nothing any more.
	old := &http.Client{CheckRedirect: s.c.CheckRedirect}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/contracts", nil)
	for _, c := range jarCookies {
		req.AddCookie(c)
	}
	r2, err := old.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusSeeOther {
		t.Fatalf("old cookie after logout: %d, want a redirect to the login", r2.StatusCode)
	}
}

func TestSessionExpires(t *testing.T) {
	s := startSite(t)
	s.login()
	s.clock.Advance(web.DefaultSessionTTL - time.Minute)
	if resp, _ := s.get("/contracts"); resp.StatusCode != http.StatusOK {
		t.Fatalf("before expiry: %d", resp.StatusCode)
	}
	s.clock.Advance(time.Minute)
	if resp, _ := s.get("/contracts"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("at expiry: %d, want a redirect to the login", resp.StatusCode)
	}
}

func TestLoginNextStaysOnThisSite(t *testing.T) {
	s := startSite(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		_, page := s.get("/login")
		resp, _ := s.post("/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {adminToken}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/board" {
			t.Errorf("next=%q redirects to %q, want /board", next, loc)
		}
	}
}

func TestQueueDashboardTakesTheSessionOrTheBearerToken(t *testing.T) {
	s := startSite(t)
	if resp, _ := s.get("/admin/queues"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/admin/queues", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bearer: %d", resp.StatusCode)
	}
	s.login()
	if resp, body := s.get("/admin/queues"); resp.StatusCode != http.StatusOK || body != "queues" {
		t.Fatalf("session: %d %q", resp.StatusCode, body)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestUnknownPathsStayNotFound(t *testing.T) {
	s := startSite(t)
	if resp, _ := s.get("/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %d, want 404 (not a login redirect)", resp.StatusCode)
	}
	if resp, body := s.get("/static/app.css"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "--breach-bg") {
		t.Fatalf("static: %d", resp.StatusCode)
	}
}
