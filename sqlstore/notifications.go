package sqlstore

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
)

const notificationColumns = `id, staff_id, kind, title, body, link, entity, entity_id, event_id, at, created_at, read_at, in_app, email, mailed_at`

func scanNotification(sc interface{ Scan(...any) error }) (*herald.Notification, error) {
	var n herald.Notification
	err := sc.Scan(&n.ID, &n.StaffID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.Entity, &n.EntityID, nullIDScan{&n.EventID},
		timeScan{&n.At}, timeScan{&n.CreatedAt}, nullTimeScan{&n.ReadAt}, &n.InApp, &n.Email, nullTimeScan{&n.MailedAt})
	return &n, err
}

// NotifierCursor returns the last audit event the notifier handled.
func (s *Store) NotifierCursor(ctx context.Context) (id int64, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT event_id FROM notifier_cursor WHERE id = 1`).Scan(&id)
		if isNoRows(err) {
			return nil
		}
		return err
	})
	return id, err
}

// RecordNotifications writes the notifications that are new, their mail jobs
// and the cursor in one transaction.
func (s *Store) RecordNotifications(ctx context.Context, b herald.NotificationBatch) (added []*herald.Notification, err error) {
	for _, n := range b.Notifications {
		if err := n.Validate(); err != nil {
			return nil, err
		}
	}
	err = s.write(ctx, func(tx *Tx) error {
		added = nil // a retried transaction starts over
		if b.From != b.To {
			res, err := tx.exec(`UPDATE notifier_cursor SET event_id = ? WHERE id = 1 AND event_id = ?`, b.To, b.From)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return herald.Errorf(herald.ECONFLICT, "The notifier's cursor is no longer at event %d.", b.From)
			}
		}
		var jobs []*herald.Job
		for _, n := range b.Notifications {
			var id int64
			err := tx.queryRow(`INSERT INTO notifications (staff_id, kind, dedup_key, title, body, link, entity, entity_id, event_id, at, created_at, in_app, email)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (staff_id, dedup_key) DO NOTHING RETURNING id`,
				n.StaffID, n.Kind, n.Key(), n.Title, n.Body, n.Link, n.Entity, n.EntityID, nullID(n.EventID), s.t(n.At), s.t(b.At),
				boolInt(n.InApp), boolInt(n.Email)).Scan(&id)
			if isNoRows(err) {
				continue // told before
			} else if err != nil {
				return s.mapError(err)
			}
			saved := *n
			saved.ID, saved.CreatedAt, saved.ReadAt, saved.MailedAt = id, b.At.UTC().Truncate(time.Microsecond), nil, nil
			added = append(added, &saved)
			if saved.Email && b.MailJob != nil {
				jobs = append(jobs, b.MailJob(&saved))
			}
		}
		return tx.enqueueJobs(b.At, jobs)
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// FindNotifications lists a person's in-app notifications, newest first.
func (s *Store) FindNotifications(ctx context.Context, f herald.NotificationFilter) ([]*herald.Notification, int, error) {
	var c conds
	c.add(true, "staff_id = ?", f.StaffID)
	c.add(true, "in_app = 1")
	c.add(f.Unread, "read_at IS NULL")
	return findPage(ctx, s, `SELECT `+notificationColumns+`, COUNT(*) OVER () FROM notifications`+c.clause()+
		` ORDER BY id DESC`+limitClause(f.Limit, f.Offset), c.args, scanNotification)
}

// FindNotificationByID returns one notification.
func (s *Store) FindNotificationByID(ctx context.Context, id int64) (n *herald.Notification, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		n, err = scanNotification(tx.queryRow(`SELECT `+notificationColumns+` FROM notifications WHERE id = ?`, id))
		return notFound(err, "Notification not found.")
	})
	return n, err
}

// CountUnreadNotifications counts with the partial index of unread ones.
func (s *Store) CountUnreadNotifications(ctx context.Context, staffID int64) (n int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT COUNT(*) FROM notifications WHERE staff_id = ? AND in_app = 1 AND read_at IS NULL`, staffID).Scan(&n)
	})
	return n, err
}

// MarkNotificationsRead marks a person's unread notifications read.
func (s *Store) MarkNotificationsRead(ctx context.Context, staffID int64, ids []int64, at time.Time) (n int, err error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	var c conds
	c.add(true, "staff_id = ?", staffID)
	c.add(true, "read_at IS NULL")
	c.addIn("id IN (%s)", ids)
	err = s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE notifications SET read_at = ?`+c.clause(), append([]any{s.t(at)}, c.args...)...)
		if err != nil {
			return err
		}
		count, err := res.RowsAffected()
		n = int(count)
		return err
	})
	return n, err
}

// MarkNotificationMailed records when a notification's mail went out.
func (s *Store) MarkNotificationMailed(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE notifications SET mailed_at = ? WHERE id = ?`, s.t(at), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Notification not found.")
		}
		return nil
	})
}

// FindNotificationPrefs reads the stored choices over the defaults.
func (s *Store) FindNotificationPrefs(ctx context.Context, staffIDs ...int64) (map[int64]herald.NotificationPrefs, error) {
	out := make(map[int64]herald.NotificationPrefs, len(staffIDs))
	for _, id := range staffIDs {
		out[id] = herald.DefaultNotificationPrefs()
	}
	if len(staffIDs) == 0 {
		return out, nil
	}
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT staff_id, kind, in_app, email FROM notification_prefs WHERE staff_id IN (`+placeholders(len(staffIDs))+`)`,
			anyArgs(staffIDs)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var kind herald.NotificationKind
			var p herald.NotificationPref
			if err := rows.Scan(&id, &kind, &p.InApp, &p.Email); err != nil {
				return err
			}
			if kind.Valid() {
				out[id][kind] = p
			}
		}
		return rows.Err()
	})
	return out, err
}

// SetNotificationPrefs keeps the choices that differ from the defaults, so
// that a later change of a default reaches everyone who never chose.
func (s *Store) SetNotificationPrefs(ctx context.Context, staffID int64, p herald.NotificationPrefs, ev herald.Event) error {
	if err := p.Validate(); err != nil {
		return err
	}
	defaults := herald.DefaultNotificationPrefs()
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.findStaffByID(staffID); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM notification_prefs WHERE staff_id = ?`, staffID); err != nil {
			return err
		}
		for _, k := range herald.NotificationKinds {
			v, ok := p[k]
			if !ok || v == defaults[k] {
				continue
			}
			if _, err := tx.exec(`INSERT INTO notification_prefs (staff_id, kind, in_app, email) VALUES (?, ?, ?, ?)`,
				staffID, k, boolInt(v.InApp), boolInt(v.Email)); err != nil {
				return err
			}
		}
		ev.Entity, ev.EntityID = herald.EntityStaff, staffID
		if ev.Action == "" {
			ev.Action = "notification_prefs"
		}
		return tx.insertEvent(ev)
	})
}
