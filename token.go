package herald

import (
	"context"
	"time"
)

// Token is a personal API token. Only its SHA-256 hash is stored; the secret is
// shown once, when it is made.
type Token struct {
	ID         int64      `json:"id"`
	StaffID    int64      `json:"staff_id"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Validate checks the token's fields.
func (t *Token) Validate() error {
	var p Problems
	checkName(&p, "name", t.Name, true)
	if t.StaffID <= 0 {
		p.Add("staff_id", "is required")
	}
	if len(t.Hash) != 64 {
		p.Add("hash", "must be a hex SHA-256")
	}
	return p.Err()
}

// TokenStore persists API tokens. Errors: ENOTFOUND, EINVALID.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token, ev Event) error
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	FindTokens(ctx context.Context, staffID int64) ([]*Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	DeleteToken(ctx context.Context, id int64, ev Event) error
}
