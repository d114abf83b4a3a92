// Package mailpittest runs mailpit, a real SMTP server with an HTTP API, for
// tests that send mail: each test gets its own server on loopback ports with
// a throwaway database, and helpers read what arrived and make the server
// refuse mail on purpose (mailpit's "chaos" triggers).
//
// The tests need mailpit (Version). Binary looks on PATH and in the tools
// cache (ToolsDir) and otherwise installs it there with go install, once for
// all test processes; when that fails the tests skip, except under CI=true,
// where they fail.
package mailpittest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald/internal/syncbuf"
	"github.com/heraldnews/herald/internal/testenv"
)

// Time limits for waiting on the mailpit process. They bound polls, never
// pace them: a healthy server answers in milliseconds.
const (
	StartTimeout = 30 * time.Second
	WaitTimeout  = 15 * time.Second
	pollEvery    = 20 * time.Millisecond
)

// Options choose how the server behaves.
type Options struct {
	// Chaos enables the chaos API (SetChaos, RefuseRecipients).
	Chaos bool
	// STARTTLS makes the server offer STARTTLS with a fresh self-signed
	// certificate for 127.0.0.1 and localhost; Server.RootCAs trusts it.
	STARTTLS bool
	// RequireSTARTTLS refuses mail sent without STARTTLS; it implies STARTTLS.
	RequireSTARTTLS bool
	// Users, when set, requires SMTP AUTH with one of these user names and
	// passwords (allowed over plain text unless STARTTLS is on).
	Users map[string]string
	// Args are further mailpit flags, such as --smtp-allowed-recipients.
	Args []string
}

// Server is a running mailpit.
type Server struct {
	// SMTPAddr is the SMTP listener, 127.0.0.1:port.
	SMTPAddr string
	// URL is the base of the web UI and API, http://127.0.0.1:port.
	URL string
	// RootCAs trusts the server's certificate when Options.STARTTLS is set.
	RootCAs *x509.CertPool

	client *http.Client
	output *syncbuf.Buffer
}

// Start runs mailpit for the test and stops it when the test ends. It skips
// the test when mailpit is not available (see Binary).
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	var fixed []string
	var roots *x509.CertPool
	if opts.STARTTLS || opts.RequireSTARTTLS {
		cert, key, pool, err := writeCertificate(dir)
		if err != nil {
			t.Fatalf("mailpittest: certificate: %v", err)
		}
		roots = pool
		fixed = append(fixed, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
		if opts.RequireSTARTTLS {
			fixed = append(fixed, "--smtp-require-starttls")
		}
	}
	if len(opts.Users) > 0 {
		var b strings.Builder
		for user, pass := range opts.Users {
			fmt.Fprintf(&b, "%s:%s\n", user, pass)
		}
		file := filepath.Join(dir, "smtp-users")
		if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
			t.Fatalf("mailpittest: %v", err)
		}
		fixed = append(fixed, "--smtp-auth-file", file)
		if roots == nil {
			fixed = append(fixed, "--smtp-auth-allow-insecure")
		}
	}
	if opts.Chaos {
		fixed = append(fixed, "--enable-chaos")
	}
	fixed = append(fixed, opts.Args...)

	// A free port can be taken by someone else before mailpit binds it;
	// then mailpit exits and we try other ports.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s, err := start(t, bin, dir, attempt, fixed)
		if err == nil {
			s.RootCAs = roots
			return s
		}
		if !errors.Is(err, errPortTaken) || attempt == attempts {
			t.Fatalf("mailpittest: %v", err)
		}
	}
}

var errPortTaken = errors.New("a port was taken")

func start(t testing.TB, bin, dir string, attempt int, fixed []string) (*Server, error) {
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		SMTPAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort)),
		URL:      "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)),
		client:   &http.Client{Timeout: WaitTimeout},
		output:   &syncbuf.Buffer{},
	}
	args := append([]string{
		"--smtp", s.SMTPAddr,
		"--listen", strings.TrimPrefix(s.URL, "http://"),
		"--database", filepath.Join(dir, "mailpit-"+strconv.Itoa(attempt)+".db"),
		"--disable-version-check", // no internet in tests
		"--smtp-disable-rdns",
	}, fixed...)
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutMailpitEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = s.output, s.output
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			cmd.Process.Kill() // no interrupt on Windows
		}
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}

	if err := s.waitReady(exited); err != nil {
		stop()
		out := s.output.String()
		if strings.Contains(out, "address already in use") {
			return nil, fmt.Errorf("%w: %s", errPortTaken, testenv.LastLines(out, 5))
		}
		return nil, fmt.Errorf("mailpit did not start: %w\n%s", err, out)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("mailpit output:\n%s", s.output.String())
		}
	})
	return s, nil
}

// waitReady polls until the API reports ready and SMTP accepts connections.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.NewTimer(StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if s.ready() {
			return nil
		}
		select {
		case <-exited:
			return errors.New("mailpit exited")
		case <-deadline.C:
			return fmt.Errorf("not ready after %v", StartTimeout)
		case <-tick.C:
		}
	}
}

func (s *Server) ready() bool {
	resp, err := s.client.Get(s.URL + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	conn, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// withoutMailpitEnv drops MP_* variables, which mailpit reads as settings
// and which would make a developer's own configuration leak into tests.
func withoutMailpitEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "MP_") {
			out = append(out, kv)
		}
	}
	return out
}

// writeCertificate writes a self-signed certificate for the loopback
// server and returns the file names and a pool that trusts it.
func writeCertificate(dir string) (certFile, keyFile string, pool *x509.CertPool, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return "", "", nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailpittest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "", "", nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", nil, err
	}
	certFile, keyFile = filepath.Join(dir, "smtp.crt"), filepath.Join(dir, "smtp.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", "", nil, err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		return "", "", nil, err
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool, nil
}

// Address is a mailbox as the API reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is one message in the list, newest first.
type Summary struct {
	ID        string // mailpit's database ID, for Message, Headers and Raw
	MessageID string // the Message-ID header without angle brackets
	From      *Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	ReplyTo   []Address
	Subject   string
	Created   time.Time
	Username  string // the SMTP AUTH user, if any
	Size      uint64
	Snippet   string
}

// Message is one message as mailpit parsed it.
type Message struct {
	ID              string
	MessageID       string
	From            *Address
	To              []Address
	Cc              []Address
	Bcc             []Address
	ReplyTo         []Address
	ReturnPath      string
	Subject         string
	ListUnsubscribe ListUnsubscribe
	Date            time.Time
	Username        string
	Text            string
	HTML            string
	Size            uint64
}

// ListUnsubscribe is mailpit's reading of List-Unsubscribe and
// List-Unsubscribe-Post, including its own validation.
type ListUnsubscribe struct {
	Header     string
	Links      []string
	Errors     string // what mailpit finds wrong with the header, if anything
	HeaderPost string
}

// Chaos holds the triggers of mailpit's chaos feature. A zero Trigger
// leaves its stage alone.
type Chaos struct {
	Sender         Trigger // fails MAIL FROM
	Recipient      Trigger // fails RCPT TO
	Authentication Trigger // fails AUTH
}

// Trigger makes a stage fail with ErrorCode (400-599) in Probability
// percent (0-100) of commands.
type Trigger struct {
	ErrorCode   int
	Probability int
}

// Messages lists the stored messages, newest first.
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var list struct {
		Total    int       `json:"total"`
		Messages []Summary `json:"messages"`
	}
	s.call(t, http.MethodGet, "/api/v1/messages?limit=1000", nil, &list)
	return list.Messages
}

// Message returns one message; id "latest" is the newest.
func (s *Server) Message(t testing.TB, id string) *Message {
	t.Helper()
	var m Message
	s.call(t, http.MethodGet, "/api/v1/message/"+url.PathEscape(id), nil, &m)
	return &m
}

// Headers returns a message's header fields as received, values decoded.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	s.call(t, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/headers", nil, &h)
	return h
}

// Raw returns a message's source as received.
func (s *Server) Raw(t testing.TB, id string) []byte {
	t.Helper()
	var raw []byte
	s.call(t, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/raw", nil, &raw)
	return raw
}

// DeleteAll deletes every stored message.
func (s *Server) DeleteAll(t testing.TB) {
	t.Helper()
	s.call(t, http.MethodDelete, "/api/v1/messages", nil, nil)
}

// WaitForMessages polls until at least n messages are stored and returns
// them, newest first; it fails the test after WaitTimeout.
func (s *Server) WaitForMessages(t testing.TB, n int) []Summary {
	t.Helper()
	return s.waitFor(t, n, "", func(Summary) bool { return true })
}

// WaitForMessagesTo polls until at least n messages to address are stored
// and returns those, newest first, leaving out mail to anyone else; it fails
// the test after WaitTimeout.
func (s *Server) WaitForMessagesTo(t testing.TB, address string, n int) []Summary {
	t.Helper()
	return s.waitFor(t, n, " to "+address, func(m Summary) bool {
		return slices.ContainsFunc(m.To, func(a Address) bool { return strings.EqualFold(a.Address, address) })
	})
}

func (s *Server) waitFor(t testing.TB, n int, what string, keep func(Summary) bool) []Summary {
	t.Helper()
	deadline := time.NewTimer(WaitTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		list := slices.DeleteFunc(s.Messages(t), func(m Summary) bool { return !keep(m) })
		if len(list) >= n {
			return list
		}
		select {
		case <-deadline.C:
			t.Fatalf("mailpittest: %d messages%s arrived within %v, want %d", len(list), what, WaitTimeout, n)
		case <-tick.C:
		}
	}
}

// SetChaos replaces the chaos triggers (the server must have been started
// with Options.Chaos) and returns them as the server now has them.
func (s *Server) SetChaos(t testing.TB, c Chaos) Chaos {
	t.Helper()
	var now Chaos
	s.call(t, http.MethodPut, "/api/v1/chaos", c, &now)
	return now
}

// RefuseRecipients makes every RCPT TO fail with code, such as 451 (try
// again later) or 550 (no such user).
func (s *Server) RefuseRecipients(t testing.TB, code int) {
	t.Helper()
	s.SetChaos(t, Chaos{Recipient: Trigger{ErrorCode: code, Probability: 100}})
}

// ResetChaos turns every chaos trigger off.
func (s *Server) ResetChaos(t testing.TB) {
	t.Helper()
	s.SetChaos(t, Chaos{})
}

// call sends a JSON request to the API and decodes the JSON answer into
// out; a []byte out receives the body as it is.
func (s *Server) call(t testing.TB, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("mailpittest: %v", err)
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, body)
	if err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("mailpittest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("mailpittest: %s %s: %v", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpittest: %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	switch out := out.(type) {
	case nil:
	case *[]byte:
		*out = data
	default:
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("mailpittest: %s %s: decode %q: %v", method, path, data, err)
		}
	}
}
