// Package newsletter is the e-mail side of the public account channel:
// readers subscribe on the portal and receive stories by mail, each one as it
// is published or in a morning digest (daily, or weekly on Mondays).
//
// Subscribing is double opt-in. A request makes the address pending and
// queues one confirmation mail; nothing else is mailed to it until the link
// in that mail is followed. A new request for an active address does not
// change what it receives: its preferences wait for a confirmation from the
// mailbox too. Confirmation mails are limited per address (one per 10
// minutes, three a day) and requests per client, so that the form cannot be
// used to flood someone's mailbox.
//
// The links in the mails are signed: HMAC-SHA256 over the purpose, the
// subscriber, its address and the expiry, with a key made once and kept in
// the database. Every story, digest and notice carries a one-click
// unsubscribe link (RFC 8058) in its List-Unsubscribe header.
//
// All mail goes through the job queue: a state change and the mail it calls
// for are kept in one transaction, a job per mail carries a stable
// Message-ID so that a retry sends the same message, and each outcome is
// recorded in the delivery log (herald.Mailing). Temporary SMTP failures are
// retried by the queue; a permanent refusal of the address marks the
// subscriber bounced.
//
// Service is the delivery.Channel of herald.ChannelPublicAccount: a
// publication queues a story mail per matching "each story" subscriber, a
// correction queues a notice to those who were sent the story, a retraction
// a retraction notice to them.
package newsletter

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/mail"
	"github.com/heraldnews/herald/ratelimit"
)

// Job kinds this package runs.
const (
	KindMail   = "newsletter.mail"   // one mail to one subscriber
	KindDigest = "newsletter.digest" // a period's digest: queues the mails and the next period
)

// Target is the channel's one delivery target: the subscribers.
const Target = "subscribers"

// DefaultRatePerSecond is the send rate when Config.RatePerSecond is zero:
// low enough for a government relay, about 18,000 mails an hour.
const DefaultRatePerSecond = 5

// Config is how the newsletter sends mail and links back to the site.
type Config struct {
	// SMTPAddr is the relay's host:port.
	SMTPAddr string
	// TLS is the STARTTLS mode (mail.TLSRequired, TLSOpportunistic, TLSOff);
	// empty means opportunistic. Credentials for a remote relay need required.
	TLS mail.TLSMode
	// TLSConfig, if set, is used for STARTTLS (RootCAs in tests).
	TLSConfig *tls.Config
	// Username and Password enable SMTP AUTH PLAIN.
	Username string
	Password string
	// HeloName is the host name given in EHLO; empty means "localhost".
	HeloName string
	// Timeout bounds dialling and each SMTP command; zero means mail.DefaultTimeout.
	Timeout time.Duration
	// FromAddress and FromName are the mails' sender; an empty name means the
	// site's name from its settings.
	FromAddress string
	FromName    string
	// ReplyTo, if set, is where replies go (the news mailbox).
	ReplyTo string
	// EnvelopeFrom, if set, is the bounce address (MAIL FROM).
	EnvelopeFrom string
	// RatePerSecond caps how many mails a second this process sends; zero
	// means DefaultRatePerSecond.
	RatePerSecond float64
	// BaseURL is the public site ("https://news.example.gov.cn"), for the
	// links in mails. It must be https (http only on loopback, for demos),
	// since mailbox providers post one-click unsubscriptions only to https.
	BaseURL string
}

// Service runs the newsletter: subscriptions, the channel, digests and mail
// jobs.
type Service struct {
	store   herald.Store
	clock   herald.Clock
	log     *slog.Logger
	cfg     Config
	sender  *mail.Sender
	base    string           // BaseURL without a trailing slash
	domain  string           // the right side of Message-IDs: the From address's domain
	clients ratelimit.Window // RequestsPerClientHour per client, shared by every server like the tip form's

	keyMu sync.Mutex
	key   []byte

	// Queued, if set, is called after the service queues jobs, so that an
	// idle runner looks at once (jobs.Runner.Wake).
	Queued func()
}

// New checks cfg and returns a service. Invalid settings give
// herald.EINVALID naming each field (smtp_addr, tls, from_address,
// base_url…).
func New(store herald.Store, clock herald.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	var p herald.Problems
	if _, err := herald.NormalizeEmail(cfg.FromAddress); err != nil {
		p.Add("from_address", "must be an e-mail address")
	}
	for _, f := range []struct{ field, v string }{{"reply_to", cfg.ReplyTo}, {"envelope_from", cfg.EnvelopeFrom}} {
		if _, err := herald.NormalizeEmail(f.v); f.v != "" && err != nil {
			p.Add(f.field, "must be an e-mail address")
		}
	}
	if strings.ContainsAny(cfg.FromName, "\r\n") {
		p.Add("from_name", "must be one line")
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		!(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		p.Add("base_url", "must be an https URL such as https://news.example.gov.cn (http only on loopback)")
	}
	if cfg.RatePerSecond < 0 {
		p.Add("rate_per_second", "must not be negative")
	} else if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	var limiter *mail.Limiter
	if cfg.RatePerSecond > 0 {
		var err error
		if limiter, err = mail.NewLimiter(cfg.RatePerSecond, 1, nil); err != nil {
			p.Add("rate_per_second", "must be a positive number of mails a second")
		}
	}
	sender, err := mail.NewSender(mail.Config{Addr: cfg.SMTPAddr, HeloName: cfg.HeloName, TLS: cfg.TLS, TLSConfig: cfg.TLSConfig,
		Username: cfg.Username, Password: cfg.Password, Timeout: cfg.Timeout, EnvelopeFrom: cfg.EnvelopeFrom, Limiter: limiter, Clock: clock})
	for _, fe := range herald.ErrorFields(err) {
		field := map[string]string{"addr": "smtp_addr", "username": "username", "helo_name": "helo_name", "tls": "tls",
			"timeout": "timeout", "envelope_from": "envelope_from"}[fe.Field]
		if field == "" {
			field = fe.Field
		}
		p.Add(field, "%s", fe.Message)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	from := strings.ToLower(cfg.FromAddress)
	return &Service{store: store, clock: clock, log: log, cfg: cfg, sender: sender, base: base,
		clients: ratelimit.Window{Store: store, Name: "subscribe-client", Max: RequestsPerClientHour, Per: time.Hour},
		domain:  from[strings.LastIndexByte(from, '@')+1:]}, nil
}

// isLoopback reports whether host is one the mail package lets an http
// unsubscribe URL name.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// RegisterJobs adds the mail and digest handlers to a runner.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Handle(KindMail, s.runMail)
	r.Handle(KindDigest, s.runDigest)
}

// queued tells the runner that jobs are waiting.
func (s *Service) queued() {
	if s.Queued != nil {
		s.Queued()
	}
}

// pageSize is how many subscribers are read, and their mail jobs queued in
// one transaction, at a time.
const pageSize = 500

// queueForActive goes through the active subscribers of a frequency a page
// at a time, queueing the mail job mailFor returns for each (nil for none).
// Keys make a repeated run queue nothing twice, so a run interrupted half way
// is simply run again. It returns how many jobs it queued.
func (s *Service) queueForActive(ctx context.Context, f herald.Frequency, mailFor func(*herald.Subscriber) *herald.Job) (int, error) {
	n := 0
	for afterID := int64(0); ; {
		subs, _, err := s.store.FindSubscribers(ctx, herald.SubscriberFilter{Statuses: []herald.SubscriberStatus{herald.SubscriberActive},
			Frequency: f, AfterID: afterID, Limit: pageSize})
		if err != nil {
			return n, err
		}
		var jobs []*herald.Job
		for _, sub := range subs {
			if j := mailFor(sub); j != nil {
				jobs = append(jobs, j)
			}
		}
		if err := s.enqueue(ctx, jobs); err != nil {
			return n, err
		}
		n += len(jobs)
		if len(subs) < pageSize {
			return n, nil
		}
		afterID = subs[len(subs)-1].ID
	}
}

// enqueue queues jobs in batches of pageSize, each batch one transaction;
// keys make a repeated call queue nothing twice.
func (s *Service) enqueue(ctx context.Context, jobs []*herald.Job) error {
	for len(jobs) > 0 {
		n := min(pageSize, len(jobs))
		if err := s.store.EnqueueJobs(ctx, s.clock.Now(), jobs[:n]...); err != nil {
			return err
		}
		jobs = jobs[n:]
	}
	return nil
}
