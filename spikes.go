package herald

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EntitySpike is the entity of read spikes' events: flagged by scoring,
// released or voided by an editor.
const EntitySpike = "read_spike"

// SpikeStatus is where a read spike stands in its review.
type SpikeStatus string

// Spike states. A flagged spike holds its month's reads (they earn nothing
// yet); a released one lets them count in full; a voided one takes the day's
// reads above what was expected out of the month.
const (
	SpikeFlagged  SpikeStatus = "flagged"
	SpikeReleased SpikeStatus = "released"
	SpikeVoided   SpikeStatus = "voided"
)

// SpikeStatuses lists the states in the order of a review.
var SpikeStatuses = []SpikeStatus{SpikeFlagged, SpikeReleased, SpikeVoided}

// Valid reports whether s is a known state.
func (s SpikeStatus) Valid() bool { return slices.Contains(SpikeStatuses, s) }

// MaxSpikeNote bounds the note of a review, in characters.
const MaxSpikeNote = 500

// ReadSpike is a day on which an article's reads jumped far above its own
// pattern (analytics.SpikeRule), kept so that an editor looks into it before
// the reads earn points. One is kept per article and day; its numbers are
// those the rule saw when it flagged the day, which are what the reviewer
// judges and what voiding takes out.
type ReadSpike struct {
	ID        int64  `json:"id"`
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"` // YYYY-MM-DD, China Standard Time
	Reads     int    `json:"reads"`
	// Expected is what the article's pattern led one to expect that day.
	Expected int `json:"expected"`
	// Threshold is the number of reads the day had to exceed to be flagged.
	Threshold  int         `json:"threshold"`
	Status     SpikeStatus `json:"status"`
	DetectedAt time.Time   `json:"detected_at"`
	ReviewedBy int64       `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time  `json:"reviewed_at,omitempty"`
	Note       string      `json:"note,omitempty"`
}

// Excess is the day's reads above what was expected: what voiding the spike
// takes out of its month, leaving the day's ordinary reads.
func (sp *ReadSpike) Excess() int { return max(0, sp.Reads-sp.Expected) }

// Month is the CST month of the spike's day, YYYY-MM.
func (sp *ReadSpike) Month() string {
	if len(sp.Day) < len("2006-01") {
		return ""
	}
	return sp.Day[:len("2006-01")]
}

// StatusAt is the spike's state as it stood at t: a review made after t had
// not happened yet.
func (sp *ReadSpike) StatusAt(t time.Time) SpikeStatus {
	if sp.ReviewedAt != nil && sp.ReviewedAt.After(t) {
		return SpikeFlagged
	}
	return sp.Status
}

// Validate checks a spike about to be flagged.
func (sp *ReadSpike) Validate() error {
	var p Problems
	if sp.ArticleID <= 0 {
		p.Add("article_id", "is required")
	}
	if !validDay(sp.Day) {
		p.Add("day", "must be a day written YYYY-MM-DD")
	}
	if sp.Expected < 0 || sp.Threshold < 0 || sp.Reads <= sp.Threshold {
		p.Add("reads", "must exceed the threshold, and the threshold and the expected reads must not be negative")
	}
	return p.Err()
}

// ValidateSpikeReview checks a review's decision and note: a spike is
// released or voided, and voiding says why.
func ValidateSpikeReview(status SpikeStatus, note string) error {
	var p Problems
	if status != SpikeReleased && status != SpikeVoided {
		p.Add("decision", "must be one of %s, %s", SpikeReleased, SpikeVoided)
	}
	if status == SpikeVoided && strings.TrimSpace(note) == "" {
		p.Add("note", "is required: say why the reads are voided")
	}
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxSpikeNote {
		p.Add("note", "must be at most %d characters", MaxSpikeNote)
	}
	return p.Err()
}

// SpikeFilter selects read spikes, the latest day first; zero fields do not
// filter.
type SpikeFilter struct {
	Statuses   []SpikeStatus
	ArticleIDs []int64 // any of these articles; nil: all, empty: none
	UnitIDs    []int64 // spikes of these units' articles; nil: all, empty: none
	Limit      int
	Offset     int
}

// SpikeStore keeps read spikes and their review. Errors: EINVALID naming the
// field, ENOTFOUND, ECONFLICT (a review of a spike reviewed already).
type SpikeStore interface {
	// RecordSpikes flags the spikes whose (article, day) is new, at at, in
	// one transaction with an audit event for each one added; a spike kept
	// already, whatever its state, is left as it is, so a released or voided
	// day is never flagged again. It returns how many it added.
	RecordSpikes(ctx context.Context, spikes []ReadSpike, at time.Time) (added int, err error)
	// FindSpikes lists spikes, the latest day first (then the newest), with
	// the total the filter selects; scoring reads them all with a zero filter.
	FindSpikes(ctx context.Context, f SpikeFilter) ([]*ReadSpike, int, error)
	FindSpikeByID(ctx context.Context, id int64) (*ReadSpike, error)
	// ReviewSpike releases or voids a flagged spike (see
	// ValidateSpikeReview), in one transaction with ev as its audit event.
	ReviewSpike(ctx context.Context, id int64, status SpikeStatus, note string, ev Event) (*ReadSpike, error)
}
