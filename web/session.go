package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// CookieName is the name of the session cookie.
const CookieName = "slaguard_session"

// DefaultSessionTTL is how long a session lasts after login when the configuration sets
// no other: a working day, then the admin logs in again.
const DefaultSessionTTL = 12 * time.Hour

// ErrNoSession: the request carries no cookie, or one naming no live session.
var ErrNoSession = errors.New("web: no valid session")

// Session is one logged-in browser.
type Session struct {
	// Name is the admin token's name the browser logged in with: the audit trail's "who".
	Name string `json:"name"`
	// CSRF is the token every form of this session must send back.
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Sessions keeps sessions in Redis, so any web process can serve any browser. Redis holds
// only a hash of the cookie's value: a copy of the database opens no session.
type Sessions struct {
	rdb   redis.UniversalClient
	clock func() time.Time
	ttl   time.Duration
}

// NewSessions returns the session store on rdb; ttl is the lifetime of a session
// (DefaultSessionTTL when 0) and clock the present.
func NewSessions(rdb redis.UniversalClient, clock func() time.Time, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Sessions{rdb: rdb, clock: clock, ttl: ttl}
}

func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "slaguard:session:" + hex.EncodeToString(sum[:])
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for the admin name and returns the cookie value that names it.
func (s *Sessions) Create(ctx context.Context, name string) (id string, sess Session, err error) {
	now := s.clock()
	id = randomToken()
	sess = Session{Name: name, CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	b, _ := json.Marshal(sess)
	// Redis forgets the session a little after it expires; the expiry itself is checked
	// against the service clock in Lookup.
	if err := s.rdb.Set(ctx, sessionKey(id), b, s.ttl+time.Minute).Err(); err != nil {
		return "", Session{}, fmt.Errorf("web: store session: %w", err)
	}
	return id, sess, nil
}

// Lookup returns the live session named by id, or ErrNoSession.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	if id == "" || len(id) > 100 {
		return Session{}, ErrNoSession
	}
	raw, err := s.rdb.Get(ctx, sessionKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("web: read session: %w", err)
	}
	var sess Session
	if json.Unmarshal(raw, &sess) != nil || !s.clock().Before(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Delete ends the session named by id (logout); ending one that is gone is no error.
func (s *Sessions) Delete(ctx context.Context, id string) error {
	if err := s.rdb.Del(ctx, sessionKey(id)).Err(); err != nil {
		return fmt.Errorf("web: delete session: %w", err)
	}
	return nil
}

// secureRequest reports whether the browser reached us over TLS, directly or through a
// proxy that says so; only then is a cookie marked Secure (a plain-HTTP trial run would
// otherwise never keep its session).
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// sessionCookie is the cookie that carries a session: never readable by scripts, never
// sent along with a request another site starts.
// Its lifetime is a Max-Age, not an Expires date: the browser counts it on its own clock,
// which need not be the service's. maxAge < 0 deletes the cookie.
func sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: CookieName, Value: value, Path: "/", HttpOnly: true, Secure: secureRequest(r),
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge,
	}
}

// sameToken compares two tokens in constant time; empty never matches.
func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
