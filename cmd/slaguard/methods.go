package main

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// methodRules answers 405 with Allow where echo answers 404 because the path exists
// only for other methods (a group with middleware catches every unknown method of its
// paths as "not found").
type methodRules struct {
	e      *echo.Echo
	once   sync.Once
	routes []methodRoute
}

type methodRoute struct {
	method string
	re     *regexp.Regexp
}

var echoParam = regexp.MustCompile(`:[^/]+`)

func (m *methodRules) load() {
	for _, r := range m.e.Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue // Any, RouteNotFound and the like
		}
		if strings.HasSuffix(r.Path, "*") {
			continue
		}
		pat := "^" + echoParam.ReplaceAllString(regexp.QuoteMeta(r.Path), `[^/]+`) + "/?$"
		m.routes = append(m.routes, methodRoute{method: r.Method, re: regexp.MustCompile(pat)})
	}
}

// allowed lists the methods path has routes for (with HEAD for GET), sorted; none when
// the path is unknown.
func (m *methodRules) allowed(path string) []string {
	m.once.Do(m.load)
	set := map[string]bool{}
	for _, r := range m.routes {
		if r.re.MatchString(path) {
			set[r.method] = true
			if r.method == http.MethodGet {
				set[http.MethodHead] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
