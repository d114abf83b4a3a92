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
	return &Service{Store: store, Clock: clock, Limiter: NewLimiter(store, 5, 20, 15*time.Minute)}
}

// dummyHash is checked when the username is unknown, so that the answer takes
// as long as for a known one.
var dummyHash, _ = HashPassword("not-a-real-password")

// Login checks a username and password. Errors: EUNAUTHORIZED (wrong or
// disabled), ERATELIMITED (too many failures).
func (s *Service) Login(ctx context.Context, username, password, client string) (*herald.Staff, error) {
	now := s.Clock.Now()
	username = strings.ToLower(strings.TrimSpace(username))
	if err := s.mayTry(ctx, username, client, now); err != nil {
		return nil, err
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{Username: username})
	if err != nil {
		return nil, err
	}
	if len(staff) == 0 {
		CheckPassword(dummyHash, password)
		return nil, s.failed(ctx, username, client, now, herald.Errorf(herald.EUNAUTHORIZED, "Wrong username or password."))
	}
	st := staff[0]
	if !CheckPassword(st.PasswordHash, password) {
		return nil, s.failed(ctx, username, client, now, herald.Errorf(herald.EUNAUTHORIZED, "Wrong username or password."))
	}
	if !st.Active() {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "This account is disabled.")
	}
	if st.TOTPSecret == "" { // else the failures count on until the code is right too
		if err := s.Limiter.Reset(ctx, username); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// mayTry refuses a sign-in attempt past the limit with ERATELIMITED.
func (s *Service) mayTry(ctx context.Context, username, client string, now time.Time) error {
	ok, err := s.Limiter.Allow(ctx, username, client, now)
	if err == nil && !ok {
		err = herald.Errorf(herald.ERATELIMITED, "Too many failed sign-ins; try again in a few minutes.")
	}
	return err
}

// failed records a failed attempt and returns refusal, or the store's error
// if the failure could not be counted (an attempt that is not counted is
// not answered).
func (s *Service) failed(ctx context.Context, username, client string, now time.Time, refusal error) error {
	if err := s.Limiter.Fail(ctx, username, client, now); err != nil {
		return err
	}
	return refusal
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
// sliding window kept in the database, so that the limit holds whichever
// server a guess reaches.
type Limiter struct {
	users, clients ratelimit.Window
}

// NewLimiter allows perUser failures per username and perClient per client in window.
func NewLimiter(store herald.RateStore, perUser, perClient int, window time.Duration) *Limiter {
	return &Limiter{users: ratelimit.Window{Store: store, Name: "signin-user", Max: perUser, Per: window},
		clients: ratelimit.Window{Store: store, Name: "signin-client", Max: perClient, Per: window}}
}

// Allow reports whether another attempt may be made.
func (l *Limiter) Allow(ctx context.Context, username, client string, now time.Time) (bool, error) {
	full, err := l.users.Full(ctx, username, now)
	if full || err != nil {
		return false, err
	}
	full, err = l.clients.Full(ctx, client, now)
	return !full && err == nil, err
}

// Fail records a failed attempt, under both keys in one transaction.
func (l *Limiter) Fail(ctx context.Context, username, client string, now time.Time) error {
	return l.users.Store.AddRate(ctx, now, l.users.Key(username), l.clients.Key(client))
}

// Reset forgets a username's failures after a successful sign-in.
func (l *Limiter) Reset(ctx context.Context, username string) error {
	return l.users.Reset(ctx, username)
}
