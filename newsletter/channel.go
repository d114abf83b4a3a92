package newsletter

import (
	"context"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
)

var _ delivery.Channel = (*Service)(nil)

// Name is the channel the newsletter serves: the public account's.
func (s *Service) Name() herald.Channel { return herald.ChannelPublicAccount }

// Targets sends every article of the channel to one target, the
// subscribers; who among them gets it is decided when it is delivered.
func (s *Service) Targets(ctx context.Context, a *herald.Article) ([]string, error) {
	return []string{Target}, nil
}

// Supports reports that the newsletter carries publications, corrections
// and retractions (as notices to those who were sent the story).
func (s *Service) Supports(action string) bool {
	return action == herald.ActionCreate || action == herald.ActionUpdate || action == herald.ActionDelete
}

// Deliver queues one mail job per recipient: for a publication, a story mail
// to each active "each story" subscriber whose columns or themes match; for
// a correction, a notice to each active subscriber who was sent the story
// (by itself or in a digest); for a retraction, a retraction notice to them.
// Jobs are keyed by mailing, so delivering again queues nothing twice.
func (s *Service) Deliver(ctx context.Context, d *herald.Delivery, a *herald.Article) (delivery.Result, error) {
	now := s.clock.Now()
	queued := 0
	switch d.Action {
	case herald.ActionCreate:
		if a.Status != herald.StatusPublished {
			return delivery.Result{}, nil // retracted before it went out: its mails would be skipped anyway
		}
		var err error
		queued, err = s.queueForActive(ctx, herald.FrequencyEach, func(sub *herald.Subscriber) *herald.Job {
			if !sub.Wants(a) {
				return nil
			}
			return mailPayload{Kind: herald.MailStory, Subscriber: sub.ID, Article: a.ID, At: now}.job()
		})
		if err != nil {
			if queued > 0 {
				s.queued()
			}
			return delivery.Result{}, err
		}
	case herald.ActionUpdate, herald.ActionDelete:
		ids, err := s.store.ArticleRecipients(ctx, a.ID)
		if err != nil {
			return delivery.Result{}, err
		}
		var jobs []*herald.Job
		for _, id := range ids {
			p := mailPayload{Kind: herald.MailRetraction, Subscriber: id, Article: a.ID, At: now}
			if d.Action == herald.ActionUpdate {
				p.Kind, p.Version = herald.MailCorrection, d.Version
			}
			jobs = append(jobs, p.job())
		}
		if err := s.enqueue(ctx, jobs); err != nil {
			return delivery.Result{}, err
		}
		queued = len(jobs)
	default:
		return delivery.Result{}, herald.Errorf(herald.EINVALID, "The newsletter cannot %s.", d.Action)
	}
	if queued > 0 {
		s.queued()
	}
	return delivery.Result{}, nil
}
