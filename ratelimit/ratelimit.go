// Package ratelimit counts events per key (a client, a user name) in a sliding
// window, in memory: a brake on guessing and on abuse of public forms, which a
// restart forgives. Limits that must hold across restarts and servers belong
// in the database.
package ratelimit

import (
	"sync"
	"time"
)

// maxKeys bounds the memory a flood of distinct keys can take: past it, the
// window forgets everything and starts again.
const maxKeys = 100_000

// Window allows at most Max events per key in any span of Per. The zero value
// allows nothing; set both fields. It is safe for concurrent use.
type Window struct {
	Max int
	Per time.Duration

	mu   sync.Mutex
	seen map[string][]time.Time
}

// recent drops the key's events older than the window and returns the rest.
func (w *Window) recent(key string, now time.Time) []time.Time {
	if w.seen == nil || len(w.seen) > maxKeys {
		w.seen = map[string][]time.Time{}
	}
	ts := w.seen[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= w.Per {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(w.seen, key)
	} else {
		w.seen[key] = ts
	}
	return ts
}

// Allow records an event for key at now if fewer than Max happened in the
// window before it, and reports whether it did.
func (w *Window) Allow(key string, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	ts := w.recent(key, now)
	if len(ts) >= w.Max {
		return false
	}
	w.seen[key] = append(ts, now)
	return true
}

// Full reports whether key has used its events in the window, without
// recording one.
func (w *Window) Full(key string, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.recent(key, now)) >= w.Max
}

// Add records an event for key at now, allowed or not (a failed sign-in).
func (w *Window) Add(key string, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[key] = append(w.recent(key, now), now)
}

// Reset forgets key's events.
func (w *Window) Reset(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.seen, key)
}
