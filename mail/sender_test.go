package mail_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/mailpittest"
	"github.com/heraldnews/herald/mail"
)

func newSender(t *testing.T, cfg mail.Config) *mail.Sender {
	t.Helper()
	if cfg.HeloName == "" {
		cfg.HeloName = "herald.test"
	}
	s, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s
}

// smtpError returns err's *mail.Error or fails the test.
func smtpError(t *testing.T, err error) *mail.Error {
	t.Helper()
	var e *mail.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want a *mail.Error", err, err)
	}
	return e
}

func TestSendArrivesAtMailpit(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{})
	m := alert()
	deliveries, err := newSender(t, mail.Config{Addr: srv.SMTPAddr}).Send(t.Context(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(deliveries) != 1 || deliveries[0].Recipient != "liming@example.cn" || deliveries[0].Err != nil {
		t.Fatalf("deliveries = %+v", deliveries)
	}

	list := srv.WaitForMessages(t, 1)
	got := srv.Message(t, list[0].ID)
	if got.Subject != longSubject {
		t.Errorf("Subject = %q, want %q", got.Subject, longSubject)
	}
	if got.From == nil || got.From.Name != m.From.Name || got.From.Address != m.From.Address {
		t.Errorf("From = %+v", got.From)
	}
	if len(got.To) != 1 || got.To[0].Name != m.To[0].Name || got.To[0].Address != m.To[0].Address {
		t.Errorf("To = %+v", got.To)
	}
	if len(got.ReplyTo) != 1 || got.ReplyTo[0].Name != m.ReplyTo[0].Name {
		t.Errorf("Reply-To = %+v", got.ReplyTo)
	}
	if got.MessageID != "job-42.alert@herald.example" {
		t.Errorf("Message-ID = %q", got.MessageID)
	}
	if got.ReturnPath != m.From.Address {
		t.Errorf("Return-Path = %q, want the envelope sender %q", got.ReturnPath, m.From.Address)
	}
	lu := got.ListUnsubscribe
	if lu.Errors != "" || lu.HeaderPost != "List-Unsubscribe=One-Click" ||
		!strings.Contains(lu.Header, "<https://sft.example.gov.cn/unsubscribe?token=abc123>") ||
		!strings.Contains(lu.Header, "<mailto:unsubscribe@sft.example.gov.cn>") {
		t.Errorf("List-Unsubscribe as mailpit reads it = %+v", lu)
	}
	if canonical(got.Text) != canonical(m.Text) {
		t.Errorf("text = %q\nwant %q", got.Text, m.Text)
	}
	if canonical(got.HTML) != canonical(m.HTML) {
		t.Errorf("HTML = %q\nwant %q", got.HTML, m.HTML)
	}
	if h := srv.Headers(t, list[0].ID); len(h["X-Herald-Job"]) != 1 || h["X-Herald-Job"][0] != "42" {
		t.Errorf("X-Herald-Job = %v", h["X-Herald-Job"])
	}
}

func TestSendReportsEachRecipient(t *testing.T) {
	// mailpit refuses recipients outside the allowed pattern with 550.
	srv := mailpittest.Start(t, mailpittest.Options{Args: []string{"--smtp-allowed-recipients", `@example\.cn$`}})
	m := alert()
	m.To = []mail.Address{{Address: "liming@example.cn"}, {Address: "ghost@elsewhere.test"}, {Address: "wangfang@example.cn"}}
	deliveries, err := newSender(t, mail.Config{Addr: srv.SMTPAddr}).Send(t.Context(), m)
	if err == nil || mail.Temporary(err) {
		t.Fatalf("err = %v (temporary %v), want the permanent refusal", err, mail.Temporary(err))
	}
	if len(deliveries) != 3 || deliveries[0].Err != nil || deliveries[2].Err != nil {
		t.Fatalf("deliveries = %+v, want the first and third accepted", deliveries)
	}
	e := smtpError(t, deliveries[1].Err)
	if e.Stage != "rcpt" || e.Recipient != "ghost@elsewhere.test" || e.Code != 550 || !strings.Contains(e.Text, "5.1.0") {
		t.Errorf("refusal = %+v", e)
	}
	if mail.Temporary(deliveries[1].Err) {
		t.Error("550 classified as temporary")
	}
	list := srv.WaitForMessages(t, 1)
	if len(list) != 1 {
		t.Fatalf("%d messages stored, want 1", len(list))
	}
}

func TestSendClassifiesRefusals(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{Chaos: true})
	sender := newSender(t, mail.Config{Addr: srv.SMTPAddr})
	for _, tt := range []struct {
		code      int
		temporary bool
	}{{451, true}, {452, true}, {550, false}, {554, false}} {
		srv.RefuseRecipients(t, tt.code)
		deliveries, err := sender.Send(t.Context(), alert())
		e := smtpError(t, err)
		if e.Code != tt.code || e.Stage != "rcpt" || e.Text != "Chaos recipient error" || mail.Temporary(err) != tt.temporary {
			t.Errorf("refused with %d: %+v, temporary %v, want temporary %v", tt.code, e, mail.Temporary(err), tt.temporary)
		}
		if len(deliveries) != 1 || deliveries[0].Err != err {
			t.Errorf("deliveries = %+v", deliveries)
		}
	}
	// The sender stage fails the whole session.
	srv.SetChaos(t, mailpittest.Chaos{Sender: mailpittest.Trigger{ErrorCode: 421, Probability: 100}})
	_, err := sender.Send(t.Context(), alert())
	if e := smtpError(t, err); e.Stage != "mail" || e.Code != 421 || !mail.Temporary(err) {
		t.Errorf("MAIL refused: %+v", e)
	}
	if list := srv.Messages(t); len(list) != 0 {
		t.Fatalf("refused messages were stored: %+v", list)
	}

	// The retry the job queue makes once the server recovers: same message,
	// same Message-ID, delivered once.
	srv.ResetChaos(t)
	if _, err := sender.Send(t.Context(), alert()); err != nil {
		t.Fatalf("retry: %v", err)
	}
	list := srv.WaitForMessages(t, 1)
	if len(list) != 1 || list[0].MessageID != "job-42.alert@herald.example" {
		t.Fatalf("after the retry: %+v", list)
	}
}

func TestSendSTARTTLSAndAuth(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{RequireSTARTTLS: true, Users: map[string]string{"herald": "s3cret"}})
	tlsConfig := &tls.Config{RootCAs: srv.RootCAs}
	cfg := mail.Config{Addr: srv.SMTPAddr, TLS: mail.TLSRequired, TLSConfig: tlsConfig, Username: "herald", Password: "s3cret"}
	if _, err := newSender(t, cfg).Send(t.Context(), alert()); err != nil {
		t.Fatalf("Send over STARTTLS with AUTH: %v", err)
	}
	if list := srv.WaitForMessages(t, 1); list[0].Username != "herald" {
		t.Errorf("stored with user %q, want herald", list[0].Username)
	}

	t.Run("wrong password is permanent", func(t *testing.T) {
		bad := cfg
		bad.Password = "wrong"
		_, err := newSender(t, bad).Send(t.Context(), alert())
		if e := smtpError(t, err); e.Stage != "auth" || e.Code != 535 || mail.Temporary(err) {
			t.Errorf("err = %+v", e)
		}
	})
	t.Run("without TLS the server refuses", func(t *testing.T) {
		_, err := newSender(t, mail.Config{Addr: srv.SMTPAddr, TLS: mail.TLSOff}).Send(t.Context(), alert())
		if e := smtpError(t, err); e.Code != 530 || mail.Temporary(err) {
			t.Errorf("err = %+v", e)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		_, err := newSender(t, mail.Config{Addr: srv.SMTPAddr, TLS: mail.TLSOpportunistic}).Send(t.Context(), alert())
		if e := smtpError(t, err); e.Stage != "starttls" || e.Code != 0 || !mail.Temporary(err) {
			t.Errorf("err = %+v", e)
		}
	})
	if list := srv.Messages(t); len(list) != 1 {
		t.Errorf("%d messages stored, want only the authenticated one", len(list))
	}
}

func TestSendTLSRequiredButNotOffered(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{})
	_, err := newSender(t, mail.Config{Addr: srv.SMTPAddr, TLS: mail.TLSRequired}).Send(t.Context(), alert())
	if e := smtpError(t, err); e.Stage != "starttls" || !mail.Temporary(err) {
		t.Errorf("err = %+v, temporary %v", e, mail.Temporary(err))
	}
	if list := srv.Messages(t); len(list) != 0 {
		t.Errorf("a message went out in clear: %+v", list)
	}
}

func TestSendIsRateLimited(t *testing.T) {
	srv := mailpittest.Start(t, mailpittest.Options{})
	clock := newFakeClock()
	limiter, err := mail.NewLimiter(1, 1, clock)
	if err != nil {
		t.Fatal(err)
	}
	sender := newSender(t, mail.Config{Addr: srv.SMTPAddr, Limiter: limiter})
	if _, err := sender.Send(t.Context(), alert()); err != nil {
		t.Fatal(err)
	}
	srv.WaitForMessages(t, 1)

	done := make(chan error, 1)
	go func() {
		m := alert()
		m.MessageID = "job-43.alert@herald.example"
		_, err := sender.Send(context.Background(), m)
		done <- err
	}()
	if got := clock.waits(t, 1); got[0] != time.Second {
		t.Fatalf("second message waits %v, want 1s", got[0])
	}
	// The second send is parked on the limiter, before dialling.
	if list := srv.Messages(t); len(list) != 1 {
		t.Fatalf("%d messages before the limiter allowed the second", len(list))
	}
	clock.Advance(time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
	if list := srv.WaitForMessages(t, 2); list[0].MessageID != "job-43.alert@herald.example" {
		t.Errorf("newest message = %q", list[0].MessageID)
	}
}

// fakeServer accepts connections on loopback and hands each to serve, for
// failures a well-behaved server does not produce on demand.
func fakeServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				serve(conn)
			}()
		}
	}()
	return l.Addr().String()
}

func TestSendNetworkFailuresAreTemporary(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()

	greet := func(reply string) func(net.Conn) {
		return func(c net.Conn) {
			c.Write([]byte(reply + "\r\n"))
			bufio.NewReader(c).ReadString('\n') // QUIT, if any
		}
	}
	resetAfterHello := func(c net.Conn) {
		c.Write([]byte("220 resetting.test ESMTP\r\n"))
		bufio.NewReader(c).ReadString('\n')
		c.(*net.TCPConn).SetLinger(0) // close with RST
	}
	for _, tt := range []struct {
		name      string
		addr      string
		stage     string
		code      int
		temporary bool
	}{
		{"connection refused", refused, "connect", 0, true},
		{"closed before the greeting", fakeServer(t, func(net.Conn) {}), "greeting", 0, true},
		{"connection reset", fakeServer(t, resetAfterHello), "hello", 0, true},
		{"busy greeting", fakeServer(t, greet("421 4.3.2 Too busy, try later")), "greeting", 421, true},
		{"rejecting greeting", fakeServer(t, greet("554 5.7.1 No SMTP service here")), "greeting", 554, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSender(t, mail.Config{Addr: tt.addr}).Send(t.Context(), alert())
			e := smtpError(t, err)
			if e.Stage != tt.stage || e.Code != tt.code || mail.Temporary(err) != tt.temporary {
				t.Errorf("err = %+v, temporary %v", e, mail.Temporary(err))
			}
		})
	}
}

func TestSendStopsWhenTheContextEnds(t *testing.T) {
	// The server greets, reads EHLO and then says nothing: the client is
	// blocked reading a reply when the context is cancelled.
	helloRead := make(chan struct{}, 1)
	stall := func(c net.Conn) {
		c.Write([]byte("220 stalling.test ESMTP\r\n"))
		r := bufio.NewReader(c)
		r.ReadString('\n')
		helloRead <- struct{}{}
		r.ReadString('\n') // until the client gives up
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := newSender(t, mail.Config{Addr: fakeServer(t, stall)}).Send(ctx, alert())
		done <- err
	}()
	<-helloRead
	cancel()
	err := receive(t, done)
	if e := smtpError(t, err); e.Stage != "hello" || !errors.Is(err, context.Canceled) || !mail.Temporary(err) {
		t.Errorf("err = %v, temporary %v", err, mail.Temporary(err))
	}

	hang := func(c net.Conn) { c.Read(make([]byte, 1)) }
	// The per-command timeout ends a silent server without any context.
	_, err = newSender(t, mail.Config{Addr: fakeServer(t, hang), Timeout: 50 * time.Millisecond}).Send(context.Background(), alert())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !mail.Temporary(err) {
		t.Errorf("timeout: err = %v", err)
	}
}

func TestSendRefusesInvalidInput(t *testing.T) {
	// Nothing listens here: an attempt to connect would fail differently.
	sender := newSender(t, mail.Config{Addr: "127.0.0.1:1"})
	m := alert()
	m.Subject = "Hi\r\nBcc: everyone@example.cn"
	deliveries, err := sender.Send(t.Context(), m)
	if herald.ErrorCode(err) != herald.EINVALID || mail.Temporary(err) || deliveries != nil {
		t.Fatalf("err = %v, deliveries %v", err, deliveries)
	}

	for _, tt := range []struct {
		field string
		cfg   mail.Config
	}{
		{"addr", mail.Config{Addr: "no-port"}},
		{"tls", mail.Config{Addr: "127.0.0.1:25", TLS: "sometimes"}},
		{"tls", mail.Config{Addr: "smtp.example.cn:587", Username: "u", Password: "p"}},
		{"helo_name", mail.Config{Addr: "127.0.0.1:25", HeloName: "bad\r\nname"}},
		{"envelope_from", mail.Config{Addr: "127.0.0.1:25", EnvelopeFrom: "bounce"}},
	} {
		_, err := mail.NewSender(tt.cfg)
		if herald.ErrorCode(err) != herald.EINVALID || !strings.Contains(herald.ErrorMessage(err), tt.field) {
			t.Errorf("%+v: err = %v, want EINVALID naming %s", tt.cfg, err, tt.field)
		}
	}
}

// scriptedServer answers each command by its first word, and the end of
// DATA with endOfData.
func scriptedServer(t *testing.T, endOfData string) string {
	return fakeServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		c.Write([]byte("220 scripted.test ESMTP\r\n"))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch verb, _, _ := strings.Cut(strings.TrimSpace(line), " "); strings.ToUpper(verb) {
			case "EHLO":
				c.Write([]byte("250-scripted.test\r\n250 8BITMIME\r\n"))
			case "DATA":
				c.Write([]byte("354 go ahead\r\n"))
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
				}
				c.Write([]byte(endOfData + "\r\n"))
			case "QUIT":
				c.Write([]byte("221 bye\r\n"))
				return
			default:
				c.Write([]byte("250 ok\r\n"))
			}
		}
	})
}

func TestSendReportsDataRefusalForEveryRecipient(t *testing.T) {
	for _, tt := range []struct {
		reply     string
		code      int
		temporary bool
	}{
		{"452 4.3.1 Insufficient system storage", 452, true},
		{"554 5.6.0 Message content rejected", 554, false},
	} {
		m := alert()
		m.To = append(m.To, mail.Address{Address: "wangfang@example.cn"})
		deliveries, err := newSender(t, mail.Config{Addr: scriptedServer(t, tt.reply)}).Send(t.Context(), m)
		e := smtpError(t, err)
		if e.Stage != "data" || e.Code != tt.code || mail.Temporary(err) != tt.temporary || !strings.Contains(tt.reply, e.Text) {
			t.Errorf("%s: err = %+v, temporary %v", tt.reply, e, mail.Temporary(err))
		}
		if len(deliveries) != 2 || deliveries[0].Err != err || deliveries[1].Err != err {
			t.Errorf("%s: deliveries = %+v, want both to carry the DATA refusal", tt.reply, deliveries)
		}
	}
}
