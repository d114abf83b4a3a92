package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/mail"
)

// mailPayload is a mail job's payload: which mail to whom. At is when it was
// queued; it dates the message and issues its links, so that a retry
// composes the same message.
type mailPayload struct {
	Kind       herald.MailKind `json:"kind"`
	Subscriber int64           `json:"subscriber"`
	Article    int64           `json:"article,omitempty"`  // story, correction, retraction
	Version    int             `json:"version,omitempty"`  // correction: the corrected version
	Period     string          `json:"period,omitempty"`   // digest: "daily/2026-11-25"
	Articles   []int64         `json:"articles,omitempty"` // digest: the stories picked for the subscriber
	At         time.Time       `json:"at"`
}

// path names the mailing: its job key and Message-ID are made from it.
func (p mailPayload) path() string {
	sub := strconv.FormatInt(p.Subscriber, 10)
	art := strconv.FormatInt(p.Article, 10)
	switch p.Kind {
	case herald.MailConfirmation:
		return "confirmation/" + sub + "/" + strconv.FormatInt(p.At.UnixMicro(), 10)
	case herald.MailCorrection:
		return "correction/" + art + "/" + strconv.Itoa(p.Version) + "/" + sub
	case herald.MailDigest:
		return "digest/" + p.Period + "/" + sub
	}
	return string(p.Kind) + "/" + art + "/" + sub // story, retraction: once per article
}

// job is the job that sends the mail.
func (p mailPayload) job() *herald.Job {
	b, _ := json.Marshal(p)
	return &herald.Job{Kind: KindMail, Key: KindMail + "/" + p.path(), Payload: b}
}

// messageID is the mailing's stable Message-ID (without brackets).
func (p mailPayload) messageID(domain string) string {
	return "herald." + strings.ReplaceAll(p.path(), "/", ".") + "@" + domain
}

// runMail sends one mail and records how it went. It is idempotent: a
// mailing recorded as sent is not sent again, and one interrupted between
// sending and recording is sent again with the same Message-ID, which
// receivers recognise.
func (s *Service) runMail(ctx context.Context, j *herald.Job) error {
	var p mailPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || !p.Kind.Valid() || p.Subscriber <= 0 {
		return herald.Errorf(herald.EINVALID, "mail job %d: bad payload %s", j.ID, j.Payload)
	}
	messageID := p.messageID(s.domain)
	if m, err := s.store.FindMailingByMessageID(ctx, messageID); err == nil && m.Status == herald.MailingSent {
		return nil
	} else if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
		return err
	}
	sub, err := s.store.FindSubscriberByID(ctx, p.Subscriber)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	msg, mailing, err := s.compose(ctx, p, sub)
	if err != nil || msg == nil {
		return err // nil, nil: nothing to send any more
	}
	msg.MessageID, mailing.MessageID = messageID, messageID
	_, sendErr := s.sender.Send(ctx, msg)
	mailing.At = s.clock.Now()
	if sendErr == nil {
		mailing.Status = herald.MailingSent
		_, err := s.store.RecordMailing(ctx, mailing)
		return err
	}
	mailing.Status = herald.MailingFailed
	var se *mail.Error
	if errors.As(sendErr, &se) {
		mailing.SMTPCode, mailing.SMTPText = se.Code, se.Text
	}
	if mailing.SMTPText == "" {
		mailing.SMTPText = sendErr.Error()
	}
	switch {
	case mail.Temporary(sendErr):
		if j.Attempts >= j.MaxAttempts {
			// the last attempt: the log says it was given up
			if _, err := s.store.RecordMailing(ctx, mailing); err != nil {
				return errors.Join(sendErr, err)
			}
		}
		return sendErr
	case se != nil && se.Stage == "rcpt" && se.Code >= 500:
		// the address is refused for good: no more mail to it
		_, err := s.store.UpdateSubscriber(ctx, sub.ID, func(cur *herald.Subscriber) (herald.SubscriberChange, error) {
			return bounce(cur, mailing), nil
		})
		if err == nil {
			s.log.Info("newsletter address bounced", "subscriber", sub.ID, "smtp_code", se.Code, "job", j.ID)
		}
		return err
	default:
		// refused for another reason (the message, the sender, bad settings):
		// the job fails for an operator to look at
		if _, err := s.store.RecordMailing(ctx, mailing); err != nil {
			return errors.Join(sendErr, err)
		}
		return jobs.Permanent(sendErr)
	}
}

// bounce marks a subscriber whose address was refused, with the mailing that
// was refused.
func bounce(sub *herald.Subscriber, m *herald.Mailing) herald.SubscriberChange {
	change := herald.SubscriberChange{Mailing: m}
	if sub.Status != herald.SubscriberPending && sub.Status != herald.SubscriberActive {
		return change
	}
	sub.Status, sub.BouncedAt, sub.Pending = herald.SubscriberBounced, &m.At, nil
	change.Event = herald.Event{At: m.At, Action: "bounce", Comment: clip(strings.TrimSpace(fmt.Sprintf("%d %s", m.SMTPCode, m.SMTPText)), 300)}
	return change
}

// clip shortens s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
