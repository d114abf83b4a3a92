package demo

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/sqlite"
)

// The same present makes the same followers and subscribers, and a seed
// without the history has none of them.
func TestAudienceIsDeterministic(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	seed := func(name string) (followers []herald.Follower, subscribers []herald.Subscriber) {
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		err = sqlite.Unsynced(ctx, s, func() error {
			if _, err := Seed(ctx, s, now, WithoutHistory()); err != nil {
				return err
			}
			if fs, n, _ := s.FindFollowers(ctx, herald.SiteActor, 1, 0); n != 0 {
				t.Errorf("without the history: %d followers (%v)", n, fs)
			}
			if _, n, _ := s.FindSubscribers(ctx, herald.SubscriberFilter{Limit: 1}); n != 0 {
				t.Errorf("without the history: %d subscribers", n)
			}
			cols, _ := s.FindColumns(ctx)
			themes, _ := s.FindThemes(ctx)
			columns, themeMap := map[string]*herald.Column{}, map[string]*herald.Theme{}
			for _, c := range cols {
				columns[c.Slug] = c
			}
			for _, th := range themes {
				themeMap[th.Slug] = th
			}
			if err := seedFollowers(ctx, s, now); err != nil {
				return err
			}
			return seedSubscribers(ctx, s, now, columns, themeMap)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, fg := range followerGrowth {
			fs, _, err := s.FindFollowers(ctx, fg.actor, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				followers = append(followers, *f)
			}
		}
		subs, _, err := s.FindSubscribers(ctx, herald.SubscriberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range subs {
			subscribers = append(subscribers, *sub)
		}
		return followers, subscribers
	}
	f1, s1 := seed("a.db")
	f2, s2 := seed("b.db")
	if len(f1) < 1000 || len(s1) < 1800 {
		t.Fatalf("%d followers, %d subscribers", len(f1), len(s1))
	}
	if !slices.EqualFunc(f1, f2, func(a, b herald.Follower) bool { return a.Account == b.Account && a.CreatedAt.Equal(b.CreatedAt) }) {
		t.Error("the same present made different followers")
	}
	if !slices.EqualFunc(s1, s2, func(a, b herald.Subscriber) bool {
		return a.Email == b.Email && a.Status == b.Status && a.CreatedAt.Equal(b.CreatedAt) && a.Frequency == b.Frequency
	}) {
		t.Error("the same present made different subscribers")
	}
}
