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
	sess := &herald.Session{Hash: HashToken(secret), StaffID: staff.ID, CSRF: randomToken(), UserAgent: userAgent, ExpiresAt: now.Add(MaxSessionAge),
		Pending: staff.TOTPSecret != ""}
	if err := s.Store.CreateSession(ctx, sess, herald.Event{At: now, ActorID: staff.ID}); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// SessionStaff returns who a session cookie belongs to, ending the session if
// it is idle or too old. A session still waiting for its second factor admits
// nothing. Errors: EUNAUTHORIZED.
func (s *Service) SessionStaff(ctx context.Context, secret string) (*herald.Staff, *herald.Session, error) {
	st, sess, err := s.session(ctx, secret)
	if err == nil && sess.Pending {
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "Please enter the code from your authenticator app.")
	}
	return st, sess, err
}

// PendingSession returns the sign-in that waits for its second factor.
// Errors: EUNAUTHORIZED when there is none.
func (s *Service) PendingSession(ctx context.Context, secret string) (*herald.Staff, *herald.Session, error) {
	st, sess, err := s.session(ctx, secret)
	if err == nil && !sess.Pending {
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "This sign-in needs no code.")
	}
	return st, sess, err
}

// SecondFactor completes a pending sign-in with the authenticator code. Wrong
// codes count against the same limits as wrong passwords, and a code works
// once. Errors: EUNAUTHORIZED, ERATELIMITED.
func (s *Service) SecondFactor(ctx context.Context, secret, code, client string) (*herald.Staff, error) {
	st, sess, err := s.PendingSession(ctx, secret)
	if err != nil {
		return nil, err
	}
	if err := s.VerifyCode(ctx, st, code, client); err != nil {
		return nil, err
	}
	return st, s.Store.VerifySession(ctx, sess.ID, herald.Event{At: s.Clock.Now(), ActorID: st.ID})
}

// VerifyCode checks the authenticator code of someone whose password was
// right: in the newsroom's second step, and when they ask for an API token.
// Errors: EINVALID (field "code"), ERATELIMITED.
func (s *Service) VerifyCode(ctx context.Context, st *herald.Staff, code, client string) error {
	now := s.Clock.Now()
	if err := s.mayTry(ctx, st.Username, client, now); err != nil {
		return err
	}
	step, ok := checkTOTP(st.TOTPSecret, code, now)
	if !ok || !s.used.use(st.ID, step) {
		return s.failed(ctx, st.Username, client, now, herald.Invalid("code", "wrong or already used code from the authenticator app"))
	}
	return s.Limiter.Reset(ctx, st.Username)
}

// EnableTOTP turns the second factor on once the staff member proves, with a
// code, that their app holds the secret. Errors: EINVALID.
func (s *Service) EnableTOTP(ctx context.Context, st *herald.Staff, secret, code string) error {
	now := s.Clock.Now()
	step, ok := checkTOTP(secret, code, now)
	if !ok || len(secret) < 26 {
		return herald.Invalid("code", "the code does not match; check the phone's time and scan the QR code again")
	}
	s.used.use(st.ID, step)
	_, err := s.Store.UpdateStaff(ctx, st.ID, herald.StaffUpdate{TOTPSecret: &secret}, herald.Event{At: now, ActorID: st.ID, Action: "totp_enable"})
	return err
}

// DisableTOTP turns the second factor off: by its owner, or by an
// administrator for someone who lost their phone.
func (s *Service) DisableTOTP(ctx context.Context, staffID, actorID int64) error {
	none := ""
	_, err := s.Store.UpdateStaff(ctx, staffID, herald.StaffUpdate{TOTPSecret: &none}, herald.Event{At: s.Clock.Now(), ActorID: actorID, Action: "totp_disable"})
	return err
}

func (s *Service) session(ctx context.Context, secret string) (*herald.Staff, *herald.Session, error) {
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
