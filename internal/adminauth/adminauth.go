// Package adminauth guards the admin API with bearer tokens. It compares in constant time,
// never tells which token nearly matched, and never logs or echoes a token.
package adminauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
)

// Middleware admits a request whose header is "Authorization: Bearer <token>" with one of
// tokens, and answers every other request 401 problem+json with "WWW-Authenticate: Bearer".
// Empty tokens are ignored; with no token at all every request is refused. Each request
// is compared against every token (SHA-256 digests, so lengths leak nothing either).
func Middleware(tokens []string) echo.MiddlewareFunc {
	digests := digestsOf(tokens)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			got, ok := bearer(c.Request().Header.Get(echo.HeaderAuthorization))
			if ok && admitted(digests, got) {
				return next(c)
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="slaguard"`)
			detail := "an Authorization: Bearer token is required"
			if ok {
				detail = "the bearer token is not valid"
			}
			return problem.New(http.StatusUnauthorized, detail)
		}
	}
}

// Admits returns a check that reports whether a token (typed into the login page, say)
// is one of tokens, compared as Middleware compares; empty tokens never match.
func Admits(tokens []string) func(token string) bool {
	digests := digestsOf(tokens)
	return func(token string) bool { return token != "" && admitted(digests, token) }
}

func digestsOf(tokens []string) [][32]byte {
	digests := make([][32]byte, 0, len(tokens))
	for _, t := range tokens {
		if t = strings.TrimSpace(t); t != "" {
			digests = append(digests, sha256.Sum256([]byte(t)))
		}
	}
	return digests
}

// bearer extracts the token of an "Authorization: Bearer <token>" header value.
func bearer(h string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func admitted(digests [][32]byte, token string) bool {
	d := sha256.Sum256([]byte(token))
	match := 0
	for i := range digests {
		match |= subtle.ConstantTimeCompare(d[:], digests[i][:])
	}
	return match == 1
}
