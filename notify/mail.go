package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
)

// ParseSMTPURL checks an SMTP server URL: smtp://[user[:password]@]host[:port] (port
// 587 by default; STARTTLS when the server offers it) or smtps://… (implicit TLS, port
// 465 by default). It returns the URL with the port filled in.
func ParseSMTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("must be a URL like smtp://user:password@mail.example.com:587")
	}
	port := map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	if port == "" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, errors.New("must be smtp://[user[:password]@]host[:port] or smtps://… (no path or query)")
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	return u, nil
}

// RedactSMTPURL writes an SMTP URL without its password.
func RedactSMTPURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}

// Mailer sends warnings by e-mail over SMTP.
type Mailer struct {
	// Server is a URL ParseSMTPURL accepted. A user in it authenticates with PLAIN,
	// which net/smtp allows only over TLS (or to localhost).
	Server *url.URL
	// From is the sender: an address, optionally with a name ("SLA Guard <sla@example.at>").
	From string
	// TLS configures TLS (smtps, STARTTLS); nil verifies the server against the system's
	// roots.
	TLS *tls.Config
	// Timeout bounds the whole conversation; 0 is DefaultTimeout.
	Timeout time.Duration
	// Clock dates the messages; nil is time.Now.
	Clock func() time.Time
}

// Send mails m to every address of to in one message. A 4xx reply of the server and
// network errors are a *helpdesk.RetryableError; a 5xx reply (an address refused, a
// login failed) is final.
func (ml *Mailer) Send(ctx context.Context, to []string, m Message) error {
	from, err := mail.ParseAddress(ml.From)
	if err != nil {
		return fmt.Errorf("notify: sender %q: %w", ml.From, err)
	}
	msg, err := ml.compose(from, to, m)
	if err != nil {
		return err
	}
	if err := ml.send(ctx, from.Address, to, msg); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return fmt.Errorf("notify: e-mail via %s: %w", ml.Server.Host, err)
		}
		status := 0
		if te != nil {
			status = te.Code
		}
		return &helpdesk.RetryableError{Err: fmt.Errorf("notify: e-mail via %s: %w", ml.Server.Host, err), Status: status}
	}
	return nil
}

func (ml *Mailer) send(ctx context.Context, from string, to []string, msg []byte) error {
	c, done, err := ml.login(ctx, from)
	if err != nil {
		return err
	}
	defer done()
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Check connects, greets, starts TLS (smtps, or STARTTLS when offered) and logs in as a
// send would, then quits without sending anything: for `slaguard doctor`.
func (ml *Mailer) Check(ctx context.Context) error {
	from := ml.From
	if a, err := mail.ParseAddress(ml.From); err == nil {
		from = a.Address
	}
	c, done, err := ml.login(ctx, from)
	if err != nil {
		return fmt.Errorf("notify: e-mail via %s: %w", ml.Server.Host, err)
	}
	defer done()
	if err := c.Quit(); err != nil {
		return fmt.Errorf("notify: e-mail via %s: %w", ml.Server.Host, err)
	}
	return nil
}

// login opens the conversation up to the login, within the Mailer's timeout; done
// closes it.
func (ml *Mailer) login(ctx context.Context, from string) (c *smtp.Client, done func(), err error) {
	timeout := ml.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	host := ml.Server.Hostname()
	cfg := ml.TLS.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", ml.Server.Host)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) }) // cancelled: unblock
	done = func() {
		stop()
		if c != nil {
			c.Close()
		}
		conn.Close()
		cancel()
	}
	fail := func(e error) (*smtp.Client, func(), error) { done(); return nil, nil, e }
	if ml.Server.Scheme == "smtps" {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(err)
		}
		conn = tc
	}
	if c, err = smtp.NewClient(conn, host); err != nil {
		return fail(err)
	}
	if err := c.Hello(helloName(from)); err != nil {
		return fail(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && ml.Server.Scheme == "smtp" {
		if err := c.StartTLS(cfg); err != nil {
			return fail(err)
		}
	}
	if user := ml.Server.User; user != nil && user.Username() != "" {
		pass, _ := user.Password()
		if err := c.Auth(smtp.PlainAuth("", user.Username(), pass, host)); err != nil {
			return fail(err)
		}
	}
	return c, done, nil
}

// helloName is the name slaguard greets the server with: the sender's domain.
func helloName(from string) string {
	if _, domain, ok := strings.Cut(from, "@"); ok && domain != "" {
		return domain
	}
	return "localhost"
}

// compose writes the message (RFC 5322, UTF-8 quoted-printable plain text). Its
// Message-ID is derived from m.ID, so a warning sent again (after a crash between the
// send and its record) is the same message to mail clients.
func (ml *Mailer) compose(from *mail.Address, to []string, m Message) ([]byte, error) {
	now := time.Now
	if ml.Clock != nil {
		now = ml.Clock
	}
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", strings.Join(to, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject()))
	h("Date", now().Format(time.RFC1123Z))
	sum := sha256.Sum256([]byte(m.ID))
	h("Message-ID", "<"+hex.EncodeToString(sum[:16])+".slaguard@"+helloName(from.Address)+">")
	h("Auto-Submitted", "auto-generated")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Text(), "\n", "\r\n"))); err != nil {
		return nil, fmt.Errorf("notify: compose e-mail: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("notify: compose e-mail: %w", err)
	}
	return b.Bytes(), nil
}
