package ratelimit

import (
	"testing"
	"time"
)

func TestWindowSlides(t *testing.T) {
	w := &Window{Max: 2, Per: time.Hour}
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	if !w.Allow("a", t0) || !w.Allow("a", t0.Add(time.Minute)) {
		t.Fatal("the first two events are allowed")
	}
	if w.Allow("a", t0.Add(59*time.Minute)) || !w.Full("a", t0.Add(59*time.Minute)) {
		t.Fatal("a third within the hour is refused")
	}
	if !w.Allow("b", t0) {
		t.Fatal("keys are counted apart")
	}
	if !w.Allow("a", t0.Add(time.Hour)) {
		t.Fatal("once the first event is an hour old, one more is allowed")
	}
	if w.Allow("a", t0.Add(time.Hour+30*time.Second)) {
		t.Fatal("the second event is still within the hour")
	}
	w.Reset("a")
	if w.Full("a", t0.Add(time.Hour+time.Minute)) {
		t.Fatal("Reset forgets")
	}
	w.Add("a", t0.Add(2*time.Hour))
	w.Add("a", t0.Add(2*time.Hour))
	if !w.Full("a", t0.Add(2*time.Hour)) {
		t.Fatal("Add counts events that were not asked about")
	}
}
