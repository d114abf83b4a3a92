package auth

import (
	"context"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/ratelimit"
)

// Service signs staff in with passwords and API tokens.
type Service struct {
	Store   herald.Store
	Clock   herald.Clock
	Limiter *Limiter
	used    usedSteps
}

// NewService returns an auth service that allows 5 failed sign-ins per username
// and 20 per client address in 15 minutes.
func NewService(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock, Limiter: NewLimiter(5, 20, 15*time.Minute)}
}

// dummyHash is checked when the username is unknown, so that the answer takes
// as long as for a known one.
var dummyHash, _ = HashPassword("not-a-real-password")

// Login checks a username and password. Errors: EUNAUTHORIZED (wrong or
// disabled), ERATELIMITED (too many failures).
func (s *Service) Login(ctx context.Context, username, password, client string) (*herald.Staff, error) {
	now := s.Clock.Now()
	username = strings.ToLower(strings.TrimSpace(username))
	if !s.Limiter.Allow(username, client, now) {
		return nil, herald.Errorf(herald.ERATELIMITED, "Too many failed sign-ins; try again in a few minutes.")
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{Username: username})
	if err != nil {
		return nil, err
	}
	if len(staff) == 0 {
		CheckPassword(dummyHash, password)
		s.Limiter.Fail(username, client, now)
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Wrong username or password.")
	}
	st := staff[0]
	if !CheckPassword(st.PasswordHash, password) {
		s.Limiter.Fail(username, client, now)
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Wrong username or password.")
	}
	if !st.Active() {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "This account is disabled.")
	}
	if st.TOTPSecret == "" { // else the failures count on until the code is right too
		s.Limiter.Reset(username)
	}
	return st, nil
}

// IssueToken makes a personal API token for staff and returns its secret, which
// is shown once and never stored.
func (s *Service) IssueToken(ctx context.Context, staff *herald.Staff, name string, ttl time.Duration) (string, *herald.Token, error) {
	secret, hash := NewTokenSecret()
	t := &herald.Token{StaffID: staff.ID, Name: strings.TrimSpace(name), Hash: hash}
	now := s.Clock.Now()
	if ttl > 0 {
		exp := now.Add(ttl)
		t.ExpiresAt = &exp
	}
	if err := s.Store.CreateToken(ctx, t, herald.Event{At: now, ActorID: staff.ID}); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Authenticate returns the staff member a token belongs to. Errors: EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, secret string) (*herald.Staff, *herald.Token, error) {
	unauthorized := herald.Errorf(herald.EUNAUTHORIZED, "Invalid or expired API token.")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, nil, unauthorized
	}
	t, err := s.Store.FindTokenByHash(ctx, HashToken(secret))
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, nil, unauthorized
	} else if err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, nil, unauthorized
	}
	st, err := s.Store.FindStaffByID(ctx, t.StaffID)
	if err != nil {
		return nil, nil, err
	}
	if !st.Active() {
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "This account is disabled.")
	}
	// Record use at most once a minute, to spare the database a write per request.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := s.Store.TouchToken(ctx, t.ID, now); err != nil {
			return nil, nil, err
		}
	}
	return st, t, nil
}

// Limiter counts failed sign-ins per username and per client address in a
// sliding window. It lives in memory: a restart forgives, which is acceptable
// for a brake on guessing.
type Limiter struct {
	users, clients ratelimit.Window
}

// NewLimiter allows perUser failures per username and perClient per client in window.
func NewLimiter(perUser, perClient int, window time.Duration) *Limiter {
	return &Limiter{users: ratelimit.Window{Max: perUser, Per: window}, clients: ratelimit.Window{Max: perClient, Per: window}}
}

// Allow reports whether another attempt may be made.
func (l *Limiter) Allow(username, client string, now time.Time) bool {
	return !l.users.Full(username, now) && !l.clients.Full(client, now)
}

// Fail records a failed attempt.
func (l *Limiter) Fail(username, client string, now time.Time) {
	l.users.Add(username, now)
	l.clients.Add(client, now)
}

// Reset forgets a username's failures after a successful sign-in.
func (l *Limiter) Reset(username string) { l.users.Reset(username) }
