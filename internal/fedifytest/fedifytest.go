// Package fedifytest runs Fedify (https://fedify.dev), a real ActivityPub
// implementation, as a peer for Herald's protocol tests.
//
// The peer needs Node.js and npm. Start installs @fedify/fedify and
// @fedify/vocab 2.3.6 and @logtape/logtape into the npm cache that .ci/run
// also fills (HERALD_NPM_CACHE, by default ~/.cache/herald-npm) when they are
// missing, writes the peer script there so that its imports resolve, and runs
// it. Without node or npm, or when the install fails, tests skip, except
// under CI=true, where they fail.
//
// Fedify 2.3 declares Node.js 22 or later, but everything the peer uses
// (WebFinger and actor look-ups, signing, verifying, delivering) runs on the
// Node.js 20 that Debian bookworm machines have; Start refuses Node older
// than 20.
package fedifytest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald/internal/syncbuf"
	"github.com/heraldnews/herald/internal/testenv"
)

//go:embed peer.mjs
var peerScript []byte

// Version is the Fedify release the peer runs.
const Version = "2.3.6"

// packages are what the peer imports.
var packages = []string{"@fedify/fedify@" + Version, "@fedify/vocab@" + Version, "@logtape/logtape@2.4.2"}

// StartTimeout bounds the peer's start: Node loading Fedify and making a key.
const StartTimeout = 60 * time.Second

// Options configures the peer.
type Options struct {
	// Trust lists certificates the peer trusts besides the system's: the
	// self-signed one of the server under test (see SelfSigned). Node gets
	// them through NODE_EXTRA_CA_CERTS.
	Trust []*x509.Certificate
	// LogLevel is Fedify's log level: "debug", "info" (the default),
	// "warning" or "error". The log is shown when the test fails.
	LogLevel string
}

// Peer is a running Fedify server with one actor, "peer".
type Peer struct {
	// URL is the peer's origin, http://127.0.0.1:PORT.
	URL         string
	Actor       string // the actor's ID
	Inbox       string // the actor's inbox
	SharedInbox string

	client *http.Client
}

// CacheDir returns the npm cache the peer's packages are installed in.
func CacheDir() string {
	if dir := os.Getenv("HERALD_NPM_CACHE"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "herald-npm")
	}
	return filepath.Join(home, ".cache", "herald-npm")
}

// Start installs what the peer needs if it is missing, starts the peer and
// returns it; it stops when the test ends.
func Start(t testing.TB, opts Options) *Peer {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "the Fedify peer needs Node.js 20 or later and npm (apt-get install nodejs npm): %v", err)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		testenv.Missing(t, "the Fedify peer needs npm (apt-get install npm): %v", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		testenv.Missing(t, "node --version: %v", err)
	}
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".", 2)[0])
	if major < 20 {
		testenv.Missing(t, "the Fedify peer needs Node.js 20 or later; this is %s", strings.TrimSpace(string(out)))
	}
	cache := CacheDir()
	if err := install(npm, cache); err != nil {
		testenv.Missing(t, "installing the Fedify peer's packages failed (npm install --prefix %s %s): %v",
			cache, strings.Join(packages, " "), err)
	}
	script, err := writeScript(cache)
	if err != nil {
		t.Fatalf("write the peer script: %v", err)
	}

	env := os.Environ()
	if len(opts.Trust) > 0 {
		var pems bytes.Buffer
		for _, c := range opts.Trust {
			pem.Encode(&pems, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		caFile := filepath.Join(t.TempDir(), "trust.pem")
		if err := os.WriteFile(caFile, pems.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "NODE_EXTRA_CA_CERTS="+caFile)
	}
	level := opts.LogLevel
	if level == "" {
		level = "info"
	}
	env = append(env, "PEER_LOG_LEVEL="+level, "NO_COLOR=1")

	log := &syncbuf.Buffer{}
	cmd := exec.Command(node, script)
	cmd.Dir = cache
	cmd.Env = env
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the Fedify peer: %v", err)
	}
	exited := make(chan struct{})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if origin, ok := strings.CutPrefix(line, "LISTENING "); ok {
				select {
				case listening <- origin:
				default:
				}
			}
			log.Write([]byte(line + "\n"))
		}
	}()
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("Fedify peer log:\n%s", log.String())
		}
	})

	p := &Peer{client: &http.Client{Timeout: 30 * time.Second}}
	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case p.URL = <-listening:
	case <-exited:
		t.Fatalf("the Fedify peer exited before listening: %s", cmd.ProcessState)
	case <-timer.C:
		t.Fatalf("the Fedify peer did not listen within %s", StartTimeout)
	}
	var info struct{ Actor, Inbox, SharedInbox string }
	if err := p.call(context.Background(), "info", nil, &info); err != nil {
		t.Fatal(err)
	}
	p.Actor, p.Inbox, p.SharedInbox = info.Actor, info.Inbox, info.SharedInbox
	return p
}

// install runs npm install into cache unless the packages are there.
func install(npm, cache string) error {
	if installed(cache) {
		return nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	unlock, err := testenv.LockFile(filepath.Join(cache, ".herald-fedify.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if installed(cache) { // another test binary installed them meanwhile
		return nil
	}
	args := append([]string{"install", "--no-audit", "--no-fund", "--save-exact", "--prefix", cache}, packages...)
	out, err := exec.Command(npm, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, testenv.LastLines(string(out), 20))
	}
	if !installed(cache) {
		return errors.New("npm install succeeded but the packages are not where expected")
	}
	return nil
}

func installed(cache string) bool {
	for _, pkg := range []string{"@fedify/fedify", "@fedify/vocab"} {
		var meta struct{ Version string }
		b, err := os.ReadFile(filepath.Join(cache, "node_modules", pkg, "package.json"))
		if err != nil || json.Unmarshal(b, &meta) != nil || meta.Version != Version {
			return false
		}
	}
	_, err := os.Stat(filepath.Join(cache, "node_modules", "@logtape", "logtape", "package.json"))
	return err == nil
}

// writeScript puts the peer script into the cache under a name that holds
// its hash, so that test binaries of different versions do not overwrite
// each other's.
func writeScript(cache string) (string, error) {
	sum := sha256.Sum256(peerScript)
	path := filepath.Join(cache, "herald-fedify-peer-"+hex.EncodeToString(sum[:6])+".mjs")
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, peerScript) {
		return path, nil
	}
	tmp, err := os.CreateTemp(cache, ".peer-*.mjs")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(peerScript); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// call POSTs a control request and decodes its answer into out.
func (p *Peer) call(ctx context.Context, name string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/control/"+name, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("fedify peer %s: %w", name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("fedify peer %s: %w", name, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(b, &e)
		return fmt.Errorf("fedify peer %s: HTTP %d: %s", name, resp.StatusCode, e.Error)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// Follow is a Follow the peer sent.
type Follow struct {
	ID          string // the Follow activity's ID
	Actor       string // the followed actor's ID, as the peer resolved it
	Inbox       string // where the peer delivered the Follow
	SharedInbox string // the followed actor's shared inbox, "" if none
}

// Follow makes the peer look target up (an acct: handle, which it resolves
// with WebFinger over HTTPS, or an actor URL), and send it a Follow. It
// returns once the target's inbox has accepted the delivery.
func (p *Peer) Follow(ctx context.Context, target string) (*Follow, error) {
	var f Follow
	if err := p.call(ctx, "follow", map[string]string{"target": target}, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Undo sends an Undo of the peer's Follow followID to the followed actor and
// returns the Undo's ID.
func (p *Peer) Undo(ctx context.Context, followID string) (string, error) {
	var r struct{ ID string }
	err := p.call(ctx, "undo", map[string]string{"follow": followID}, &r)
	return r.ID, err
}

// Like sends a Like of object to the actor to (a handle or actor URL) and
// returns the Like's ID.
func (p *Peer) Like(ctx context.Context, object, to string) (string, error) {
	var r struct{ ID string }
	err := p.call(ctx, "like", map[string]string{"object": object, "to": to}, &r)
	return r.ID, err
}

// Announce sends a public Announce (a boost) of object to the actor to and
// returns the Announce's ID.
func (p *Peer) Announce(ctx context.Context, object, to string) (string, error) {
	var r struct{ ID string }
	err := p.call(ctx, "announce", map[string]string{"object": object, "to": to}, &r)
	return r.ID, err
}

// Reply sends the actor to a Create of a public Note in reply to inReplyTo,
// with HTML content, and returns the Create's ID.
func (p *Peer) Reply(ctx context.Context, inReplyTo, to, content string) (string, error) {
	var r struct{ ID string }
	err := p.call(ctx, "reply", map[string]string{"inReplyTo": inReplyTo, "to": to, "content": content}, &r)
	return r.ID, err
}

// Received is an activity that reached the peer's inboxes.
type Received struct {
	ID         string
	Type       string
	Actor      string
	Object     string // the object's ID
	ObjectType string // the embedded object's type, "" for a link
	// Verified says Fedify verified the sender's signature; unverified
	// activities were answered 401 and are listed for diagnosis only.
	Verified bool
	Reason   string // why verification failed
	Shared   bool   // it came to the shared inbox
	JSON     json.RawMessage
}

// Post is one POST to the peer's inboxes.
type Post struct {
	Path      string
	Signature string // "draft-cavage", "rfc9421" or "none"
	Status    int    // what Fedify answered
}

// Received returns what the peer's inboxes received, oldest first, and
// every POST made to them.
func (p *Peer) Received(ctx context.Context) ([]Received, []Post, error) {
	var r struct {
		Received []Received
		Posts    []Post
	}
	err := p.call(ctx, "inbox", nil, &r)
	return r.Received, r.Posts, err
}

// WaitFor polls the peer's inboxes until an activity satisfies match, and
// returns it; it gives up when ctx ends.
func (p *Peer) WaitFor(ctx context.Context, match func(Received) bool) (Received, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		got, _, err := p.Received(ctx)
		if err != nil {
			return Received{}, err
		}
		for _, r := range got {
			if match(r) {
				return r, nil
			}
		}
		select {
		case <-ctx.Done():
			return Received{}, fmt.Errorf("waiting for an activity at the Fedify peer: %w (it has %d)", ctx.Err(), len(got))
		case <-tick.C:
		}
	}
}

// SelfSigned returns a TLS configuration with a new self-signed certificate
// for 127.0.0.1, ::1 and localhost, and that certificate, for Options.Trust
// and for Go clients' RootCAs. The peer resolves acct: handles over HTTPS
// only, so the server under test must serve TLS.
func SelfSigned(t testing.TB) (*tls.Config, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Herald test server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that it can be its own trust anchor
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, cert
}
