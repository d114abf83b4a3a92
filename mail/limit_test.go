package mail_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/mail"
)

// fakeClock is a LimiterClock whose time moves only when the test says so.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	// waited receives each duration passed to After, so that tests know a
	// goroutine has reached its wait.
	waited chan time.Duration
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Now(), waited: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	c.waited <- d
	return ch
}

// Advance moves time on and fires the waits that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	pending := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			pending = append(pending, w)
		} else {
			w.ch <- c.now
		}
	}
	c.waiters = pending
}

func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// waits collects the durations of the next n calls to After.
func (c *fakeClock) waits(t *testing.T, n int) []time.Duration {
	t.Helper()
	var got []time.Duration
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for len(got) < n {
		select {
		case d := <-c.waited:
			got = append(got, d)
		case <-timeout.C:
			t.Fatalf("%d goroutines reached their wait, want %d", len(got), n)
		}
	}
	slices.Sort(got)
	return got
}

func receive(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("a released waiter did not return")
		return nil
	}
}

func TestLimiterSpacesConcurrentSenders(t *testing.T) {
	clock := newFakeClock()
	limiter, err := mail.NewLimiter(10, 2, clock) // one every 100ms, two at once
	if err != nil {
		t.Fatal(err)
	}
	const senders = 6
	done := make(chan error, senders)
	for range senders {
		go func() { done <- limiter.Wait(context.Background()) }()
	}
	// The burst goes at once; the other four get successive slots.
	for range 2 {
		if err := receive(t, done); err != nil {
			t.Fatal(err)
		}
	}
	ms := time.Millisecond
	if got, want := clock.waits(t, 4), []time.Duration{100 * ms, 200 * ms, 300 * ms, 400 * ms}; !slices.Equal(got, want) {
		t.Fatalf("waits = %v, want %v", got, want)
	}
	// Each 100ms releases exactly one sender.
	for released := 1; released <= 4; released++ {
		clock.Advance(100 * ms)
		if err := receive(t, done); err != nil {
			t.Fatal(err)
		}
		if got := clock.pending(); got != 4-released {
			t.Fatalf("after %dms %d senders still wait, want %d", released*100, got, 4-released)
		}
	}

	// An idle second refills the bucket to its burst, not beyond.
	clock.Advance(time.Second)
	for range 2 {
		if err := limiter.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	go func() { done <- limiter.Wait(context.Background()) }()
	if got := clock.waits(t, 1); got[0] != 100*ms {
		t.Fatalf("third message after the burst waits %v, want 100ms", got[0])
	}
	clock.Advance(100 * ms)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestLimiterHonoursContext(t *testing.T) {
	clock := newFakeClock()
	limiter, err := mail.NewLimiter(1, 1, clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := limiter.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- limiter.Wait(ctx) }()
	clock.waits(t, 1)
	cancel()
	if err := receive(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait returned %v", err)
	}
	// The cancelled wait gave its slot back: the next one waits one
	// interval, not two.
	go func() { done <- limiter.Wait(context.Background()) }()
	if got := clock.waits(t, 1); got[0] != time.Second {
		t.Fatalf("wait after a cancelled one = %v, want 1s", got[0])
	}
	clock.Advance(time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}

	// A wait that would outlast the deadline fails at once.
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond*500)
	defer cancel()
	if err := limiter.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait beyond the deadline returned %v", err)
	}
	if got := clock.pending(); got != 0 {
		t.Fatalf("%d waits pending after a refused one", got)
	}

	done2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := limiter.Wait(done2); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait with a cancelled context returned %v", err)
	}
}

func TestNewLimiterRefusesBadRates(t *testing.T) {
	for _, rate := range []float64{0, -1} {
		if _, err := mail.NewLimiter(rate, 1, nil); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("rate %v: err = %v, want EINVALID", rate, err)
		}
	}
}
