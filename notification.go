package herald

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// NotificationKind is what a notification tells its reader.
type NotificationKind string

// Notification kinds. The first three concern assignments, the last two the
// reader's own articles.
const (
	NotifyAssignment NotificationKind = "assignment" // coverage was assigned to you or your unit
	NotifyDueSoon    NotificationKind = "due_soon"   // an open assignment of yours is due within a day
	NotifyOverdue    NotificationKind = "overdue"    // an open assignment of yours is past its due time
	NotifyRejected   NotificationKind = "rejected"   // a reviewer sent your article back, with the reason
	NotifyPublished  NotificationKind = "published"  // your article, or the one filling your assignment, is out
)

// NotificationKinds lists every kind in display order.
var NotificationKinds = []NotificationKind{NotifyAssignment, NotifyDueSoon, NotifyOverdue, NotifyRejected, NotifyPublished}

// Valid reports whether k is a known kind.
func (k NotificationKind) Valid() bool { return slices.Contains(NotificationKinds, k) }

// Limits of a notification's text: titles as long as an article's, bodies
// long enough for a reviewer's reason.
const (
	MaxNotificationTitleRunes = MaxTitleRunes
	MaxNotificationBodyRunes  = 2000
	MaxNotificationLinkBytes  = 500
)

// Notification tells one staff member that something concerning them
// happened. It is made by the notifier from an audit event (EventID) or, for
// due and overdue assignments, from the clock (EventID 0); there is at most
// one per staff member and Key.
type Notification struct {
	ID      int64            `json:"id"`
	StaffID int64            `json:"staff_id"`
	Kind    NotificationKind `json:"kind"`
	// Title names what it is about (the article's or assignment's title);
	// Body adds what the reader needs (a reviewer's reason). Both are kept
	// as written, so that the sentence around them follows the reader's
	// language.
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
	// Link is the newsroom path of what it is about ("/newsroom/articles/7").
	Link     string `json:"link"`
	Entity   string `json:"entity"`
	EntityID int64  `json:"entity_id"`
	EventID  int64  `json:"event_id,omitempty"`
	// At is when what it tells of happened: the event's time, or the
	// assignment's due time for due and overdue ones.
	At        time.Time  `json:"at"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	// InApp says whether it shows in the newsroom; Email whether it is
	// mailed. A notification wanted by mail only is kept for its mail job
	// and left out of lists and counts.
	InApp    bool       `json:"-"`
	Email    bool       `json:"-"`
	MailedAt *time.Time `json:"mailed_at,omitempty"`
}

// Key identifies what the notification tells, so that it is made once per
// reader: the event that caused it, or the kind and what it is about for the
// ones the clock makes.
func (n *Notification) Key() string {
	if n.EventID != 0 {
		return "event/" + strconv.FormatInt(n.EventID, 10)
	}
	return string(n.Kind) + "/" + n.Entity + "/" + strconv.FormatInt(n.EntityID, 10)
}

// Validate checks a notification about to be stored.
func (n *Notification) Validate() error {
	var p Problems
	if n.StaffID <= 0 {
		p.Add("staff_id", "is required")
	}
	if !n.Kind.Valid() {
		p.Add("kind", "must be one of %s", joinTypes(NotificationKinds))
	}
	checkText(&p, "title", n.Title, MaxNotificationTitleRunes, true)
	checkText(&p, "body", n.Body, MaxNotificationBodyRunes, false)
	if !strings.HasPrefix(n.Link, "/newsroom/") || len(n.Link) > MaxNotificationLinkBytes || !utf8.ValidString(n.Link) {
		p.Add("link", "must be a newsroom path of at most %d bytes", MaxNotificationLinkBytes)
	}
	if n.Entity == "" || n.EntityID <= 0 {
		p.Add("entity", "must name what the notification is about")
	}
	if n.EventID < 0 {
		p.Add("event_id", "must be an event ID or 0")
	}
	if !n.InApp && !n.Email {
		p.Add("in_app", "a notification must be shown or mailed")
	}
	return p.Err()
}

// NotificationPref is how one kind of notification reaches a person.
type NotificationPref struct {
	InApp bool `json:"in_app"`
	Email bool `json:"email"`
}

// NotificationPrefs is a person's choice for each kind.
type NotificationPrefs map[NotificationKind]NotificationPref

// DefaultNotificationPrefs is what people get until they choose: every kind
// in the newsroom, and by mail what asks for action — a new assignment, one
// overdue, an article sent back.
func DefaultNotificationPrefs() NotificationPrefs {
	p := NotificationPrefs{}
	for _, k := range NotificationKinds {
		p[k] = NotificationPref{InApp: true, Email: k == NotifyAssignment || k == NotifyOverdue || k == NotifyRejected}
	}
	return p
}

// Validate checks that every kind named is known.
func (p NotificationPrefs) Validate() error {
	var pr Problems
	for k := range p {
		if !k.Valid() {
			pr.Add("prefs", "unknown kind %q; kinds are %s", k, joinTypes(NotificationKinds))
			break
		}
	}
	return pr.Err()
}

// WithDefaults returns the choices with the defaults filled in for the kinds
// not chosen.
func (p NotificationPrefs) WithDefaults() NotificationPrefs {
	out := DefaultNotificationPrefs()
	for k, v := range p {
		if k.Valid() {
			out[k] = v
		}
	}
	return out
}

// NotificationFilter selects a person's notifications shown in the newsroom,
// newest first.
type NotificationFilter struct {
	StaffID int64 // required
	Unread  bool  // only those not read yet
	Limit   int
	Offset  int
}

// NotificationBatch is what one step of the notifier writes: the
// notifications it made, the mail jobs of those to be mailed, and how far it
// read the audit log.
type NotificationBatch struct {
	// From and To move the notifier's cursor: the batch is refused with
	// ECONFLICT unless the cursor stands at From (another process handled
	// those events). From == To leaves the cursor alone.
	From, To      int64
	Notifications []*Notification
	// MailJob returns the job that mails a new notification whose Email is
	// set, once it has its ID.
	MailJob func(*Notification) *Job
	// At is when the batch is written: the jobs are queued then.
	At time.Time
}

// NotificationStore keeps notifications and the choices of who gets which.
// Marking notifications read is not audited: it changes nothing but the
// reader's own list.
type NotificationStore interface {
	// NotifierCursor returns the ID of the last audit event the notifier has
	// handled.
	NotifierCursor(ctx context.Context) (int64, error)
	// RecordNotifications writes a batch in one transaction: each
	// notification not made before (per staff member and Key; those are
	// skipped), a mail job for each new one with Email set, and the cursor.
	// It returns the notifications it added, with their IDs. Errors:
	// EINVALID, ECONFLICT (the cursor moved).
	RecordNotifications(ctx context.Context, b NotificationBatch) ([]*Notification, error)
	// FindNotifications lists a person's in-app notifications, newest first.
	FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, int, error)
	// FindNotificationByID returns any notification, in-app or mail only.
	FindNotificationByID(ctx context.Context, id int64) (*Notification, error)
	// CountUnreadNotifications counts a person's unread in-app notifications.
	CountUnreadNotifications(ctx context.Context, staffID int64) (int, error)
	// MarkNotificationsRead marks a person's notifications read at at: the
	// ones in ids, or all of them for nil ids. Others' IDs are ignored. It
	// returns how many changed.
	MarkNotificationsRead(ctx context.Context, staffID int64, ids []int64, at time.Time) (int, error)
	// MarkNotificationMailed records that a notification's mail was sent.
	MarkNotificationMailed(ctx context.Context, id int64, at time.Time) error
	// FindNotificationPrefs returns the choices of each of the people, with
	// the defaults for what they have not chosen.
	FindNotificationPrefs(ctx context.Context, staffIDs ...int64) (map[int64]NotificationPrefs, error)
	// SetNotificationPrefs replaces a person's choices and records ev (about
	// the staff member, action "notification_prefs" unless set).
	SetNotificationPrefs(ctx context.Context, staffID int64, p NotificationPrefs, ev Event) error
}
