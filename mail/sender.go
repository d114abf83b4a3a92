package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/heraldnews/herald"
)

// TLSMode says whether a Sender upgrades the connection with STARTTLS.
type TLSMode string

// TLS modes. Opportunistic is what an unset mode means.
const (
	// TLSRequired fails (temporarily) when the server does not offer STARTTLS,
	// so that credentials and subscribers' addresses never cross in clear.
	TLSRequired TLSMode = "required"
	// TLSOpportunistic upgrades when the server offers STARTTLS.
	TLSOpportunistic TLSMode = "opportunistic"
	// TLSOff never upgrades: for a relay on the same host or a test server.
	TLSOff TLSMode = "off"
)

// DefaultTimeout limits dialling and each SMTP command when Config.Timeout is
// zero. RFC 5321 allows servers minutes per reply; a relay that slow is better
// retried later than waited for by a worker.
const DefaultTimeout = 30 * time.Second

// Config is how a Sender reaches its SMTP server.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// HeloName is the name sent with EHLO/HELO; relays may check it, so set
	// the host's public name. Empty means "localhost".
	HeloName string
	TLS      TLSMode
	// TLSConfig is cloned for STARTTLS (for RootCAs in tests, say); its
	// ServerName defaults to the host of Addr.
	TLSConfig *tls.Config
	// Username and Password enable AUTH PLAIN, which is refused over a
	// connection that is neither TLS nor loopback.
	Username string
	Password string
	// Timeout limits dialling and each command; zero means DefaultTimeout.
	Timeout time.Duration
	// EnvelopeFrom is the MAIL FROM (bounce) address; empty means the
	// message's From address.
	EnvelopeFrom string
	// Limiter, when set, is waited on before each message; share one between
	// Senders to cap the rate the relay sees.
	Limiter *Limiter
	// Clock dates messages that carry no Date.
	Clock herald.Clock
}

// Sender sends messages over SMTP, one connection per message. It is safe
// for concurrent use.
type Sender struct {
	cfg  Config
	host string
}

// NewSender checks cfg and returns a Sender. Invalid settings give
// herald.EINVALID naming each field.
func NewSender(cfg Config) (*Sender, error) {
	var p herald.Problems
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		p.Add("addr", "must be host:port")
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	} else if strings.ContainsAny(cfg.HeloName, " \t\r\n") {
		p.Add("helo_name", "must be a host name")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSOpportunistic
	case TLSRequired, TLSOpportunistic, TLSOff:
	default:
		p.Add("tls", "must be required, opportunistic or off")
	}
	if hasLineBreak(cfg.Username) || hasLineBreak(cfg.Password) {
		p.Add("username", "must not contain line breaks")
	}
	if cfg.Username != "" && cfg.TLS != TLSRequired && !isLoopbackHost(host) {
		p.Add("tls", "must be required when credentials are sent to a remote server")
	}
	if cfg.Timeout < 0 {
		p.Add("timeout", "must not be negative")
	} else if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.EnvelopeFrom != "" {
		if msg := addressProblem(cfg.EnvelopeFrom); msg != "" {
			p.Add("envelope_from", "%s", msg)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return &Sender{cfg: cfg, host: host}, nil
}

// Delivery is what happened to one recipient of a message.
type Delivery struct {
	Recipient string
	// Err is nil when the server took responsibility for delivering to
	// Recipient; else usually an *Error, to be classified with Temporary.
	Err error
}

// Error is a failed SMTP exchange, with what the delivery log needs.
type Error struct {
	// Stage is where it failed: wait, connect, greeting, hello, starttls,
	// auth, mail, rcpt or data.
	Stage string
	// Recipient is set for a refused RCPT.
	Recipient string
	// Code is the server's reply code, 0 when there was no reply (a network
	// error, a timeout, a cancelled context).
	Code int
	// Text is the server's reply text, enhanced status code included.
	Text string
	// Err is the underlying error.
	Err error
}

// Error reports the stage and the server's reply, or the network error.
func (e *Error) Error() string {
	where := "smtp " + e.Stage
	if e.Recipient != "" {
		where += " <" + e.Recipient + ">"
	}
	if e.Code != 0 {
		return fmt.Sprintf("%s: %d %s", where, e.Code, e.Text)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

// Unwrap gives errors.Is and errors.As the underlying error, such as a
// *textproto.Error or context.Canceled.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether sending again later may succeed: SMTP 4xx
// replies, network failures, timeouts and cancelled contexts. 5xx replies
// and invalid messages are permanent. For several joined errors it reports
// whether any is temporary; callers retry only the recipients whose
// Delivery.Err is temporary, so that nobody gets the message twice.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if Temporary(e) {
				return true
			}
		}
		return false
	}
	var se *Error
	if errors.As(err, &se) && se.Code != 0 {
		return se.Code >= 400 && se.Code < 500
	}
	var he *herald.Error
	if errors.As(err, &he) {
		return false
	}
	if se != nil {
		// No reply: the connection failed, timed out or was cancelled, or
		// TLS could not be set up; all may pass or be fixed by the operator.
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Send composes m and sends it to every To address. The error is nil when
// every recipient was accepted. Otherwise it is the one failure, the failure
// of the whole session, or (for several recipients failing differently)
// their errors joined; Deliveries say which recipients got the message.
// Invalid messages give herald.EINVALID before any connection is made.
func (s *Sender) Send(ctx context.Context, m *Message) ([]Delivery, error) {
	raw, err := Compose(m, s.cfg.Clock.Now())
	if err != nil {
		return nil, err
	}
	var recipients []string
	seen := map[string]bool{}
	for _, a := range m.To {
		if key := strings.ToLower(a.Address); !seen[key] {
			seen[key] = true
			recipients = append(recipients, a.Address)
		}
	}
	deliveries := make([]Delivery, len(recipients))
	for i, r := range recipients {
		deliveries[i].Recipient = r
	}
	from := s.cfg.EnvelopeFrom
	if from == "" {
		from = m.From.Address
	}
	if err := s.send(ctx, from, deliveries, raw); err != nil {
		for i := range deliveries {
			if deliveries[i].Err == nil {
				deliveries[i].Err = err
			}
		}
	}
	var failed []error
	for _, d := range deliveries {
		if d.Err != nil && !containsErr(failed, d.Err) {
			failed = append(failed, d.Err)
		}
	}
	switch len(failed) {
	case 0:
		return deliveries, nil
	case 1:
		return deliveries, failed[0]
	default:
		return deliveries, errors.Join(failed...)
	}
}

func containsErr(list []error, err error) bool {
	for _, e := range list {
		if e == err {
			return true
		}
	}
	return false
}

// send runs one SMTP session. It records refused recipients in deliveries
// and returns the error that applies to all the others.
func (s *Sender) send(ctx context.Context, from string, deliveries []Delivery, raw []byte) error {
	if s.cfg.Limiter != nil {
		if err := s.cfg.Limiter.Wait(ctx); err != nil {
			return &Error{Stage: "wait", Err: err}
		}
	}
	dialer := net.Dialer{Timeout: s.cfg.Timeout}
	conn, err := dialer.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return s.fail(ctx, "connect", err)
	}
	guard := guardConn(ctx, conn, s.cfg.Timeout)
	defer guard.release()
	defer conn.Close()

	guard.next()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return s.fail(ctx, "greeting", err)
	}
	guard.next()
	if err := c.Hello(s.cfg.HeloName); err != nil {
		return s.fail(ctx, "hello", err)
	}
	if s.cfg.TLS != TLSOff {
		offered, _ := c.Extension("STARTTLS")
		if offered {
			cfg := &tls.Config{}
			if s.cfg.TLSConfig != nil {
				cfg = s.cfg.TLSConfig.Clone()
			}
			if cfg.ServerName == "" {
				cfg.ServerName = s.host
			}
			guard.next()
			if err := c.StartTLS(cfg); err != nil {
				return s.fail(ctx, "starttls", err)
			}
		} else if s.cfg.TLS == TLSRequired {
			return &Error{Stage: "starttls", Err: errors.New("the server does not offer STARTTLS")}
		}
	}
	if s.cfg.Username != "" {
		guard.next()
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.host)); err != nil {
			return s.fail(ctx, "auth", err)
		}
	}
	guard.next()
	if err := c.Mail(from); err != nil {
		return s.fail(ctx, "mail", err)
	}
	accepted := 0
	for i := range deliveries {
		guard.next()
		if err := c.Rcpt(deliveries[i].Recipient); err != nil {
			e := s.fail(ctx, "rcpt", err)
			if e.Code == 0 { // the session is gone; the rest share its fate
				return e
			}
			e.Recipient = deliveries[i].Recipient
			deliveries[i].Err = e
			continue
		}
		accepted++
	}
	if accepted == 0 {
		guard.next()
		c.Reset()
		c.Quit()
		return nil
	}
	guard.next()
	w, err := c.Data()
	if err != nil {
		return s.fail(ctx, "data", err)
	}
	if _, err := w.Write(raw); err != nil {
		return s.fail(ctx, "data", err)
	}
	guard.next()
	if err := w.Close(); err != nil {
		return s.fail(ctx, "data", err)
	}
	// The message is accepted; a failed QUIT changes nothing about that.
	guard.next()
	c.Quit()
	return nil
}

// fail wraps err with its stage, the server's reply if there was one, and
// the context's error if the context ended it.
func (s *Sender) fail(ctx context.Context, stage string, err error) *Error {
	e := &Error{Stage: stage, Err: err}
	var te *textproto.Error
	if errors.As(err, &te) {
		e.Code, e.Text = te.Code, te.Msg
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		e.Err = fmt.Errorf("%w: %w", cerr, err)
	}
	return e
}

// connGuard applies the per-command timeout and the context to a
// connection: net/smtp takes no context, so cancelling sets a past deadline
// that fails whatever I/O is pending or comes next.
type connGuard struct {
	mu       sync.Mutex
	ctx      context.Context
	conn     net.Conn
	timeout  time.Duration
	canceled bool
	stop     func() bool
}

func guardConn(ctx context.Context, conn net.Conn, timeout time.Duration) *connGuard {
	g := &connGuard{ctx: ctx, conn: conn, timeout: timeout}
	g.stop = context.AfterFunc(ctx, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.canceled = true
		conn.SetDeadline(time.Unix(1, 0))
	})
	return g
}

// next gives the coming command its own timeout, capped by the context's
// deadline.
func (g *connGuard) next() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.canceled {
		return
	}
	deadline := time.Now().Add(g.timeout)
	if d, ok := g.ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	g.conn.SetDeadline(deadline)
}

func (g *connGuard) release() { g.stop() }
