package sqlstore

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
)

// TakeRate records an event of key at now if fewer than max were recorded in
// the span per before now. Two servers taking the last event at the same
// instant may both get it: a brake, not a ledger.
func (s *Store) TakeRate(ctx context.Context, key string, max int, per time.Duration, now time.Time) (taken bool, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		n, err := s.countRate(tx, key, per, now)
		if err != nil || n >= max {
			return err
		}
		taken = true
		return s.addRate(tx, now, key)
	})
	return taken, err
}

// CountRate returns how many events of key were recorded in the span per
// before now.
func (s *Store) CountRate(ctx context.Context, key string, per time.Duration, now time.Time) (n int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		n, err = s.countRate(tx, key, per, now)
		return err
	})
	return n, err
}

// AddRate records an event at now for each key.
func (s *Store) AddRate(ctx context.Context, now time.Time, keys ...string) error {
	return s.write(ctx, func(tx *Tx) error { return s.addRate(tx, now, keys...) })
}

// ResetRate forgets key's events.
func (s *Store) ResetRate(ctx context.Context, key string) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`DELETE FROM rate_events WHERE rate_key = ?`, key)
		return err
	})
}

func (s *Store) countRate(tx *Tx, key string, per time.Duration, now time.Time) (n int, err error) {
	err = tx.queryRow(`SELECT COUNT(*) FROM rate_events WHERE rate_key = ? AND at > ?`, key, s.t(now.Add(-per))).Scan(&n)
	return n, err
}

// addRate records the events and drops those past the longest span, so the
// table holds at most a day of them.
func (s *Store) addRate(tx *Tx, now time.Time, keys ...string) error {
	for _, key := range keys {
		if _, err := tx.exec(`INSERT INTO rate_events (rate_key, at) VALUES (?, ?)`, key, s.t(now)); err != nil {
			return err
		}
	}
	_, err := tx.exec(`DELETE FROM rate_events WHERE at <= ?`, s.t(now.Add(-herald.MaxRateSpan)))
	return err
}
