// Package adminauth guards the admin API with bearer tokens. It compares in constant time,
// never tells which token nearly matched, and never logs or echoes a token. A token may
// carry a name ("alice:s3cret-token"): the name, never the token, is what logs and the
// contracts' audit trail show as the one who acted.
package adminauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
)

// Token is one configured admin token: the secret a client sends and the name it acts as.
type Token struct {
	Name, Secret string
}

// ParseToken reads one configured token: "name:secret", or a bare secret, which is named
// "token-<n>" after its 1-based position n in the list. A name is letters, digits, '.',
// '_', '-' or '@'; anything else before a colon means the colon belongs to the secret.
func ParseToken(s string, n int) Token {
	s = strings.TrimSpace(s)
	if name, secret, ok := strings.Cut(s, ":"); ok && validName(name) && secret != "" {
		return Token{Name: name, Secret: secret}
	}
	return Token{Name: "token-" + strconv.Itoa(n), Secret: s}
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return false
		}
	}
	return true
}

type nameKey struct{}

// Name is the name of the admin token that authorised the request of ctx, or "" when no
// admin token did.
func Name(ctx context.Context) string {
	n, _ := ctx.Value(nameKey{}).(string)
	return n
}

// WithName returns ctx acting as the admin name (for jobs and tests acting on someone's
// behalf).
func WithName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, nameKey{}, name)
}

// Middleware admits a request whose header is "Authorization: Bearer <token>" with one of
// tokens (each "name:secret" or a bare secret, see ParseToken), and answers every other
// request 401 problem+json with "WWW-Authenticate: Bearer". An admitted request's context
// carries the token's name (Name). Empty tokens are ignored; with no token at all every
// request is refused. Each request is compared against every token (SHA-256 digests, so
// lengths leak nothing either).
func Middleware(tokens []string) echo.MiddlewareFunc {
	digests := make([][32]byte, 0, len(tokens))
	names := make([]string, 0, len(tokens))
	for i, t := range tokens {
		if strings.TrimSpace(t) == "" {
			continue
		}
		tok := ParseToken(t, i+1)
		digests = append(digests, sha256.Sum256([]byte(tok.Secret)))
		names = append(names, tok.Name)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			got, ok := bearer(c.Request().Header.Get(echo.HeaderAuthorization))
			if ok {
				if i := admitted(digests, got); i >= 0 {
					c.SetRequest(c.Request().WithContext(WithName(c.Request().Context(), names[i])))
					c.Set("admin", names[i])
					return next(c)
				}
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

// bearer extracts the token of an "Authorization: Bearer <token>" header value.
func bearer(h string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// admitted is the index of the digest token matches, or -1; every digest is compared.
func admitted(digests [][32]byte, token string) int {
	d := sha256.Sum256([]byte(token))
	found := -1
	for i := range digests {
		if subtle.ConstantTimeCompare(d[:], digests[i][:]) == 1 {
			found = i
		}
	}
	return found
}
