// Package jobs runs Herald's durable job queue: deliveries to channels,
// scheduled publications and mail are jobs kept in the database (herald.JobStore)
// until done. Any number of runners, in one process or several on one
// PostgreSQL, share the queue: each job is held by one worker at a time under a
// lease the worker keeps extending while it works, and taken over by another
// runner if the worker stops. A job that fails is tried again later, with
// exponential back-off and jitter, until it has used its attempts.
//
// Because a job may run again after a crash (the worker stopped after the work
// was done but before it said so), handlers must be idempotent: they check
// what was already done, and what they send carries an identity the receiver
// recognises (an activity ID, a Message-ID).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/heraldnews/herald"
)

// Handler does the work of one job. Returning an error makes the runner try
// again later, unless the error is permanent (Permanent, or a herald error
// saying the input is invalid, missing, forbidden or in conflict).
type Handler func(ctx context.Context, j *herald.Job) error

// Runner claims due jobs and runs their handlers.
type Runner struct {
	store    herald.JobStore
	clock    herald.Clock
	log      *slog.Logger
	worker   string
	handlers map[string]Handler

	// Workers is how many jobs run at once in this runner (2 by default).
	Workers int
	// Lease is how long a claimed job stays held without a sign of life; the
	// runner extends it every third of it while the handler works.
	Lease time.Duration
	// Poll is how often an idle runner looks for due jobs; Wake makes it look
	// at once.
	Poll time.Duration
	// Backoff returns the wait before attempt n+1 after attempt n failed.
	Backoff func(attempt int) time.Duration
	// Ran, if set, is told how each attempt at a job ended (OutcomeDone,
	// OutcomeRetry or OutcomeFailed) and the job's kind, which is one of the
	// registered ones (Kinds): the metrics count attempts by it. It is called
	// from every worker, so it must be safe for concurrent use, and quick.
	Ran func(kind, outcome string)

	wake herald.Wakeup
}

// New returns a runner over store. Its worker name (host, process and a random
// part) tells in the job list who holds a job.
func New(store herald.JobStore, clock herald.Clock, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{
		store: store, clock: clock, log: log, handlers: map[string]Handler{},
		worker:  fmt.Sprintf("%s/%d/%04x", host, os.Getpid(), rand.IntN(1<<16)),
		Workers: 2, Lease: time.Minute, Poll: time.Second, Backoff: Backoff,
	}
}

// Handle registers the handler of a kind of job. Register before Run.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Kinds returns the kinds of job the runner has handlers for, sorted: the
// only kinds it claims.
func (r *Runner) Kinds() []string {
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// How an attempt at a job ended, as Ran is told.
const (
	OutcomeDone   = "done"   // the handler succeeded
	OutcomeRetry  = "retry"  // it failed, and the job is tried again later
	OutcomeFailed = "failed" // it failed for good: the job waits for an editor
)

// Worker returns the name the runner claims jobs under.
func (r *Runner) Worker() string { return r.worker }

// Wake makes an idle runner look for due jobs now: call it after queueing one.
func (r *Runner) Wake() { r.wake.Wake() }

// Backoff is the default wait before a job is tried again: 30 seconds after the
// first failure, doubling each time up to 6 hours, each wait drawn between
// half and all of that so that jobs that failed together spread out.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second << min(max(attempt-1, 0), 10)
	d = min(d, 6*time.Hour)
	return d/2 + rand.N(d/2+1)
}

// permanent marks an error that trying again cannot mend.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as one that trying again cannot mend: the job fails at
// once.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err ends a job without another attempt.
func IsPermanent(err error) bool {
	if errors.As(err, new(permanent)) {
		return true
	}
	switch herald.ErrorCode(err) {
	case herald.EINVALID, herald.ENOTFOUND, herald.EFORBIDDEN, herald.ECONFLICT, herald.ETOOLARGE:
		return true
	}
	return false
}

// Run works until ctx ends, with Workers jobs at a time; it returns when every
// job it started has finished or, for ones that outlive ctx, been left to
// their lease.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range max(1, r.Workers) {
		wg.Go(func() {
			for ctx.Err() == nil {
				ran, err := r.RunOne(ctx)
				if err != nil && ctx.Err() == nil {
					r.log.Error("job queue", "error", err)
				}
				if ran {
					continue
				}
				select {
				case <-ctx.Done():
				case <-r.wake.C():
				case <-time.After(r.Poll):
				}
			}
		})
	}
	wg.Wait()
}

// RunDue runs due jobs one after another until none is left, and returns how
// many ran; tests and the command line use it.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	n := 0
	for {
		ran, err := r.RunOne(ctx)
		if err != nil || !ran {
			return n, err
		}
		n++
	}
}

// RunOne claims one due job and runs it; it reports whether there was one.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	j, err := r.store.ClaimJob(ctx, r.worker, r.Kinds(), r.clock.Now(), r.Lease)
	if err != nil || j == nil {
		return false, err
	}
	log := r.log.With("job", j.ID, "kind", j.Kind, "key", j.Key, "attempt", j.Attempts)
	var runErr error
	if j.Attempts > j.MaxAttempts {
		// its last attempt ended without an answer: the worker stopped
		runErr = Permanent(fmt.Errorf("gave up after %d attempts; the last one did not finish (%s)", j.MaxAttempts, j.LastError))
	} else {
		runErr = r.run(ctx, j)
	}
	o := herald.JobOutcome{At: r.clock.Now()}
	outcome := OutcomeDone
	switch {
	case runErr == nil:
		log.Debug("job done")
	case !IsPermanent(runErr) && j.Attempts < j.MaxAttempts:
		outcome = OutcomeRetry
		o.Err = herald.JobError(runErr)
		next := o.At.Add(r.Backoff(j.Attempts))
		o.RetryAt = &next
		log.Warn("job failed; trying again later", "error", runErr, "retry_at", next)
	default:
		outcome = OutcomeFailed
		o.Err = herald.JobError(runErr)
		log.Error("job failed", "error", runErr)
	}
	if r.Ran != nil {
		// counted even if recording the outcome fails below: the attempt ran
		r.Ran(j.Kind, outcome)
	}
	// the outcome is recorded even when ctx has ended: the work is done
	if err := r.store.FinishJob(context.WithoutCancel(ctx), j.ID, r.worker, o); err != nil {
		return true, fmt.Errorf("record the outcome of job %d: %w", j.ID, err)
	}
	return true, nil
}

// run calls the job's handler, extending its lease meanwhile; a panic is an
// error like any other.
func (r *Runner) run(ctx context.Context, j *herald.Job) (err error) {
	h := r.handlers[j.Kind]
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(r.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if err := r.store.ExtendJob(ctx, j.ID, r.worker, r.clock.Now().Add(r.Lease)); err != nil {
					// another worker has it now: stop working on it
					r.log.Warn("job lease lost", "job", j.ID, "error", err)
					cancel()
					return
				}
			}
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, j)
}
