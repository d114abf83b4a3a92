package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldnews/herald"
)

const subscriberColumns = `id, email, name, status, frequency, column_ids, theme_ids, language, pending, requested_at, confirmations,
	client_hash, created_at, updated_at, confirmed_at, unsubscribed_at, bounced_at`

// pendingScan scans the preferences waiting for confirmation (empty text for none).
type pendingScan struct{ p **herald.SubscriptionPrefs }

// Scan implements sql.Scanner.
func (ps pendingScan) Scan(v any) error {
	var s string
	switch b := v.(type) {
	case string:
		s = b
	case []byte:
		s = string(b)
	default:
		return fmt.Errorf("cannot scan %T as pending preferences", v)
	}
	if s == "" {
		*ps.p = nil
		return nil
	}
	*ps.p = &herald.SubscriptionPrefs{}
	return json.Unmarshal([]byte(s), *ps.p)
}

func pendingText(p *herald.SubscriptionPrefs) string {
	if p == nil {
		return ""
	}
	return jsonText(p)
}

func scanSubscriber(sc interface{ Scan(...any) error }) (*herald.Subscriber, error) {
	var s herald.Subscriber
	err := sc.Scan(&s.ID, &s.Email, &s.Name, &s.Status, &s.Frequency, jsonScan{&s.ColumnIDs}, jsonScan{&s.ThemeIDs}, &s.Language,
		pendingScan{&s.Pending}, nullTimeScan{&s.RequestedAt}, jsonScan{&s.ConfirmationsSent}, &s.ClientHash,
		timeScan{&s.CreatedAt}, timeScan{&s.UpdatedAt}, nullTimeScan{&s.ConfirmedAt}, nullTimeScan{&s.UnsubscribedAt}, nullTimeScan{&s.BouncedAt})
	return &s, err
}

// UpdateSubscriberByEmail changes the subscriber with an address, making it
// first if there is none.
func (s *Store) UpdateSubscriberByEmail(ctx context.Context, email string, fn func(*herald.Subscriber) (herald.SubscriberChange, error)) (*herald.Subscriber, error) {
	email, err := herald.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	return s.changeSubscriber(ctx, fn, func(tx *Tx) (*herald.Subscriber, error) {
		// A placeholder row (no status yet) that the change fills in or the
		// rollback removes; on PostgreSQL a concurrent insert of the same
		// address waits for this transaction and then finds the row.
		epoch := time.Unix(0, 0)
		if _, err := tx.exec(`INSERT INTO subscribers (email, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING`,
			email, s.t(epoch), s.t(epoch)); err != nil {
			return nil, err
		}
		return scanSubscriber(tx.queryRow(`SELECT `+subscriberColumns+` FROM subscribers WHERE email = ?`+s.d.ForUpdate, email))
	})
}

// UpdateSubscriber changes a known subscriber.
func (s *Store) UpdateSubscriber(ctx context.Context, id int64, fn func(*herald.Subscriber) (herald.SubscriberChange, error)) (*herald.Subscriber, error) {
	return s.changeSubscriber(ctx, fn, func(tx *Tx) (*herald.Subscriber, error) {
		sub, err := scanSubscriber(tx.queryRow(`SELECT `+subscriberColumns+` FROM subscribers WHERE id = ? AND status <> ''`+s.d.ForUpdate, id))
		return sub, notFound(err, "Subscriber not found.")
	})
}

// changeSubscriber loads a subscriber under a write lock, lets fn change it
// and saves it with what fn says the change records.
func (s *Store) changeSubscriber(ctx context.Context, fn func(*herald.Subscriber) (herald.SubscriberChange, error),
	load func(tx *Tx) (*herald.Subscriber, error)) (sub *herald.Subscriber, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if sub, err = load(tx); err != nil {
			return err
		}
		id, email, status := sub.ID, sub.Email, sub.Status
		prefs, pending := sub.SubscriptionPrefs, sub.Pending
		change, err := fn(sub)
		if err != nil {
			return err
		}
		sub.ID, sub.Email = id, email
		ev := change.Event
		switch {
		case ev.Action != "":
			if err := tx.saveSubscriber(sub, status, prefs, pending, ev); err != nil {
				return err
			}
		case status == "":
			return herald.Errorf(herald.EINTERNAL, "a new subscriber is saved with an event")
		}
		at := ev.At
		if change.Mailing != nil {
			change.Mailing.SubscriberID = id
			if _, err := tx.recordMailing(change.Mailing); err != nil {
				return err
			}
			if at.IsZero() {
				at = change.Mailing.At
			}
		}
		if len(change.Jobs) > 0 {
			if at.IsZero() {
				return herald.Errorf(herald.EINTERNAL, "jobs queued by a subscriber change need its time")
			}
			return tx.enqueueJobs(at, change.Jobs)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// saveSubscriber writes a changed subscriber and its event; status, prefs
// and pending are what it had before the change.
func (tx *Tx) saveSubscriber(sub *herald.Subscriber, status herald.SubscriberStatus, prefs herald.SubscriptionPrefs,
	pending *herald.SubscriptionPrefs, ev herald.Event) error {
	sub.SubscriptionPrefs.Normalize()
	if sub.Pending != nil {
		sub.Pending.Normalize()
	}
	if err := sub.Validate(); err != nil {
		return err
	}
	if !sub.SubscriptionPrefs.Equal(&prefs) || sub.Pending != nil && (pending == nil || !sub.Pending.Equal(pending)) {
		if err := tx.checkTopics(sub); err != nil {
			return err
		}
	}
	if ev.At.IsZero() {
		return herald.Errorf(herald.EINTERNAL, "a subscriber event needs its time")
	}
	if status == "" {
		sub.CreatedAt = ev.At
	}
	sub.UpdatedAt = ev.At
	if sub.ConfirmationsSent == nil {
		sub.ConfirmationsSent = []time.Time{}
	}
	for i, t := range sub.ConfirmationsSent {
		sub.ConfirmationsSent[i] = t.UTC().Truncate(time.Microsecond)
	}
	s := tx.s
	if _, err := tx.exec(`UPDATE subscribers SET name = ?, status = ?, frequency = ?, column_ids = ?, theme_ids = ?, language = ?, pending = ?,
		requested_at = ?, confirmations = ?, client_hash = ?, created_at = ?, updated_at = ?, confirmed_at = ?, unsubscribed_at = ?, bounced_at = ?
		WHERE id = ?`, sub.Name, sub.Status, sub.Frequency, jsonText(sub.ColumnIDs), jsonText(sub.ThemeIDs), sub.Language, pendingText(sub.Pending),
		s.nt(sub.RequestedAt), jsonText(sub.ConfirmationsSent), sub.ClientHash, s.t(sub.CreatedAt), s.t(sub.UpdatedAt),
		s.nt(sub.ConfirmedAt), s.nt(sub.UnsubscribedAt), s.nt(sub.BouncedAt), sub.ID); err != nil {
		return err
	}
	ev.Entity, ev.EntityID = herald.EntitySubscriber, sub.ID
	ev.FromStatus, ev.ToStatus = string(status), string(sub.Status)
	return tx.insertEvent(ev)
}

// checkTopics names the field of a chosen column or theme that does not exist.
func (tx *Tx) checkTopics(sub *herald.Subscriber) error {
	var p herald.Problems
	check := func(field, table string, ids []int64) {
		if len(ids) == 0 {
			return
		}
		var n int
		err := tx.queryRow(`SELECT COUNT(*) FROM `+table+` WHERE id IN (`+placeholders(len(ids))+`)`, anyArgs(ids)...).Scan(&n)
		if err != nil || n != len(ids) {
			p.Add(field, "names a %s that does not exist", map[string]string{"columns": "column", "themes": "theme"}[table])
		}
	}
	for _, prefs := range []*herald.SubscriptionPrefs{&sub.SubscriptionPrefs, sub.Pending} {
		if prefs != nil {
			check("column_ids", "columns", prefs.ColumnIDs)
			check("theme_ids", "themes", prefs.ThemeIDs)
		}
	}
	return p.Err()
}

// FindSubscriberByID returns one subscriber.
func (s *Store) FindSubscriberByID(ctx context.Context, id int64) (sub *herald.Subscriber, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		sub, err = scanSubscriber(tx.queryRow(`SELECT `+subscriberColumns+` FROM subscribers WHERE id = ? AND status <> ''`, id))
		return notFound(err, "Subscriber not found.")
	})
	return sub, err
}

// FindSubscriberByEmail returns the subscriber with an address.
func (s *Store) FindSubscriberByEmail(ctx context.Context, email string) (sub *herald.Subscriber, err error) {
	if email, err = herald.NormalizeEmail(email); err != nil {
		return nil, err
	}
	err = s.read(ctx, func(tx *Tx) error {
		sub, err = scanSubscriber(tx.queryRow(`SELECT `+subscriberColumns+` FROM subscribers WHERE email = ? AND status <> ''`, email))
		return notFound(err, "Subscriber not found.")
	})
	return sub, err
}

// FindSubscribers lists subscribers, oldest first.
func (s *Store) FindSubscribers(ctx context.Context, f herald.SubscriberFilter) ([]*herald.Subscriber, int, error) {
	var c conds
	c.add(true, "status <> ''")
	c.add(len(f.Statuses) > 0, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	c.add(f.Frequency != "", "frequency = ?", f.Frequency)
	c.add(f.AfterID > 0, "id > ?", f.AfterID)
	q := `SELECT ` + subscriberColumns + `, COUNT(*) OVER () FROM subscribers` + c.clause() + ` ORDER BY id`
	return findPage(ctx, s, q+limitClause(f.Limit, f.Offset), c.args, scanSubscriber)
}

// CountSubscribersByDay replays the subscribers' events into daily counts.
func (s *Store) CountSubscribersByDay(ctx context.Context, from, until time.Time) ([]herald.SubscriberCount, error) {
	type change struct {
		at       time.Time
		from, to string
	}
	var changes []change
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT at, from_status, to_status FROM events WHERE entity = ? ORDER BY id`, herald.EntitySubscriber)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c change
			if err := rows.Scan(timeScan{&c.at}, &c.from, &c.to); err != nil {
				return err
			}
			changes = append(changes, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	active := string(herald.SubscriberActive)
	var out []herald.SubscriberCount
	count, i := 0, 0
	for d := herald.CSTDay(from); !d.After(herald.CSTDay(until)); d = d.AddDate(0, 0, 1) {
		c := herald.SubscriberCount{Day: d.Format(time.DateOnly)}
		end := d.AddDate(0, 0, 1)
		for ; i < len(changes) && changes[i].at.Before(end); i++ {
			ch := changes[i]
			was, is := ch.from == active, ch.to == active
			inDay := !ch.at.Before(d)
			switch {
			case !was && is:
				count++
				if inDay {
					c.Confirmed++
				}
			case was && !is:
				count--
				if inDay {
					c.Left++
				}
			}
		}
		c.Active = count
		out = append(out, c)
	}
	return out, nil
}

const mailingColumns = `id, subscriber_id, kind, article_id, period, message_id, status, smtp_code, smtp_text, at`

func scanMailing(sc interface{ Scan(...any) error }) (*herald.Mailing, error) {
	var m herald.Mailing
	err := sc.Scan(&m.ID, &m.SubscriberID, &m.Kind, nullIDScan{&m.ArticleID}, &m.Period, &m.MessageID, &m.Status, &m.SMTPCode, &m.SMTPText, timeScan{&m.At})
	m.ArticleIDs = []int64{}
	return &m, err
}

// RecordMailing keeps a mailing once per Message-ID.
func (s *Store) RecordMailing(ctx context.Context, m *herald.Mailing) (recorded bool, err error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		recorded, err = tx.recordMailing(m)
		return err
	})
	return recorded, err
}

// recordMailing inserts a mailing, or turns a failed one with the same
// Message-ID into this outcome; a sent one stays as it is.
func (tx *Tx) recordMailing(m *herald.Mailing) (bool, error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	m.SMTPText = herald.JobError(stringError(m.SMTPText))
	err := tx.queryRow(`INSERT INTO mailings (subscriber_id, kind, article_id, period, message_id, status, smtp_code, smtp_text, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (message_id) DO UPDATE SET status = excluded.status, smtp_code = excluded.smtp_code, smtp_text = excluded.smtp_text, at = excluded.at
		WHERE mailings.status = 'failed' AND mailings.subscriber_id = excluded.subscriber_id
		RETURNING id`, m.SubscriberID, m.Kind, nullID(m.ArticleID), m.Period, m.MessageID, m.Status, m.SMTPCode, m.SMTPText, tx.s.t(m.At)).Scan(&m.ID)
	if isNoRows(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	for _, id := range m.ArticleIDs {
		if _, err := tx.exec(`INSERT INTO mailing_articles (mailing_id, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, m.ID, id); err != nil {
			return false, err
		}
	}
	return true, nil
}

// FindMailingByMessageID returns the mailing with a Message-ID.
func (s *Store) FindMailingByMessageID(ctx context.Context, messageID string) (*herald.Mailing, error) {
	ms, _, err := s.findMailings(ctx, ` WHERE message_id = ?`, []any{messageID}, "")
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, herald.Errorf(herald.ENOTFOUND, "Mailing not found.")
	}
	return ms[0], nil
}

// FindMailings lists mailings, newest first.
func (s *Store) FindMailings(ctx context.Context, f herald.MailingFilter) ([]*herald.Mailing, int, error) {
	var c conds
	c.add(f.SubscriberID != 0, "subscriber_id = ?", f.SubscriberID)
	c.add(f.ArticleID != 0, "(article_id = ? OR id IN (SELECT mailing_id FROM mailing_articles WHERE article_id = ?))", f.ArticleID, f.ArticleID)
	c.add(f.Kind != "", "kind = ?", f.Kind)
	c.add(f.Status != "", "status = ?", f.Status)
	return s.findMailings(ctx, c.clause(), c.args, limitClause(f.Limit, f.Offset))
}

// findMailings reads mailings and the stories of the digests among them in
// one snapshot.
func (s *Store) findMailings(ctx context.Context, where string, args []any, limit string) (ms []*herald.Mailing, total int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT `+mailingColumns+`, COUNT(*) OVER () FROM mailings`+where+` ORDER BY id DESC`+limit, args...)
		if err != nil {
			return err
		}
		byID := map[int64]*herald.Mailing{}
		var digests []any
		for rows.Next() {
			m, err := scanMailing(withTotal{rows, &total})
			if err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
			if m.Kind == herald.MailDigest {
				byID[m.ID] = m
				digests = append(digests, m.ID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(digests) == 0 {
			return err
		}
		rows, err = tx.query(`SELECT mailing_id, article_id FROM mailing_articles WHERE mailing_id IN (`+placeholders(len(digests))+`)
			ORDER BY mailing_id, article_id`, digests...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var mid, aid int64
			if err := rows.Scan(&mid, &aid); err != nil {
				return err
			}
			byID[mid].ArticleIDs = append(byID[mid].ArticleIDs, aid)
		}
		return rows.Err()
	})
	return ms, total, err
}

// ArticleRecipients lists the subscribers who were sent an article.
func (s *Store) ArticleRecipients(ctx context.Context, articleID int64) (ids []int64, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		ids, err = column[int64](tx, `SELECT subscriber_id FROM mailings WHERE article_id = ? AND kind = 'story' AND status = 'sent'
			UNION SELECT m.subscriber_id FROM mailings m JOIN mailing_articles ma ON ma.mailing_id = m.id
			WHERE ma.article_id = ? AND m.kind = 'digest' AND m.status = 'sent'
			ORDER BY 1`, articleID, articleID)
		return err
	})
	return ids, err
}

// newsletterKeyName names the key that signs the links in mails.
const newsletterKeyName = "links"

// NewsletterKey returns the link-signing key, storing a new one the first time.
func (s *Store) NewsletterKey(ctx context.Context, at time.Time, newKey func() ([]byte, error)) ([]byte, error) {
	return s.keptKey(ctx, "newsletter_keys", newsletterKeyName, at, newKey)
}
