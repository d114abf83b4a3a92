package mailpittest_test

import (
	"bytes"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"

	"github.com/heraldnews/herald/internal/mailpittest"
)

// sendRaw sends a message with the standard library alone, so that these
// tests check the harness without trusting Herald's mail package.
func sendRaw(t *testing.T, addr, from, to, subject string) error {
	t.Helper()
	msg := "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@harness.test>\r\nList-Unsubscribe: <https://herald.test/u/1>\r\n" +
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nbody of " + subject + "\r\n"
	return smtp.SendMail(addr, nil, from, []string{to}, []byte(msg))
}

func TestServerHelpers(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{})
	if got := srv.Messages(t); len(got) != 0 {
		t.Fatalf("a new server has %d messages", len(got))
	}
	for _, subject := range []string{"first", "second"} {
		if err := sendRaw(t, srv.SMTPAddr, "desk@herald.test", "reader@example.test", subject); err != nil {
			t.Fatalf("send %s: %v", subject, err)
		}
	}
	list := srv.WaitForMessages(t, 2)
	if len(list) != 2 || list[0].Subject != "second" || list[1].Subject != "first" {
		t.Fatalf("messages = %+v, want second then first", list)
	}
	if list[0].From == nil || list[0].From.Address != "desk@herald.test" || list[0].To[0].Address != "reader@example.test" {
		t.Errorf("addresses = %+v -> %+v", list[0].From, list[0].To)
	}

	m := srv.Message(t, list[1].ID)
	if m.MessageID != "first@harness.test" || strings.TrimSpace(m.Text) != "body of first" {
		t.Errorf("message = %q %q", m.MessageID, m.Text)
	}
	if m.ListUnsubscribe.HeaderPost != "List-Unsubscribe=One-Click" || len(m.ListUnsubscribe.Links) != 1 {
		t.Errorf("list-unsubscribe = %+v", m.ListUnsubscribe)
	}
	if latest := srv.Message(t, "latest"); latest.Subject != "second" {
		t.Errorf("latest = %q", latest.Subject)
	}
	if h := srv.Headers(t, list[1].ID); len(h["Subject"]) != 1 || h["Subject"][0] != "first" {
		t.Errorf("headers = %v", h)
	}
	if raw := srv.Raw(t, list[1].ID); !bytes.Contains(raw, []byte("\r\nSubject: first\r\n")) {
		t.Errorf("raw source lacks the subject:\n%s", raw)
	}

	srv.DeleteAll(t)
	if got := srv.Messages(t); len(got) != 0 {
		t.Fatalf("after DeleteAll: %d messages", len(got))
	}
}

func TestChaosRefusesRecipients(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{Chaos: true})
	for _, code := range []int{451, 550} {
		srv.RefuseRecipients(t, code)
		err := sendRaw(t, srv.SMTPAddr, "desk@herald.test", "reader@example.test", "refused")
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != code {
			t.Fatalf("with chaos %d: err = %v, want an SMTP %d", code, err, code)
		}
	}
	got := srv.SetChaos(t, mailpittest.Chaos{Sender: mailpittest.Trigger{ErrorCode: 421, Probability: 100}})
	if got.Sender.ErrorCode != 421 || got.Recipient.Probability != 0 {
		t.Errorf("SetChaos returned %+v", got)
	}
	srv.ResetChaos(t)
	if err := sendRaw(t, srv.SMTPAddr, "desk@herald.test", "reader@example.test", "accepted"); err != nil {
		t.Fatalf("after ResetChaos: %v", err)
	}
	if list := srv.WaitForMessages(t, 1); len(list) != 1 || list[0].Subject != "accepted" {
		t.Fatalf("messages = %+v, want only the accepted one", list)
	}
}
