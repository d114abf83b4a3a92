package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"time"

	"github.com/heraldnews/herald"
)

// Session lifetimes: a session ends after IdleTimeout without activity, and
// after MaxSessionAge whatever the activity.
const (
	IdleTimeout   = 30 * time.Minute
	MaxSessionAge = 12 * time.Hour
)

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// StartSession signs staff in on a browser and returns the cookie's secret.
func (s *Service) StartSession(ctx context.Context, staff *herald.Staff, userAgent string) (string, *herald.Session, error) {
	secret := randomToken()
	now := s.Clock.Now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	sess := &herald.Session{Hash: HashToken(secret), StaffID: staff.ID, CSRF: randomToken(), UserAgent: userAgent, ExpiresAt: now.Add(MaxSessionAge)}
	if err := s.Store.CreateSession(ctx, sess, herald.Event{At: now, ActorID: staff.ID}); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// SessionStaff returns who a session cookie belongs to, ending the session if
// it is idle or too old. Errors: EUNAUTHORIZED.
func (s *Service) SessionStaff(ctx context.Context, secret string) (*herald.Staff, *herald.Session, error) {
	unauthorized := herald.Errorf(herald.EUNAUTHORIZED, "Please sign in.")
	if secret == "" || len(secret) > 100 {
		return nil, nil, unauthorized
	}
	sess, err := s.Store.FindSessionByHash(ctx, HashToken(secret))
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, nil, unauthorized
	} else if err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now()
	if now.Sub(sess.LastSeenAt) > IdleTimeout || !now.Before(sess.ExpiresAt) {
		_, err := s.Store.DeleteSessions(ctx, sess.StaffID, sess.ID, herald.Event{At: now, Action: "session_expired"})
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "Your session ended; please sign in again.")
	}
	st, err := s.Store.FindStaffByID(ctx, sess.StaffID)
	if err != nil {
		return nil, nil, err
	}
	if !st.Active() {
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "This account is disabled.")
	}
	if now.Sub(sess.LastSeenAt) > time.Minute { // record activity at most once a minute
		if err := s.Store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
	}
	return st, sess, nil
}

// CheckCSRF reports whether a form's token is the session's, in constant time.
func CheckCSRF(sess *herald.Session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(token)) == 1
}
