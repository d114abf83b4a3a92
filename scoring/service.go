package scoring

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/analytics"
	"github.com/heraldnews/herald/jobs"
)

// KindRun is the job that scores: queued at start, after changes that earn
// points, and every hour by itself.
const KindRun = "scoring.run"

// Service scores the events in a store.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	Log   *slog.Logger
	// Reads returns the pieces' reads by month for the months from (a
	// first day, CST) up to before, and the read spikes found in them,
	// which scoring flags for review; nil scores no reads.
	Reads func(ctx context.Context, from, before time.Time) ([]herald.MonthReads, []analytics.Spike, error)
}

// New returns a service that scores reads as analytics counts them,
// flagging the read spikes of analytics.DefaultSpikeRule.
func New(store herald.Store, clock herald.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{Store: store, Clock: clock, Log: log}
	s.Reads = func(ctx context.Context, from, before time.Time) ([]herald.MonthReads, []analytics.Spike, error) {
		return analytics.MonthlyReads(ctx, store, analytics.DefaultSpikeRule, from, before)
	}
	return s
}

// Facts gathers what scoring reads from the store. It flags the read
// spikes it finds first (as of now), so that the spikes it reads back hold
// every month they concern until an editor has looked.
func (s *Service) Facts(ctx context.Context, now time.Time) (Facts, error) {
	var f Facts
	var err error
	statuses := []herald.Status{herald.StatusSubmitted, herald.StatusRejected, herald.StatusApproved, herald.StatusScheduled,
		herald.StatusPublished, herald.StatusRetracted}
	if f.Articles, _, err = s.Store.FindArticles(ctx, herald.ArticleFilter{Statuses: statuses, NoBody: true, NoCount: true, Order: herald.ByID}); err != nil {
		return f, err
	}
	submits, err := s.Store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, Action: "submit"})
	if err != nil {
		return f, err
	}
	f.Submitted = map[int64]time.Time{}
	for _, ev := range submits { // oldest first: the first submission stays
		if _, seen := f.Submitted[ev.EntityID]; !seen {
			f.Submitted[ev.EntityID] = ev.At
		}
	}
	if f.Placements, _, err = s.Store.FindPlacements(ctx, herald.PlacementFilter{}); err != nil {
		return f, err
	}
	if f.Recognitions, err = s.Store.AllRecognitions(ctx); err != nil {
		return f, err
	}
	if f.Quotas, err = s.Store.AllQuotas(ctx); err != nil {
		return f, err
	}
	if s.Reads != nil {
		var found []analytics.Spike
		// up to today, so that this month's spikes are flagged for review
		// while it runs; its reads earn points only once it has ended
		if f.Reads, found, err = s.Reads(ctx, time.Time{}, herald.CSTDay(now).AddDate(0, 0, 1)); err != nil {
			return f, err
		}
		if err := s.flag(ctx, found, now); err != nil {
			return f, err
		}
	}
	f.Spikes, _, err = s.Store.FindSpikes(ctx, herald.SpikeFilter{})
	return f, err
}

// flag keeps the spikes found for review; those kept already stay as they
// are.
func (s *Service) flag(ctx context.Context, found []analytics.Spike, now time.Time) error {
	flags := make([]herald.ReadSpike, len(found))
	for i, sp := range found {
		flags[i] = sp.Flag()
	}
	n, err := s.Store.RecordSpikes(ctx, flags, now)
	if n > 0 {
		s.Log.Info("read spikes flagged", "spikes", n)
	}
	return err
}

// Run scores everything as of now and appends what the ledger lacks; it
// returns how many entries it added.
func (s *Service) Run(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	versions, err := s.Store.FindRules(ctx)
	if err != nil || len(versions) == 0 {
		return 0, err
	}
	facts, err := s.Facts(ctx, now)
	if err != nil {
		return 0, err
	}
	ledger, _, err := s.Store.FindLedger(ctx, herald.LedgerFilter{})
	if err != nil {
		return 0, err
	}
	add := Reconcile(Desired(facts, versions, now), ledger, now)
	if len(add) == 0 {
		return 0, nil
	}
	n, err := s.Store.AppendLedger(ctx, add, herald.Event{At: now, Comment: "scoring"})
	if err == nil {
		s.Log.Info("scored", "entries", n)
	}
	return n, err
}

// Queue asks for a run soon: the job is keyed by the minute, so a burst of
// changes makes one run.
func (s *Service) Queue(ctx context.Context) error {
	now := s.Clock.Now()
	return s.Store.EnqueueJobs(ctx, now, &herald.Job{Kind: KindRun, Key: "scoring/" + now.Format("2006-01-02T15:04"), RunAt: now})
}

// RunJob scores, and queues the next hourly run.
func (s *Service) RunJob(ctx context.Context, j *herald.Job) error {
	if _, err := s.Run(ctx); err != nil {
		return fmt.Errorf("scoring: %w", err)
	}
	now := s.Clock.Now()
	next := now.Truncate(time.Hour).Add(time.Hour)
	return s.Store.EnqueueJobs(ctx, now, &herald.Job{Kind: KindRun, Key: "scoring/" + next.Format("2006-01-02T15:04"), RunAt: next})
}

// RegisterJobs lets a runner run scoring jobs.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.Handle(KindRun, s.RunJob) }

// AsOf returns the facts as they stood at t: pieces not yet created left
// out, publications, retractions, reviews and withdrawals after t undone,
// and reads of months that had not ended. Read spikes count from the start,
// whenever they were flagged, as the rule finds them in any ended month;
// their reviews after t are undone.
func (f Facts) AsOf(t time.Time) Facts {
	out := Facts{Submitted: map[int64]time.Time{}}
	for _, a := range f.Articles {
		if a.CreatedAt.After(t) {
			continue
		}
		c := *a
		if c.RetractedAt != nil && c.RetractedAt.After(t) {
			c.Status, c.RetractedAt = herald.StatusPublished, nil
		}
		if c.PublishedAt != nil && c.PublishedAt.After(t) {
			c.Status, c.PublishedAt = herald.StatusApproved, nil
		}
		out.Articles = append(out.Articles, &c)
		if at, ok := f.Submitted[a.ID]; ok && !at.After(t) {
			out.Submitted[a.ID] = at
		}
	}
	for _, pl := range f.Placements {
		if pl.CreatedAt.After(t) {
			continue
		}
		c := *pl
		if c.ReviewedAt != nil && c.ReviewedAt.After(t) {
			c.Status, c.ReviewedAt = herald.PlacementPending, nil
		}
		out.Placements = append(out.Placements, &c)
	}
	for _, r := range f.Recognitions {
		if r.CreatedAt.After(t) {
			continue
		}
		c := *r
		if c.WithdrawnAt != nil && c.WithdrawnAt.After(t) {
			c.WithdrawnAt = nil
		}
		out.Recognitions = append(out.Recognitions, &c)
	}
	month := monthOf(t)
	for _, mr := range f.Reads {
		if mr.Month.Before(month) {
			out.Reads = append(out.Reads, mr)
		}
	}
	for _, sp := range f.Spikes {
		c := *sp
		if c.Status = sp.StatusAt(t); c.Status == herald.SpikeFlagged {
			c.ReviewedBy, c.ReviewedAt, c.Note = 0, nil, ""
		}
		out.Spikes = append(out.Spikes, &c)
	}
	for _, q := range f.Quotas {
		if !q.UpdatedAt.After(t) {
			out.Quotas = append(out.Quotas, q)
		}
	}
	return out
}

// Replay scores the store's history as it would have been scored had
// scoring run every step from from to to: for a store filled with past
// events at once (an import, the demo), so that each entry is dated as it
// would have been. The ledger must hold nothing dated after from (a replay
// over a ledger of later runs would undo them). Steps of at most Grace days
// date every entry in its own month. It returns how many entries it added.
func (s *Service) Replay(ctx context.Context, from, to time.Time, step time.Duration) (int, error) {
	versions, err := s.Store.FindRules(ctx)
	if err != nil || len(versions) == 0 {
		return 0, err
	}
	facts, err := s.Facts(ctx, to)
	if err != nil {
		return 0, err
	}
	ledger, _, err := s.Store.FindLedger(ctx, herald.LedgerFilter{})
	if err != nil {
		return 0, err
	}
	added := 0
	for t := from; ; t = t.Add(step) {
		if t.After(to) {
			t = to
		}
		add := Reconcile(Desired(facts.AsOf(t), versions, t), ledger, t)
		if len(add) > 0 {
			n, err := s.Store.AppendLedger(ctx, add, herald.Event{At: t.UTC().Truncate(time.Microsecond), Comment: "scoring (replay)"})
			if err != nil {
				return added, err
			}
			added += n
			ledger = append(ledger, add...) // AppendLedger gave them their IDs
		}
		if !t.Before(to) {
			return added, nil
		}
	}
}
