package herald

import (
	"context"
	"encoding/json"
	"time"
)

// Entities of the microblog's events: its followers, and its own actors (whose
// creation makes their keys).
const (
	EntityFollower   = "follower"
	EntityLocalActor = "local_actor"
)

// SiteActor is the name of the site's own microblog account, the one the
// dashboard counts followers of.
const SiteActor = "site"

// LocalActor is one of Herald's own microblog (ActivityPub) accounts: the site
// ("site"), a column (its slug) or a language other than the site's
// ("site_en"). Its key pair signs what it sends; the
// private key never leaves the server.
type LocalActor struct {
	Name          string    `json:"name"`
	PublicKeyPEM  string    `json:"public_key_pem"`
	PrivateKeyPEM string    `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
}

// Follower is a remote account following a local actor.
type Follower struct {
	ID          int64      `json:"id"`
	Actor       string     `json:"actor"`        // the local actor's name
	Account     string     `json:"account"`      // the follower's actor ID (a URL)
	Inbox       string     `json:"inbox"`        // its own inbox
	SharedInbox string     `json:"shared_inbox"` // its server's shared inbox, if any
	FollowID    string     `json:"follow_id"`    // the Follow activity, for the Accept and the Undo
	CreatedAt   time.Time  `json:"created_at"`
	RemovedAt   *time.Time `json:"removed_at,omitempty"`
}

// Engagement kinds: what a remote account did with something Herald posted.
const (
	EngagementLike     = "like"
	EngagementAnnounce = "announce"
	EngagementReply    = "reply"
)

// Engagement is one like, boost or reply from the fediverse, recorded once by
// the ID of the activity that brought it.
type Engagement struct {
	ID         int64      `json:"id"`
	ActivityID string     `json:"activity_id"`
	Kind       string     `json:"kind"`
	Account    string     `json:"account"`
	ArticleID  int64      `json:"article_id,omitempty"` // 0 when the object is not one of Herald's posts
	Object     string     `json:"object"`
	Content    string     `json:"content,omitempty"` // a reply's text (plain, shortened)
	At         time.Time  `json:"at"`
	UndoneAt   *time.Time `json:"undone_at,omitempty"`
}

// FollowerCount is how many accounts followed an actor at the end of a day.
type FollowerCount struct {
	Day   string `json:"day"` // YYYY-MM-DD in China Standard Time
	Count int    `json:"count"`
}

// OutboxItem is an activity a local actor sent (Create, Update or Delete of a
// note about an article), with its object as it then stood: the Note, or the
// Tombstone of a retracted one.
type OutboxItem struct {
	ID         int64           `json:"id"`
	Actor      string          `json:"actor"`
	ActivityID string          `json:"activity_id"`
	Type       string          `json:"type"`
	ObjectID   string          `json:"object_id"`
	ArticleID  int64           `json:"article_id,omitempty"`
	Activity   json.RawMessage `json:"activity"`
	Object     json.RawMessage `json:"object"`
	At         time.Time       `json:"at"`
}

// FediverseStore keeps the microblog's actors, followers and engagement.
// Errors: EINVALID, ENOTFOUND.
type FediverseStore interface {
	// LocalActor returns a local actor, creating it with the key pair keys
	// makes the first time it is asked for (concurrent first calls keep one).
	LocalActor(ctx context.Context, name string, at time.Time, keys func() (public, private string, err error)) (*LocalActor, error)
	// AddFollower records a follow (again, after an undo) and queues accept,
	// the job that answers it, in the same transaction; following twice keeps
	// one follower. It reports whether the follower is new.
	AddFollower(ctx context.Context, f *Follower, accept *Job) (bool, error)
	// RemoveFollower records an unfollow; it reports whether there was one.
	RemoveFollower(ctx context.Context, actor, account string, at time.Time) (bool, error)
	// FindFollowers lists an actor's current followers, oldest first.
	FindFollowers(ctx context.Context, actor string, limit, offset int) ([]*Follower, int, error)
	// FollowerInboxes returns where to deliver to reach every current follower
	// of an actor: each server's shared inbox once, else each follower's inbox.
	FollowerInboxes(ctx context.Context, actor string) ([]string, error)
	// CountFollowersByDay counts an actor's followers at the end of each day
	// from from to until (CST days, inclusive).
	CountFollowersByDay(ctx context.Context, actor string, from, until time.Time) ([]FollowerCount, error)
	// RecordEngagement keeps an engagement once per activity ID; it reports
	// whether it was new. UndoEngagement marks one undone (an Undo of a Like).
	RecordEngagement(ctx context.Context, e *Engagement) (bool, error)
	UndoEngagement(ctx context.Context, activityID, account string, at time.Time) (bool, error)
	FindEngagement(ctx context.Context, articleID int64) ([]*Engagement, error)
	// PutOutbox records an activity once per activity ID and queues sends, the
	// jobs that deliver it, in the same transaction; it reports whether the
	// activity was new (sends are queued only then).
	PutOutbox(ctx context.Context, item *OutboxItem, sends []*Job) (bool, error)
	// FindOutbox lists an actor's activities, newest first ("" for every actor).
	FindOutbox(ctx context.Context, actor string, limit, offset int) ([]*OutboxItem, int, error)
	// FindObject returns the latest activity about an object: its object is
	// the object as it stands now. ENOTFOUND when no actor sent it.
	FindObject(ctx context.Context, objectID string) (*OutboxItem, error)
}
