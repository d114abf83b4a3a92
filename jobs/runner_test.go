package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/sqlite"
)

var t0 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openSQLite(t *testing.T) herald.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func job(t *testing.T, s herald.Store, at time.Time, kind, key string, maxAttempts int) *herald.Job {
	t.Helper()
	j := &herald.Job{Kind: kind, Key: key, MaxAttempts: maxAttempts}
	if err := s.EnqueueJobs(context.Background(), at, j); err != nil {
		t.Fatal(err)
	}
	return j
}

func status(t *testing.T, s herald.Store, id int64) *herald.Job {
	t.Helper()
	j, err := s.FindJobByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestRetriesBackOffAndGiveUp(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	clock := &fakeClock{now: t0}
	r := jobs.New(s, clock.Now, quiet())
	r.Backoff = func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }
	calls := map[string]int{}
	r.Handle("flaky", func(ctx context.Context, j *herald.Job) error {
		calls[j.Key]++
		if j.Attempts < 3 {
			return errors.New("connection reset by peer")
		}
		return nil
	})
	r.Handle("broken", func(ctx context.Context, j *herald.Job) error {
		calls[j.Key]++
		return herald.Invalid("body", "is empty")
	})
	r.Handle("panics", func(ctx context.Context, j *herald.Job) error {
		calls[j.Key]++
		var m map[string]int
		m["boom"]++ // a bug in a handler
		return nil
	})
	flaky := job(t, s, t0, "flaky", "flaky/1", 5)
	broken := job(t, s, t0, "broken", "broken/1", 5)
	panics := job(t, s, t0, "panics", "panics/1", 2)
	if n, err := r.RunDue(ctx); err != nil || n != 3 {
		t.Fatalf("first pass ran %d (%v), want 3", n, err)
	}
	if j := status(t, s, broken.ID); j.Status != herald.JobFailed || j.Attempts != 1 || j.LastError == "" {
		t.Fatalf("an invalid job should fail at once: %+v", j)
	}
	j := status(t, s, flaky.ID)
	if j.Status != herald.JobQueued || !j.RunAt.Equal(t0.Add(time.Minute)) || j.LastError != "connection reset by peer" {
		t.Fatalf("after one failure: %+v, want queued again a minute later", j)
	}
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatalf("%d jobs ran before their time", n)
	}
	clock.Add(time.Minute)
	r.RunDue(ctx) // flaky's attempt 2 and panics' attempt 2
	if j := status(t, s, panics.ID); j.Status != herald.JobFailed || j.Attempts != 2 || calls["panics/1"] != 2 {
		t.Fatalf("a panicking job with 2 attempts: %+v after %d calls", j, calls["panics/1"])
	}
	clock.Add(2 * time.Minute)
	r.RunDue(ctx)
	if j := status(t, s, flaky.ID); j.Status != herald.JobDone || j.Attempts != 3 || calls["flaky/1"] != 3 {
		t.Fatalf("flaky job: %+v after %d calls, want done on the third", j, calls["flaky/1"])
	}
	if calls["broken/1"] != 1 {
		t.Fatalf("the invalid job ran %d times", calls["broken/1"])
	}
}

// TestRanCountsAttemptsByKindAndOutcome runs a job that succeeds, one that
// fails once and then succeeds, one that fails until it gives up and one that
// fails for good at once, and checks what Ran was told.
func TestRanCountsAttemptsByKindAndOutcome(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	clock := &fakeClock{now: t0}
	r := jobs.New(s, clock.Now, quiet())
	r.Backoff = func(int) time.Duration { return time.Minute }
	var mu sync.Mutex
	counts := map[string]int{} // "kind outcome"
	r.Ran = func(kind, outcome string) {
		mu.Lock()
		defer mu.Unlock()
		counts[kind+" "+outcome]++
	}
	r.Handle("mail.send", func(context.Context, *herald.Job) error { return nil })
	r.Handle("feed.fetch", func(_ context.Context, j *herald.Job) error {
		if j.Key == "feed.fetch/flaky" && j.Attempts == 1 {
			return errors.New("connection reset by peer")
		}
		return nil
	})
	r.Handle("print.send", func(_ context.Context, j *herald.Job) error {
		if j.Key == "print.send/invalid" {
			return jobs.Permanent(errors.New("no such partner"))
		}
		return errors.New("timeout")
	})
	if got := r.Kinds(); fmt.Sprint(got) != "[feed.fetch mail.send print.send]" {
		t.Errorf("Kinds() = %v", got)
	}
	job(t, s, t0, "mail.send", "mail.send/1", 3)
	job(t, s, t0, "mail.send", "mail.send/2", 3)
	job(t, s, t0, "feed.fetch", "feed.fetch/flaky", 3)
	job(t, s, t0, "print.send", "print.send/down", 2)
	job(t, s, t0, "print.send", "print.send/invalid", 5)
	for range 3 {
		if _, err := r.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
	}
	want := map[string]int{
		"mail.send done":    2,
		"feed.fetch retry":  1,
		"feed.fetch done":   1,
		"print.send retry":  1, // down: attempt 1 of 2
		"print.send failed": 2, // down's attempt 2, and invalid at once
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("Ran was told %v, want %v", counts, want)
	}
}

func TestTakesOverFromAStoppedWorker(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	clock := &fakeClock{now: t0}
	j := job(t, s, t0, "deliver", "deliver/7", 3)
	// a worker in another process claims it, then dies
	if got, err := s.ClaimJob(ctx, "dead-worker", []string{"deliver"}, t0, time.Minute); err != nil || got == nil || got.ID != j.ID {
		t.Fatalf("claim: %+v %v", got, err)
	}
	r := jobs.New(s, clock.Now, quiet())
	var seen []int
	r.Handle("deliver", func(ctx context.Context, j *herald.Job) error { seen = append(seen, j.Attempts); return nil })
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatal("a job held under a live lease ran")
	}
	clock.Add(time.Minute + time.Second)
	if n, _ := r.RunDue(ctx); n != 1 || len(seen) != 1 || seen[0] != 2 {
		t.Fatalf("after the lease ran out: ran %d, attempts seen %v (the handler must see that it is the second)", n, seen)
	}
	if got := status(t, s, j.ID); got.Status != herald.JobDone || got.Worker != "" {
		t.Fatalf("job = %+v", got)
	}
	// a job whose every attempt ended in a stopped worker fails instead of running again
	k := job(t, s, clock.Now(), "deliver", "deliver/8", 1)
	s.ClaimJob(ctx, "dead-worker", []string{"deliver"}, clock.Now(), time.Minute)
	clock.Add(2 * time.Minute)
	r.RunDue(ctx)
	if got := status(t, s, k.ID); got.Status != herald.JobFailed || len(seen) != 1 {
		t.Fatalf("job out of attempts = %+v, handler calls %d", got, len(seen))
	}
}

// TestEachJobRunsOnceAcrossProcesses runs three runners, each on its own
// connection pool as separate processes would be, over one PostgreSQL queue.
func TestEachJobRunsOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.SchemaDSN(t)
	var stores []herald.Store
	for range 3 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	const n = 300
	var queued []*herald.Job
	for i := range n {
		queued = append(queued, &herald.Job{Kind: "deliver", Key: fmt.Sprintf("deliver/%d", i)})
	}
	if err := stores[0].EnqueueJobs(ctx, time.Now(), queued...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	runs := map[int64][]string{}
	var wg sync.WaitGroup
	for i, s := range stores {
		r := jobs.New(s, nil, quiet())
		r.Workers = 3
		name := fmt.Sprintf("process %d", i)
		r.Handle("deliver", func(ctx context.Context, j *herald.Job) error {
			mu.Lock()
			runs[j.ID] = append(runs[j.ID], name)
			mu.Unlock()
			return nil
		})
		wg.Go(func() {
			var inner sync.WaitGroup
			for range r.Workers {
				inner.Go(func() {
					if _, err := r.RunDue(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			inner.Wait()
		})
	}
	wg.Wait()
	if len(runs) != n {
		t.Fatalf("%d jobs ran, want %d", len(runs), n)
	}
	byProcess := map[string]int{}
	for id, who := range runs {
		if len(who) != 1 {
			t.Fatalf("job %d ran %d times: %v", id, len(who), who)
		}
		byProcess[who[0]]++
	}
	counts, err := stores[1].CountJobs(ctx)
	if err != nil || counts[herald.JobDone] != n {
		t.Fatalf("counts %v (%v), want %d done", counts, err, n)
	}
	t.Logf("jobs per process: %v", byProcess)
}

// BenchmarkQueue measures a job's whole round trip through the queue (queue,
// claim, run an empty handler, record the outcome) with two workers, on
// SQLite and, with HERALD_TEST_POSTGRES, PostgreSQL.
func BenchmarkQueue(b *testing.B) {
	engines := map[string]func(b *testing.B) herald.Store{
		"sqlite": func(b *testing.B) herald.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "h.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(b *testing.B) herald.Store { return pgtest.MustOpen(b) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s := engines[name](b)
			ctx := context.Background()
			jobs := make([]*herald.Job, b.N)
			for i := range jobs {
				jobs[i] = &herald.Job{Kind: "noop", Key: fmt.Sprintf("noop/%d", i)}
			}
			r := newNoopRunner(s)
			b.ResetTimer()
			for i := 0; i < b.N; i += 100 {
				if err := s.EnqueueJobs(ctx, time.Now(), jobs[i:min(i+100, b.N)]...); err != nil {
					b.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if _, err := r.RunDue(ctx); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if counts, _ := s.CountJobs(ctx); counts[herald.JobDone] != b.N {
				b.Fatalf("%d done of %d", counts[herald.JobDone], b.N)
			}
		})
	}
}

// newNoopRunner runs jobs of kind noop, which do nothing.
func newNoopRunner(s herald.Store) *jobs.Runner {
	r := jobs.New(s, nil, quiet())
	r.Handle("noop", func(context.Context, *herald.Job) error { return nil })
	return r
}
