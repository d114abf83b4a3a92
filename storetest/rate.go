package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testRates(t *testing.T, s herald.Store) {
	ctx := context.Background()
	take := func(key string, at time.Time) bool {
		t.Helper()
		ok, err := s.TakeRate(ctx, key, 2, time.Hour, at)
		must(t, err)
		return ok
	}
	count := func(key string, per time.Duration, at time.Time) int {
		t.Helper()
		n, err := s.CountRate(ctx, key, per, at)
		must(t, err)
		return n
	}
	if !take("tip:a", T0) || !take("tip:a", T0.Add(time.Minute)) || take("tip:a", T0.Add(59*time.Minute)) {
		t.Fatal("two events an hour are taken, a third refused")
	}
	if n := count("tip:a", time.Hour, T0.Add(59*time.Minute)); n != 2 {
		t.Fatalf("a refused event was recorded: %d events", n)
	}
	if !take("tip:b", T0) {
		t.Fatal("keys are counted apart")
	}
	// the span is strict: an event exactly per old has left it
	if !take("tip:a", T0.Add(time.Hour)) {
		t.Fatal("the first event, an hour old, still counts")
	}
	must(t, s.AddRate(ctx, T0.Add(2*time.Hour), "signin-user:wang", "signin-client:x", "signin-user:wang"))
	if n := count("signin-user:wang", 15*time.Minute, T0.Add(2*time.Hour)); n != 2 {
		t.Fatalf("AddRate recorded %d events for a key given twice", n)
	}
	must(t, s.ResetRate(ctx, "signin-user:wang"))
	if count("signin-user:wang", 15*time.Minute, T0.Add(2*time.Hour)) != 0 || count("signin-client:x", 15*time.Minute, T0.Add(2*time.Hour)) != 1 {
		t.Fatal("ResetRate forgets the key's events, and only those")
	}
	// a day later the old events are gone, not only outside every span
	must(t, s.AddRate(ctx, T0.Add(herald.MaxRateSpan+2*time.Hour), "tip:c"))
	if n := count("tip:a", 10*herald.MaxRateSpan, T0.Add(herald.MaxRateSpan+2*time.Hour)); n != 0 {
		t.Fatalf("%d events older than a day are kept", n)
	}
}
