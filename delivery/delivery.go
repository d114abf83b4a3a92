// Package delivery carries each published story to every channel its editor
// picked: the microblog, the public account's subscribers, partner newspapers.
// Each channel is a package of its own implementing Channel; a Service holds
// the registry and runs two kinds of job on the durable queue:
//
//   - a plan job, queued by the workflow in the very transaction that
//     publishes, corrects or retracts an article, asks each channel of the
//     article where it goes (its targets) and plans one delivery per
//     (article, channel, target) with the action to take there;
//   - a deliver job per delivery carries the action out and records the
//     outcome: sent (with the external ID and URL), retrying, or failed.
//
// A correction or retraction re-aims the same deliveries at an update or a
// delete, which follow the original to each channel that supports them. Jobs
// may run twice after a crash, so both are idempotent: planning an action
// already planned changes nothing, and a deliver job whose delivery has moved
// on to a newer action, or has already been sent, does nothing.
package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/jobs"
)

// Job kinds this package runs.
const (
	KindPlan    = "delivery.plan"
	KindDeliver = "delivery.deliver"
)

// Channel carries articles to one of the channels beyond the portal.
type Channel interface {
	// Name is the channel served.
	Name() herald.Channel
	// Targets lists where an article goes on this channel (the site's actor
	// and its column's, a mailing list); none means nowhere.
	Targets(ctx context.Context, a *herald.Article) ([]string, error)
	// Supports reports whether the channel can carry an action: some cannot
	// change or take back what they sent.
	Supports(action string) bool
	// Deliver carries out d.Action for article a (as it is now) at d.Target.
	// It must be idempotent: it may be called again for the same delivery and
	// action after a crash. Errors that trying again cannot mend are marked
	// with jobs.Permanent or carry a herald code (jobs.IsPermanent).
	Deliver(ctx context.Context, d *herald.Delivery, a *herald.Article) (Result, error)
}

// Result identifies what a delivery made out there.
type Result struct {
	ExternalID  string // the post's, message's or item's identity at the other end
	ExternalURL string // where a person can see it, if anywhere
}

// Service is the registry of channels and the handler of delivery jobs.
type Service struct {
	store    herald.Store
	clock    herald.Clock
	channels map[herald.Channel]Channel
	// Queued, if set, is called after the service queues jobs, so that an idle
	// runner looks at once.
	Queued func()
	// Attempted, if set, is told how each attempt to carry out a delivery
	// ended — DeliverySent, DeliveryRetrying or DeliveryFailed — and on which
	// channel, a registered one: the metrics count deliveries by them. It is
	// called after the attempt's record is written (not when writing fails:
	// the job runs again, and so does the attempt), from the job runner's
	// workers, so it must be safe for concurrent use.
	Attempted func(channel herald.Channel, outcome herald.DeliveryStatus)
}

// New returns a service with no channels.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{store: store, clock: clock, channels: map[herald.Channel]Channel{}}
}

// Register adds a channel; one per channel name.
func (s *Service) Register(c Channel) {
	if _, dup := s.channels[c.Name()]; dup {
		panic(fmt.Sprintf("delivery: channel %s registered twice", c.Name()))
	}
	s.channels[c.Name()] = c
}

// Channels returns the names of the registered channels, in display order.
func (s *Service) Channels() []herald.Channel {
	var out []herald.Channel
	for _, c := range herald.Channels {
		if s.channels[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// RegisterJobs adds the service's job handlers to a runner.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Handle(KindPlan, s.plan)
	r.Handle(KindDeliver, s.deliver)
}

// planPayload is a plan job's payload.
type planPayload struct {
	Article int64  `json:"article"`
	Version int    `json:"version"`
	Action  string `json:"action"`
}

// Follow returns the plan job for a change of an article from status from to
// its current state, if the change concerns the channels: publication plans
// creates, a correction of a published article updates, a retraction deletes.
// The workflow queues it in the transaction of the change (workflow.Service.Follow).
func Follow(from herald.Status, a *herald.Article) []*herald.Job {
	var action string
	switch {
	case a.Status == herald.StatusPublished && from != herald.StatusPublished:
		action = herald.ActionCreate
	case a.Status == herald.StatusPublished:
		action = herald.ActionUpdate
	case a.Status == herald.StatusRetracted && from == herald.StatusPublished:
		action = herald.ActionDelete
	default:
		return nil
	}
	p, _ := json.Marshal(planPayload{Article: a.ID, Version: a.Version, Action: action})
	return []*herald.Job{{Kind: KindPlan, Key: fmt.Sprintf("%s/%d/%d/%s", KindPlan, a.ID, a.Version, action), Payload: p}}
}

// plan plans the deliveries of one action on an article. A publication goes
// to the targets of each of its channels; an update or delete follows the
// original wherever it went. A correction that adds a channel creates there,
// and one that takes a channel off deletes what was sent there.
func (s *Service) plan(ctx context.Context, j *herald.Job) error {
	var p planPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return herald.Errorf(herald.EINVALID, "plan job %d: %v", j.ID, err)
	}
	a, err := s.store.FindArticleByID(ctx, p.Article)
	if err != nil {
		return err
	}
	past, _, err := s.store.FindDeliveries(ctx, herald.DeliveryFilter{ArticleID: a.ID})
	if err != nil {
		return err
	}
	sent := map[herald.Channel][]string{} // targets that hold the article now
	for _, d := range past {
		if d.Action != herald.ActionDelete && d.Status != herald.DeliveryCancelled {
			sent[d.Channel] = append(sent[d.Channel], d.Target)
		}
	}
	now := s.clock.Now()
	queued := false
	for _, name := range s.Channels() {
		c := s.channels[name]
		wanted := slices.Contains(a.Channels, name)
		var plans []*herald.Delivery
		add := func(action string, targets ...string) {
			if !c.Supports(action) {
				return
			}
			for _, target := range targets {
				plans = append(plans, &herald.Delivery{ArticleID: a.ID, Channel: name, Target: target, Action: action, Version: p.Version, UpdatedAt: now})
			}
		}
		switch {
		case p.Action == herald.ActionDelete || !wanted:
			add(herald.ActionDelete, sent[name]...)
		case p.Action == herald.ActionUpdate && len(sent[name]) > 0:
			add(herald.ActionUpdate, sent[name]...)
		default: // a publication, or a channel added by a correction
			targets, err := c.Targets(ctx, a)
			if err != nil {
				return fmt.Errorf("%s targets: %w", name, err)
			}
			add(herald.ActionCreate, targets...)
		}
		for _, want := range plans {
			if _, err := s.store.PlanDelivery(ctx, want, deliverJob); err != nil {
				return err
			}
			queued = true
		}
	}
	if queued && s.Queued != nil {
		s.Queued()
	}
	return nil
}

// deliverPayload is a deliver job's payload.
type deliverPayload struct {
	Delivery int64  `json:"delivery"`
	Action   string `json:"action"`
	Version  int    `json:"version"`
}

// deliverJob is the job that carries out a delivery's current action.
func deliverJob(d *herald.Delivery) *herald.Job {
	p, _ := json.Marshal(deliverPayload{Delivery: d.ID, Action: d.Action, Version: d.Version})
	return &herald.Job{Kind: KindDeliver, Key: fmt.Sprintf("%s/%d/%d/%s", KindDeliver, d.ID, d.Version, d.Action), Payload: p}
}

// deliver carries out one delivery and records how it went.
func (s *Service) deliver(ctx context.Context, j *herald.Job) error {
	var p deliverPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return herald.Errorf(herald.EINVALID, "deliver job %d: %v", j.ID, err)
	}
	d, err := s.store.FindDeliveryByID(ctx, p.Delivery)
	if err != nil {
		return err
	}
	if d.Action != p.Action || d.Version != p.Version || d.Status == herald.DeliverySent {
		return nil // overtaken by a newer action, or done already
	}
	c := s.channels[d.Channel]
	if c == nil {
		return herald.Errorf(herald.EINVALID, "The %s channel is not enabled on this server.", d.Channel)
	}
	a, err := s.store.FindArticleByID(ctx, d.ArticleID)
	if err != nil {
		return err
	}
	res, deliverErr := c.Deliver(ctx, d, a)
	final := deliverErr == nil || j.Attempts >= j.MaxAttempts || jobs.IsPermanent(deliverErr)
	outcome := herald.DeliveryRetrying
	switch {
	case deliverErr == nil:
		outcome = herald.DeliverySent
	case final:
		outcome = herald.DeliveryFailed
	}
	_, err = s.store.UpdateDelivery(ctx, d.ID, func(cur *herald.Delivery) error {
		if cur.Action != p.Action || cur.Version != p.Version {
			return nil // re-aimed meanwhile: its own job records its outcome
		}
		now := s.clock.Now()
		cur.Attempts++
		cur.UpdatedAt = now
		cur.Status = outcome
		if deliverErr == nil {
			cur.LastError, cur.SentAt = "", &now
			if res.ExternalID != "" {
				cur.ExternalID = res.ExternalID
			}
			if res.ExternalURL != "" {
				cur.ExternalURL = res.ExternalURL
			}
		} else {
			cur.LastError = herald.JobError(deliverErr)
		}
		return nil
	})
	if err != nil {
		return err // not counted: the job runs again, and that attempt is
	}
	if s.Attempted != nil {
		s.Attempted(d.Channel, outcome)
	}
	return deliverErr
}

// JobChanged keeps a delivery in step with what an editor did to its job: a
// cancelled job calls the delivery off; a retried one makes a failed or
// cancelled delivery pending again. Other jobs, and jobs of an action the
// delivery has moved on from, change nothing.
func (s *Service) JobChanged(ctx context.Context, j *herald.Job) error {
	if j.Kind != KindDeliver {
		return nil
	}
	var p deliverPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return herald.Errorf(herald.EINVALID, "deliver job %d: %v", j.ID, err)
	}
	_, err := s.store.UpdateDelivery(ctx, p.Delivery, func(d *herald.Delivery) error {
		if d.Action != p.Action || d.Version != p.Version {
			return nil
		}
		switch {
		case j.Status == herald.JobCancelled && d.Status != herald.DeliverySent:
			d.Status = herald.DeliveryCancelled
		case j.Status == herald.JobQueued && (d.Status == herald.DeliveryFailed || d.Status == herald.DeliveryCancelled):
			d.Status = herald.DeliveryPending
		default:
			return nil
		}
		d.UpdatedAt = s.clock.Now()
		return nil
	})
	return err
}
