package notify_test

import (
	"context"
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/notify"
	"github.com/monobunt/slaguard/notify/notifyfake"
)

func startMail(t *testing.T, opt notifyfake.MailOptions) (*notifyfake.MailServer, *notify.Mailer) {
	t.Helper()
	srv, err := notifyfake.StartMailServer(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, err := notify.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	pinned := time.Date(2026, 12, 1, 10, 5, 0, 0, time.UTC)
	return srv, &notify.Mailer{Server: u, From: "SLA Guard <sla@agentur.example>", TLS: srv.ClientTLS(),
		Clock: func() time.Time { return pinned }}
}

func TestMailGoesOutOverStartTLSWithLogin(t *testing.T) {
	srv, ml := startMail(t, notifyfake.MailOptions{User: "slaguard", Password: "pw", StartTLS: true})
	to := []string{"support@agentur.example", "lead@agentur.example"}
	if err := ml.Send(context.Background(), to, breach()); err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.From != "sla@agentur.example" || strings.Join(m.To, ",") != strings.Join(to, ",") {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != breach().Subject() {
		t.Errorf("subject %q", subject)
	}
	if got := msg.Header.Get("Date"); got != "Tue, 01 Dec 2026 10:05:00 +0000" {
		t.Errorf("Date %q (the pinned clock)", got)
	}
	if msg.Header.Get("Auto-Submitted") != "auto-generated" || !strings.HasSuffix(msg.Header.Get("Message-Id"), ".slaguard@agentur.example>") {
		t.Errorf("headers %v", msg.Header)
	}
	body := string(m.Data)
	for _, want := range []string{"Kunde / Customer: Tischlerei Holz & S=C3=B6hne", "Di., 01.12.2026 10:00"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	// The same warning again is the same message to mail clients.
	if err := ml.Send(context.Background(), to, breach()); err != nil {
		t.Fatal(err)
	}
	again, _ := mail.ReadMessage(strings.NewReader(string(srv.Mails()[1].Data)))
	if again.Header.Get("Message-Id") != msg.Header.Get("Message-Id") {
		t.Errorf("Message-ID changed: %q then %q", msg.Header.Get("Message-Id"), again.Header.Get("Message-Id"))
	}
}

func TestMailRepliesDecideRetries(t *testing.T) {
	srv, ml := startMail(t, notifyfake.MailOptions{User: "slaguard", Password: "pw"})
	srv.Fail(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"},
		&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"})
	var re *helpdesk.RetryableError
	err := ml.Send(context.Background(), []string{"a@agentur.example"}, breach())
	if !errors.As(err, &re) || re.Status != 451 {
		t.Errorf("451: want retryable, got %v", err)
	}
	err = ml.Send(context.Background(), []string{"a@agentur.example"}, breach())
	if err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), "no such mailbox") {
		t.Errorf("550: want a final error, got %v", err)
	}
	if err := ml.Send(context.Background(), []string{"a@agentur.example"}, breach()); err != nil {
		t.Errorf("then: %v", err)
	}
	if n := len(srv.Mails()); n != 1 {
		t.Errorf("%d mails accepted, want 1", n)
	}
	// A wrong password is final: retrying will not fix it.
	wrong, _ := notify.ParseSMTPURL(strings.Replace(srv.URL(), ":pw@", ":wrong@", 1))
	ml.Server = wrong
	if err := ml.Send(context.Background(), []string{"a@agentur.example"}, breach()); err == nil || errors.As(err, &re) {
		t.Errorf("wrong password: want a final error, got %v", err)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for in, want := range map[string]string{
		"smtp://u:p@mail.example.at":      "mail.example.at:587",
		"smtps://mail.example.at":         "mail.example.at:465",
		"smtp://mail.example.at:2525":     "mail.example.at:2525",
		"smtp://mail.example.at/":         "mail.example.at:587",
		"http://mail.example.at":          "",
		"smtp://":                         "",
		"smtp://mail.example.at/x":        "",
		"smtp://mail.example.at?insecure": "",
	} {
		u, err := notify.ParseSMTPURL(in)
		if want == "" {
			if err == nil {
				t.Errorf("%q accepted", in)
			}
			continue
		}
		if err != nil || u.Host != want {
			t.Errorf("%q: %v %v, want host %s", in, u, err, want)
		}
	}
	u, _ := notify.ParseSMTPURL("smtp://slaguard:geheim@mail.example.at")
	if s := notify.RedactSMTPURL(u); strings.Contains(s, "geheim") {
		t.Errorf("redacted URL shows the password: %s", s)
	}
}
