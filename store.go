package herald

import (
	"context"
	"io"
	"time"
)

// Store is everything Herald keeps. Two engines implement it, SQLite and
// PostgreSQL, and one conformance suite (storetest) holds both to the same rules.
// Every write method is one transaction, and writes the audit event it is given in
// that same transaction.
type Store interface {
	UnitStore
	StaffStore
	SectionStore
	ArticleStore
	TokenStore
	EventStore
	SettingsStore
	ViewStore
	AnalyticsStore
	TipStore
	SessionStore
	MediaStore
	AutosaveStore
	WordStore
	JobStore
	DeliveryStore
	FediverseStore
	PeriodicalStore
	PartnerStore
	IncentiveStore
	TrainingStore
	SpikeStore
	PlanStore         // work coordination: topic plans,
	AssignmentStore   // their assignments
	CalendarFeedStore // and the iCalendar feeds of them
	SubscriberStore
	NotificationStore
	TopicStore // special topics and the films of video pieces
	RateStore  // rate limits shared by every server
	BackupStore
	// Engine names the engine: "sqlite" or "postgres".
	Engine() string
	Close() error
}

// BackupStore writes and reads engine-neutral backups. Dump writes a consistent
// snapshot of every table while the store stays in use; Load fills an empty store
// from a dump, so a backup of either engine restores into either engine.
type BackupStore interface {
	Dump(ctx context.Context, w io.Writer) error
	Load(ctx context.Context, r io.Reader) error
}

// CST is China Standard Time (UTC+8), in which the province writes, shows and
// reads dates.
var CST = time.FixedZone("CST", 8*3600)

// CSTDay returns the start (midnight, China Standard Time) of the day t falls on.
func CSTDay(t time.Time) time.Time {
	y, m, d := t.In(CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, CST)
}

// Clock tells the time. Services take one so that tests control time.
type Clock func() time.Time

// Now returns the clock's time in UTC with microsecond precision, the precision
// both engines store.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return c().UTC().Truncate(time.Microsecond)
}
