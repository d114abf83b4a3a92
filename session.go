package herald

import (
	"context"
	"time"
)

// Session is a signed-in browser. The cookie holds a random secret; the store
// keeps only its SHA-256, with the CSRF token that forms must echo.
type Session struct {
	ID         int64     `json:"id"`
	Hash       string    `json:"-"`
	StaffID    int64     `json:"staff_id"`
	CSRF       string    `json:"-"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"` // absolute end, whatever the activity
	// Pending is set while the password was right but the second factor (the
	// authenticator code) is still to come; a pending session admits nothing else.
	Pending bool `json:"pending"`
}

// SessionStore keeps sessions. Signing in and out are audited; TouchSession is
// bookkeeping. Errors: ENOTFOUND.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session, ev Event) error
	FindSessionByHash(ctx context.Context, hash string) (*Session, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	// VerifySession ends a session's pending state once the second factor is right.
	VerifySession(ctx context.Context, id int64, ev Event) error
	// DeleteSessions ends one session (id), or all of a staff member's (id 0),
	// and returns how many ended.
	DeleteSessions(ctx context.Context, staffID, id int64, ev Event) (int, error)
}
