package main

// Fault drills: two herald replicas on one PostgreSQL server behind nginx,
// configured from deploy/nginx.conf, under steady load. One replica is killed
// with SIGKILL; the database is restarted. The numbers each drill logs are
// recorded in docs/benchmarks.md.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/pgcluster"
	"github.com/heraldnews/herald/internal/s3test"
	"github.com/heraldnews/herald/internal/testenv"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/sqlstore"
)

// startNginx runs nginx with deploy/nginx.conf, its upstream servers replaced
// by upstreams and its TLS listener by a plain one on a free loopback port,
// and returns the balancer's base URL.
func startNginx(t *testing.T, upstreams ...string) string {
	t.Helper()
	bin := testenv.Tool(t, "nginx", "apt-get install nginx-light")
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	// The port-80 redirect, TLS and the public upstream addresses are the
	// deployment's; the rest (upstream options, proxy settings, locations) is
	// what the drill exercises.
	conf = regexp.MustCompile(`(?s)server \{\n    listen 80;.*?\n\}\n`).ReplaceAllString(conf, "")
	conf = regexp.MustCompile(`(?m)^\s*(listen \[::\]:443.*|ssl_.*)\n`).ReplaceAllString(conf, "")
	port := testenv.FreePort(t)
	conf = regexp.MustCompile(`listen 443 ssl http2;`).ReplaceAllString(conf, fmt.Sprintf("listen 127.0.0.1:%d;", port))
	servers := regexp.MustCompile(`(?m)^    server \S+:8080 (.*)$`)
	lines := servers.FindAllStringSubmatch(conf, -1)
	if len(lines) != len(upstreams) {
		t.Fatalf("deploy/nginx.conf has %d upstream servers, the drill runs %d", len(lines), len(upstreams))
	}
	i := 0
	conf = servers.ReplaceAllStringFunc(conf, func(string) string {
		line := fmt.Sprintf("    server %s %s", strings.TrimPrefix(upstreams[i], "http://"), lines[i][1])
		i++
		return line
	})
	dir, err := os.MkdirTemp("", "herald-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // its workers would be nobody, who cannot write the temporary folders
	}
	main := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/herald.conf;
}
`, user, dir)
	os.WriteFile(filepath.Join(dir, "herald.conf"), []byte(conf), 0o644)
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644)
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	// Output to a file, not a pipe its workers would hold open; its own
	// process group, so that the workers go with the master.
	out, err := os.Create(filepath.Join(dir, "output.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	testenv.OwnProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { testenv.KillGroup(cmd); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return fmt.Sprintf("http://127.0.0.1:%d", port)
		}
		select {
		case <-done:
			output, _ := os.ReadFile(filepath.Join(dir, "output.log"))
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s\n%s\n%s", output, log, conf)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not listen")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cluster is a deployment under test: replicas on one database behind nginx.
type cluster struct {
	db       string
	replicas []*server
	lb       string
	store    *sqlstore.Store
	column   *herald.Column
	writer   string // API token of a correspondent
	chief    string // API token of the editor-in-chief
	chiefID  int64
	unitID   int64
}

// startCluster sets up an empty site on db (a unit, a correspondent, an
// editor-in-chief, a column) and starts n replicas and nginx in front.
func startCluster(t *testing.T, db string, n int, extra ...string) *cluster {
	t.Helper()
	heraldRun(t, "", "unit", "add", "--db", db, "--code", "HEB", "--name", "河北省司法厅", "--type", "department")
	heraldRun(t, "a long test password\n", "user", "add", "--db", db, "--username", "writer", "--name", "张通讯",
		"--code", "W1", "--unit", "HEB", "--roles", "correspondent")
	heraldRun(t, "a long test password\n", "user", "add", "--db", db, "--username", "chief", "--name", "王总编",
		"--code", "DW110", "--unit", "HEB", "--roles", "editor_in_chief")
	c := &cluster{db: db, store: openDB(t, db)}
	ctx := context.Background()
	c.column = &herald.Column{Slug: "news", Name: "要闻", ReviewLevels: 1}
	if err := c.store.CreateColumn(ctx, c.column, herald.Event{At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	chief, _, err := c.store.FindStaff(ctx, herald.StaffFilter{Username: "chief"})
	if err != nil || len(chief) != 1 {
		t.Fatalf("the editor-in-chief: %v", err)
	}
	c.chiefID, c.unitID = chief[0].ID, chief[0].UnitID
	var urls []string
	for range n {
		s := startServer(t, "serve", db, append([]string{"--scheduler-interval", "200ms", "--job-lease", "3s", "--trusted-proxies", "127.0.0.1"}, extra...)...)
		c.replicas = append(c.replicas, s)
		urls = append(urls, s.url)
	}
	c.lb = startNginx(t, urls...)
	c.writer = login(t, c.lb, "writer", "a long test password")
	c.chief = login(t, c.lb, "chief", "a long test password")
	return c
}

// approved stores n approved articles, ready to be scheduled.
func (c *cluster) approved(t *testing.T, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		a := &herald.Article{ArticleContent: herald.ArticleContent{Title: fmt.Sprintf("定时发布 %d", i), Body: "<p>定时发布的稿件。</p>",
			ColumnID: c.column.ID, EditorID: c.chiefID}, UnitID: c.unitID, CreatedBy: c.chiefID, Status: herald.StatusApproved}
		if err := c.store.CreateArticle(context.Background(), a, herald.Event{At: time.Now(), ActorID: c.chiefID}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

// call sends one API request with a token and returns the status (0 when no
// answer came) and the body.
func call(client *http.Client, method, url, token, body string) (int, []byte) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// traffic is steady load through the balancer: writers creating articles,
// readers of the portal (cached pages) and of the API (the database). It
// counts answers by kind and status and keeps every acknowledged write.
type traffic struct {
	mu       sync.Mutex
	statuses map[string]map[int]int // kind -> status -> count (0: no answer)
	slowest  map[string]time.Duration
	acked    map[int64]string
	stop     func()
}

func newTraffic() *traffic {
	return &traffic{statuses: map[string]map[int]int{}, slowest: map[string]time.Duration{}, acked: map[int64]string{}}
}

// record counts one answer of a kind of request and how long it took.
func (tr *traffic) record(kind string, status int, took time.Duration) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.statuses[kind] == nil {
		tr.statuses[kind] = map[int]int{}
	}
	tr.statuses[kind][status]++
	tr.slowest[kind] = max(tr.slowest[kind], took)
}

func (c *cluster) load(writers, readers int) *traffic {
	tr := newTraffic()
	client := &http.Client{Timeout: 20 * time.Second} // beyond any bound a drill asserts: a hang shows as 0
	pages := []string{"/", "/m/", "/figures/"}
	tr.stop = writeUntilStopped(writers+readers, func(w, i int) {
		start := time.Now()
		var kind string
		var status int
		switch {
		case w < writers:
			kind = "write"
			title := fmt.Sprintf("演练写入 %d-%d", w, i)
			var a *herald.Article
			if a, status = createArticle(client, c.lb, c.writer, title, c.column.ID); a != nil {
				tr.mu.Lock()
				tr.acked[a.ID] = title
				tr.mu.Unlock()
			}
		case w%2 == 0:
			kind = "portal"
			status, _ = call(client, "GET", c.lb+pages[i%len(pages)], "", "")
		default:
			kind = "api"
			status, _ = call(client, "GET", c.lb+"/api/v1/articles?limit=5", c.writer, "")
		}
		tr.record(kind, status, time.Since(start))
		time.Sleep(5 * time.Millisecond) // steady, not flat out: two cores run everything
	})
	return tr
}

// window returns the counts since the last call, and resets them.
func (tr *traffic) window() (statuses map[string]map[int]int, slowest map[string]time.Duration) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	statuses, slowest = tr.statuses, tr.slowest
	tr.statuses, tr.slowest = map[string]map[int]int{}, map[string]time.Duration{}
	return statuses, slowest
}

func (tr *traffic) ackedCopy() map[int64]string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	m := make(map[int64]string, len(tr.acked))
	for k, v := range tr.acked {
		m[k] = v
	}
	return m
}

// describeTraffic renders counts as "write 201×310 0×2; portal 200×900".
func describeTraffic(statuses map[string]map[int]int, slowest map[string]time.Duration) string {
	var kinds []string
	for k := range statuses {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		var codes []int
		for c := range statuses[k] {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var s []string
		for _, c := range codes {
			s = append(s, fmt.Sprintf("%d×%d", c, statuses[k][c]))
		}
		part := k + " " + strings.Join(s, " ")
		if d, ok := slowest[k]; ok {
			part += fmt.Sprintf(" (slowest %s)", d.Round(time.Millisecond))
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// TestDrillKillOneOfTwoReplicas kills one of two replicas with SIGKILL under
// steady reads and writes while scheduled publications fall due. nginx routes
// reads to the survivor; no acknowledged write is lost; every scheduled
// publication happens exactly once (the killed replica's jobs are taken over
// after their lease); sessions and counts are shared by the replicas.
func TestDrillKillOneOfTwoReplicas(t *testing.T) {
	c := startCluster(t, pgcluster.Start(t).DSN, 2)
	ctx := context.Background()
	a, b := c.replicas[0], c.replicas[1]

	// A session made through one replica works on the other.
	for _, r := range c.replicas {
		if status, _ := call(http.DefaultClient, "GET", r.url+"/api/v1/me", c.writer, ""); status != 200 {
			t.Fatalf("the session from the balancer on replica %s: %d", r.url, status)
		}
	}

	// Scheduled publications falling due over the next seconds, while the kill happens.
	scheduled := c.approved(t, 24)
	start := time.Now()
	for i, id := range scheduled {
		at := start.Add(time.Duration(1000+250*i) * time.Millisecond).UTC()
		status, body := call(http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/articles/%d/publish", c.lb, id), c.chief,
			fmt.Sprintf(`{"at":%q}`, at.Format(time.RFC3339Nano)))
		if status != 200 {
			t.Fatalf("schedule %d: %d %s", id, status, body)
		}
	}

	tr := c.load(4, 4)
	time.Sleep(4 * time.Second)
	before, slowBefore := tr.window()
	if err := a.cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	<-a.done
	killed := time.Now()
	time.Sleep(6 * time.Second)
	tr.stop()
	after, slowAfter := tr.window()
	t.Logf("before the kill: %s", describeTraffic(before, slowBefore))
	t.Logf("after the kill:  %s", describeTraffic(after, slowAfter))
	for _, kind := range []string{"portal", "api"} {
		for status, n := range after[kind] {
			if status != 200 {
				t.Errorf("%d %s reads answered %d after the kill: nginx should have used the surviving replica", n, kind, status)
			}
		}
		if after[kind][200] == 0 {
			t.Errorf("no %s read succeeded after the kill", kind)
		}
	}
	if after["write"][201] == 0 {
		t.Error("no write succeeded after the kill")
	}
	acked := tr.ackedCopy()
	assertStored(t, c.store, acked)

	// Every scheduled article is published once, the killed replica's claimed jobs included.
	deadline := time.Now().Add(60 * time.Second)
	for _, id := range scheduled {
		for {
			ar, err := c.store.FindArticleByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if ar.Status == herald.StatusPublished {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("scheduled article %d is still %s a minute after the kill", id, ar.Status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	lastPublished := time.Since(killed)
	for _, id := range scheduled {
		events, err := c.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: id})
		if err != nil {
			t.Fatal(err)
		}
		publishes := 0
		for _, e := range events {
			if e.Action == "publish" {
				publishes++
			}
		}
		if publishes != 1 {
			t.Errorf("article %d was published %d times", id, publishes)
		}
	}
	counts, err := c.store.CountJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[herald.JobFailed] != 0 {
		t.Errorf("%d jobs failed", counts[herald.JobFailed])
	}

	// The survivor serves what the scheduler published, whichever replica ran the job.
	if status, _ := call(http.DefaultClient, "GET", fmt.Sprintf("%s/articles/%d.html", b.url, scheduled[0]), "", ""); status != 200 {
		t.Errorf("the survivor serves a published article: %d", status)
	}
	t.Logf("drill: %d writes acknowledged, all stored; %d scheduled publications each published once, the last %s after the kill",
		len(acked), len(scheduled), lastPublished.Round(100*time.Millisecond))
}

// TestDrillRestartPostgres stops the database under load and starts it again
// a few seconds later. While it is down, requests that need it fail fast with
// 503 and /readyz says so; afterwards the replicas serve again by themselves.
func TestDrillRestartPostgres(t *testing.T) {
	pg := pgcluster.Start(t)
	c := startCluster(t, pg.DSN, 2)
	tr := c.load(3, 4)
	time.Sleep(3 * time.Second)
	before, slowBefore := tr.window()

	pg.Stop()
	stopped := time.Now()
	time.Sleep(500 * time.Millisecond) // the connections in use have noticed
	tr.window()                        // the moment of the stop itself is neither state
	time.Sleep(4 * time.Second)
	down, slowDown := tr.window()
	ready := map[string]int{}
	for _, r := range c.replicas {
		status, body := call(http.DefaultClient, "GET", r.url+"/readyz", "", "")
		ready[r.url] = status
		if status != 503 || !strings.Contains(string(body), "database") {
			t.Errorf("/readyz of %s with the database down: %d %s", r.url, status, body)
		}
	}
	pg.StartAgain()
	restarted := time.Now()

	// Recovery: a write through the balancer succeeds again, without restarting herald.
	var recovered time.Duration
	for {
		if status, _ := call(&http.Client{Timeout: 10 * time.Second}, "GET", c.lb+"/api/v1/articles?limit=1", c.writer, ""); status == 200 {
			recovered = time.Since(restarted)
			break
		}
		if time.Since(restarted) > 60*time.Second {
			t.Fatal("the replicas did not recover within a minute of the database's return")
		}
		time.Sleep(50 * time.Millisecond)
	}
	tr.window() // the moment of recovery itself is neither state
	time.Sleep(3 * time.Second)
	tr.stop()
	after, slowAfter := tr.window()
	t.Logf("before:   %s", describeTraffic(before, slowBefore))
	t.Logf("down:     %s", describeTraffic(down, slowDown))
	t.Logf("after:    %s", describeTraffic(after, slowAfter))

	for kind, statuses := range down {
		for status, n := range statuses {
			if status == 0 || status == 500 || status == 502 || status == 504 {
				t.Errorf("%d %s requests answered %d while the database was down; want 503 (or a cached page)", n, kind, status)
			}
		}
		if slowDown[kind] > 10*time.Second {
			t.Errorf("a %s request took %s while the database was down", kind, slowDown[kind])
		}
	}
	if down["api"][503] == 0 || down["write"][503] == 0 {
		t.Errorf("the API did not answer 503 while the database was down: %s", describeTraffic(down, slowDown))
	}
	for _, kind := range []string{"write", "api", "portal"} {
		for status, n := range after[kind] {
			if status != 200 && status != 201 {
				t.Errorf("%d %s requests answered %d after recovery", n, kind, status)
			}
		}
	}
	for _, r := range c.replicas {
		if status, _ := call(http.DefaultClient, "GET", r.url+"/readyz", "", ""); status != 200 {
			t.Errorf("/readyz of %s after recovery: %d", r.url, status)
		}
	}
	assertStored(t, c.store, tr.ackedCopy())
	t.Logf("drill: database down %s; requests answered 503 in at most %s; writes served again %s after it was back",
		restarted.Sub(stopped).Round(100*time.Millisecond), max(slowDown["api"], slowDown["write"]).Round(time.Millisecond),
		recovered.Round(time.Millisecond))
}

// TestSoak runs mixed traffic (portal reads, counted reads of articles,
// publishing through review, search) at a steady rate against two replicas
// for HERALD_SOAK (default 30s; the recorded run is 10m), then checks that
// memory and goroutines are flat: the end is compared with the state after
// the first fifth of the run, when caches and pools are warm.
func TestSoak(t *testing.T) {
	length := 30 * time.Second
	if v := os.Getenv("HERALD_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("HERALD_SOAK=%q: %v", v, err)
		}
		length = d
	}
	c := startCluster(t, pgcluster.Start(t).DSN, 2)
	client := &http.Client{Timeout: 20 * time.Second}
	tr := newTraffic()
	count := func(kind string, status int) { tr.record(kind, status, 0) }
	var mu sync.Mutex // guards published
	var published []int64
	// publish takes a piece from draft to published: write, submit, approve, publish.
	publish := func(i int) {
		title := fmt.Sprintf("耐久测试稿件 %d 法治宣传", i)
		a, status := createArticle(client, c.lb, c.writer, title, c.column.ID)
		count("publish", status)
		if a == nil {
			return
		}
		for _, step := range []struct{ action, token string }{{"submit", c.writer}, {"approve", c.chief}, {"publish", c.chief}} {
			status, body := call(client, "POST", fmt.Sprintf("%s/api/v1/articles/%d/%s", c.lb, a.ID, step.action), step.token,
				fmt.Sprintf(`{"version":%d}`, a.Version))
			count("publish", status)
			if status != 200 || json.Unmarshal(body, a) != nil {
				t.Logf("%s of %d: %d %s", step.action, a.ID, status, body)
				return
			}
		}
		mu.Lock()
		published = append(published, a.ID)
		mu.Unlock()
	}
	rate := time.NewTicker(25 * time.Millisecond) // 40 requests a second, spread over the kinds
	defer rate.Stop()
	start := time.Now()
	warm := start.Add(length / 5)
	var baseline []map[string]float64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16) // at most 16 in flight: a slow moment must not pile up requests
	for i := 0; time.Since(start) < length; i++ {
		<-rate.C
		if baseline == nil && time.Now().After(warm) {
			for _, r := range c.replicas {
				baseline = append(baseline, scrapeMetrics(t, r.url, nil))
			}
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			switch i % 10 {
			case 0: // one piece a quarter second… every tenth tick starts one (four calls)
				publish(i)
			case 1, 2:
				status, _ := call(client, "GET", c.lb+"/search?q="+[]string{"法治", "宣传", "普法"}[i%3], "", "")
				count("search", status)
			case 3, 4, 5:
				mu.Lock()
				var id int64
				if len(published) > 0 {
					id = published[i%len(published)]
				}
				mu.Unlock()
				if id == 0 {
					return
				}
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/articles/%d.html", c.lb, id), nil)
				req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (Soak reader %d) Chrome/130", i%500))
				res, err := client.Do(req)
				status := 0
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					status = res.StatusCode
				}
				count("article", status)
			default:
				status, _ := call(client, "GET", c.lb+[]string{"/", "/m/", "/figures/", "/videos/"}[i%4], "", "")
				count("portal", status)
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second) // the view counters flush, the watchers settle
	for i, r := range c.replicas {
		end := scrapeMetrics(t, r.url, nil)
		b := baseline[i]
		for _, name := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes", "process_open_fds"} {
			if b[name] == 0 || end[name] == 0 {
				t.Errorf("replica %d does not expose %s: nothing to compare", i+1, name)
			}
		}
		t.Logf("replica %d: goroutines %.0f → %.0f, heap in use %.1f → %.1f MiB, resident %.1f → %.1f MiB, open files %.0f → %.0f", i+1,
			b["go_goroutines"], end["go_goroutines"], b["go_memstats_heap_inuse_bytes"]/(1<<20), end["go_memstats_heap_inuse_bytes"]/(1<<20),
			b["process_resident_memory_bytes"]/(1<<20), end["process_resident_memory_bytes"]/(1<<20), b["process_open_fds"], end["process_open_fds"])
		if end["go_goroutines"] > b["go_goroutines"]*1.25+10 {
			t.Errorf("replica %d: goroutines grew from %.0f to %.0f", i+1, b["go_goroutines"], end["go_goroutines"])
		}
		if end["go_memstats_heap_inuse_bytes"] > b["go_memstats_heap_inuse_bytes"]*1.5+32<<20 {
			t.Errorf("replica %d: heap in use grew from %.0f to %.0f bytes", i+1, b["go_memstats_heap_inuse_bytes"], end["go_memstats_heap_inuse_bytes"])
		}
		if end["process_open_fds"] > b["process_open_fds"]+20 {
			t.Errorf("replica %d: open files grew from %.0f to %.0f", i+1, b["process_open_fds"], end["process_open_fds"])
		}
	}
	counts, _ := tr.window()
	total := 0
	for kind, statuses := range counts {
		for status, n := range statuses {
			total += n
			if status >= 500 || status == 0 {
				t.Errorf("%d %s requests answered %d", n, kind, status)
			}
		}
	}
	t.Logf("soak %s: %d requests (%.0f a second), %d pieces published; %s", length, total, float64(total)/length.Seconds(), len(published),
		describeTraffic(counts, nil))
	if len(published) == 0 {
		t.Fatal("nothing was published during the soak")
	}
	// Reads from both replicas are summed in the store.
	reads, err := c.store.TopArticles(context.Background(), start.Add(-time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, r := range reads {
		sum += r.Reads
	}
	if want := counts["article"][200]; sum == 0 || sum > want {
		t.Errorf("the store counts %d reads of the soak's articles; %d pages were served", sum, want)
	}
	t.Logf("reads counted: %d of %d article pages served (repeat readers within the dedup window count once)", sum, counts["article"][200])
}

// newsroomClient signs in to the newsroom with a cookie jar, as a browser does.
func newsroomClient(t *testing.T, base, username, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/newsroom/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("newsroom sign-in of %s: %d", username, res.StatusCode)
	}
	return client
}

// TestFilmsInObjectStorageServeFromEveryReplica runs two replicas with their
// films in a real S3-compatible store (SeaweedFS): a film uploaded through one
// replica's newsroom streams, with ranges, from the other. herald doctor
// checks the storage, and tells a wrong key.
func TestFilmsInObjectStorageServeFromEveryReplica(t *testing.T) {
	s3 := s3test.Start(t)
	storage := []string{"--media-s3-endpoint", s3.Endpoint, "--media-s3-bucket", s3.Bucket,
		"--media-s3-access-key", s3.AccessKey, "--media-s3-secret-key", s3.SecretKey, "--media-s3-prefix", "site/"}
	db := pgtest.SchemaDSN(t)
	c := startCluster(t, db, 2, storage...)
	a, b := c.replicas[0], c.replicas[1]

	if out := heraldRun(t, "", append([]string{"doctor", "--db", db}, storage...)...); !strings.Contains(out, "film storage "+s3.Endpoint+"/"+s3.Bucket+" takes files") {
		t.Errorf("doctor on the object storage:\n%s", out)
	}
	wrong := append(append([]string{"doctor", "--db", db}, storage[:len(storage)-4]...), "--media-s3-secret-key", "not-the-secret")
	if out, err := exec.Command(heraldBin, wrong...).CombinedOutput(); err == nil || !strings.Contains(string(out), "problem: film storage") {
		t.Errorf("doctor with a wrong secret: %v\n%s", err, out)
	}

	piece := &herald.Article{ArticleContent: herald.ArticleContent{Title: "公证人（第一集）", Body: "<p>公证人的一天。</p>", Source: "河北省司法厅",
		ColumnID: c.column.ID, EditorID: c.chiefID, Kind: herald.KindVideo}, UnitID: c.unitID, CreatedBy: c.chiefID, Status: herald.StatusDraft}
	if err := c.store.CreateArticle(context.Background(), piece, herald.Event{At: time.Now(), ActorID: c.chiefID}); err != nil {
		t.Fatal(err)
	}
	desk := newsroomClient(t, a.url, "chief", "a long test password")
	res, err := desk.Get(fmt.Sprintf("%s/newsroom/articles/%d/edit", a.url, piece.ID))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the editor: %d", res.StatusCode)
	}
	film, err := os.ReadFile(filepath.Join("..", "..", "media", "testdata", "clip.webm"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", string(m[1]))
	mw.WriteField("version", "1")
	fw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="video"; filename="clip.webm"`}, "Content-Type": {"video/webm"}})
	fw.Write(film)
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/newsroom/articles/%d/video", a.url, piece.ID), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err = desk.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("film upload through replica A: %d", res.StatusCode)
	}
	stored, err := c.store.FindArticleByID(context.Background(), piece.ID)
	if err != nil || stored.Video == nil || stored.Video.FileID == 0 {
		t.Fatalf("the piece has no film after the upload: %v", err)
	}
	vf, err := c.store.FindVideoFileByID(context.Background(), stored.Video.FileID)
	if err != nil {
		t.Fatal(err)
	}
	if objects := s3.Objects(t); !slices.Contains(objects, "site/"+vf.Key()) {
		t.Fatalf("the bucket holds %v, not site/%s", objects, vf.Key())
	}
	// Replica B streams it, whole and in part.
	for _, rng := range []struct {
		header string
		status int
		want   []byte
	}{{"", 200, film}, {"bytes=100-199", 206, film[100:200]}} {
		req, _ := http.NewRequest("GET", b.url+vf.URL(), nil)
		if rng.header != "" {
			req.Header.Set("Range", rng.header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != rng.status || !bytes.Equal(got, rng.want) {
			t.Errorf("replica B, Range %q: %d, %d bytes (want %d, %d bytes)", rng.header, res.StatusCode, len(got), rng.status, len(rng.want))
		}
	}
	// Storage away: the film answers 503, the rest of the site is fine.
	s3.Stop(t)
	if status, _ := call(http.DefaultClient, "GET", b.url+vf.URL(), "", ""); status != http.StatusServiceUnavailable {
		t.Errorf("the film with the storage away: %d, want 503", status)
	}
	if status, body := call(http.DefaultClient, "GET", b.url+"/readyz", "", ""); status != 503 || !strings.Contains(string(body), "video storage") {
		t.Errorf("/readyz with the storage away: %d %s", status, body)
	}
	if status, _ := call(http.DefaultClient, "GET", b.url+"/", "", ""); status != 200 {
		t.Errorf("the home page with the storage away: %d", status)
	}
}
