package sqlstore

import (
	"context"
	"database/sql"

	"github.com/heraldnews/herald"
)

const topicColumns = `id, slug, title, intro, cover_image, status, created_by, version, created_at, updated_at, published_at`

// CreateTopic stores a new special topic with its sections.
func (s *Store) CreateTopic(ctx context.Context, t *herald.SpecialTopic, ev herald.Event) error {
	t.Normalize()
	if t.Status == "" {
		t.Status = herald.TopicDraft
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		t.Version, t.CreatedAt, t.UpdatedAt = 1, ev.At, ev.At
		if t.Status == herald.TopicPublished {
			t.PublishedAt = &ev.At
		}
		id, err := tx.insert(`INSERT INTO topics (slug, title, intro, cover_image, status, created_by, version, created_at, updated_at, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Slug, t.Title, t.Intro, t.CoverImage, t.Status, t.CreatedBy, t.Version, s.t(ev.At), s.t(ev.At), s.nt(t.PublishedAt))
		if err := topicSlugTaken(err, t.Slug); err != nil {
			return err
		}
		t.ID = id
		if err := tx.writeTopicSections(t); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.ToStatus = herald.EntityTopic, id, string(t.Status)
		if ev.Action == "" {
			ev.Action = "create"
		}
		if ev.Comment == "" {
			ev.Comment = t.Title
		}
		return tx.insertEvent(ev)
	})
}

// topicSlugTaken names the slug when another topic has it.
func topicSlugTaken(err error, slug string) error {
	if herald.ErrorCode(err) == herald.ECONFLICT {
		return &herald.Error{Code: herald.ECONFLICT, Message: "A topic with the slug " + slug + " exists already.",
			Fields: []herald.FieldError{{Field: "slug", Message: "is taken by another topic"}}}
	}
	return err
}

// UpdateTopic changes a topic in one write transaction; see herald.TopicStore.
func (s *Store) UpdateTopic(ctx context.Context, id int64, fn func(t *herald.SpecialTopic) (herald.Event, error)) (t *herald.SpecialTopic, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if t, err = tx.findTopic(`id = ?`+tx.s.d.ForUpdate, id); err != nil {
			return err
		}
		before := t.Clone()
		ev, err := fn(t)
		if err != nil {
			return err
		}
		t.ID, t.CreatedBy, t.CreatedAt, t.PublishedAt = id, before.CreatedBy, before.CreatedAt, before.PublishedAt
		t.Normalize()
		if err := t.Validate(); err != nil {
			return err
		}
		if t.Status == herald.TopicPublished && t.PublishedAt == nil {
			t.PublishedAt = &ev.At
		}
		t.Version, t.UpdatedAt = before.Version+1, ev.At
		_, err = tx.exec(`UPDATE topics SET slug = ?, title = ?, intro = ?, cover_image = ?, status = ?, version = ?, updated_at = ?, published_at = ?
			WHERE id = ?`, t.Slug, t.Title, t.Intro, t.CoverImage, t.Status, t.Version, s.t(ev.At), s.nt(t.PublishedAt), id)
		if err := topicSlugTaken(s.mapError(err), t.Slug); err != nil {
			return err
		}
		if err := tx.writeTopicSections(t); err != nil {
			return err
		}
		ev.Entity, ev.EntityID = herald.EntityTopic, id
		ev.FromStatus, ev.ToStatus = string(before.Status), string(t.Status)
		if ev.Action == "" {
			ev.Action = "update"
		}
		return tx.insertEvent(ev)
	})
	return t, err
}

// writeTopicSections replaces the topic's sections and items, after checking
// that every article exists.
func (tx *Tx) writeTopicSections(t *herald.SpecialTopic) error {
	ids := t.ArticleIDs()
	if len(ids) > 0 {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM articles WHERE id IN (`+placeholders(len(ids))+`)`, anyArgs(ids)...).Scan(&n); err != nil {
			return err
		}
		if n != len(ids) {
			return herald.Invalid("article_ids", "names an article that does not exist")
		}
	}
	for _, table := range []string{"topic_items", "topic_sections"} {
		if _, err := tx.exec(`DELETE FROM `+table+` WHERE topic_id = ?`, t.ID); err != nil {
			return err
		}
	}
	for i, sec := range t.Sections {
		if _, err := tx.exec(`INSERT INTO topic_sections (topic_id, position, heading) VALUES (?, ?, ?)`, t.ID, i, sec.Heading); err != nil {
			return err
		}
		for j, aid := range sec.ArticleIDs {
			if _, err := tx.exec(`INSERT INTO topic_items (topic_id, section, position, article_id) VALUES (?, ?, ?, ?)`, t.ID, i, j, aid); err != nil {
				return err
			}
		}
	}
	return nil
}

// FindTopicByID returns a topic with its sections.
func (s *Store) FindTopicByID(ctx context.Context, id int64) (t *herald.SpecialTopic, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		t, err = tx.findTopic(`id = ?`, id)
		return err
	})
	return t, err
}

// FindTopicBySlug returns the topic with the slug.
func (s *Store) FindTopicBySlug(ctx context.Context, slug string) (t *herald.SpecialTopic, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		t, err = tx.findTopic(`slug = ?`, slug)
		return err
	})
	return t, err
}

func (tx *Tx) findTopic(where string, args ...any) (*herald.SpecialTopic, error) {
	ts, err := tx.findTopics(`SELECT `+topicColumns+` FROM topics WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, herald.Errorf(herald.ENOTFOUND, "Topic not found.")
	}
	return ts[0], nil
}

// FindTopics lists topics, most recently updated first.
func (s *Store) FindTopics(ctx context.Context, f herald.TopicFilter) (ts []*herald.SpecialTopic, err error) {
	var c conds
	c.add(f.Status != "", `status = ?`, f.Status)
	c.add(f.ArticleID != 0, `id IN (SELECT topic_id FROM topic_items WHERE article_id = ?)`, f.ArticleID)
	q := `SELECT ` + topicColumns + ` FROM topics` + c.clause() + ` ORDER BY updated_at DESC, id DESC` + limitClause(f.Limit, 0)
	err = s.read(ctx, func(tx *Tx) error {
		ts, err = tx.findTopics(q, c.args...)
		return err
	})
	return ts, err
}

// findTopics runs a query of topic rows and attaches their sections.
func (tx *Tx) findTopics(q string, args ...any) ([]*herald.SpecialTopic, error) {
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	var ts []*herald.SpecialTopic
	byID := map[int64]*herald.SpecialTopic{}
	for rows.Next() {
		t := &herald.SpecialTopic{Sections: []herald.TopicSection{}}
		if err := rows.Scan(&t.ID, &t.Slug, &t.Title, &t.Intro, &t.CoverImage, &t.Status, &t.CreatedBy, &t.Version,
			timeScan{&t.CreatedAt}, timeScan{&t.UpdatedAt}, nullTimeScan{&t.PublishedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		ts = append(ts, t)
		byID[t.ID] = t
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil || len(ts) == 0 {
		return ts, err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	err = tx.eachRow(`SELECT topic_id, heading FROM topic_sections WHERE topic_id IN (`+placeholders(len(ids))+`) ORDER BY topic_id, position`, ids, func(rows *sql.Rows) error {
		var id int64
		var sec herald.TopicSection
		if err := rows.Scan(&id, &sec.Heading); err != nil {
			return err
		}
		sec.ArticleIDs = []int64{}
		byID[id].Sections = append(byID[id].Sections, sec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.eachRow(`SELECT topic_id, section, article_id FROM topic_items WHERE topic_id IN (`+placeholders(len(ids))+`) ORDER BY topic_id, section, position`, ids, func(rows *sql.Rows) error {
		var id, aid int64
		var section int
		if err := rows.Scan(&id, &section, &aid); err != nil {
			return err
		}
		if t := byID[id]; section < len(t.Sections) {
			t.Sections[section].ArticleIDs = append(t.Sections[section].ArticleIDs, aid)
		}
		return nil
	})
	return ts, err
}

const videoFileColumns = `id, sha256, content_type, size, duration_ms, filename, uploaded_by, created_at`

// CreateVideoFile records an uploaded film.
func (s *Store) CreateVideoFile(ctx context.Context, v *herald.VideoFile, ev herald.Event) error {
	if len(v.SHA256) != 64 || (v.ContentType != "video/mp4" && v.ContentType != "video/webm") || v.Size <= 0 || v.DurationMS < 0 {
		return herald.Invalid("file", "a video file needs its SHA-256, an MP4 or WebM type and its size")
	}
	return s.write(ctx, func(tx *Tx) error {
		v.CreatedAt = ev.At
		id, err := tx.insert(`INSERT INTO video_files (sha256, content_type, size, duration_ms, filename, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			v.SHA256, v.ContentType, v.Size, v.DurationMS, v.Filename, v.UploadedBy, s.t(ev.At))
		if err != nil {
			return err
		}
		v.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityVideoFile, id, "upload", v.Filename
		return tx.insertEvent(ev)
	})
}

// FindVideoFileByID returns a film's record.
func (s *Store) FindVideoFileByID(ctx context.Context, id int64) (*herald.VideoFile, error) {
	return s.findVideoFile(ctx, `id = ?`, id)
}

// FindVideoFileBySHA256 returns the film with these bytes.
func (s *Store) FindVideoFileBySHA256(ctx context.Context, sha256 string) (*herald.VideoFile, error) {
	return s.findVideoFile(ctx, `sha256 = ?`, sha256)
}

// FindVideoFilesByIDs returns the records of those films that exist, by ID.
func (s *Store) FindVideoFilesByIDs(ctx context.Context, ids []int64) (map[int64]*herald.VideoFile, error) {
	out := make(map[int64]*herald.VideoFile, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := s.read(ctx, func(tx *Tx) error {
		return tx.eachRow(`SELECT `+videoFileColumns+` FROM video_files WHERE id IN (`+placeholders(len(ids))+`)`, ids, func(rows *sql.Rows) error {
			v := &herald.VideoFile{}
			if err := scanVideoFile(rows, v); err != nil {
				return err
			}
			out[v.ID] = v
			return nil
		})
	})
	return out, err
}

func (s *Store) findVideoFile(ctx context.Context, where string, arg any) (*herald.VideoFile, error) {
	v := &herald.VideoFile{}
	err := s.read(ctx, func(tx *Tx) error {
		err := scanVideoFile(tx.queryRow(`SELECT `+videoFileColumns+` FROM video_files WHERE `+where, arg), v)
		return notFound(err, "Video file not found.")
	})
	return v, err
}

// scanVideoFile reads a row of videoFileColumns into v.
func scanVideoFile(row interface{ Scan(...any) error }, v *herald.VideoFile) error {
	return row.Scan(&v.ID, &v.SHA256, &v.ContentType, &v.Size, &v.DurationMS, &v.Filename, &v.UploadedBy, timeScan{&v.CreatedAt})
}
