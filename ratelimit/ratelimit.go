// Package ratelimit brakes guessing and the abuse of public forms: it counts
// events per key (a client, a user name) in a sliding window kept in the
// database (herald.RateStore), so that a limit holds across every server
// sharing it and across restarts.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/heraldnews/herald"
)

// Window allows at most Max events of one kind per key in any span of Per
// (at most herald.MaxRateSpan). Name keeps the kinds apart in the store.
type Window struct {
	Store herald.RateStore
	Name  string
	Max   int
	Per   time.Duration
}

// maxKeyBytes bounds what a key takes in the store: a longer one (a user
// name of a megabyte, typed by a robot) is counted under its SHA-256.
const maxKeyBytes = 100

// Key is the store's key of key's events of this kind.
func (w Window) Key(key string) string {
	if len(key) > maxKeyBytes {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return w.Name + ":" + key
}

// Allow records an event for key at now if fewer than Max happened in the
// window before it, and reports whether it did.
func (w Window) Allow(ctx context.Context, key string, now time.Time) (bool, error) {
	return w.Store.TakeRate(ctx, w.Key(key), w.Max, w.Per, now)
}

// Full reports whether key has used its events in the window, without
// recording one.
func (w Window) Full(ctx context.Context, key string, now time.Time) (bool, error) {
	n, err := w.Store.CountRate(ctx, w.Key(key), w.Per, now)
	return n >= w.Max, err
}

// Reset forgets key's events.
func (w Window) Reset(ctx context.Context, key string) error {
	return w.Store.ResetRate(ctx, w.Key(key))
}
