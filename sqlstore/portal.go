package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/htmlsafe"
)

// FindSettings returns the site settings, or defaults before any are saved.
func (s *Store) FindSettings(ctx context.Context) (*herald.SiteSettings, error) {
	set := &herald.SiteSettings{SiteName: "Herald"}
	err := s.read(ctx, func(tx *Tx) error {
		var body string
		err := tx.queryRow(`SELECT body FROM site_settings WHERE id = 1`).Scan(&body)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		return json.Unmarshal([]byte(body), set)
	})
	return set, err
}

// UpdateSettings replaces the site settings; the about and contact pages are
// sanitized like article bodies.
func (s *Store) UpdateSettings(ctx context.Context, set *herald.SiteSettings, ev herald.Event) error {
	set.AboutHTML = htmlsafe.Sanitize(set.AboutHTML)
	set.ContactHTML = htmlsafe.Sanitize(set.ContactHTML)
	if err := set.Validate(); err != nil {
		return err
	}
	set.UpdatedAt = ev.At
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`INSERT INTO site_settings (id, body, updated_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, jsonText(set), s.t(ev.At)); err != nil {
			return err
		}
		ev.Entity, ev.EntityID = herald.EntitySettings, 1
		if ev.Action == "" {
			ev.Action = "update"
		}
		return tx.insertEvent(ev)
	})
}

// AddViews adds read counts, all in one transaction (with their days'
// roll-up: see AddReads).
func (s *Store) AddViews(ctx context.Context, counts []herald.ViewCount) error {
	return s.AddReads(ctx, &herald.ReadBatch{Views: counts})
}

// TopArticles ranks published articles by reads since a time.
func (s *Store) TopArticles(ctx context.Context, since time.Time, limit int) ([]herald.ArticleReads, error) {
	var out []herald.ArticleReads
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT v.article_id, SUM(v.views) AS reads FROM article_views v
			JOIN articles a ON a.id = v.article_id
			WHERE v.hour >= ? AND a.status = 'published'
			GROUP BY v.article_id ORDER BY reads DESC, v.article_id DESC`+limitClause(limit, 0), s.t(since.UTC().Truncate(time.Hour)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r herald.ArticleReads
			if err := rows.Scan(&r.ArticleID, &r.Reads); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// CreateTip keeps a reader's tip and its attachments.
func (s *Store) CreateTip(ctx context.Context, t *herald.Tip, ev herald.Event) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		t.CreatedAt = ev.At
		id, err := tx.insert(`INSERT INTO tips (name, contact, subject, body, client_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.Name, t.Contact, t.Subject, t.Body, t.ClientHash, s.t(t.CreatedAt))
		if err != nil {
			return err
		}
		t.ID = id
		for i := range t.Attachments {
			a := &t.Attachments[i]
			a.Size = len(a.Data)
			if a.ID, err = tx.insert(`INSERT INTO tip_attachments (tip_id, filename, content_type, size, data) VALUES (?, ?, ?, ?, ?)`,
				id, a.Filename, a.ContentType, a.Size, a.Data); err != nil {
				return err
			}
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityTip, id, "create"
		return tx.insertEvent(ev)
	})
}

// FindTips lists tips, newest first, with their attachments' names (not data).
func (s *Store) FindTips(ctx context.Context, offset, limit int) ([]*herald.Tip, int, error) {
	var tips []*herald.Tip
	total := 0
	err := s.read(ctx, func(tx *Tx) error {
		if err := tx.queryRow(`SELECT COUNT(*) FROM tips`).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.query(`SELECT id, name, contact, subject, body, created_at FROM tips ORDER BY id DESC` + limitClause(limit, offset))
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[int64]*herald.Tip{}
		var ids []int64
		for rows.Next() {
			t := &herald.Tip{Attachments: []herald.TipAttachment{}}
			if err := rows.Scan(&t.ID, &t.Name, &t.Contact, &t.Subject, &t.Body, timeScan{&t.CreatedAt}); err != nil {
				return err
			}
			tips, byID[t.ID], ids = append(tips, t), t, append(ids, t.ID)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		return tx.eachRow(`SELECT tip_id, id, filename, content_type, size FROM tip_attachments WHERE tip_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids,
			func(rows *sql.Rows) error {
				var tipID int64
				var a herald.TipAttachment
				err := rows.Scan(&tipID, &a.ID, &a.Filename, &a.ContentType, &a.Size)
				byID[tipID].Attachments = append(byID[tipID].Attachments, a)
				return err
			})
	})
	return tips, total, err
}

// FindTipAttachment returns one attachment with its data.
func (s *Store) FindTipAttachment(ctx context.Context, tipID, attachmentID int64) (*herald.TipAttachment, error) {
	var a herald.TipAttachment
	err := s.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT id, filename, content_type, size, data FROM tip_attachments WHERE tip_id = ? AND id = ?`, tipID, attachmentID).
			Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.Data)
		return notFound(err, "Attachment not found.")
	})
	return &a, err
}
