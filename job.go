package herald

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EntityJob is what events about jobs (retried or cancelled by hand) are about.
const EntityJob = "job"

// JobStatus is where a background job stands.
type JobStatus string

// Job states. A queued job runs once its time has come and a worker is free; a
// running one is held by a worker until its lease ends, and is taken over by
// another if the lease runs out (the worker stopped). Failed jobs gave up and
// wait for an editor to retry or cancel them.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobDone      JobStatus = "done"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// JobStatuses lists every job state.
var JobStatuses = []JobStatus{JobQueued, JobRunning, JobDone, JobFailed, JobCancelled}

// Valid reports whether s is a known job state.
func (s JobStatus) Valid() bool { return slices.Contains(JobStatuses, s) }

// Job is a piece of background work kept in the database until it is done: a
// delivery to a channel, a scheduled publication, a mail. Kind names the
// handler that runs it. Key identifies the work itself: enqueueing a key that
// exists already keeps the existing job, so a step that is repeated (a
// publication retried, two processes reacting to one change) queues its work
// once.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Key         string          `json:"key"`
	Payload     json.RawMessage `json:"payload"`
	Status      JobStatus       `json:"status"`
	Attempts    int             `json:"attempts"`
	MaxAttempts int             `json:"max_attempts"`
	RunAt       time.Time       `json:"run_at"`
	Worker      string          `json:"worker,omitempty"`
	LeaseUntil  *time.Time      `json:"lease_until,omitempty"`
	LastError   string          `json:"last_error,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	FinishedAt  *time.Time      `json:"finished_at,omitempty"`
}

// DefaultMaxAttempts is how often a job is tried before it fails for good,
// when it does not say: with the runner's back-off, about a day.
const DefaultMaxAttempts = 12

// MaxJobErrorBytes bounds the last error kept with a job.
const MaxJobErrorBytes = 2000

// Validate checks a job about to be queued.
func (j *Job) Validate() error {
	var p Problems
	if j.Kind == "" || len(j.Kind) > 64 {
		p.Add("kind", "must be 1 to 64 characters")
	}
	if j.Key == "" || len(j.Key) > 500 {
		p.Add("key", "must be 1 to 500 characters")
	}
	if len(j.Payload) > 0 && !json.Valid(j.Payload) {
		p.Add("payload", "must be JSON")
	}
	if j.MaxAttempts < 0 || j.MaxAttempts > 100 {
		p.Add("max_attempts", "must be between 1 and 100")
	}
	return p.Err()
}

// JobError shortens an error's text to what a job keeps, on a character
// boundary.
func JobError(err error) string {
	s := strings.ToValidUTF8(err.Error(), "?")
	if len(s) <= MaxJobErrorBytes {
		return s
	}
	cut := MaxJobErrorBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// JobFilter selects jobs, newest first; zero fields do not filter.
type JobFilter struct {
	Statuses []JobStatus
	Kind     string
	Limit    int
	Offset   int
}

// JobOutcome is how an attempt at a job ended: Err empty when it succeeded;
// otherwise RetryAt says when to try again, or nil when the job has failed for
// good.
type JobOutcome struct {
	At      time.Time
	Err     string
	RetryAt *time.Time
}

// JobStore keeps the durable job queue. Errors: EINVALID for a bad job,
// ENOTFOUND for an unknown ID, ECONFLICT when a worker no longer holds the job
// it reports on (its lease ran out and another worker took it) or a job is not
// in a state the action applies to.
type JobStore interface {
	// EnqueueJobs queues jobs in one transaction; a job whose key exists already
	// is left as it is (its ID stays 0 in jobs). A job without RunAt is due now.
	EnqueueJobs(ctx context.Context, now time.Time, jobs ...*Job) error
	// ClaimJob gives worker the next due job of one of kinds — queued and due,
	// or running with its lease run out — marking it running until now+lease
	// and counting the attempt. It returns nil, nil when nothing is due. Two
	// workers, in one process or several, never hold the same job at once.
	ClaimJob(ctx context.Context, worker string, kinds []string, now time.Time, lease time.Duration) (*Job, error)
	// ExtendJob moves the lease of a job the worker holds.
	ExtendJob(ctx context.Context, id int64, worker string, until time.Time) error
	// FinishJob records how an attempt ended, if the worker still holds the job.
	FinishJob(ctx context.Context, id int64, worker string, o JobOutcome) error
	FindJobs(ctx context.Context, f JobFilter) ([]*Job, int, error)
	FindJobByID(ctx context.Context, id int64) (*Job, error)
	// CountJobs returns how many jobs are in each state.
	CountJobs(ctx context.Context) (map[JobStatus]int, error)
	// RetryJob queues a failed or cancelled job again, due at ev.At, with its
	// attempts counted afresh; CancelJob gives up a queued or failed one. Both
	// record ev.
	RetryJob(ctx context.Context, id int64, ev Event) (*Job, error)
	CancelJob(ctx context.Context, id int64, ev Event) (*Job, error)
}
