package herald

import (
	"context"
	"slices"
	"time"
)

// EntityDelivery is what events about deliveries are about.
const EntityDelivery = "delivery"

// DeliveryStatus is how the delivery of an article to one target stands.
type DeliveryStatus string

// Delivery states: pending until its job has run, then sent; retrying after a
// failure that may pass (the job tries again later); failed when it gave up;
// cancelled by an editor, or because the channel was taken off the article.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySent      DeliveryStatus = "sent"
	DeliveryRetrying  DeliveryStatus = "retrying"
	DeliveryFailed    DeliveryStatus = "failed"
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// DeliveryStatuses lists every delivery state.
var DeliveryStatuses = []DeliveryStatus{DeliveryPending, DeliverySent, DeliveryRetrying, DeliveryFailed, DeliveryCancelled}

// Valid reports whether s is a known delivery state.
func (s DeliveryStatus) Valid() bool { return slices.Contains(DeliveryStatuses, s) }

// Delivery actions: what a channel is asked to do with an article.
const (
	ActionCreate = "create" // first publication
	ActionUpdate = "update" // a correction or edit of a published article
	ActionDelete = "delete" // a retraction
)

// Delivery is an article's way to one target of a channel: the site's
// microblog actor, a column's, the newsletter. It holds the latest action
// wanted there (a correction follows the publication, a retraction follows
// both) and how its last attempt went.
type Delivery struct {
	ID          int64          `json:"id"`
	ArticleID   int64          `json:"article_id"`
	Channel     Channel        `json:"channel"`
	Target      string         `json:"target"`
	Action      string         `json:"action"`
	Version     int            `json:"version"` // the article version the action carries
	Status      DeliveryStatus `json:"status"`
	Attempts    int            `json:"attempts"`
	LastError   string         `json:"last_error,omitempty"`
	ExternalID  string         `json:"external_id,omitempty"`
	ExternalURL string         `json:"external_url,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	SentAt      *time.Time     `json:"sent_at,omitempty"`
}

// DeliveryFilter selects deliveries, newest change first; zero fields do not
// filter.
type DeliveryFilter struct {
	ArticleID int64
	Channel   Channel
	Target    string
	Statuses  []DeliveryStatus
	Limit     int
	Offset    int
}

// DeliveryStore keeps deliveries. PlanDelivery creates or re-aims the delivery
// of (article, channel, target) at an action and version, and queues the job
// that carries it out, in one transaction; an action for an older version than
// the delivery holds changes nothing (nil job), so a late plan cannot undo a
// newer one. UpdateDelivery lets fn change a delivery inside a write
// transaction. Errors: EINVALID, ENOTFOUND.
type DeliveryStore interface {
	PlanDelivery(ctx context.Context, d *Delivery, job func(*Delivery) *Job) (*Delivery, error)
	UpdateDelivery(ctx context.Context, id int64, fn func(*Delivery) error) (*Delivery, error)
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, int, error)
	FindDeliveryByID(ctx context.Context, id int64) (*Delivery, error)
}
