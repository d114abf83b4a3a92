package sqlstore

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
)

const tokenColumns = `id, staff_id, name, hash, created_at, expires_at, last_used_at`

func scanToken(sc interface{ Scan(...any) error }) (*herald.Token, error) {
	var t herald.Token
	err := sc.Scan(&t.ID, &t.StaffID, &t.Name, &t.Hash, timeScan{&t.CreatedAt}, nullTimeScan{&t.ExpiresAt}, nullTimeScan{&t.LastUsedAt})
	return &t, err
}

// CreateToken stores a new API token's hash.
func (s *Store) CreateToken(ctx context.Context, t *herald.Token, ev herald.Event) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		t.CreatedAt = ev.At
		id, err := tx.insert(`INSERT INTO tokens (staff_id, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			t.StaffID, t.Name, t.Hash, s.t(t.CreatedAt), s.nt(t.ExpiresAt))
		if err != nil {
			return err
		}
		t.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntityToken, id, "create"
		ev.Comment = t.Name
		return tx.insertEvent(ev)
	})
}

// FindTokenByHash returns the token with the hash.
func (s *Store) FindTokenByHash(ctx context.Context, hash string) (t *herald.Token, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		t, err = scanToken(tx.queryRow(`SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
		return notFound(err, "Token not found.")
	})
	return t, err
}

// FindTokens lists a staff member's tokens, newest first.
func (s *Store) FindTokens(ctx context.Context, staffID int64) (tokens []*herald.Token, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT `+tokenColumns+` FROM tokens WHERE staff_id = ? ORDER BY id DESC`, staffID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			tokens = append(tokens, t)
		}
		return rows.Err()
	})
	return tokens, err
}

// TouchToken records when a token was last used. It is bookkeeping, not a state
// change, so it writes no audit event.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`UPDATE tokens SET last_used_at = ? WHERE id = ?`, s.t(at), id)
		return err
	})
}

// DeleteToken revokes a token.
func (s *Store) DeleteToken(ctx context.Context, id int64, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(`DELETE FROM tokens WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Token %d not found.", id)
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityToken, id, "delete"
		return tx.insertEvent(ev)
	})
}
