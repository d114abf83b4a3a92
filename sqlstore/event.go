package sqlstore

import (
	"context"
	"strings"

	"github.com/heraldnews/herald"
)

// insertEvent appends ev to the audit log.
func (tx *Tx) insertEvent(ev herald.Event) error {
	if ev.Entity == "" || ev.Action == "" || ev.At.IsZero() {
		return herald.Errorf(herald.EINTERNAL, "incomplete audit event %+v", ev)
	}
	_, err := tx.exec(`INSERT INTO events (at, actor_id, entity, entity_id, action, from_status, to_status, level, comment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.s.t(ev.At), nullID(ev.ActorID), ev.Entity, ev.EntityID, ev.Action, ev.FromStatus, ev.ToStatus, ev.Level, ev.Comment)
	return err
}

// RecordEvent appends an event that changes no other row.
func (s *Store) RecordEvent(ctx context.Context, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error { return tx.insertEvent(ev) })
}

// FindEvents reads the audit log, oldest first.
func (s *Store) FindEvents(ctx context.Context, f herald.EventFilter) ([]*herald.Event, error) {
	var where []string
	var args []any
	if f.Entity != "" {
		where, args = append(where, "entity = ?"), append(args, f.Entity)
	}
	if f.EntityID != 0 {
		where, args = append(where, "entity_id = ?"), append(args, f.EntityID)
	}
	if f.ActorID != 0 {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.AfterID != 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Since != nil {
		where, args = append(where, "at >= ?"), append(args, s.t(*f.Since))
	}
	if f.Until != nil {
		where, args = append(where, "at < ?"), append(args, s.t(*f.Until))
	}
	q := `SELECT id, at, actor_id, entity, entity_id, action, from_status, to_status, level, comment FROM events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id" + limitClause(f.Limit, 0)
	var events []*herald.Event
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e herald.Event
			if err := rows.Scan(&e.ID, timeScan{&e.At}, nullIDScan{&e.ActorID}, &e.Entity, &e.EntityID, &e.Action,
				&e.FromStatus, &e.ToStatus, &e.Level, &e.Comment); err != nil {
				return err
			}
			events = append(events, &e)
		}
		return rows.Err()
	})
	return events, err
}

// LastEventID returns the newest event's ID.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.read(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id)
	})
	return id, err
}
