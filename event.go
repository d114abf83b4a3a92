package herald

import (
	"context"
	"sync"
	"time"
)

// Entities that events are about.
const (
	EntityUnit     = "unit"
	EntityStaff    = "staff"
	EntityColumn   = "column"
	EntityTheme    = "theme"
	EntityArticle  = "article"
	EntityToken    = "token"
	EntitySettings = "settings"
	EntityTip      = "tip"
	EntitySession  = "session"
	EntityMedia    = "media"
	EntityWord     = "word"
	EntitySearch   = "search"
)

// Event is one entry of the append-only audit log: who changed what, when, from
// which state to which, and why.
type Event struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"` // 0 for the system (scheduler, migrations)
	Entity     string    `json:"entity"`
	EntityID   int64     `json:"entity_id"`
	Action     string    `json:"action"`
	FromStatus string    `json:"from_status,omitempty"`
	ToStatus   string    `json:"to_status,omitempty"`
	Level      int       `json:"level,omitempty"`
	Comment    string    `json:"comment,omitempty"`
}

// EventFilter selects events, oldest first; zero fields do not filter.
type EventFilter struct {
	Entity   string
	EntityID int64
	ActorID  int64
	AfterID  int64
	Action   string
	Since    *time.Time // at or after
	Until    *time.Time // before
	Limit    int
}

// EventStore reads the audit log. Events are written by the store methods that
// make the change they record, in the same transaction, and never changed after.
type EventStore interface {
	FindEvents(ctx context.Context, f EventFilter) ([]*Event, error)
	// LastEventID returns the newest event's ID (0 for none): processes poll it
	// to learn that something changed.
	LastEventID(ctx context.Context) (int64, error)
	// RecordEvent appends an event that stands for itself: an operation
	// (such as a request to rebuild the search index) that changes no row.
	RecordEvent(ctx context.Context, ev Event) error
}

// EventsAfter calls fn with each event after the one with ID after, oldest
// first, and returns the ID of the last one it saw (after, if none). Processes
// that follow the log to keep caches and indexes current share it.
func EventsAfter(ctx context.Context, store EventStore, after int64, fn func(*Event)) (int64, error) {
	const page = 1000
	for {
		events, err := store.FindEvents(ctx, EventFilter{AfterID: after, Limit: page})
		if err != nil {
			return after, err
		}
		for _, e := range events {
			fn(e)
			after = e.ID
		}
		if len(events) < page {
			return after, nil
		}
	}
}

// Wakeup lets a process tell its own log follower to look now rather than at
// its next tick; other processes' changes wait for the tick. The zero value is
// ready to use.
type Wakeup struct {
	once sync.Once
	ch   chan struct{}
}

// Wake asks the follower to look now; a wake already pending is enough.
func (w *Wakeup) Wake() {
	select {
	case w.C() <- struct{}{}:
	default:
	}
}

// C is the channel the follower waits on.
func (w *Wakeup) C() chan struct{} {
	w.once.Do(func() { w.ch = make(chan struct{}, 1) })
	return w.ch
}
