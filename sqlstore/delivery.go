package sqlstore

import (
	"context"

	"github.com/heraldnews/herald"
)

const deliveryColumns = `id, article_id, channel, target, action, version, status, attempts, last_error, external_id, external_url, created_at, updated_at, sent_at`

func scanDelivery(sc interface{ Scan(...any) error }) (*herald.Delivery, error) {
	var d herald.Delivery
	err := sc.Scan(&d.ID, &d.ArticleID, &d.Channel, &d.Target, &d.Action, &d.Version, &d.Status, &d.Attempts, &d.LastError,
		&d.ExternalID, &d.ExternalURL, timeScan{&d.CreatedAt}, timeScan{&d.UpdatedAt}, nullTimeScan{&d.SentAt})
	return &d, err
}

// PlanDelivery creates or re-aims a delivery and queues its job.
func (s *Store) PlanDelivery(ctx context.Context, want *herald.Delivery, job func(*herald.Delivery) *herald.Job) (d *herald.Delivery, err error) {
	if err := validDelivery(want); err != nil {
		return nil, err
	}
	now := want.UpdatedAt
	err = s.write(ctx, func(tx *Tx) error {
		d, err = scanDelivery(tx.queryRow(`SELECT `+deliveryColumns+` FROM deliveries WHERE article_id = ? AND channel = ? AND target = ?`+s.d.ForUpdate,
			want.ArticleID, want.Channel, want.Target))
		switch {
		case isNoRows(err):
			d = &herald.Delivery{ArticleID: want.ArticleID, Channel: want.Channel, Target: want.Target, Action: want.Action,
				Version: want.Version, Status: herald.DeliveryPending, CreatedAt: now, UpdatedAt: now}
			if d.ID, err = tx.insert(`INSERT INTO deliveries (article_id, channel, target, action, version, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ArticleID, d.Channel, d.Target, d.Action, d.Version, d.Status, s.t(now), s.t(now)); err != nil {
				return err
			}
		case err != nil:
			return err
		case d.Version > want.Version || d.Version == want.Version && d.Action == want.Action:
			return nil // planned already, or overtaken by a newer change
		default:
			d.Action, d.Version, d.Status, d.Attempts, d.LastError, d.UpdatedAt = want.Action, want.Version, herald.DeliveryPending, 0, "", now
			if _, err := tx.exec(`UPDATE deliveries SET action = ?, version = ?, status = ?, attempts = 0, last_error = '', updated_at = ? WHERE id = ?`,
				d.Action, d.Version, d.Status, s.t(now), d.ID); err != nil {
				return err
			}
		}
		if j := job(d); j != nil {
			return tx.enqueueJobs(now, []*herald.Job{j})
		}
		return nil
	})
	return d, err
}

func validDelivery(d *herald.Delivery) error {
	var p herald.Problems
	if d.ArticleID == 0 {
		p.Add("article_id", "is required")
	}
	if !d.Channel.Valid() {
		p.Add("channel", "is not a channel")
	}
	if d.Target == "" || len(d.Target) > 200 {
		p.Add("target", "must be 1 to 200 characters")
	}
	if d.Action != herald.ActionCreate && d.Action != herald.ActionUpdate && d.Action != herald.ActionDelete {
		p.Add("action", "must be create, update or delete")
	}
	if d.Status != "" && !d.Status.Valid() {
		p.Add("status", "is not a delivery status")
	}
	if d.UpdatedAt.IsZero() {
		p.Add("updated_at", "is required")
	}
	return p.Err()
}

// UpdateDelivery changes a delivery inside a write transaction.
func (s *Store) UpdateDelivery(ctx context.Context, id int64, fn func(*herald.Delivery) error) (d *herald.Delivery, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if d, err = scanDelivery(tx.queryRow(`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`+s.d.ForUpdate, id)); err != nil {
			return notFound(err, "Delivery not found.")
		}
		if err := fn(d); err != nil {
			return err
		}
		d.ID = id
		if err := validDelivery(d); err != nil {
			return err
		}
		d.LastError = herald.JobError(stringError(d.LastError))
		_, err := tx.exec(`UPDATE deliveries SET action = ?, version = ?, status = ?, attempts = ?, last_error = ?, external_id = ?, external_url = ?,
			updated_at = ?, sent_at = ? WHERE id = ?`, d.Action, d.Version, d.Status, d.Attempts, d.LastError, d.ExternalID, d.ExternalURL,
			s.t(d.UpdatedAt), s.nt(d.SentAt), id)
		return err
	})
	return d, err
}

// stringError lets a kept error text be shortened like an error.
type stringError string

func (e stringError) Error() string { return string(e) }

// FindDeliveries lists deliveries, newest change first.
func (s *Store) FindDeliveries(ctx context.Context, f herald.DeliveryFilter) ([]*herald.Delivery, int, error) {
	var c conds
	c.add(f.ArticleID != 0, "article_id = ?", f.ArticleID)
	c.add(f.Channel != "", "channel = ?", f.Channel)
	c.add(f.Target != "", "target = ?", f.Target)
	c.add(len(f.Statuses) > 0, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	q := `SELECT ` + deliveryColumns + `, COUNT(*) OVER () FROM deliveries` + c.clause() + ` ORDER BY updated_at DESC, id DESC`
	return findPage(ctx, s, q+limitClause(f.Limit, f.Offset), c.args, scanDelivery)
}

// FindDeliveryByID returns one delivery.
func (s *Store) FindDeliveryByID(ctx context.Context, id int64) (d *herald.Delivery, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		d, err = scanDelivery(tx.queryRow(`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
		return notFound(err, "Delivery not found.")
	})
	return d, err
}
