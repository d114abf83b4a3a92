package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/heraldnews/herald"
)

// LocalActor returns a local actor, creating it with new keys the first time.
func (s *Store) LocalActor(ctx context.Context, name string, at time.Time, keys func() (string, string, error)) (*herald.LocalActor, error) {
	find := func() (a *herald.LocalActor, err error) {
		err = s.read(ctx, func(tx *Tx) error {
			a = &herald.LocalActor{}
			err := tx.queryRow(`SELECT name, public_key_pem, private_key_pem, created_at FROM local_actors WHERE name = ?`, name).
				Scan(&a.Name, &a.PublicKeyPEM, &a.PrivateKeyPEM, timeScan{&a.CreatedAt})
			return notFound(err, "Actor not found.")
		})
		return a, err
	}
	a, err := find()
	if herald.ErrorCode(err) != herald.ENOTFOUND {
		return a, err
	}
	if name == "" || len(name) > 100 {
		return nil, herald.Invalid("name", "must be 1 to 100 characters")
	}
	// the keys are made outside the transaction (it takes a while); if another
	// process made its own meanwhile, the first one stored wins
	public, private, err := keys()
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`INSERT INTO local_actors (name, public_key_pem, private_key_pem, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, public, private, s.t(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.insertEvent(herald.Event{At: at, Entity: herald.EntityLocalActor, Action: "create", Comment: name})
	})
	if err != nil {
		return nil, err
	}
	return find()
}

const followerColumns = `id, actor, account, inbox, shared_inbox, follow_id, created_at, removed_at`

func scanFollower(sc interface{ Scan(...any) error }) (*herald.Follower, error) {
	var f herald.Follower
	err := sc.Scan(&f.ID, &f.Actor, &f.Account, &f.Inbox, &f.SharedInbox, &f.FollowID, timeScan{&f.CreatedAt}, nullTimeScan{&f.RemovedAt})
	return &f, err
}

func validFollower(f *herald.Follower) error {
	var p herald.Problems
	for _, v := range []struct{ field, value string }{{"actor", f.Actor}, {"account", f.Account}, {"inbox", f.Inbox}} {
		if v.value == "" || len(v.value) > 2000 {
			p.Add(v.field, "must be 1 to 2000 characters")
		}
	}
	if len(f.SharedInbox) > 2000 || len(f.FollowID) > 2000 {
		p.Add("shared_inbox", "must be at most 2000 characters")
	}
	if f.CreatedAt.IsZero() {
		p.Add("created_at", "is required")
	}
	return p.Err()
}

// AddFollower records a follow and queues its acceptance.
func (s *Store) AddFollower(ctx context.Context, f *herald.Follower, accept *herald.Job) (isNew bool, err error) {
	if err := validFollower(f); err != nil {
		return false, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		old, err := scanFollower(tx.queryRow(`SELECT `+followerColumns+` FROM followers WHERE actor = ? AND account = ?`+s.d.ForUpdate, f.Actor, f.Account))
		switch {
		case isNoRows(err):
			isNew = true
			if f.ID, err = tx.insert(`INSERT INTO followers (actor, account, inbox, shared_inbox, follow_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				f.Actor, f.Account, f.Inbox, f.SharedInbox, f.FollowID, s.t(f.CreatedAt)); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			// known: a new Follow refreshes where to deliver, and one after an
			// unfollow starts the follow again
			isNew, f.ID = old.RemovedAt != nil, old.ID
			if !isNew {
				f.CreatedAt = old.CreatedAt
			}
			if _, err := tx.exec(`UPDATE followers SET inbox = ?, shared_inbox = ?, follow_id = ?, created_at = ?, removed_at = NULL WHERE id = ?`,
				f.Inbox, f.SharedInbox, f.FollowID, s.t(f.CreatedAt), f.ID); err != nil {
				return err
			}
		}
		if isNew {
			if err := tx.insertEvent(herald.Event{At: f.CreatedAt, Entity: herald.EntityFollower, EntityID: f.ID, Action: "follow",
				Comment: f.Actor + " " + f.Account}); err != nil {
				return err
			}
		}
		if accept != nil {
			return tx.enqueueJobs(f.CreatedAt, []*herald.Job{accept})
		}
		return nil
	})
	return isNew, err
}

// RemoveFollower records an unfollow.
func (s *Store) RemoveFollower(ctx context.Context, actor, account string, at time.Time) (removed bool, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		var id int64
		err := tx.queryRow(`UPDATE followers SET removed_at = ? WHERE actor = ? AND account = ? AND removed_at IS NULL RETURNING id`,
			s.t(at), actor, account).Scan(&id)
		if isNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		removed = true
		return tx.insertEvent(herald.Event{At: at, Entity: herald.EntityFollower, EntityID: id, Action: "unfollow", Comment: actor + " " + account})
	})
	return removed, err
}

// FindFollowers lists an actor's current followers, oldest first.
func (s *Store) FindFollowers(ctx context.Context, actor string, limit, offset int) ([]*herald.Follower, int, error) {
	return findPage(ctx, s, `SELECT `+followerColumns+`, COUNT(*) OVER () FROM followers WHERE actor = ? AND removed_at IS NULL ORDER BY id`+
		limitClause(limit, offset), []any{actor}, scanFollower)
}

// FollowerInboxes returns the inboxes that reach every current follower.
func (s *Store) FollowerInboxes(ctx context.Context, actor string) (inboxes []string, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		inboxes, err = column[string](tx, `SELECT DISTINCT CASE WHEN shared_inbox <> '' THEN shared_inbox ELSE inbox END AS target
			FROM followers WHERE actor = ? AND removed_at IS NULL ORDER BY target`, actor)
		return err
	})
	return inboxes, err
}

// CountFollowersByDay replays the follow and unfollow events of an actor's
// followers into a count at the end of each CST day.
func (s *Store) CountFollowersByDay(ctx context.Context, actor string, from, until time.Time) ([]herald.FollowerCount, error) {
	type change struct {
		at    time.Time
		delta int
	}
	var changes []change
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT e.at, e.action FROM events e JOIN followers f ON f.id = e.entity_id
			WHERE e.entity = ? AND f.actor = ? ORDER BY e.id`, herald.EntityFollower, actor)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c change
			var action string
			if err := rows.Scan(timeScan{&c.at}, &action); err != nil {
				return err
			}
			c.delta = map[string]int{"follow": 1, "unfollow": -1}[action]
			changes = append(changes, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []herald.FollowerCount
	count, i := 0, 0
	for d := herald.CSTDay(from); !d.After(herald.CSTDay(until)); d = d.AddDate(0, 0, 1) {
		end := d.AddDate(0, 0, 1)
		for i < len(changes) && changes[i].at.Before(end) {
			count += changes[i].delta
			i++
		}
		out = append(out, herald.FollowerCount{Day: d.Format(time.DateOnly), Count: count})
	}
	return out, nil
}

const engagementColumns = `id, activity_id, kind, account, article_id, object, content, at, undone_at`

// RecordEngagement keeps an engagement once per activity.
func (s *Store) RecordEngagement(ctx context.Context, e *herald.Engagement) (isNew bool, err error) {
	var p herald.Problems
	if e.ActivityID == "" || len(e.ActivityID) > 2000 {
		p.Add("activity_id", "must be 1 to 2000 characters")
	}
	if e.Kind != herald.EngagementLike && e.Kind != herald.EngagementAnnounce && e.Kind != herald.EngagementReply {
		p.Add("kind", "must be like, announce or reply")
	}
	if e.Account == "" || len(e.Account) > 2000 || len(e.Object) > 2000 {
		p.Add("account", "must be 1 to 2000 characters")
	}
	if len(e.Content) > 5000 {
		p.Add("content", "must be at most 5000 bytes")
	}
	if err := p.Err(); err != nil {
		return false, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		err := tx.queryRow(`INSERT INTO engagements (activity_id, kind, account, article_id, object, content, at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (activity_id) DO NOTHING RETURNING id`, e.ActivityID, e.Kind, e.Account, nullID(e.ArticleID), e.Object, e.Content, s.t(e.At)).Scan(&e.ID)
		if isNoRows(err) {
			return nil
		}
		isNew = err == nil
		return err
	})
	return isNew, err
}

// UndoEngagement marks an engagement undone by the account that made it.
func (s *Store) UndoEngagement(ctx context.Context, activityID, account string, at time.Time) (undone bool, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE engagements SET undone_at = ? WHERE activity_id = ? AND account = ? AND undone_at IS NULL`, s.t(at), activityID, account)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		undone = n > 0
		return err
	})
	return undone, err
}

// FindEngagement lists an article's engagement, oldest first.
func (s *Store) FindEngagement(ctx context.Context, articleID int64) ([]*herald.Engagement, error) {
	es, _, err := findPage(ctx, s, `SELECT `+engagementColumns+`, COUNT(*) OVER () FROM engagements WHERE article_id = ? ORDER BY id`, []any{articleID},
		func(sc interface{ Scan(...any) error }) (*herald.Engagement, error) {
			var e herald.Engagement
			err := sc.Scan(&e.ID, &e.ActivityID, &e.Kind, &e.Account, nullIDScan{&e.ArticleID}, &e.Object, &e.Content, timeScan{&e.At}, nullTimeScan{&e.UndoneAt})
			return &e, err
		})
	return es, err
}

const outboxColumns = `id, actor, activity_id, type, object_id, article_id, activity, object, at`

func scanOutbox(sc interface{ Scan(...any) error }) (*herald.OutboxItem, error) {
	var o herald.OutboxItem
	var activity, object string
	err := sc.Scan(&o.ID, &o.Actor, &o.ActivityID, &o.Type, &o.ObjectID, nullIDScan{&o.ArticleID}, &activity, &object, timeScan{&o.At})
	o.Activity, o.Object = []byte(activity), []byte(object)
	return &o, err
}

// PutOutbox records an activity once and queues its sends.
func (s *Store) PutOutbox(ctx context.Context, o *herald.OutboxItem, sends []*herald.Job) (isNew bool, err error) {
	var p herald.Problems
	for _, f := range []struct{ field, value string }{{"actor", o.Actor}, {"activity_id", o.ActivityID}, {"type", o.Type}, {"object_id", o.ObjectID}} {
		if f.value == "" || len(f.value) > 2000 {
			p.Add(f.field, "must be 1 to 2000 characters")
		}
	}
	if !json.Valid(o.Activity) {
		p.Add("activity", "must be JSON")
	}
	if !json.Valid(o.Object) {
		p.Add("object", "must be JSON")
	}
	if err := p.Err(); err != nil {
		return false, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		err := tx.queryRow(`INSERT INTO outbox (actor, activity_id, type, object_id, article_id, activity, object, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (activity_id) DO NOTHING RETURNING id`, o.Actor, o.ActivityID, o.Type, o.ObjectID, nullID(o.ArticleID),
			string(o.Activity), string(o.Object), s.t(o.At)).Scan(&o.ID)
		if isNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		isNew = true
		return tx.enqueueJobs(o.At, sends)
	})
	return isNew, err
}

// FindOutbox lists activities, newest first.
func (s *Store) FindOutbox(ctx context.Context, actor string, limit, offset int) ([]*herald.OutboxItem, int, error) {
	var c conds
	c.add(actor != "", "actor = ?", actor)
	return findPage(ctx, s, `SELECT `+outboxColumns+`, COUNT(*) OVER () FROM outbox`+c.clause()+` ORDER BY id DESC`+limitClause(limit, offset), c.args, scanOutbox)
}

// FindObject returns the latest activity about an object.
func (s *Store) FindObject(ctx context.Context, objectID string) (o *herald.OutboxItem, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		o, err = scanOutbox(tx.queryRow(`SELECT `+outboxColumns+` FROM outbox WHERE object_id = ? ORDER BY id DESC LIMIT 1`, objectID))
		return notFound(err, "Object not found.")
	})
	return o, err
}
