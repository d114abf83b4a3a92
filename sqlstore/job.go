package sqlstore

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
)

const jobColumns = `id, kind, key, payload, status, attempts, max_attempts, run_at, worker, lease_until, last_error, created_at, updated_at, finished_at`

func scanJob(sc interface{ Scan(...any) error }) (*herald.Job, error) {
	var j herald.Job
	var payload string
	err := sc.Scan(&j.ID, &j.Kind, &j.Key, &payload, &j.Status, &j.Attempts, &j.MaxAttempts, timeScan{&j.RunAt}, &j.Worker,
		nullTimeScan{&j.LeaseUntil}, &j.LastError, timeScan{&j.CreatedAt}, timeScan{&j.UpdatedAt}, nullTimeScan{&j.FinishedAt})
	j.Payload = []byte(payload)
	return &j, err
}

// EnqueueJobs queues jobs; a key that exists already keeps its job.
func (s *Store) EnqueueJobs(ctx context.Context, now time.Time, jobs ...*herald.Job) error {
	return s.write(ctx, func(tx *Tx) error { return tx.enqueueJobs(now, jobs) })
}

// enqueueJobs queues jobs inside a transaction that makes the change they
// follow from, so that the change and its work are kept or lost together. now
// stands in for a missing due time.
func (tx *Tx) enqueueJobs(now time.Time, jobs []*herald.Job) error {
	for _, j := range jobs {
		if err := j.Validate(); err != nil {
			return err
		}
		if j.MaxAttempts == 0 {
			j.MaxAttempts = herald.DefaultMaxAttempts
		}
		if j.RunAt.IsZero() {
			j.RunAt = now
		}
		if len(j.Payload) == 0 {
			j.Payload = []byte("{}")
		}
		j.Status, j.CreatedAt, j.UpdatedAt = herald.JobQueued, now, now
		var id int64
		err := tx.queryRow(`INSERT INTO jobs (kind, key, payload, status, max_attempts, run_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
			j.Kind, j.Key, string(j.Payload), j.Status, j.MaxAttempts, tx.s.t(j.RunAt), tx.s.t(now), tx.s.t(now)).Scan(&id)
		if err != nil && !isNoRows(err) {
			return err
		}
		j.ID = id // 0: the key was queued before
	}
	return nil
}

// ClaimJob hands the next due job to worker. On PostgreSQL the candidate row
// is locked with SKIP LOCKED, so concurrent workers take different jobs; on
// SQLite the write transaction already excludes every other writer.
func (s *Store) ClaimJob(ctx context.Context, worker string, kinds []string, now time.Time, lease time.Duration) (j *herald.Job, err error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := []any{worker, s.t(now.Add(lease)), s.t(now), s.t(now), s.t(now)}
	for _, k := range kinds {
		args = append(args, k)
	}
	err = s.write(ctx, func(tx *Tx) error {
		j, err = scanJob(tx.queryRow(`UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE id = (SELECT id FROM jobs
				WHERE (status = 'queued' AND run_at <= ? OR status = 'running' AND lease_until < ?) AND kind IN (`+placeholders(len(kinds))+`)
				ORDER BY run_at, id LIMIT 1`+s.d.SkipLocked+`)
			RETURNING `+jobColumns, args...))
		return err
	})
	if isNoRows(err) {
		return nil, nil
	}
	return j, err
}

// ExtendJob moves the lease of a job the worker still holds.
func (s *Store) ExtendJob(ctx context.Context, id int64, worker string, until time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE jobs SET lease_until = ? WHERE id = ? AND worker = ? AND status = 'running'`, s.t(until), id, worker)
		return held(res, err, id)
	})
}

// FinishJob records how an attempt ended.
func (s *Store) FinishJob(ctx context.Context, id int64, worker string, o herald.JobOutcome) error {
	status, runAt, finished := herald.JobDone, (*time.Time)(nil), &o.At
	switch {
	case o.Err != "" && o.RetryAt != nil:
		status, runAt, finished = herald.JobQueued, o.RetryAt, nil
	case o.Err != "":
		status = herald.JobFailed
	}
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE jobs SET status = ?, run_at = COALESCE(?, run_at), worker = '', lease_until = NULL, last_error = ?,
			updated_at = ?, finished_at = ? WHERE id = ? AND worker = ? AND status = 'running'`,
			status, s.nt(runAt), o.Err, s.t(o.At), s.nt(finished), id, worker)
		return held(res, err, id)
	})
}

// held turns an update that matched no row into the conflict of a lost lease.
func held(res interface{ RowsAffected() (int64, error) }, err error, id int64) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return herald.Errorf(herald.ECONFLICT, "Job %d is no longer held by this worker.", id)
	}
	return nil
}

// FindJobs lists jobs, newest first.
func (s *Store) FindJobs(ctx context.Context, f herald.JobFilter) ([]*herald.Job, int, error) {
	var c conds
	c.add(len(f.Statuses) > 0, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	c.add(f.Kind != "", "kind = ?", f.Kind)
	q := `SELECT ` + jobColumns + `, COUNT(*) OVER () FROM jobs` + c.clause() + ` ORDER BY id DESC`
	return findPage(ctx, s, q+limitClause(f.Limit, f.Offset), c.args, scanJob)
}

// FindJobByID returns one job.
func (s *Store) FindJobByID(ctx context.Context, id int64) (j *herald.Job, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		j, err = scanJob(tx.queryRow(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
		return notFound(err, "Job not found.")
	})
	return j, err
}

// CountJobs counts jobs by state.
func (s *Store) CountJobs(ctx context.Context) (map[herald.JobStatus]int, error) {
	counts := map[herald.JobStatus]int{}
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT status, COUNT(*) FROM jobs GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st herald.JobStatus
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			counts[st] = n
		}
		return rows.Err()
	})
	return counts, err
}

// RetryJob queues a failed or cancelled job again.
func (s *Store) RetryJob(ctx context.Context, id int64, ev herald.Event) (*herald.Job, error) {
	return s.changeJob(ctx, id, ev, "retry", `status = 'queued', attempts = 0, run_at = ?, finished_at = NULL`,
		[]herald.JobStatus{herald.JobFailed, herald.JobCancelled})
}

// CancelJob gives up a queued or failed job.
func (s *Store) CancelJob(ctx context.Context, id int64, ev herald.Event) (*herald.Job, error) {
	return s.changeJob(ctx, id, ev, "cancel", `status = 'cancelled', finished_at = ?`,
		[]herald.JobStatus{herald.JobQueued, herald.JobFailed})
}

// changeJob applies an editor's action (set, whose one placeholder takes
// ev.At) to a job in one of the states from, and records ev.
func (s *Store) changeJob(ctx context.Context, id int64, ev herald.Event, action, set string, from []herald.JobStatus) (j *herald.Job, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if j, err = scanJob(tx.queryRow(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`+s.d.ForUpdate, id)); err != nil {
			return notFound(err, "Job not found.")
		}
		ok := false
		for _, st := range from {
			ok = ok || j.Status == st
		}
		if !ok {
			return herald.Errorf(herald.ECONFLICT, "Job %d is %s: it cannot be changed that way now.", id, j.Status)
		}
		if _, err := tx.exec(`UPDATE jobs SET `+set+`, updated_at = ? WHERE id = ?`, s.t(ev.At), s.t(ev.At), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityJob, id, action
		ev.FromStatus, ev.Comment = string(j.Status), j.Kind+" "+j.Key
		if j, err = scanJob(tx.queryRow(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id)); err != nil {
			return err
		}
		ev.ToStatus = string(j.Status)
		return tx.insertEvent(ev)
	})
	return j, err
}
