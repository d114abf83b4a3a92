package sqlstore

import (
	"context"

	"github.com/heraldnews/herald"
)

// PutAutosave writes a working copy over the previous one.
func (s *Store) PutAutosave(ctx context.Context, a *herald.Autosave) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`DELETE FROM autosaves WHERE article_id = ? AND staff_id = ?`, a.ArticleID, a.StaffID); err != nil {
			return err
		}
		_, err := tx.exec(`INSERT INTO autosaves (article_id, staff_id, base_version, content, saved_at) VALUES (?, ?, ?, ?, ?)`,
			a.ArticleID, a.StaffID, a.BaseVersion, jsonText(a.Content), s.t(a.SavedAt))
		return s.mapError(err)
	})
}

// FindAutosave returns a staff member's working copy of an article.
func (s *Store) FindAutosave(ctx context.Context, articleID, staffID int64) (*herald.Autosave, error) {
	a := &herald.Autosave{ArticleID: articleID, StaffID: staffID}
	err := s.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT base_version, content, saved_at FROM autosaves WHERE article_id = ? AND staff_id = ?`, articleID, staffID).
			Scan(&a.BaseVersion, jsonScan{&a.Content}, timeScan{&a.SavedAt})
		return notFound(err, "No autosaved copy.")
	})
	return a, err
}

// DeleteAutosave drops a working copy.
func (s *Store) DeleteAutosave(ctx context.Context, articleID, staffID int64) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`DELETE FROM autosaves WHERE article_id = ? AND staff_id = ?`, articleID, staffID)
		return err
	})
}
