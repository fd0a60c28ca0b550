package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/adminauth"
)

// loginCookie carries the login form's CSRF token before there is a session (double
// submit: the form's hidden field must equal the cookie).
const loginCookie = "slaguard_login"

type ctxKey int

const sessionCtx ctxKey = iota

type loginData struct {
	layoutData
	Next  string
	Error string
}

func (s *Server) loginForm(c echo.Context) error {
	return s.renderLogin(c, http.StatusOK, "")
}

func (s *Server) renderLogin(c echo.Context, status int, msg string) error {
	// One token per browser, kept across renders: a second load of the page (another tab,
	// a prefetch) must not invalidate the form of the first.
	tok := randomToken()
	if ck, err := c.Cookie(loginCookie); err == nil && len(ck.Value) == len(tok) {
		tok = ck.Value
	}
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
		Secure: secureRequest(c.Request()), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	d := loginData{layoutData: layoutData{Title: "Log in", CSRF: tok}, Next: safeNext(c.FormValue("next")), Error: msg}
	return s.render(c, status, "login.html", d)
}

// login checks the admin token typed into the form and, when it is one, opens a session.
func (s *Server) login(c echo.Context) error {
	ck, err := c.Cookie(loginCookie)
	if err != nil || !sameToken(ck.Value, c.FormValue("csrf")) {
		return s.renderLogin(c, http.StatusForbidden, "The login form expired. Please try again.")
	}
	name, ok := s.cfg.Admit(strings.TrimSpace(c.FormValue("token")))
	if !ok {
		return s.renderLogin(c, http.StatusUnauthorized, "That admin token is not valid.")
	}
	id, _, err := s.sessions.Create(c.Request().Context(), name)
	if err != nil {
		return err
	}
	c.SetCookie(sessionCookie(c.Request(), id, int(s.sessions.ttl.Seconds())))
	c.SetCookie(&http.Cookie{Name: loginCookie, Path: "/login", MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(CookieName); err == nil {
		if err := s.sessions.Delete(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(sessionCookie(c.Request(), "", -1))
	return c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps a post-login redirect on this site: only a local absolute path.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/board"
	}
	return u.RequestURI()
}

// current returns the session of the request (set by requireSession).
func current(c echo.Context) Session {
	sess, _ := c.Request().Context().Value(sessionCtx).(Session)
	return sess
}

// requireSession lets a request with a live session through and sends everyone else to
// the login page. A request that changes something must also carry the session's CSRF
// token (form field "csrf" or header X-CSRF-Token).
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := s.lookup(c)
		if errors.Is(err, ErrNoSession) {
			r := c.Request()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				return s.renderLogin(c, http.StatusUnauthorized, "Your session ended. Please log in again.")
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
		}
		if err != nil {
			return err
		}
		if unsafeMethod(c.Request().Method) {
			tok := c.Request().Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = c.FormValue("csrf")
			}
			if !sameToken(tok, sess.CSRF) {
				return s.renderError(c, http.StatusForbidden, "This form is out of date (its security token does not match your session). Reload the page and try again.")
			}
		}
		ctx := adminauth.WithName(context.WithValue(c.Request().Context(), sessionCtx, sess), sess.Name)
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

func (s *Server) lookup(c echo.Context) (Session, error) {
	ck, err := c.Cookie(CookieName)
	if err != nil {
		return Session{}, ErrNoSession
	}
	return s.sessions.Lookup(c.Request().Context(), ck.Value)
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// SessionOr admits a request that carries a live session and hands every other to
// fallback (the bearer-token check). It guards the queue dashboard, whose own scripts
// cannot send our CSRF token: a change made with the session cookie must come from a page
// of this origin (Sec-Fetch-Site or Origin say so), on top of the cookie's SameSite=Strict.
func (s *Server) SessionOr(fallback echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		guarded := fallback(next)
		return func(c echo.Context) error {
			sess, err := s.lookup(c)
			if err != nil {
				return guarded(c)
			}
			r := c.Request()
			if unsafeMethod(r.Method) && !sameOrigin(r) {
				return guarded(c)
			}
			c.SetRequest(r.WithContext(adminauth.WithName(r.Context(), sess.Name)))
			return next(c)
		}
	}
}

// sameOrigin reports whether a browser says the request comes from a page of this host.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}
