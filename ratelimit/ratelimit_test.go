package ratelimit_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald/ratelimit"
	"github.com/heraldnews/herald/sqlite"
)

// TestWindowSlides counts in a real store; two windows on one store stand
// for two servers sharing the database.
func TestWindowSlides(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "rate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := ratelimit.Window{Store: store, Name: "test", Max: 2, Per: time.Hour}
	other := w // another server
	allow := func(w ratelimit.Window, key string, at time.Time) bool {
		t.Helper()
		ok, err := w.Allow(ctx, key, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	full := func(key string, at time.Time) bool {
		t.Helper()
		ok, err := w.Full(ctx, key, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	if !allow(w, "a", t0) || !allow(other, "a", t0.Add(time.Minute)) {
		t.Fatal("the first two events are allowed")
	}
	if allow(w, "a", t0.Add(59*time.Minute)) || allow(other, "a", t0.Add(59*time.Minute)) || !full("a", t0.Add(59*time.Minute)) {
		t.Fatal("a third within the hour is refused, on either server")
	}
	if !allow(w, "b", t0) {
		t.Fatal("keys are counted apart")
	}
	if !allow(ratelimit.Window{Store: store, Name: "other", Max: 1, Per: time.Hour}, "a", t0) {
		t.Fatal("kinds are counted apart")
	}
	if !allow(w, "a", t0.Add(time.Hour)) {
		t.Fatal("once the first event is an hour old, one more is allowed")
	}
	if allow(w, "a", t0.Add(time.Hour+30*time.Second)) {
		t.Fatal("the second event is still within the hour")
	}
	if err := w.Reset(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if full("a", t0.Add(time.Hour+time.Minute)) {
		t.Fatal("Reset forgets")
	}
	for range 2 {
		if err := store.AddRate(ctx, t0.Add(2*time.Hour), other.Key("a")); err != nil {
			t.Fatal(err)
		}
	}
	if !full("a", t0.Add(2*time.Hour)) {
		t.Fatal("events recorded without asking (failed sign-ins) count")
	}
}

// TestLongKeysStaySmall counts a key of a megabyte under its hash: the same
// long key twice is one key, and the store never holds the megabyte.
func TestLongKeysStaySmall(t *testing.T) {
	w := ratelimit.Window{Name: "signin-user"}
	long := strings.Repeat("王", 1<<18)
	if k := w.Key(long); len(k) > 100 || k != w.Key(long) || k == w.Key(long+"x") {
		t.Fatalf("the key of a megabyte is %d bytes, or not one per name", len(k))
	}
	if k := w.Key("wangyalan"); k != "signin-user:wangyalan" {
		t.Fatalf("a short key is stored as %q", k)
	}
}
