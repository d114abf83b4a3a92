package sqlstore

import (
	"context"

	"github.com/heraldnews/herald"
)

// CreateMedia stores an image and its renditions.
func (s *Store) CreateMedia(ctx context.Context, m *herald.Media, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error {
		m.CreatedAt = ev.At
		id, err := tx.insert(`INSERT INTO media (sha256, format, width, height, filename, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.SHA256, m.Format, m.Width, m.Height, m.Filename, m.UploadedBy, s.t(m.CreatedAt))
		if err != nil {
			return err
		}
		m.ID = id
		for _, r := range m.Renditions {
			if _, err := tx.exec(`INSERT INTO media_renditions (media_id, name, content_type, width, height, data) VALUES (?, ?, ?, ?, ?, ?)`,
				id, r.Name, r.ContentType, r.Width, r.Height, r.Data); err != nil {
				return err
			}
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityMedia, id, "upload"
		return tx.insertEvent(ev)
	})
}

// FindMediaByID returns an image with the sizes of its renditions.
func (s *Store) FindMediaByID(ctx context.Context, id int64) (*herald.Media, error) {
	return s.findMedia(ctx, `id = ?`, id)
}

// FindMediaBySHA256 returns the staff member's earlier upload of the same bytes.
func (s *Store) FindMediaBySHA256(ctx context.Context, sha256 string, uploadedBy int64) (*herald.Media, error) {
	return s.findMedia(ctx, `sha256 = ? AND uploaded_by = ?`, sha256, uploadedBy)
}

func (s *Store) findMedia(ctx context.Context, where string, args ...any) (*herald.Media, error) {
	m := &herald.Media{Renditions: []herald.MediaRendition{}}
	err := s.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT id, sha256, format, width, height, filename, uploaded_by, created_at FROM media WHERE `+where+` ORDER BY id LIMIT 1`, args...).
			Scan(&m.ID, &m.SHA256, &m.Format, &m.Width, &m.Height, &m.Filename, &m.UploadedBy, timeScan{&m.CreatedAt})
		if err := notFound(err, "Image not found."); err != nil {
			return err
		}
		rows, err := tx.query(`SELECT name, content_type, width, height FROM media_renditions WHERE media_id = ? ORDER BY width DESC`, m.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r herald.MediaRendition
			if err := rows.Scan(&r.Name, &r.ContentType, &r.Width, &r.Height); err != nil {
				return err
			}
			m.Renditions = append(m.Renditions, r)
		}
		return rows.Err()
	})
	return m, err
}

// FindRendition returns one rendition with its data.
func (s *Store) FindRendition(ctx context.Context, mediaID int64, name string) (*herald.MediaRendition, error) {
	r := &herald.MediaRendition{Name: name}
	err := s.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT content_type, width, height, data FROM media_renditions WHERE media_id = ? AND name = ?`, mediaID, name).
			Scan(&r.ContentType, &r.Width, &r.Height, &r.Data)
		return notFound(err, "Image not found.")
	})
	return r, err
}
