package herald

import (
	"context"
	"time"
)

// MaxRateSpan is the longest span a rate limit counts over: events older
// than that are dropped as new ones are recorded.
const MaxRateSpan = 24 * time.Hour

// RateStore counts events per key — failed sign-ins, tips, subscription
// requests — in the database, so that a limit holds whichever server a
// request reaches, and across restarts. A span (per) is at most MaxRateSpan.
type RateStore interface {
	// TakeRate records an event of key at now if fewer than max were
	// recorded in the span per before now, and reports whether it did.
	TakeRate(ctx context.Context, key string, max int, per time.Duration, now time.Time) (bool, error)
	// CountRate returns how many events of key were recorded in the span
	// per before now.
	CountRate(ctx context.Context, key string, per time.Duration, now time.Time) (int, error)
	// AddRate records an event at now for each key, allowed or not.
	AddRate(ctx context.Context, now time.Time, keys ...string) error
	// ResetRate forgets key's events.
	ResetRate(ctx context.Context, key string) error
}
