package herald

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// EntitySubscriber is what events about the newsletter's subscribers are
// about: subscribe, confirm, unsubscribe, bounce.
const EntitySubscriber = "subscriber"

// SubscriberStatus is where a newsletter subscription stands.
type SubscriberStatus string

// Subscriber states. A pending address has asked to subscribe and is sent
// nothing but the confirmation mail until it confirms (double opt-in); an
// active one gets stories; an unsubscribed one asked to stop, and a bounced
// one was refused for good by its mail server. Both of the last may subscribe
// again, which makes them pending.
const (
	SubscriberPending      SubscriberStatus = "pending"
	SubscriberActive       SubscriberStatus = "active"
	SubscriberUnsubscribed SubscriberStatus = "unsubscribed"
	SubscriberBounced      SubscriberStatus = "bounced"
)

// SubscriberStatuses lists every subscriber state.
var SubscriberStatuses = []SubscriberStatus{SubscriberPending, SubscriberActive, SubscriberUnsubscribed, SubscriberBounced}

// Valid reports whether s is a known subscriber state.
func (s SubscriberStatus) Valid() bool { return slices.Contains(SubscriberStatuses, s) }

// Frequency is how often a subscriber gets mail.
type Frequency string

// Frequencies: every story as it is published, or a digest each morning or
// each Monday morning.
const (
	FrequencyEach   Frequency = "each"
	FrequencyDaily  Frequency = "daily"
	FrequencyWeekly Frequency = "weekly"
)

// Frequencies lists every frequency.
var Frequencies = []Frequency{FrequencyEach, FrequencyDaily, FrequencyWeekly}

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool { return slices.Contains(Frequencies, f) }

// MaxSubscriptionTopics bounds the columns and the themes a subscriber picks.
const MaxSubscriptionTopics = 50

// SubscriptionPrefs are what a reader chooses when subscribing. No columns and
// no themes means every story; otherwise a story matches when its column or
// one of its themes is among those chosen.
type SubscriptionPrefs struct {
	Name      string    `json:"name,omitempty"`
	Frequency Frequency `json:"frequency"`
	ColumnIDs []int64   `json:"column_ids"`
	ThemeIDs  []int64   `json:"theme_ids"`
	Language  string    `json:"language"` // the language of the mails: zh-CN or en
}

// Normalize trims the name, defaults the language and sorts and
// de-duplicates the topics.
func (p *SubscriptionPrefs) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	if p.Language == "" {
		p.Language = Languages[0]
	}
	for _, ids := range []*[]int64{&p.ColumnIDs, &p.ThemeIDs} {
		if *ids == nil {
			*ids = []int64{}
		}
		slices.Sort(*ids)
		*ids = slices.Compact(*ids)
	}
}

// Validate checks the preferences' own fields; that the columns and themes
// exist is checked by the store.
func (p *SubscriptionPrefs) Validate() error {
	var pr Problems
	p.validate(&pr)
	return pr.Err()
}

func (p *SubscriptionPrefs) validate(pr *Problems) {
	checkName(pr, "name", p.Name, false)
	if !p.Frequency.Valid() {
		pr.Add("frequency", "must be %s", joinTypes(Frequencies))
	}
	for _, f := range []struct {
		field string
		ids   []int64
	}{{"column_ids", p.ColumnIDs}, {"theme_ids", p.ThemeIDs}} {
		if len(f.ids) > MaxSubscriptionTopics {
			pr.Add(f.field, "at most %d", MaxSubscriptionTopics)
		} else if slices.ContainsFunc(f.ids, func(id int64) bool { return id <= 0 }) {
			pr.Add(f.field, "must be positive IDs")
		}
	}
	if !slices.Contains(Languages, p.Language) {
		pr.Add("language", "must be one of %s", strings.Join(Languages, ", "))
	}
}

// Equal reports whether two normalized preferences are the same.
func (p *SubscriptionPrefs) Equal(o *SubscriptionPrefs) bool {
	return p.Name == o.Name && p.Frequency == o.Frequency && p.Language == o.Language &&
		slices.Equal(p.ColumnIDs, o.ColumnIDs) && slices.Equal(p.ThemeIDs, o.ThemeIDs)
}

// Wants reports whether a story matches the chosen columns and themes.
func (p *SubscriptionPrefs) Wants(a *Article) bool {
	if len(p.ColumnIDs) == 0 && len(p.ThemeIDs) == 0 {
		return true
	}
	if slices.Contains(p.ColumnIDs, a.ColumnID) {
		return true
	}
	return slices.ContainsFunc(a.ThemeIDs, func(id int64) bool { return slices.Contains(p.ThemeIDs, id) })
}

// Subscriber is an e-mail address subscribed to the public account's
// newsletter, and what it asked for.
type Subscriber struct {
	ID    int64  `json:"id"`
	Email string `json:"email"` // lower case: addresses are compared without case
	SubscriptionPrefs
	Status SubscriberStatus `json:"status"`
	// Pending are preferences asked for an active subscription that wait for
	// a confirmation from the mailbox, so that a stranger who knows the address
	// cannot change what it receives.
	Pending *SubscriptionPrefs `json:"pending,omitempty"`
	// RequestedAt is when the newest request that needs a confirmation was
	// made; links mailed before it no longer confirm anything.
	RequestedAt *time.Time `json:"requested_at,omitempty"`
	// ConfirmationsSent are the times confirmation mails were queued in the
	// last day, for the per-address limit.
	ConfirmationsSent []time.Time `json:"-"`
	// ClientHash is the salted hash of the address the last request came
	// from, for spotting floods without keeping IP addresses.
	ClientHash     string     `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ConfirmedAt    *time.Time `json:"confirmed_at,omitempty"`
	UnsubscribedAt *time.Time `json:"unsubscribed_at,omitempty"`
	BouncedAt      *time.Time `json:"bounced_at,omitempty"`
}

// Validate checks a subscriber about to be saved.
func (s *Subscriber) Validate() error {
	var p Problems
	if _, err := NormalizeEmail(s.Email); err != nil || strings.ToLower(s.Email) != s.Email {
		p.Add("email", "must be a lower-case e-mail address")
	}
	if !s.Status.Valid() {
		p.Add("status", "must be %s", joinTypes(SubscriberStatuses))
	}
	s.SubscriptionPrefs.validate(&p)
	if s.Pending != nil {
		if err := s.Pending.Validate(); err != nil {
			p.Add("pending", "%s", ErrorMessage(err))
		}
	}
	checkName(&p, "client_hash", s.ClientHash, false)
	return p.Err()
}

// MaxEmailBytes is the longest address accepted (RFC 5321's path limit).
const MaxEmailBytes = 254

// NormalizeEmail trims and lower-cases an e-mail address and checks that it
// is a plain ASCII local@domain with a dotted domain, the only kind every
// relay on the way is sure to carry.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := Invalid("email", "must be an e-mail address such as name@example.com")
	if s == "" {
		return "", Invalid("email", "is required")
	}
	if len(s) > MaxEmailBytes {
		return "", Invalid("email", "must be at most %d characters", MaxEmailBytes)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f || strings.IndexByte("\"\\<>()[],;:", s[i]) >= 0 {
			return "", bad
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", bad
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(s, "..") || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") {
		return "", bad
	}
	return s, nil
}

// SubscriptionRequest is a reader's request to subscribe, as the portal's
// form sends it.
type SubscriptionRequest struct {
	Email string
	SubscriptionPrefs
	ClientHash string // the salted hash of the client's address
}

// Purposes of the signed links mailed to subscribers.
const (
	LinkConfirm     = "confirm"
	LinkUnsubscribe = "unsubscribe"
)

// What is wrong with a signed link: the messages of the EINVALID errors
// naming the field "token", so that pages can explain each case.
const (
	LinkInvalid  = "is not a valid link"
	LinkExpired  = "has expired"
	LinkReplaced = "was replaced by a newer link"
)

// Why a subscription request is refused as too frequent: the messages of the
// ERATELIMITED errors, which name the field "client" (LimitClient) or
// "email" (the others).
const (
	LimitClient = "too many requests from this client; try again in an hour"
	LimitRecent = "a confirmation was mailed to this address less than 10 minutes ago"
	LimitDaily  = "this address was sent 3 confirmations in the last day"
)

// SubscriberChange is what a change of a subscriber records in its
// transaction: its audit event (none when Event.Action is empty: nothing was
// changed), the mail jobs it calls for, and a mailing (the failed one that
// made the address bounce).
type SubscriberChange struct {
	Event   Event
	Jobs    []*Job
	Mailing *Mailing
}

// SubscriberFilter selects subscribers, oldest first; zero fields do not
// filter.
type SubscriberFilter struct {
	Statuses  []SubscriberStatus
	Frequency Frequency
	AfterID   int64 // IDs above this one, for going through all of them
	Limit     int
	Offset    int
}

// MailKind is what a mail to a subscriber is.
type MailKind string

// Mail kinds.
const (
	MailConfirmation MailKind = "confirmation" // the double opt-in's question
	MailStory        MailKind = "story"        // one story, as published
	MailDigest       MailKind = "digest"       // a day's or a week's stories
	MailCorrection   MailKind = "correction"   // a story sent before was corrected
	MailRetraction   MailKind = "retraction"   // a story sent before was retracted
)

// MailKinds lists every mail kind.
var MailKinds = []MailKind{MailConfirmation, MailStory, MailDigest, MailCorrection, MailRetraction}

// Valid reports whether k is a known mail kind.
func (k MailKind) Valid() bool { return slices.Contains(MailKinds, k) }

// MailingStatus is how a mailing ended.
type MailingStatus string

// Mailing states. Only outcomes are kept: a mail that failed for a while is
// retried by its job and recorded once it is sent or given up.
const (
	MailingSent   MailingStatus = "sent"
	MailingFailed MailingStatus = "failed"
)

// Mailing is one mail sent (or given up) to one subscriber: the newsletter's
// delivery log. Its Message-ID is stable per mailing, so that a retry sends
// the same message and a mailing is recorded once.
type Mailing struct {
	ID           int64         `json:"id"`
	SubscriberID int64         `json:"subscriber_id"`
	Kind         MailKind      `json:"kind"`
	ArticleID    int64         `json:"article_id,omitempty"` // story, correction, retraction
	Period       string        `json:"period,omitempty"`     // digest: "daily/2026-11-25", "weekly/2026-11-23"
	ArticleIDs   []int64       `json:"article_ids"`          // digest: the stories it carried
	MessageID    string        `json:"message_id"`           // without angle brackets
	Status       MailingStatus `json:"status"`
	SMTPCode     int           `json:"smtp_code,omitempty"`
	SMTPText     string        `json:"smtp_text,omitempty"`
	At           time.Time     `json:"at"`
}

// Validate checks a mailing about to be recorded.
func (m *Mailing) Validate() error {
	var p Problems
	if m.SubscriberID <= 0 {
		p.Add("subscriber_id", "is required")
	}
	if !m.Kind.Valid() {
		p.Add("kind", "must be %s", joinTypes(MailKinds))
	}
	if m.Status != MailingSent && m.Status != MailingFailed {
		p.Add("status", "must be sent or failed")
	}
	if m.MessageID == "" || len(m.MessageID) > 250 || strings.ContainsAny(m.MessageID, "<> \r\n") {
		p.Add("message_id", "must be 1 to 250 characters without brackets or spaces")
	}
	if len(m.Period) > 40 {
		p.Add("period", "must be at most 40 characters")
	}
	if m.SMTPCode < 0 || m.SMTPCode > 599 {
		p.Add("smtp_code", "must be an SMTP reply code")
	}
	if m.At.IsZero() {
		p.Add("at", "is required")
	}
	return p.Err()
}

// MailingFilter selects mailings, newest first; zero fields do not filter.
type MailingFilter struct {
	SubscriberID int64
	ArticleID    int64 // mailings about the article: its story, notices, digests carrying it
	Kind         MailKind
	Status       MailingStatus
	Limit        int
	Offset       int
}

// SubscriberCount is the newsletter's audience on one day: active subscribers
// at its end, and how many confirmed and how many left (unsubscribed or
// bounced) during it.
type SubscriberCount struct {
	Day       string `json:"day"` // YYYY-MM-DD in China Standard Time
	Active    int    `json:"active"`
	Confirmed int    `json:"confirmed"`
	Left      int    `json:"left"`
}

// SubscriberStore keeps the newsletter's subscribers and its delivery log.
// Errors: EINVALID (naming the field), ENOTFOUND, and whatever fn returns.
type SubscriberStore interface {
	// UpdateSubscriberByEmail loads the subscriber with the address email —
	// or a new one, with its ID but no status yet, when there is none — under
	// a write lock, lets fn change it, and saves it with fn's event, jobs and
	// mailing in one transaction; when fn fails nothing is kept, not even the
	// new row. Concurrent calls for one new address make one subscriber.
	UpdateSubscriberByEmail(ctx context.Context, email string, fn func(s *Subscriber) (SubscriberChange, error)) (*Subscriber, error)
	// UpdateSubscriber does the same for a known subscriber.
	UpdateSubscriber(ctx context.Context, id int64, fn func(s *Subscriber) (SubscriberChange, error)) (*Subscriber, error)
	FindSubscriberByID(ctx context.Context, id int64) (*Subscriber, error)
	FindSubscriberByEmail(ctx context.Context, email string) (*Subscriber, error)
	FindSubscribers(ctx context.Context, f SubscriberFilter) ([]*Subscriber, int, error)
	// CountSubscribersByDay replays the subscribers' events into counts for
	// each CST day from from to until, inclusive.
	CountSubscribersByDay(ctx context.Context, from, until time.Time) ([]SubscriberCount, error)
	// RecordMailing keeps a mailing once per Message-ID: a sent mailing is
	// final; a failed one is replaced when a later attempt sends it. It
	// reports whether m was recorded.
	RecordMailing(ctx context.Context, m *Mailing) (bool, error)
	FindMailingByMessageID(ctx context.Context, messageID string) (*Mailing, error)
	FindMailings(ctx context.Context, f MailingFilter) ([]*Mailing, int, error)
	// ArticleRecipients lists, by ID, the subscribers who were sent an
	// article: its story mail or a digest carrying it.
	ArticleRecipients(ctx context.Context, articleID int64) ([]int64, error)
	// NewsletterKey returns the key that signs the newsletter's links,
	// storing the one newKey returns the first time; when processes race, the
	// first stored wins and every caller gets it.
	NewsletterKey(ctx context.Context, at time.Time, newKey func() ([]byte, error)) ([]byte, error)
}
