package notifyfake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// MailOptions shape the SMTP server.
type MailOptions struct {
	// User and Password, when set, are the only login accepted (AUTH PLAIN), and mail
	// is refused without it.
	User, Password string
	// StartTLS offers STARTTLS with a certificate for 127.0.0.1 (ClientTLS trusts it).
	StartTLS bool
}

// MailServer is a small SMTP server on 127.0.0.1 (github.com/emersion/go-smtp).
type MailServer struct {
	// Addr is host:port.
	Addr string
	opt  MailOptions
	srv  *smtp.Server
	pool *x509.CertPool

	mu    sync.Mutex
	mails []Mail
	fails []*smtp.SMTPError
}

// StartMailServer starts an SMTP server.
func StartMailServer(opt MailOptions) (*MailServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &MailServer{Addr: ln.Addr().String(), opt: opt}
	m.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }))
	m.srv.Domain = "mail.test"
	m.srv.AllowInsecureAuth = !opt.StartTLS
	m.srv.ReadTimeout, m.srv.WriteTimeout = 10*time.Second, 10*time.Second
	if opt.StartTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			ln.Close()
			return nil, err
		}
		m.srv.TLSConfig, m.pool = &tls.Config{Certificates: []tls.Certificate{cert}}, pool
	}
	go m.srv.Serve(ln)
	return m, nil
}

// URL is the server's SLAGUARD_SMTP_URL.
func (m *MailServer) URL() string {
	u := url.URL{Scheme: "smtp", Host: m.Addr}
	if m.opt.User != "" {
		u.User = url.UserPassword(m.opt.User, m.opt.Password)
	}
	return u.String()
}

// ClientTLS is a client TLS configuration that trusts the server's certificate.
func (m *MailServer) ClientTLS() *tls.Config { return &tls.Config{RootCAs: m.pool} }

// Fail makes the next messages' DATA fail with these replies, one each ("451 4.3.0" is
// retryable, "550 5.1.1" final).
func (m *MailServer) Fail(errs ...*smtp.SMTPError) {
	m.mu.Lock()
	m.fails = append(m.fails, errs...)
	m.mu.Unlock()
}

// Mails are the messages accepted, in order.
func (m *MailServer) Mails() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.mails...)
}

// Close stops the server.
func (m *MailServer) Close() { m.srv.Close() }

type session struct {
	m      *MailServer
	authed bool
	mail   Mail
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.m.opt.User || pass != s.m.opt.Password {
			// What real servers answer (RFC 4954): a final 535, not go-smtp's default 454.
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.m.opt.User != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.mail = Mail{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if len(s.m.fails) > 0 {
		e := s.m.fails[0]
		s.m.fails = s.m.fails[1:]
		return e
	}
	s.mail.Data = b
	s.m.mails = append(s.m.mails, s.mail)
	return nil
}

func (s *session) Reset()        { s.mail = Mail{} }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "notifyfake"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}
