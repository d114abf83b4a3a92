// Package s3test runs SeaweedFS, a real S3-compatible object storage, for
// tests of code that keeps files in S3: each test gets its own server on
// loopback ports with a throwaway data folder, a bucket and credentials,
// helpers that look into the bucket without trusting the code under test,
// and ways to make the storage fail on purpose (Stop and Restart,
// SetReadOnly).
//
// The server is two processes: weed server (master, volume server, filer),
// which keeps the data, and weed s3, the gateway at Endpoint. Start takes
// some fifteen seconds, most of it SeaweedFS's own wait for its filer to
// join the cluster; Stop and Restart touch the gateway only and take a
// moment.
//
// The tests need weed (Version). Binary looks on PATH and in the tools cache
// and otherwise builds it there, once for all test processes; when that
// fails the tests skip, except under CI=true, where they fail.
package s3test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald/internal/syncbuf"
	"github.com/heraldnews/herald/internal/testenv"
)

// Time limits for waiting on weed. They bound polls, never pace them.
const (
	// StartTimeout covers a cold start on a busy machine. On two cores the
	// gateway answers after some 6 s and takes writes some 8 s later, once
	// the filer has joined the cluster and the master has grown volumes.
	StartTimeout = 90 * time.Second
	callTimeout  = 15 * time.Second
	pollEvery    = 50 * time.Millisecond
)

// Server is a running SeaweedFS with one bucket and one identity allowed
// everything on it.
type Server struct {
	// Endpoint is the S3 API, http://127.0.0.1:port; path-style requests.
	Endpoint  string
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string

	bin, dir string
	ports    ports
	client   *http.Client
	output   *syncbuf.Buffer // both processes' output, each line marked with its source
	since    int             // the length of output when the current launch began

	mu      sync.Mutex
	store   *process // weed server: master, volume server and filer
	gateway *process // weed s3; nil while stopped
}

// ports are weed's listeners. Every one must be free: weed server would
// otherwise take defaults (9333, 8080, 8888, 8333, and each plus 10000 for
// gRPC) that another test's server or the developer's own weed may hold.
type ports struct {
	master, masterGRPC, volume, volumeGRPC, filer, filerGRPC, s3, s3GRPC int
}

// Start runs SeaweedFS for the test and stops it when the test ends. It
// returns once the bucket exists and accepts writes. It skips the test when
// weed is not available (see Binary).
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		Region:    "us-east-1",
		Bucket:    "herald-test",
		AccessKey: "heraldtestkey",
		SecretKey: "herald-test-secret",
		bin:       Binary(t),
		dir:       t.TempDir(),
		client:    &http.Client{Timeout: callTimeout},
		output:    &syncbuf.Buffer{},
	}
	if err := s.writeConfig(); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	t.Cleanup(func() {
		s.stopAll()
		if t.Failed() {
			t.Logf("weed output (last lines):\n%s", s.lastOutput(60))
		}
	})
	// A free port can be taken by someone else before weed binds it; then
	// weed fails and we try other ports.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		var err error
		if s.ports, err = freePorts(); err != nil {
			t.Fatalf("s3test: %v", err)
		}
		s.Endpoint = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports.s3))
		s.since = len(s.output.String())
		if err = s.launchStore(); err == nil {
			err = s.launchGateway()
		}
		if err == nil {
			break
		}
		s.stopAll()
		if !errors.Is(err, errPortTaken) || attempt == attempts {
			t.Fatalf("s3test: %v\nweed output (last lines):\n%s", err, s.lastOutput(40))
		}
	}
	if err := s.ready(true); err != nil {
		t.Fatalf("s3test: %v\nweed output (last lines):\n%s", err, s.lastOutput(40))
	}
	return s
}

// Stop kills the S3 gateway, as a crash or an outage would: requests to
// Endpoint are then refused. The storage behind it keeps running with its
// data, for Restart.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.stopGateway()
}

// Restart starts the S3 gateway again on the same port, and returns once
// the bucket accepts writes again. Only the gateway restarts: a whole weed
// server would spend ten more seconds refusing writes while its master
// waits for volume servers to report in.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.stopGateway()
	s.since = len(s.output.String())
	if err := s.launchGateway(); err != nil {
		t.Fatalf("s3test: restart: %v\nweed output (last lines):\n%s", err, s.lastOutput(40))
	}
	if err := s.ready(false); err != nil {
		t.Fatalf("s3test: restart: %v\nweed output (last lines):\n%s", err, s.lastOutput(40))
	}
}

// SetReadOnly makes the bucket refuse writes (or accept them again), the
// way SeaweedFS enforces a bucket over its quota: uploads then fail with
// 403 AccessDenied while reads go on. It returns once the S3 gateway acts
// on the change.
func (s *Server) SetReadOnly(t testing.TB, readOnly bool) {
	t.Helper()
	command := fmt.Sprintf("fs.configure -locationPrefix=/buckets/%s/ -readOnly=%v -apply", s.Bucket, readOnly)
	if !readOnly {
		command = fmt.Sprintf("fs.configure -locationPrefix=/buckets/%s/ -delete -apply", s.Bucket)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, "shell",
		"-master="+net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports.master))+"."+strconv.Itoa(s.ports.masterGRPC),
		"-filer="+net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports.filer))+"."+strconv.Itoa(s.ports.filerGRPC))
	cmd.Dir, cmd.Env = s.dir, s.env()
	cmd.Stdin = strings.NewReader(command + "\nexit\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("s3test: weed shell %q: %v\n%s", command, err, out)
	}
	// The gateway learns of filer.conf changes from the filer's event
	// stream, a moment later. A probe that is still accepted is deleted at
	// once, while deleting still works, so that the bucket lists only what
	// the test wrote.
	probe := "/" + s.Bucket + "/.s3test-probe"
	deadline := time.Now().Add(callTimeout)
	for {
		status, _, err := s.call(http.MethodPut, probe, "", []byte("probe"))
		if err == nil && status == http.StatusOK {
			s.call(http.MethodDelete, probe, "", nil)
		}
		if err == nil && (status == http.StatusOK) != readOnly {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3test: the bucket did not become read-only=%v within %v: last PUT %d %v\n%s", readOnly, callTimeout, status, err, out)
		}
		time.Sleep(pollEvery)
	}
}

// Objects lists the keys in the bucket, sorted.
func (s *Server) Objects(t testing.TB) []string {
	t.Helper()
	var list struct {
		Contents []struct{ Key string }
	}
	s.mustCall(t, http.MethodGet, "/"+s.Bucket, "list-type=2&max-keys=1000", &list)
	keys := make([]string, 0, len(list.Contents))
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys
}

// Uploads lists the keys of multipart uploads begun and neither completed
// nor aborted: each holds parts that take space until it is aborted.
func (s *Server) Uploads(t testing.TB) []string {
	t.Helper()
	var list struct {
		Upload []struct{ Key string }
	}
	s.mustCall(t, http.MethodGet, "/"+s.Bucket, "uploads=", &list)
	keys := make([]string, 0, len(list.Upload))
	for _, u := range list.Upload {
		keys = append(keys, u.Key)
	}
	sort.Strings(keys)
	return keys
}

func (s *Server) mustCall(t testing.TB, method, path, query string, out any) {
	t.Helper()
	status, body, err := s.call(method, path, query, nil)
	if err != nil {
		t.Fatalf("s3test: %s %s?%s: %v", method, path, query, err)
	}
	if status != http.StatusOK {
		t.Fatalf("s3test: %s %s?%s: %d %s", method, path, query, status, bytes.TrimSpace(body))
	}
	if err := xml.Unmarshal(body, out); err != nil {
		t.Fatalf("s3test: %s %s?%s: decode %q: %v", method, path, query, body, err)
	}
}

// call sends a signed request. The signer here is deliberately separate
// from the one under test, and minimal: the paths and queries it is given
// need no escaping, and its queries come sorted.
func (s *Server) call(method, path, query string, body []byte) (int, []byte, error) {
	target := s.Endpoint + path
	if query != "" {
		target += "?" + query
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	host := req.URL.Host
	canonical := strings.Join([]string{method, path, query,
		"host:" + host + "\nx-amz-content-sha256:" + payload + "\nx-amz-date:" + amzDate + "\n",
		"host;x-amz-content-sha256;x-amz-date", payload}, "\n")
	scope := now.Format("20060102") + "/" + s.Region + "/s3/aws4_request"
	hashed := sha256.Sum256([]byte(canonical))
	key := []byte("AWS4" + s.SecretKey)
	for _, part := range []string{now.Format("20060102"), s.Region, "s3", "aws4_request"} {
		key = mac(key, part)
	}
	signature := hex.EncodeToString(mac(key, "AWS4-HMAC-SHA256\n"+amzDate+"\n"+scope+"\n"+hex.EncodeToString(hashed[:])))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.AccessKey+"/"+scope+
		", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="+signature)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

func mac(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// writeConfig writes the S3 identities: one, allowed everything.
func (s *Server) writeConfig() error {
	config := map[string]any{
		"identities": []any{map[string]any{
			"name":        "herald",
			"credentials": []any{map[string]string{"accessKey": s.AccessKey, "secretKey": s.SecretKey}},
			"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
		}},
	}
	data, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "data"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, "s3.json"), data, 0o600)
}

var errPortTaken = errors.New("a port was taken")

// launchStore starts weed server with a master, a volume server and a
// filer, without waiting: the gateway's readiness covers them.
func (s *Server) launchStore() error {
	p := s.ports
	itoa := strconv.Itoa
	proc, err := s.run("store", "server",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-dir="+filepath.Join(s.dir, "data"),
		"-master.port="+itoa(p.master), "-master.port.grpc="+itoa(p.masterGRPC),
		"-master.peers=none",           // a single master: leader at once, no election
		"-master.telemetry=false",      // no reports to seaweedfs.com from tests
		"-master.volumeSizeLimitMB=64", // small volumes: a test writes megabytes, not gigabytes
		"-volume.max=32",               // room for the volumes the master grows per bucket
		"-volume.port="+itoa(p.volume), "-volume.port.grpc="+itoa(p.volumeGRPC),
		"-filer", "-filer.port="+itoa(p.filer), "-filer.port.grpc="+itoa(p.filerGRPC),
	)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.store = proc
	s.mu.Unlock()
	return nil
}

// launchGateway starts weed s3 in front of the filer and waits until it
// answers HTTP. It runs apart from the store so that Stop and Restart take
// a moment, not a cluster's start-up.
func (s *Server) launchGateway() error {
	p := s.ports
	itoa := strconv.Itoa
	proc, err := s.run("s3", "s3",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-filer="+net.JoinHostPort("127.0.0.1", itoa(p.filer))+"."+itoa(p.filerGRPC),
		"-port="+itoa(p.s3), "-port.grpc="+itoa(p.s3GRPC),
		"-port.iceberg=0", "-port.lance=0", // catalogs we do not need, on fixed ports otherwise
		"-config="+filepath.Join(s.dir, "s3.json"),
	)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.gateway = proc
	store := s.store
	s.mu.Unlock()

	deadline := time.NewTimer(StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	began := time.Now()
	for {
		if s.answers() {
			fmt.Fprintf(s.output, "s3test: the S3 gateway answers after %v\n", time.Since(began).Round(time.Millisecond))
			return nil
		}
		// Only this launch's output counts: an earlier attempt's clash was
		// on other ports.
		if out := s.output.String()[s.since:]; strings.Contains(out, "address already in use") {
			return fmt.Errorf("%w: %s", errPortTaken, lineWith(out, "address already in use"))
		}
		select {
		case <-proc.exited:
			return fmt.Errorf("weed s3 exited: %v", proc.cmd.ProcessState)
		case <-store.exited:
			return fmt.Errorf("weed server exited: %v", store.cmd.ProcessState)
		case <-deadline.C:
			return fmt.Errorf("the S3 gateway did not answer within %v", StartTimeout)
		case <-tick.C:
		}
	}
}

// run starts weed with the command and its flags, its output marked with
// name, in a process group of its own.
func (s *Server) run(name, command string, flags ...string) (*process, error) {
	// -logtostderr: glog would otherwise also write files into the system's
	// temp folder.
	args := append([]string{"-logtostderr", command}, flags...)
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir // weed reads master.toml, filer.toml etc. from "." first
	cmd.Env = s.env()
	w := &prefixWriter{prefix: name + ": ", w: s.output}
	cmd.Stdout, cmd.Stderr = w, w
	testenv.OwnProcessGroup(cmd)
	fmt.Fprintf(s.output, "s3test: %s %s\n", s.bin, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.bin, err)
	}
	proc := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(proc.exited)
	}()
	return proc, nil
}

// prefixWriter marks each line with the process that wrote it. os/exec
// calls it from one goroutine per process (Stdout and Stderr are the same
// writer), so its state needs no lock; the shared buffer has its own.
type prefixWriter struct {
	prefix  string
	w       io.Writer
	midLine bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out bytes.Buffer
	for _, c := range b {
		if !p.midLine {
			out.WriteString(p.prefix)
		}
		out.WriteByte(c)
		p.midLine = c != '\n'
	}
	if _, err := p.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}

// answers reports whether the S3 gateway answers HTTP at all.
func (s *Server) answers() bool {
	// A gateway answers in milliseconds; whatever holds the port without
	// answering must not stall the poll that notices a clash.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/", nil)
	if err != nil {
		return false
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// ready creates the bucket if asked and waits until a write to it works:
// the gateway answers before the filer and volume server are ready, and the
// first write waits for the master to grow volumes.
func (s *Server) ready(createBucket bool) error {
	deadline := time.Now().Add(StartTimeout)
	step := func(what, method, path string, body []byte, ok ...int) error {
		last, first := "", time.Now()
		for {
			began := time.Now()
			status, answer, err := s.call(method, path, "", body)
			for _, want := range ok {
				if err == nil && status == want {
					fmt.Fprintf(s.output, "s3test: %s: done after %v\n", what, time.Since(first).Round(time.Millisecond))
					return nil
				}
			}
			// Into weed's output, which a failing test shows: how the
			// gateway answered while it was not ready, once per change.
			if now := fmt.Sprint(status, " ", err, " ", string(bytes.TrimSpace(answer))); now != last {
				fmt.Fprintf(s.output, "s3test: %s: %s (after %v)\n", what, now, time.Since(began).Round(time.Millisecond))
				last = now
			}
			if time.Now().After(deadline) {
				if err != nil {
					return fmt.Errorf("%s: %v", what, err)
				}
				return fmt.Errorf("%s: %d %s", what, status, bytes.TrimSpace(answer))
			}
			time.Sleep(pollEvery)
		}
	}
	if createBucket {
		if err := step("create the bucket", http.MethodPut, "/"+s.Bucket, nil, http.StatusOK, http.StatusConflict); err != nil {
			return err
		}
	}
	probe := "/" + s.Bucket + "/.s3test-probe"
	if err := step("write to the bucket", http.MethodPut, probe, []byte("probe"), http.StatusOK); err != nil {
		return err
	}
	return step("delete from the bucket", http.MethodDelete, probe, nil, http.StatusNoContent, http.StatusOK)
}

// env is the test's environment without WEED_* variables, which weed reads
// as settings, and with HOME in the data folder, so that a developer's
// ~/.seaweedfs configuration does not leak into tests.
func (s *Server) env() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WEED_") && !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return append(out, "HOME="+s.dir)
}

type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// kill ends the process group at once. weed keeps nothing in memory that a
// test needs (writes are in the data folder when acknowledged), and a crash
// is what Stop is meant to look like.
func (p *process) kill() {
	if p == nil {
		return
	}
	testenv.KillGroup(p.cmd)
	<-p.exited
}

func (s *Server) stopGateway() {
	s.mu.Lock()
	gateway := s.gateway
	s.gateway = nil
	s.mu.Unlock()
	gateway.kill()
}

// stopAll ends both processes and removes the Unix sockets weed keeps in
// /tmp for the ports of this server, which a killed weed leaves behind.
func (s *Server) stopAll() {
	s.stopGateway()
	s.mu.Lock()
	store := s.store
	s.store = nil
	s.mu.Unlock()
	store.kill()
	p := s.ports
	for _, socket := range []string{
		fmt.Sprintf("seaweedfs-master-grpc-%d.sock", p.masterGRPC),
		fmt.Sprintf("seaweedfs-volume-grpc-%d.sock", p.volumeGRPC),
		fmt.Sprintf("seaweedfs-filer-grpc-%d.sock", p.filerGRPC),
		fmt.Sprintf("seaweedfs-s3-grpc-%d.sock", p.s3GRPC),
		fmt.Sprintf("seaweedfs-filer-%d.sock", p.filer),
		fmt.Sprintf("seaweedfs-s3-%d.sock", p.s3),
	} {
		path := filepath.Join("/tmp", socket)
		if info, err := os.Lstat(path); err == nil && info.Mode()&os.ModeSocket != 0 {
			os.Remove(path)
		}
	}
}

// freePorts finds eight free loopback ports, holding each until all are
// found so that none is handed out twice.
func freePorts() (ports, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var nums [8]int
	for i := range nums {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return ports{}, err
		}
		ls = append(ls, l)
		nums[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports{nums[0], nums[1], nums[2], nums[3], nums[4], nums[5], nums[6], nums[7]}, nil
}

func (s *Server) lastOutput(n int) string {
	lines := strings.Split(strings.TrimSpace(s.output.String()), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func lineWith(s, substr string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, substr) {
			return line
		}
	}
	return ""
}
