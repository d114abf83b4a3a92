package training

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/heraldnews/herald"
)

// A check-in code is the URL of the check-in page for a session, carrying
// the time window it was made in and an HMAC-SHA256 of (session, window)
// under a key kept in the store. The organiser's screen shows a new code
// every window; a code is accepted in its window and the next, so a code
// scanned just before it changes still works while a photo of it sent to
// someone outside the room stops working within a minute.

// Window is how long one code is shown.
const Window = 30 * time.Second

// tokenBytes is how much of the MAC a code carries: 128 bits cannot be
// guessed, and a short URL makes a QR code that phones read from the back of
// a room.
const tokenBytes = 16

// Code is one check-in code.
type Code struct {
	SessionID int64
	Window    int64     // the number of the 30-second window since the Unix epoch
	Token     string    // base64url of the MAC
	Expires   time.Time // when the next code replaces it on the screen
}

// Path is the check-in page the code leads to, under the newsroom.
func (c Code) Path() string {
	return "/newsroom/training/checkin/" + strconv.FormatInt(c.SessionID, 10) + "?" +
		url.Values{"w": {strconv.FormatInt(c.Window, 10)}, "t": {c.Token}}.Encode()
}

func windowOf(t time.Time) int64 { return t.Unix() / int64(Window/time.Second) }

func (s *Service) key(ctx context.Context) ([]byte, error) {
	return s.Store.TrainingKey(ctx, s.Clock.Now(), s.newKey)
}

func sign(key []byte, sessionID, window int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("herald-checkin\x00" + strconv.FormatInt(sessionID, 10) + "\x00" + strconv.FormatInt(window, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:tokenBytes])
}

// CurrentCode is the code the organiser's screen shows now for a session.
// Only organisers see codes. Errors: EFORBIDDEN, ENOTFOUND.
func (s *Service) CurrentCode(ctx context.Context, actor *herald.Staff, sessionID int64) (Code, error) {
	if err := mustOrganise(actor, "show check-in codes"); err != nil {
		return Code{}, err
	}
	if _, err := s.Store.FindTrainingSessionByID(ctx, sessionID); err != nil {
		return Code{}, err
	}
	key, err := s.key(ctx)
	if err != nil {
		return Code{}, err
	}
	w := windowOf(s.Clock.Now())
	return Code{SessionID: sessionID, Window: w, Token: sign(key, sessionID, w), Expires: time.Unix((w+1)*int64(Window/time.Second), 0).UTC()}, nil
}

// VerifyCode checks a scanned code: its MAC first (a forged or altered
// code is refused as such, whatever its window), then its age. Errors:
// EINVALID with a message for the participant.
func (s *Service) VerifyCode(ctx context.Context, sessionID, window int64, token string) error {
	key, err := s.key(ctx)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(token), []byte(sign(key, sessionID, window))) {
		return refuse(RefusedForged, herald.Invalid("t", "This is not a check-in code of this session: scan the code shown on the screen in the room."))
	}
	now := windowOf(s.Clock.Now())
	switch {
	case window > now:
		// a code from the future was never shown: the clock of whoever
		// made it was not Herald's
		return refuse(RefusedForged, herald.Invalid("t", "This check-in code is not valid yet: scan the code shown on the screen in the room."))
	case window < now-1:
		return refuse(RefusedExpired, herald.Invalid("t", "This check-in code has expired (the code on the screen changes every 30 seconds): scan it again."))
	}
	return nil
}

// CheckIn records that actor attended a session, from a code they scanned:
// only with a valid, current code, only while check-in is open, only for
// the course's approved participants, and once. Errors: EINVALID (a forged
// or expired code), EFORBIDDEN (not a participant), ECONFLICT (check-in
// closed; checked in already, saying when).
func (s *Service) CheckIn(ctx context.Context, actor *herald.Staff, sessionID, window int64, token string) (*herald.TrainingSession, *herald.Attendance, error) {
	if actor == nil || !actor.Active() {
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "Sign in to check in.")
	}
	ts, err := s.Store.FindTrainingSessionByID(ctx, sessionID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.VerifyCode(ctx, sessionID, window, token); err != nil {
		return ts, nil, err
	}
	now := s.Clock.Now()
	if !ts.CheckinOpen(now) {
		if now.Before(ts.StartsAt) {
			return ts, nil, refuse(RefusedNotOpen, herald.Errorf(herald.ECONFLICT, "Check-in to %s opens at %s.", describe(ts),
				ts.StartsAt.Add(-herald.CheckinMargin).In(herald.CST).Format("15:04")))
		}
		return ts, nil, refuse(RefusedClosed, herald.Errorf(herald.ECONFLICT, "Check-in to %s has closed.", describe(ts)))
	}
	if ok, err := s.approved(ctx, ts.CourseID, actor.ID); err != nil {
		return ts, nil, err
	} else if !ok {
		return ts, nil, refuse(RefusedNotParticipant, herald.Errorf(herald.EFORBIDDEN, "You are not an approved participant of this course: ask the organisers."))
	}
	a, err := s.record(ctx, ts, &herald.Attendance{SessionID: sessionID, StaffID: actor.ID, Method: herald.AttendanceQR}, s.event(actor))
	return ts, a, err
}

// Why a check-in was refused, for pages that say it in the reader's language.
const (
	RefusedForged         = "forged"          // not a code Herald made for this session
	RefusedExpired        = "expired"         // a code older than a minute
	RefusedNotOpen        = "not_open"        // before check-in opens
	RefusedClosed         = "closed"          // after it closed
	RefusedNotParticipant = "not_participant" // no approved place on the course
	RefusedAlready        = "already"         // checked in before
)

// Refusal is a refused check-in: a herald error with its reason.
type Refusal struct {
	Reason string
	err    *herald.Error
}

func refuse(reason string, err *herald.Error) error {
	return &Refusal{Reason: reason, err: err}
}

func (r *Refusal) Error() string { return r.err.Error() }

// Unwrap gives the herald error, whose code and message are the refusal's.
func (r *Refusal) Unwrap() error { return r.err }

// RefusalReason is the reason a check-in was refused, "" for any other error.
func RefusalReason(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}
