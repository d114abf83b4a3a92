package newsletter

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Digests go out at DigestHour, China Standard Time: the daily one every
// morning with the stories of the 24 hours before, the weekly one on Monday
// mornings with those of the week before. Periods meet without gap or
// overlap, so every story is in exactly one digest of each kind.
const (
	DigestHour = 7
	// MaxDigestStories bounds a digest; the newest are kept.
	MaxDigestStories = 50
)

// periodLayout is the date in a period's name: the day its digest goes out.
const periodLayout = "2006-01-02"

// periodLength is how long a digest's period is (CST keeps no summer time).
func periodLength(f herald.Frequency) time.Duration {
	if f == herald.FrequencyWeekly {
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// periodName names the period that ends at until: "daily/2026-11-25".
func periodName(f herald.Frequency, until time.Time) string {
	return string(f) + "/" + until.In(herald.CST).Format(periodLayout)
}

// parsePeriod reads a period's name back into its frequency and bounds.
func parsePeriod(name string) (f herald.Frequency, from, until time.Time, err error) {
	kind, day, _ := strings.Cut(name, "/")
	f = herald.Frequency(kind)
	d, perr := time.ParseInLocation(periodLayout, day, herald.CST)
	if perr != nil || (f != herald.FrequencyDaily && f != herald.FrequencyWeekly) ||
		f == herald.FrequencyWeekly && d.Weekday() != time.Monday {
		return "", time.Time{}, time.Time{}, herald.Invalid("period", "must be daily/YYYY-MM-DD or weekly/YYYY-MM-DD (a Monday)")
	}
	until = d.Add(DigestHour * time.Hour).UTC()
	return f, until.Add(-periodLength(f)), until, nil
}

// nextDigest is when the first digest of a frequency after now goes out.
func nextDigest(f herald.Frequency, now time.Time) time.Time {
	y, m, d := now.In(herald.CST).Date()
	t := time.Date(y, m, d, DigestHour, 0, 0, 0, herald.CST)
	if f == herald.FrequencyWeekly {
		t = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) // back to Monday
	}
	for !t.After(now) {
		t = t.Add(periodLength(f))
	}
	return t.UTC()
}

// digestPayload is a digest job's payload.
type digestPayload struct {
	Period string `json:"period"`
}

// digestJob is the job that sends the digests of the period ending at until,
// due then.
func digestJob(f herald.Frequency, until time.Time) *herald.Job {
	name := periodName(f, until)
	b, _ := json.Marshal(digestPayload{Period: name})
	return &herald.Job{Kind: KindDigest, Key: KindDigest + "/" + name, Payload: b, RunAt: until}
}

// QueueDigests queues the coming daily and weekly digest jobs, unless they
// are queued already; each digest job then queues the next. Call it when a
// server starts.
func (s *Service) QueueDigests(ctx context.Context) error {
	now := s.clock.Now()
	return s.store.EnqueueJobs(ctx, now, digestJob(herald.FrequencyDaily, nextDigest(herald.FrequencyDaily, now)),
		digestJob(herald.FrequencyWeekly, nextDigest(herald.FrequencyWeekly, now)))
}

// runDigest queues the next period's job, then one digest mail per
// subscriber of the frequency for whom the period has matching stories. A
// digest whose successor is already due (the servers were down) is skipped:
// readers get the latest one, not a pile of old ones.
func (s *Service) runDigest(ctx context.Context, j *herald.Job) error {
	var p digestPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return herald.Errorf(herald.EINVALID, "digest job %d: %v", j.ID, err)
	}
	freq, from, until, err := parsePeriod(p.Period)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	next := until.Add(periodLength(freq))
	if err := s.store.EnqueueJobs(ctx, now, digestJob(freq, next)); err != nil {
		return err
	}
	if !now.Before(next) {
		s.log.Warn("newsletter digest skipped: the next one is due already", "period", p.Period)
		return nil
	}
	after := from.Add(-time.Microsecond) // the filter is strict; the period includes its start
	stories, _, err := s.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished},
		PublishedAfter: &after, PublishedBefore: &until, Order: herald.ByPublished, NoBody: true, NoCount: true, Limit: 1000})
	if err != nil || len(stories) == 0 {
		return err
	}
	n, err := s.queueForActive(ctx, freq, func(sub *herald.Subscriber) *herald.Job {
		var ids []int64
		for _, a := range stories {
			if len(ids) < MaxDigestStories && sub.Wants(a) {
				ids = append(ids, a.ID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		return mailPayload{Kind: herald.MailDigest, Subscriber: sub.ID, Period: p.Period, Articles: ids, At: until}.job()
	})
	if n > 0 {
		s.queued()
	}
	return err
}
