package newsletter

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
)

// Limits that keep the subscription form from being used to flood a
// mailbox: confirmation mails to one address, and requests from one client.
const (
	ConfirmationInterval  = 10 * time.Minute
	ConfirmationsPerDay   = 3
	RequestsPerClientHour = 10
)

// Subscribe handles a reader's request to subscribe. It makes the address
// pending (or, for an active one, keeps its preferences aside) and queues the
// confirmation mail, in one transaction. Errors: EINVALID naming each bad
// field (email, name, frequency, column_ids, theme_ids, language);
// ERATELIMITED naming "client" when the client sent too many requests, or
// "email" when the address was sent a confirmation too recently or too often;
// neither changes anything.
func (s *Service) Subscribe(ctx context.Context, req herald.SubscriptionRequest) error {
	var p herald.Problems
	email, err := herald.NormalizeEmail(req.Email)
	for _, fe := range herald.ErrorFields(err) {
		p.Add(fe.Field, "%s", fe.Message)
	}
	prefs := req.SubscriptionPrefs
	prefs.Normalize()
	for _, fe := range herald.ErrorFields(prefs.Validate()) {
		p.Add(fe.Field, "%s", fe.Message)
	}
	if err := p.Err(); err != nil {
		return err
	}
	now := s.clock.Now()
	if ok, err := s.clients.Allow(ctx, req.ClientHash, now); err != nil {
		return err
	} else if !ok {
		return rateLimited("client", herald.LimitClient)
	}
	_, err = s.store.UpdateSubscriberByEmail(ctx, email, func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
		return request(sub, prefs, req.ClientHash, now)
	})
	if err == nil {
		s.queued()
	}
	return err
}

// Inspect checks a link without acting on it, for the page that asks the
// reader to press the button (mail scanners fetch links; only a POST acts).
// It gives the errors Confirm or Unsubscribe would.
func (s *Service) Inspect(ctx context.Context, purpose, token string) (*herald.Subscriber, error) {
	if _, ok := purposes[purpose]; !ok {
		return nil, herald.Invalid("purpose", "must be %s or %s", herald.LinkConfirm, herald.LinkUnsubscribe)
	}
	sub, issued, err := s.verify(ctx, purpose, token)
	if err != nil {
		return nil, err
	}
	if purpose == herald.LinkConfirm {
		dry := *sub
		if _, err := confirm(&dry, issued, s.clock.Now()); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

// Confirm follows a confirmation link: a pending address becomes active, an
// active one takes the preferences it asked for. Following it again changes
// nothing. Errors: EINVALID naming "token" (herald.LinkInvalid, LinkExpired,
// LinkReplaced when a newer request was made since), ECONFLICT when the
// subscription was cancelled since.
func (s *Service) Confirm(ctx context.Context, token string) (*herald.Subscriber, error) {
	sub, issued, err := s.verify(ctx, herald.LinkConfirm, token)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateSubscriber(ctx, sub.ID, func(cur *herald.Subscriber) (herald.SubscriberChange, error) {
		return confirm(cur, issued, s.clock.Now())
	})
}

// Unsubscribe follows an unsubscribe link (a click, or a mailbox provider's
// one-click POST): the address gets nothing more. Following it again changes
// nothing. Errors: EINVALID naming "token".
func (s *Service) Unsubscribe(ctx context.Context, token string) (*herald.Subscriber, error) {
	sub, _, err := s.verify(ctx, herald.LinkUnsubscribe, token)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateSubscriber(ctx, sub.ID, func(cur *herald.Subscriber) (herald.SubscriberChange, error) {
		return unsubscribe(cur, s.clock.Now()), nil
	})
}

// rateLimited is the ERATELIMITED error of a limit, naming its field.
func rateLimited(field, msg string) error {
	return &herald.Error{Code: herald.ERATELIMITED, Message: field + ": " + msg, Fields: []herald.FieldError{{Field: field, Message: msg}}}
}

// recentConfirmations keeps the confirmation times of the last day.
func recentConfirmations(sent []time.Time, now time.Time) []time.Time {
	var recent []time.Time
	for _, t := range sent {
		if now.Sub(t) < 24*time.Hour {
			recent = append(recent, t)
		}
	}
	return recent
}

// request applies a subscription request to a subscriber loaded under lock
// (Status "" for a new address) and says what to record: the event and the
// confirmation mail.
func request(sub *herald.Subscriber, prefs herald.SubscriptionPrefs, client string, now time.Time) (herald.SubscriberChange, error) {
	recent := recentConfirmations(sub.ConfirmationsSent, now)
	for _, t := range recent {
		if now.Sub(t) < ConfirmationInterval {
			return herald.SubscriberChange{}, rateLimited("email", herald.LimitRecent)
		}
	}
	if len(recent) >= ConfirmationsPerDay {
		return herald.SubscriberChange{}, rateLimited("email", herald.LimitDaily)
	}
	ev := herald.Event{At: now, Action: "subscribe"}
	if sub.Status == herald.SubscriberActive {
		// a stranger may know the address: its preferences change only once
		// the mailbox confirms
		sub.Pending = &prefs
		ev.Comment = "preferences to confirm"
	} else {
		sub.SubscriptionPrefs, sub.Status, sub.Pending = prefs, herald.SubscriberPending, nil
	}
	sub.RequestedAt, sub.ClientHash = &now, client
	sub.ConfirmationsSent = append(recent, now)
	job := mailPayload{Kind: herald.MailConfirmation, Subscriber: sub.ID, At: now}.job()
	return herald.SubscriberChange{Event: ev, Jobs: []*herald.Job{job}}, nil
}

// confirm applies a confirmation link issued at issued.
func confirm(sub *herald.Subscriber, issued, now time.Time) (herald.SubscriberChange, error) {
	// links carry their time to the second; a request made after the link
	// was issued was mailed a newer one, which alone confirms it
	replaced := sub.RequestedAt != nil && sub.RequestedAt.Unix() > issued.Unix()
	ev := herald.Event{At: now, Action: "confirm"}
	switch {
	case sub.Status == herald.SubscriberPending && !replaced:
		sub.Status, sub.ConfirmedAt = herald.SubscriberActive, &now
	case sub.Status == herald.SubscriberActive && sub.Pending != nil && !replaced:
		sub.SubscriptionPrefs, sub.Pending = *sub.Pending, nil
		ev.Comment = "preferences"
	case replaced && (sub.Status == herald.SubscriberPending || sub.Pending != nil):
		return herald.SubscriberChange{}, herald.Invalid("token", herald.LinkReplaced)
	case sub.Status == herald.SubscriberActive:
		return herald.SubscriberChange{}, nil // confirmed already
	default:
		return herald.SubscriberChange{}, herald.Errorf(herald.ECONFLICT, "The subscription was cancelled after this link was sent; subscribe again.")
	}
	return herald.SubscriberChange{Event: ev}, nil
}

// unsubscribe ends a subscription, pending or active.
func unsubscribe(sub *herald.Subscriber, now time.Time) herald.SubscriberChange {
	if sub.Status != herald.SubscriberPending && sub.Status != herald.SubscriberActive {
		return herald.SubscriberChange{} // gone already
	}
	sub.Status, sub.UnsubscribedAt, sub.Pending = herald.SubscriberUnsubscribed, &now, nil
	return herald.SubscriberChange{Event: herald.Event{At: now, Action: "unsubscribe"}}
}
