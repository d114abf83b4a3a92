package mail

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/heraldnews/herald"
)

// LimiterClock is the time a Limiter reads and waits on. Tests pass a fake
// one so that they advance time instead of waiting for it.
type LimiterClock interface {
	Now() time.Time
	// After behaves like time.After.
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Limiter is a token bucket that caps the rate of messages, because relays
// and mailbox providers throttle or block senders that burst. One Limiter is
// shared by every goroutine that sends through the same relay. Waiters are
// given successive slots, so n concurrent senders still go out one interval
// apart rather than all at once when a token comes back.
type Limiter struct {
	clock  LimiterClock
	rate   float64 // tokens a second
	burst  float64
	mu     sync.Mutex
	tokens float64 // negative while waiters hold reservations
	last   time.Time
}

// NewLimiter returns a Limiter allowing perSecond messages a second on
// average and burst at once (burst below 1 counts as 1). A nil clock is the
// system clock. A rate that is not a positive number gives herald.EINVALID.
func NewLimiter(perSecond float64, burst int, clock LimiterClock) (*Limiter, error) {
	if !(perSecond > 0) || math.IsInf(perSecond, 0) {
		return nil, herald.Invalid("rate", "must be a positive number of messages a second")
	}
	if burst < 1 {
		burst = 1
	}
	if clock == nil {
		clock = systemClock{}
	}
	return &Limiter{clock: clock, rate: perSecond, burst: float64(burst), tokens: float64(burst), last: clock.Now()}, nil
}

// Wait blocks until the caller may send one message, or until ctx ends. A
// wait that would outlast ctx's deadline returns at once, and a cancelled
// wait gives its slot back.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.clock.Now()
	if elapsed := now.Sub(l.last); elapsed > 0 {
		l.tokens = math.Min(l.burst, l.tokens+elapsed.Seconds()*l.rate)
		l.last = now
	}
	l.tokens--
	if l.tokens >= 0 {
		l.mu.Unlock()
		return nil
	}
	wait := time.Duration(math.Ceil(-l.tokens / l.rate * float64(time.Second)))
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(now.Add(wait)) {
		l.tokens++
		l.mu.Unlock()
		return fmt.Errorf("mail: the send rate allows the next message in %v, after the deadline: %w", wait, context.DeadlineExceeded)
	}
	l.mu.Unlock()

	select {
	case <-l.clock.After(wait):
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens = math.Min(l.burst, l.tokens+1)
		l.mu.Unlock()
		return ctx.Err()
	}
}
