package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/sqlstore"
)

// inProcess builds the app over a new SQLite file with the given flags and
// returns a function that GETs a path from its handler.
func inProcess(t *testing.T, dir string, args ...string) (get func(path string) (int, string), store *sqlstore.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fs, resolve := flags(env{stderr: io.Discard, getenv: func(string) string { return "" }}, "serve")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	c, err := resolve()
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(c, store, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	return func(path string) (int, string) {
		w := httptest.NewRecorder()
		a.handler.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code, w.Body.String()
	}, store
}

// TestReadyzFailsWhenTheStoreIsClosed builds the app in process, checks the
// probes, closes the database and expects /readyz to say so.
func TestReadyzFailsWhenTheStoreIsClosed(t *testing.T) {
	dir := t.TempDir()
	get, store := inProcess(t, dir, "--video-dir", filepath.Join(dir, "videos"))
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("/readyz with an open store: %d %q", code, body)
	}
	store.Close()
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "database") || strings.Contains(body, "video") {
		t.Errorf("/readyz with a closed store: %d %q, want 503 naming the database", code, body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz with a closed store: %d, want 200 (liveness depends on nothing)", code)
	}
}

// TestReadyzFailsWithoutVideoStorage points --video-dir at a plain file,
// where no folder can be made.
func TestReadyzFailsWithoutVideoStorage(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	get, _ := inProcess(t, dir, "--video-dir", notADir)
	if code, body := get("/readyz"); code != 503 || body != "not ready: video storage unreachable\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
}

var sampleRe = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$`)

// scrapeMetrics reads /metrics into "name{labels}" -> value.
func scrapeMetrics(t *testing.T, url string, header http.Header) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	if header != nil {
		req.Header = header
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		m := sampleRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample line: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("value of %q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

func status(t *testing.T, method, url string, header http.Header) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if header != nil {
		req.Header = header
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestMetricsOfARunningServer starts the built server, makes a few requests
// and checks that the scrape counted them by route pattern.
func TestMetricsOfARunningServer(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, "serve", filepath.Join(dir, "herald.db"), "--video-dir", filepath.Join(dir, "videos"))
	if got := status(t, "GET", srv.url+"/healthz", nil); got != 200 {
		t.Errorf("/healthz: %d", got)
	}
	if got := status(t, "GET", srv.url+"/readyz", nil); got != 200 {
		t.Errorf("/readyz: %d", got)
	}
	before := scrapeMetrics(t, srv.url, http.Header{})
	for range 3 {
		status(t, "GET", srv.url+"/healthz", nil)
	}
	status(t, "GET", srv.url+"/api/v1/articles/12345", nil)
	for range 2 {
		if got := status(t, "GET", srv.url+"/", nil); got != 200 {
			t.Fatalf("GET /: %d", got)
		}
	}
	after := scrapeMetrics(t, srv.url, http.Header{})

	healthz := `herald_http_requests_total{route="GET /healthz",method="GET",status="200"}`
	if d := after[healthz] - before[healthz]; d != 3 {
		t.Errorf("%s moved by %v, want 3", healthz, d)
	}
	for key := range after {
		if strings.Contains(key, "12345") {
			t.Errorf("a raw path became a label: %s", key)
		}
	}
	for _, want := range []string{
		`herald_http_request_duration_seconds_count{route="GET /healthz"}`,
		`herald_jobs_queued`, `herald_jobs_failed`,
		`herald_db_open_connections{pool="write"}`, `herald_db_wait_count{pool="write"}`,
	} {
		if _, ok := after[want]; !ok {
			t.Errorf("no %s in the scrape", want)
		}
	}
	// the home page twice: rendered, then from the cache (a publication in
	// between would make both misses, which nothing here does)
	hit, miss := `herald_portal_cache_requests_total{result="hit"}`, `herald_portal_cache_requests_total{result="miss"}`
	if dh, dm := after[hit]-before[hit], after[miss]-before[miss]; dh != 1 || dm != 1 {
		t.Errorf("two requests for the home page: %v hits, %v misses; want 1 and 1", dh, dm)
	}
	if after["herald_portal_cache_pages"] < 1 || after["herald_portal_cache_bytes"] <= 0 {
		t.Errorf("page cache: %v pages, %v bytes", after["herald_portal_cache_pages"], after["herald_portal_cache_bytes"])
	}
	// every series of a known kind, channel and outcome is there from the start
	for _, want := range []string{
		`herald_jobs_runs_total{kind="delivery.deliver",outcome="done"}`, `herald_jobs_runs_total{kind="delivery.deliver",outcome="retry"}`,
		`herald_jobs_runs_total{kind="workflow.publish",outcome="failed"}`,
		`herald_deliveries_total{channel="microblog",outcome="sent"}`, `herald_deliveries_total{channel="microblog",outcome="retrying"}`,
		`herald_deliveries_total{channel="print",outcome="failed"}`,
		`go_goroutines`, `go_threads`, `go_memstats_heap_alloc_bytes`, `go_memstats_heap_inuse_bytes`, `go_memstats_sys_bytes`,
		`go_memstats_alloc_bytes_total`, `go_gc_duration_seconds_count`, `go_gc_duration_seconds{quantile="0.5"}`,
		`process_start_time_seconds`, `process_resident_memory_bytes`, `process_open_fds`, `process_cpu_seconds_total`,
	} {
		if _, ok := after[want]; !ok {
			t.Errorf("no %s in the scrape", want)
		}
	}
	for key := range after {
		if strings.HasPrefix(key, "herald_jobs_runs_total{") && strings.Contains(key, "/") {
			t.Errorf("a job key became a label: %s", key)
		}
	}
	if after["go_goroutines"] < 5 || after["go_memstats_heap_inuse_bytes"] < after["go_memstats_heap_alloc_bytes"] ||
		after["process_resident_memory_bytes"] < 1<<20 || after["process_start_time_seconds"] > float64(time.Now().UnixNano())/1e9 {
		t.Errorf("runtime: %v goroutines, heap %v in use of %v allocated, RSS %v, started at %v", after["go_goroutines"],
			after["go_memstats_heap_inuse_bytes"], after["go_memstats_heap_alloc_bytes"], after["process_resident_memory_bytes"],
			after["process_start_time_seconds"])
	}
	// the server queues a scoring run when it starts: its attempt is counted
	scoring := `herald_jobs_runs_total{kind="scoring.run",outcome="done"}`
	for deadline := time.Now().Add(30 * time.Second); after[scoring] < 1; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v 30 s after the start", scoring, after[scoring])
		}
		after = scrapeMetrics(t, srv.url, http.Header{})
	}

	var build bool
	for key, v := range after {
		build = build || (strings.HasPrefix(key, `herald_build_info{version="`) && v == 1)
	}
	if !build {
		t.Error("no herald_build_info")
	}
	// the portal's requests are counted by the kind of page, not all as "/"
	status(t, "GET", srv.url+"/articles/12345.html", nil)
	status(t, "GET", srv.url+"/static/missing.css", nil)
	status(t, "GET", srv.url+"/m/", nil)
	kinds := scrapeMetrics(t, srv.url, http.Header{})
	for _, want := range []string{
		`herald_http_requests_total{route="/",method="GET",status="200"}`,
		`herald_http_requests_total{route="/articles/",method="GET",status="404"}`,
		`herald_http_requests_total{route="/static/",method="GET",status="404"}`,
		`herald_http_requests_total{route="/m/",method="GET",status="200"}`,
	} {
		if kinds[want] < 1 {
			t.Errorf("no %s in the scrape", want)
		}
	}
	// through a proxy, without a token: refused
	if got := status(t, "GET", srv.url+"/metrics", http.Header{"X-Forwarded-For": {"203.0.113.9"}}); got != 404 {
		t.Errorf("proxied /metrics without a token: %d, want 404", got)
	}
}

// TestMetricsToken checks that with --metrics-token a scrape needs the token.
func TestMetricsToken(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, "serve", filepath.Join(dir, "herald.db"), "--video-dir", filepath.Join(dir, "videos"),
		"--metrics-token", "s3cret-token")
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"Bearer s3cret-token", 200}} {
		h := http.Header{"X-Forwarded-For": {"203.0.113.9"}}
		if c.auth != "" {
			h.Set("Authorization", c.auth)
		}
		if got := status(t, "GET", srv.url+"/metrics", h); got != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.auth, got, c.want)
		}
	}
}
