package main

// These tests run the real herald binary in subprocesses: kill -9 under write
// load, and backup of a running server restored to an identical database.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/sqlstore"
)

var heraldBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "herald-bin-")
	if err != nil {
		panic(err)
	}
	heraldBin = filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", heraldBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build herald: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// herald runs a herald command to completion and returns its output.
func heraldRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(heraldBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HERALD_LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("herald %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// server is a herald process serving on a free port.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
}

// startServer starts `herald <cmd> --db db` and waits until it listens.
func startServer(t *testing.T, command, db string, extra ...string) *server {
	t.Helper()
	args := append([]string{command, "--db", db, "--addr", "127.0.0.1:0", "--log-format", "json"}, extra...)
	cmd := exec.Command(heraldBin, args...)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
	}()
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.done })
	select {
	case a := <-addr:
		s.url = "http://" + a
	case <-s.done:
		t.Fatalf("herald %s exited: %v", command, waitErr)
	case <-time.After(3 * time.Minute): // the demo seeds a year of history first: 10–20 s on PostgreSQL under load
		t.Fatalf("herald %s did not start listening", command)
	}
	return s
}

func login(t *testing.T, base, username, password string) string {
	t.Helper()
	return loginWith(t, http.DefaultClient, base, username, password)
}

// createArticle posts a draft (with a source, so that it may be submitted)
// and returns it with the answer's status (0: no answer); the article is
// nil unless the write was acknowledged (201).
func createArticle(client *http.Client, base, token, title string, column int64) (*herald.Article, int) {
	status, body := call(client, "POST", base+"/api/v1/articles", token,
		fmt.Sprintf(`{"title":%q,"body":"<p>%s 正文。</p>","source":"河北省司法厅","column_id":%d}`, title, title, column))
	var a herald.Article
	if status != 201 || json.Unmarshal(body, &a) != nil {
		return nil, status
	}
	return &a, status
}

// writeUntilStopped runs write(worker, i) in a loop on each of n workers until
// the returned stop function is called; stop waits for them to finish.
func writeUntilStopped(n int, write func(worker, i int)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
					write(w, i)
				}
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}

// engineDSNs gives a fresh database of each engine.
func engineDSNs(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "herald.db") },
		"postgres": func(t *testing.T) string { return pgtest.SchemaDSN(t) },
	}
}

func openDB(t *testing.T, db string) *sqlstore.Store {
	t.Helper()
	s, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestKill9LosesNoAcknowledgedWrite kills the server with SIGKILL while eight
// clients create articles, then checks that every article the server
// acknowledged (201) is in the database.
func TestKill9LosesNoAcknowledgedWrite(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			db := engineDSNs(t)[engine](t)
			heraldRun(t, "", "unit", "add", "--db", db, "--code", "HEB", "--name", "河北省司法厅", "--type", "department")
			heraldRun(t, "a long test password\n", "user", "add", "--db", db, "--username", "writer", "--name", "张通讯",
				"--code", "W1", "--unit", "HEB", "--roles", "correspondent")
			store := openDB(t, db)
			col := &herald.Column{Slug: "news", Name: "要闻", ReviewLevels: 1}
			if err := store.CreateColumn(context.Background(), col, herald.Event{At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			srv := startServer(t, "serve", db)
			token := login(t, srv.url, "writer", "a long test password")

			var mu sync.Mutex
			acked := map[int64]string{}
			var attempts atomic.Int64
			client := &http.Client{Timeout: 5 * time.Second}
			stop := writeUntilStopped(8, func(w, i int) {
				title := fmt.Sprintf("写入 %d-%d", w, i)
				attempts.Add(1)
				if a, _ := createArticle(client, srv.url, token, title, col.ID); a != nil {
					mu.Lock()
					acked[a.ID] = title
					mu.Unlock()
				}
			})
			// Kill once a good number of writes is acknowledged and more are in flight.
			deadline := time.Now().Add(30 * time.Second)
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 200 || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := srv.cmd.Process.Signal(os.Kill); err != nil {
				t.Fatal(err)
			}
			<-srv.done
			stop()
			if len(acked) < 50 {
				t.Fatalf("only %d writes were acknowledged before the kill", len(acked))
			}

			// Reopen after the crash (SQLite recovers its WAL) and look for each one.
			stored := assertStored(t, openDB(t, db), acked)
			t.Logf("%s: %d attempts, %d acknowledged, %d stored, 0 lost", engine, attempts.Load(), len(acked), stored)
		})
	}
}

// assertStored fails the test unless every acknowledged write (article ID
// and title) is in the store; it returns how many articles the store holds.
func assertStored(t *testing.T, s herald.Store, acked map[int64]string) int {
	t.Helper()
	articles, _, err := s.FindArticles(context.Background(), herald.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]string{}
	for _, a := range articles {
		stored[a.ID] = a.Title
	}
	lost := 0
	for id, title := range acked {
		if stored[id] != title {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged writes are not in the database", lost, len(acked))
	}
	return len(stored)
}

// dump returns a store's backup without its header line (which names the time
// and engine), so that two dumps of equal databases are equal text.
func dump(t *testing.T, s herald.Store) string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Dump(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	_, body, _ := strings.Cut(string(b), "\n")
	return body
}

// TestBackupOfRunningServerRestoresIdentically backs up a running demo server
// while it takes writes (the backup must restore cleanly), then once more after
// the server has stopped (its background jobs write too, the notifier every
// minute), and restores that into a new SQLite and a new PostgreSQL database,
// which must hold exactly what the original holds.
func TestBackupOfRunningServerRestoresIdentically(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	srv := startServer(t, "demo", db)
	token := login(t, srv.url, "wangyalan", "herald-demo-2026")
	live := openDB(t, db)
	cols, _ := live.FindColumns(context.Background())

	stop := writeUntilStopped(1, func(_, i int) {
		createArticle(http.DefaultClient, srv.url, token, fmt.Sprintf("备份期间写入 %d", i), cols[0].ID)
	})
	busy := filepath.Join(dir, "busy.backup")
	heraldRun(t, "", "backup", "--db", db, busy)
	stop()
	restoredBusy := filepath.Join(dir, "busy-restored.db")
	heraldRun(t, "", "restore", "--db", restoredBusy, busy)

	srv.cmd.Process.Signal(os.Interrupt)
	<-srv.done
	quiet := filepath.Join(dir, "quiet.backup")
	out := heraldRun(t, "", "backup", "--db", db, quiet)
	if !strings.Contains(out, "Backed up the sqlite database") {
		t.Fatalf("backup said: %s", out)
	}
	want := dump(t, live)
	if !strings.Contains(want, "Provincial Judicial Administration System Publicity Training Course") {
		t.Fatal("the live database lacks the demo's seed article")
	}
	for engine, fresh := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			target := fresh(t)
			heraldRun(t, "", "restore", "--db", target, quiet)
			if got := dump(t, openDB(t, target)); got != want {
				t.Fatalf("the restored %s database differs from the original (%d vs %d bytes)", engine, len(got), len(want))
			}
		})
	}
	// Restoring over data is refused.
	cmd := exec.Command(heraldBin, "restore", "--db", db, quiet)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
		t.Fatalf("restore into a full database: %v\n%s", err, out)
	}
}

// TestScheduledPublishingSurvivesARestart schedules an approved article two
// seconds ahead, kills the server before then, and starts it again after: the
// restarted server publishes the overdue article at once.
func TestScheduledPublishingSurvivesARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sched.db")
	srv := startServer(t, "demo", db)
	token := login(t, srv.url, "wangyalan", "herald-demo-2026")
	store := openDB(t, db)
	ctx := context.Background()
	approved, _, err := store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}, Limit: 1})
	if err != nil || len(approved) == 0 {
		t.Fatalf("no approved article in the demo: %v", err)
	}
	id := approved[0].ID
	at := time.Now().Add(2 * time.Second).UTC()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/articles/%d/publish", srv.url, id),
		strings.NewReader(fmt.Sprintf(`{"at":%q}`, at.Format(time.RFC3339Nano))))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("schedule: status %d", res.StatusCode)
	}
	srv.cmd.Process.Signal(os.Kill)
	<-srv.done
	if a, _ := store.FindArticleByID(ctx, id); a.Status != herald.StatusScheduled {
		t.Fatalf("before the restart the article is %s, want scheduled", a.Status)
	}
	time.Sleep(time.Until(at) + 200*time.Millisecond)
	startServer(t, "serve", db)
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := store.FindArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status == herald.StatusPublished {
			if a.PublishedAt.Before(at.Truncate(time.Microsecond)) {
				t.Fatalf("published at %v, before its time %v", a.PublishedAt, at)
			}
			events, _ := store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: id})
			last := events[len(events)-1]
			if last.Action != "publish" || last.ActorID != 0 || last.FromStatus != "scheduled" {
				t.Fatalf("last event %+v, want the scheduler's publish", last)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted server did not publish the overdue article (still %s)", a.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPublicationInvalidatesEveryReplica runs two servers on one PostgreSQL
// database: a retraction through one removes the article from the other's
// cached portal within a second or so.
func TestPublicationInvalidatesEveryReplica(t *testing.T) {
	db := pgtest.SchemaDSN(t)
	seed := startServer(t, "demo", db)
	seed.cmd.Process.Kill()
	<-seed.done
	a := startServer(t, "serve", db)
	b := startServer(t, "serve", db)
	store := openDB(t, db)
	ctx := context.Background()
	published, _, err := store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1})
	if err != nil || len(published) == 0 {
		t.Fatalf("no published article: %v", err)
	}
	page := fmt.Sprintf("%s/articles/%d.html", b.url, published[0].ID)
	status := func() int {
		res, err := http.Get(page)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := status(); s != 200 {
		t.Fatalf("article on replica B: %d", s)
	}
	token := login(t, a.url, "wangyalan", "herald-demo-2026")
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/articles/%d/retract", a.url, published[0].ID), strings.NewReader(`{"comment":"核实后撤稿"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("retract on replica A: %d", res.StatusCode)
	}
	retracted := time.Now()
	for status() != 404 {
		if time.Since(retracted) > 5*time.Second {
			t.Fatal("replica B still serves the retracted article after 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("replica B dropped the retracted article %s after the retraction on A", time.Since(retracted).Round(time.Millisecond))
}

// TestCleanShutdownKeepsEveryView reads an article, stops the server with
// SIGTERM at once, and finds the read stored: a clean shutdown loses no count.
func TestCleanShutdownKeepsEveryView(t *testing.T) {
	db := filepath.Join(t.TempDir(), "views.db")
	srv := startServer(t, "demo", db)
	store := openDB(t, db)
	ctx := context.Background()
	seed, _, _ := store.FindArticles(ctx, herald.ArticleFilter{Language: "en", Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublishedAsc, Limit: 1})
	before, _ := store.TopArticles(ctx, time.Now().Add(-time.Hour), 1000)
	readsOf := func(list []herald.ArticleReads) int {
		for _, r := range list {
			if r.ArticleID == seed[0].ID {
				return r.Reads
			}
		}
		return 0
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/articles/%d.html", srv.url, seed[0].ID), nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("read: %v %v", err, res)
	}
	res.Body.Close()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
	after, _ := store.TopArticles(ctx, time.Now().Add(-time.Hour), 1000)
	if got := readsOf(after) - readsOf(before); got != 1 {
		t.Fatalf("after a clean shutdown the article gained %d reads, want 1", got)
	}
}
