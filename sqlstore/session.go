package sqlstore

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
)

// CreateSession stores a new session; the event records the sign-in. The
// sessions past their expiry go at the same time, so the table holds only
// those that may still be used.
func (s *Store) CreateSession(ctx context.Context, sess *herald.Session, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`DELETE FROM sessions WHERE expires_at < ?`, s.t(ev.At)); err != nil {
			return err
		}
		sess.CreatedAt, sess.LastSeenAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO sessions (hash, staff_id, csrf, user_agent, created_at, last_seen_at, expires_at, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.Hash, sess.StaffID, sess.CSRF, sess.UserAgent, s.t(sess.CreatedAt), s.t(sess.LastSeenAt), s.t(sess.ExpiresAt), boolInt(sess.Pending))
		if err != nil {
			return err
		}
		sess.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntitySession, id, "sign_in"
		return tx.insertEvent(ev)
	})
}

// FindSessionByHash returns the session with the hash.
func (s *Store) FindSessionByHash(ctx context.Context, hash string) (*herald.Session, error) {
	var sess herald.Session
	var pending int
	err := s.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT id, hash, staff_id, csrf, user_agent, created_at, last_seen_at, expires_at, pending FROM sessions WHERE hash = ?`, hash).
			Scan(&sess.ID, &sess.Hash, &sess.StaffID, &sess.CSRF, &sess.UserAgent, timeScan{&sess.CreatedAt}, timeScan{&sess.LastSeenAt}, timeScan{&sess.ExpiresAt}, &pending)
		return notFound(err, "Session not found.")
	})
	sess.Pending = pending != 0
	return &sess, err
}

// TouchSession records activity, which keeps an idle session alive.
func (s *Store) TouchSession(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`, s.t(at), id)
		return err
	})
}

// VerifySession admits a session whose second factor was right.
func (s *Store) VerifySession(ctx context.Context, id int64, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE sessions SET pending = 0, last_seen_at = ? WHERE id = ?`, s.t(ev.At), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Session not found.")
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntitySession, id, "second_factor"
		return tx.insertEvent(ev)
	})
}

// DeleteSessions ends one session, or all of a staff member's when id is 0.
func (s *Store) DeleteSessions(ctx context.Context, staffID, id int64, ev herald.Event) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *Tx) error {
		q, args := `DELETE FROM sessions WHERE staff_id = ?`, []any{staffID}
		if id != 0 {
			q, args = q+` AND id = ?`, append(args, id)
		}
		res, err := tx.exec(q, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		ev.Entity, ev.EntityID = herald.EntitySession, id
		if ev.Action == "" {
			ev.Action = "sign_out"
		}
		return tx.insertEvent(ev)
	})
	return int(n), err
}

// boolInt stores a flag as 0 or 1, which both engines read back alike.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
