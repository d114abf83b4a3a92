package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/heraldnews/herald"
)

// The demo's audience grew over its year: more readers for each story, more
// followers of the microblog's accounts, more newsletter subscribers, as the
// seed page boasts ("followers and readings continued to rise"), so that a
// leader's dashboard shows the rise. Everyone in it is fictional: the
// followers live on servers under the .example TLD and the subscribers at
// example.com and example.org (RFC 2606), names that can never reach anyone.

// audienceAYearAgo is the site's audience a year before the present as a
// share of today's.
const audienceAYearAgo = 0.55

// audience is the site's audience at t as a share of today's: it grew
// steadily from audienceAYearAgo a year before now to all of it now.
func audience(now, t time.Time) float64 {
	yearAgo := min(max(now.Sub(t).Hours()/(365*24), 0), 1)
	return 1 - (1-audienceAYearAgo)*yearAgo
}

// meanAudience is audience's average over the year: dividing by it keeps the
// year's reads what they were before the audience grew.
const meanAudience = (1 + audienceAYearAgo) / 2

// historyStart is the first day of the history: the first of the month
// HistoryMonths before the present's, in China Standard Time.
func historyStart(now time.Time) time.Time {
	cst := now.In(herald.CST)
	return time.Date(cst.Year(), cst.Month(), 1, 0, 0, 0, 0, herald.CST).AddDate(0, -HistoryMonths, 0)
}

// growth is how one audience grew over the history: its size at the start
// and now, and the share of everyone who joined that left again.
type growth struct {
	atStart, now int
	leaving      float64
}

// membership is one member of an audience: when they joined and, if they
// did, when they left.
type membership struct {
	joined, left time.Time
}

// memberships draws the members of an audience that grew as g says from
// start to now: those there at the start joined in the year before it; the
// newcomers came at a rate that grew with the site's audience; and a share of
// all of them left some time after joining (none before start), so that g's
// sizes hold exactly at start and now. Members come in the order they joined.
func (g growth) memberships(rng *rand.Rand, start, now time.Time) []membership {
	leavers := int(g.leaving*float64(g.now)/(1-g.leaving) + 0.5)
	members := make([]membership, 0, g.now+leavers)
	for range g.atStart {
		members = append(members, membership{joined: start.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))})
	}
	span := now.Add(-time.Hour).Sub(start)
	for len(members) < g.now+leavers {
		at := start.Add(time.Duration(rng.Int64N(int64(span))))
		if rng.Float64() < audience(now, at) { // busier as the audience grows
			members = append(members, membership{joined: at})
		}
	}
	for _, i := range rng.Perm(len(members))[:leavers] {
		from := latest(members[i].joined, start).Add(time.Hour)
		members[i].left = from.Add(time.Duration(rng.Int64N(int64(now.Sub(from)))))
	}
	slices.SortFunc(members, func(a, b membership) int { return a.joined.Compare(b.joined) })
	return members
}

// englishActor is the microblog account of the site's English stories:
// activitypub names a language's account "site_" and its primary subtag.
const englishActor = herald.SiteActor + "_en"

// followerGrowth is how the followers of the microblog's accounts grew.
var followerGrowth = []struct {
	actor string
	growth
}{
	{herald.SiteActor, growth{atStart: 150, now: 1100, leaving: 0.1}},
	{englishActor, growth{atStart: 25, now: 190, leaving: 0.1}},
}

// fediverseServers are the fictional servers the followers are on, by
// weight. Their names are under .example, which the ActivityPub client
// refuses at once: the sends a publication queues for them fail at once
// instead of being retried for hours.
var fediverseServers = []struct {
	host   string
	weight int
}{
	{"social.example", 40}, {"mastodon.example", 25}, {"fedi.example", 15}, {"law.social.example", 12}, {"misskey.example", 8},
}

// Pinyin names make the fictional followers' and subscribers' handles.
var (
	surnames   = []string{"wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo"}
	givenNames = []string{"wei", "fang", "na", "min", "jing", "lei", "qiang", "yan", "jie", "tao", "ming", "hui", "juan", "yong", "xia", "ping", "gang", "hong", "lan", "bo"}
)

// handle is the n-th fictional reader's name, unique by n.
func handle(rng *rand.Rand, n int) string {
	return fmt.Sprintf("%s%s%d", surnames[rng.IntN(len(surnames))], givenNames[rng.IntN(len(givenNames))], 100+n)
}

// change is one thing an audience member did at a time; the store replays
// follows and subscriptions in the order they were recorded, so they are
// recorded in the order of their times.
type change struct {
	at time.Time
	do func() error
}

// apply records changes in the order of their times.
func apply(changes []change) error {
	slices.SortStableFunc(changes, func(a, b change) int { return a.at.Compare(b.at) })
	for _, c := range changes {
		if err := c.do(); err != nil {
			return err
		}
	}
	return nil
}

// seedFollowers gives the microblog's accounts the followers they gathered
// over the year, with those who unfollowed, as the inbox would have recorded
// them (the Accepts are long sent: no jobs).
func seedFollowers(ctx context.Context, s herald.FediverseStore, now time.Time) error {
	rng := rand.New(rand.NewPCG(2026, 3001))
	total := 0
	for _, srv := range fediverseServers {
		total += srv.weight
	}
	var changes []change
	n := 0
	for _, fg := range followerGrowth {
		for _, m := range fg.memberships(rng, historyStart(now), now) {
			x := rng.IntN(total)
			srv := fediverseServers[0]
			for _, sv := range fediverseServers {
				if x -= sv.weight; x < 0 {
					srv = sv
					break
				}
			}
			n++
			account := "https://" + srv.host + "/users/" + handle(rng, n)
			f := &herald.Follower{Actor: fg.actor, Account: account, Inbox: account + "/inbox", SharedInbox: "https://" + srv.host + "/inbox",
				FollowID: fmt.Sprintf("https://%s/follows/%d", srv.host, 7000+n), CreatedAt: m.joined.UTC().Truncate(time.Microsecond)}
			changes = append(changes, change{at: f.CreatedAt, do: func() error {
				_, err := s.AddFollower(ctx, f, nil)
				return err
			}})
			if !m.left.IsZero() {
				left := m.left.UTC().Truncate(time.Microsecond)
				changes = append(changes, change{at: left, do: func() error {
					_, err := s.RemoveFollower(ctx, f.Actor, f.Account, left)
					return err
				}})
			}
		}
	}
	if err := apply(changes); err != nil {
		return fmt.Errorf("followers: %w", err)
	}
	return nil
}

// subscriberGrowth is how the newsletter's confirmed subscribers grew.
var subscriberGrowth = growth{atStart: 300, now: 1800, leaving: 0.12}

// neverConfirmed is the share of subscription requests whose confirmation
// link was never followed: they stay pending.
const neverConfirmed = 0.06

// seedSubscribers gives the newsletter the subscribers it gathered over the
// year: each asked, confirmed by the mailed link minutes to a day later, and
// some unsubscribed since; a few never confirmed. Their confirmation mails
// are long sent (no jobs).
func seedSubscribers(ctx context.Context, s herald.SubscriberStore, now time.Time, columns map[string]*herald.Column,
	themes map[string]*herald.Theme) error {
	rng := rand.New(rand.NewPCG(2026, 3002))
	var columnIDs, themeIDs []int64
	for _, slug := range sortedKeys(columns) {
		columnIDs = append(columnIDs, columns[slug].ID)
	}
	for _, slug := range sortedKeys(themes) {
		themeIDs = append(themeIDs, themes[slug].ID)
	}
	ids := map[string]int64{} // by address, once subscribed
	var changes []change
	members := subscriberGrowth.memberships(rng, historyStart(now), now)
	for n := range len(members) + int(neverConfirmed*float64(len(members))) {
		name := handle(rng, n)
		email := name + "@" + []string{"example.com", "example.org"}[rng.IntN(2)]
		prefs := subscriberPrefs(rng, columnIDs, themeIDs)
		var m membership
		if n < len(members) {
			m = members[n]
		} else { // asked and never confirmed
			m.joined = historyStart(now).Add(time.Duration(rng.Int64N(int64(now.Sub(historyStart(now))))))
		}
		asked := m.joined.UTC().Truncate(time.Microsecond)
		changes = append(changes, change{at: asked, do: func() error {
			sub, err := s.UpdateSubscriberByEmail(ctx, email, func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
				sub.SubscriptionPrefs, sub.Status = prefs, herald.SubscriberPending
				sub.RequestedAt, sub.ConfirmationsSent = &asked, []time.Time{asked}
				return herald.SubscriberChange{Event: herald.Event{At: asked, Action: "subscribe"}}, nil
			})
			if err != nil {
				return err
			}
			ids[email] = sub.ID
			return nil
		}})
		if n >= len(members) {
			continue
		}
		confirmed := asked.Add(time.Duration(2+rng.IntN(24*60)) * time.Minute)
		if m.left.IsZero() && confirmed.After(now) || !m.left.IsZero() && !confirmed.Before(m.left) {
			confirmed = asked.Add(time.Minute)
		}
		changes = append(changes, change{at: confirmed, do: func() error {
			return updateSubscriber(ctx, s, ids[email], func(sub *herald.Subscriber) {
				sub.Status, sub.ConfirmedAt = herald.SubscriberActive, &confirmed
			}, herald.Event{At: confirmed, Action: "confirm"})
		}})
		if !m.left.IsZero() {
			left := m.left.UTC().Truncate(time.Microsecond)
			changes = append(changes, change{at: left, do: func() error {
				return updateSubscriber(ctx, s, ids[email], func(sub *herald.Subscriber) {
					sub.Status, sub.UnsubscribedAt = herald.SubscriberUnsubscribed, &left
				}, herald.Event{At: left, Action: "unsubscribe"})
			}})
		}
	}
	if err := apply(changes); err != nil {
		return fmt.Errorf("subscribers: %w", err)
	}
	return nil
}

// updateSubscriber changes a known subscriber as set says, recording ev.
func updateSubscriber(ctx context.Context, s herald.SubscriberStore, id int64, set func(*herald.Subscriber), ev herald.Event) error {
	_, err := s.UpdateSubscriber(ctx, id, func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
		set(sub)
		return herald.SubscriberChange{Event: ev}, nil
	})
	return err
}

// subscriberPrefs is what a fictional reader asked for: most every story or
// a daily digest of everything, in Chinese; some a weekly digest, English, or
// a column or a theme or two.
func subscriberPrefs(rng *rand.Rand, columnIDs, themeIDs []int64) herald.SubscriptionPrefs {
	p := herald.SubscriptionPrefs{Frequency: herald.FrequencyEach, Language: herald.DefaultLanguage}
	switch r := rng.IntN(100); {
	case r < 35:
		p.Frequency = herald.FrequencyDaily
	case r < 55:
		p.Frequency = herald.FrequencyWeekly
	}
	if rng.IntN(100) < 7 {
		p.Language = "en"
	}
	if rng.IntN(100) < 25 {
		for range 1 + rng.IntN(2) {
			p.ColumnIDs = append(p.ColumnIDs, columnIDs[rng.IntN(len(columnIDs))])
		}
		if rng.IntN(2) == 0 {
			p.ThemeIDs = append(p.ThemeIDs, themeIDs[rng.IntN(len(themeIDs))])
		}
	}
	p.Normalize()
	return p
}
