package sqlstore

import (
	"context"

	"github.com/heraldnews/herald"
)

// CreateWord adds a word to the sensitive-word list.
func (s *Store) CreateWord(ctx context.Context, w *herald.SensitiveWord, ev herald.Event) error {
	w.Normalize()
	if err := w.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		w.CreatedAt, w.UpdatedAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO sensitive_words (word, kind, suggestion, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			w.Word, w.Kind, w.Suggestion, w.Note, s.t(w.CreatedAt), s.t(w.UpdatedAt))
		if err != nil {
			return s.mapError(err)
		}
		w.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntityWord, id, "create"
		return tx.insertEvent(ev)
	})
}

// UpdateWord replaces a listed word's fields.
func (s *Store) UpdateWord(ctx context.Context, id int64, w herald.SensitiveWord, ev herald.Event) (*herald.SensitiveWord, error) {
	w.Normalize()
	if err := w.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		old, err := tx.findWords(id)
		if err != nil {
			return err
		} else if len(old) == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Word %d not found.", id)
		}
		w.ID, w.CreatedAt, w.UpdatedAt = id, old[0].CreatedAt, ev.At
		if _, err := tx.exec(`UPDATE sensitive_words SET word = ?, kind = ?, suggestion = ?, note = ?, updated_at = ? WHERE id = ?`,
			w.Word, w.Kind, w.Suggestion, w.Note, s.t(w.UpdatedAt), id); err != nil {
			return s.mapError(err)
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityWord, id, "update"
		return tx.insertEvent(ev)
	})
	return &w, err
}

// DeleteWord removes a word from the list.
func (s *Store) DeleteWord(ctx context.Context, id int64, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`DELETE FROM sensitive_words WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Word %d not found.", id)
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityWord, id, "delete"
		return tx.insertEvent(ev)
	})
}

// FindWords lists the sensitive-word list by kind and word.
func (s *Store) FindWords(ctx context.Context) (words []*herald.SensitiveWord, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		words, err = tx.findWords(0)
		return err
	})
	return words, err
}

func (tx *Tx) findWords(id int64) ([]*herald.SensitiveWord, error) {
	q, args := `SELECT id, word, kind, suggestion, note, created_at, updated_at FROM sensitive_words`, []any{}
	if id != 0 {
		q, args = q+` WHERE id = ?`, append(args, id)
	}
	rows, err := tx.query(q+` ORDER BY kind, word`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	words := []*herald.SensitiveWord{}
	for rows.Next() {
		var w herald.SensitiveWord
		if err := rows.Scan(&w.ID, &w.Word, &w.Kind, &w.Suggestion, &w.Note, timeScan{&w.CreatedAt}, timeScan{&w.UpdatedAt}); err != nil {
			return nil, err
		}
		words = append(words, &w)
	}
	return words, rows.Err()
}
