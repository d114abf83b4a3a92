package herald

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Entities of the incentive mechanism's events.
const (
	EntityRecognition = "recognition"
	EntityQuota       = "quota"
	EntityRules       = "scoring_rules"
	EntityLedger      = "ledger"
)

// Points are incentive points in hundredths, so that sums are exact: 150 is
// 1.5 points. In JSON they are decimal numbers with at most two places.
type Points int64

// String writes points with two decimals: "1.50", "-3.00".
func (p Points) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s%d.%02d", sign, p/100, p%100)
}

// Float is the points as a number, for charts and spreadsheets.
func (p Points) Float() float64 { return float64(p) / 100 }

// MarshalJSON writes the points as a decimal number.
func (p Points) MarshalJSON() ([]byte, error) {
	s := strings.TrimSuffix(strings.TrimSuffix(p.String(), "0"), ".0")
	s = strings.TrimSuffix(s, ".")
	return []byte(s), nil
}

// UnmarshalJSON reads a decimal number with at most two places.
func (p *Points) UnmarshalJSON(b []byte) error {
	v, err := ParsePoints(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePoints reads "3", "1.5", "-0.25": at most two decimal places.
func ParsePoints(s string) (Points, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimal places", s)
	}
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil || w > math.MaxInt64/1000 || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("%q is not a number of points", s)
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 2-len(frac)), 10, 64); err != nil || f < 0 {
			return 0, fmt.Errorf("%q is not a number of points", s)
		}
	}
	v := Points(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}

// RecognitionKind is a distinction a piece earns a bonus for.
type RecognitionKind string

// Recognition kinds.
const (
	RecognitionEndorsement RecognitionKind = "endorsement"  // 领导批示: a leader endorsed the piece
	RecognitionFirstReport RecognitionKind = "first_report" // 首发: the first report of the news
)

// RecognitionKinds lists the kinds.
var RecognitionKinds = []RecognitionKind{RecognitionEndorsement, RecognitionFirstReport}

// Valid reports whether k is a known kind.
func (k RecognitionKind) Valid() bool { return slices.Contains(RecognitionKinds, k) }

// Recognition is a distinction an editor recorded on a published article.
// Withdrawing one (it was recorded in error) keeps the record.
type Recognition struct {
	ID          int64           `json:"id"`
	ArticleID   int64           `json:"article_id"`
	Kind        RecognitionKind `json:"kind"`
	Day         time.Time       `json:"day"` // when it was given (CST)
	Note        string          `json:"note,omitempty"`
	RecordedBy  int64           `json:"recorded_by"`
	CreatedAt   time.Time       `json:"created_at"`
	WithdrawnAt *time.Time      `json:"withdrawn_at,omitempty"`
}

// Quota is a unit's target of adopted (published) pieces in a month.
type Quota struct {
	UnitID    int64     `json:"unit_id"`
	Month     string    `json:"month"` // YYYY-MM
	Target    int       `json:"target"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a quota.
func (q *Quota) Validate() error {
	var p Problems
	if q.UnitID <= 0 {
		p.Add("unit_id", "is required")
	}
	if _, err := time.Parse("2006-01", q.Month); err != nil {
		p.Add("month", "must be a month written YYYY-MM")
	}
	if q.Target < 0 || q.Target > 10000 {
		p.Add("target", "must be from 0 to 10000 pieces")
	}
	return p.Err()
}

// Rules are one version of the scoring rules: how many points each event
// earns. Zero earns nothing.
type Rules struct {
	// Submission is earned by each piece submitted for review (once).
	Submission Points `json:"submission"`
	// Adoption is earned by each piece published, by its kind.
	Adoption map[ArticleKind]Points `json:"adoption"`
	// Channel is earned besides, for each channel beyond the website the
	// piece was published for.
	Channel map[Channel]Points `json:"channel"`
	// Placement is earned by each verified placement outside Herald, by the
	// outlet's level.
	Placement map[OutletLevel]Points `json:"placement"`
	// Bonus is earned by each recognition of a piece, by kind.
	Bonus map[RecognitionKind]Points `json:"bonus"`
	// Reads earns points for a piece's reads in a month.
	Reads ReadRule `json:"reads"`
	// MissedQuota is deducted from a unit for each piece its month fell
	// short of its quota.
	MissedQuota Points `json:"missed_quota"`
	// Split says how a piece's points are shared.
	Split Split `json:"split"`
}

// AdoptionPoints is what publishing a piece of kind k earns. Rules written
// before a kind existed do not name it: a profile then earns what an
// in-depth piece does (it is one, about a person), any other kind nothing.
func (r *Rules) AdoptionPoints(k ArticleKind) Points {
	if v, ok := r.Adoption[k]; ok {
		return v
	}
	if k == KindProfile {
		return r.Adoption[KindInDepth]
	}
	return 0
}

// ReadRule turns reads into points: Points for every Per reads of a piece in
// a month, at most CapPerMonth a piece a month (0: no cap) and CapPerPiece
// over its life (0: no cap).
type ReadRule struct {
	Per         int    `json:"per"`
	Points      Points `json:"points"`
	CapPerMonth Points `json:"cap_per_month"`
	CapPerPiece Points `json:"cap_per_piece"`
}

// Split shares a piece's points: among its staff authors, the first gets
// FirstAuthorPercent and the others share the rest equally (a sole author
// gets all); its unit is credited with UnitPercent of them besides, for the
// units' own ranking.
type Split struct {
	FirstAuthorPercent int `json:"first_author_percent"`
	UnitPercent        int `json:"unit_percent"`
}

// maxPoints bounds each amount of the rules: 10,000 points.
const maxPoints Points = 1_000_000

// Validate refuses rules that contradict themselves or would divide by
// zero, naming the field and the reason.
func (r *Rules) Validate() error {
	var p Problems
	amount := func(field string, v Points) {
		if v < 0 || v > maxPoints {
			p.Add(field, "must be from 0 to %s points", maxPoints)
		}
	}
	amount("submission", r.Submission)
	for _, k := range slices.Sorted(maps.Keys(r.Adoption)) {
		v := r.Adoption[k]
		if !k.Valid() {
			p.Add("adoption", "%q is not a kind of piece; kinds are %s", k, joinTypes(ArticleKinds))
		}
		amount("adoption."+string(k), v)
	}
	for _, c := range slices.Sorted(maps.Keys(r.Channel)) {
		v := r.Channel[c]
		if !c.Valid() || c == ChannelWebsite {
			p.Add("channel", "%q is not a channel beyond the website", c)
		}
		amount("channel."+string(c), v)
	}
	for _, l := range slices.Sorted(maps.Keys(r.Placement)) {
		v := r.Placement[l]
		if !l.Valid() {
			p.Add("placement", "%q is not an outlet level; levels are %s", l, joinTypes(OutletLevels))
		}
		amount("placement."+string(l), v)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Bonus)) {
		v := r.Bonus[k]
		if !k.Valid() {
			p.Add("bonus", "%q is not a recognition; they are %s", k, joinTypes(RecognitionKinds))
		}
		amount("bonus."+string(k), v)
	}
	// placements in higher outlets may not earn less than in lower ones
	for i := 1; i < len(OutletLevels); i++ {
		lo, hi := OutletLevels[i-1], OutletLevels[i]
		if r.Placement[hi] < r.Placement[lo] {
			p.Add("placement."+string(hi), "earns less than a %s placement (%s < %s): a higher outlet must not count for less", lo, r.Placement[hi], r.Placement[lo])
		}
	}
	rd := r.Reads
	amount("reads.points", rd.Points)
	amount("reads.cap_per_month", rd.CapPerMonth)
	amount("reads.cap_per_piece", rd.CapPerPiece)
	switch {
	case rd.Points > 0 && rd.Per <= 0:
		p.Add("reads.per", "must be at least 1 read when reads earn points (it divides the reads)")
	case rd.Per < 0 || rd.Per > 10_000_000:
		p.Add("reads.per", "must be from 0 to 10,000,000 reads")
	}
	if rd.CapPerMonth > 0 && rd.CapPerPiece > 0 && rd.CapPerMonth > rd.CapPerPiece {
		p.Add("reads.cap_per_month", "is more than the cap per piece (%s > %s): a month could never reach it", rd.CapPerMonth, rd.CapPerPiece)
	}
	amount("missed_quota", r.MissedQuota)
	if s := r.Split.FirstAuthorPercent; s < 0 || s > 100 {
		p.Add("split.first_author_percent", "must be from 0 to 100")
	}
	if s := r.Split.UnitPercent; s < 0 || s > 100 {
		p.Add("split.unit_percent", "must be from 0 to 100")
	}
	return p.Err()
}

// RuleSet is a version of the rules and the day it takes effect: events from
// that day on (China Standard Time) are scored by it, until the next
// version's day. A new version never takes effect in the past, so it never
// rewrites points already earned.
type RuleSet struct {
	Version       int       `json:"version"`
	EffectiveFrom time.Time `json:"effective_from"` // a day, CST
	Rules         Rules     `json:"rules"`
	Note          string    `json:"note,omitempty"`
	CreatedBy     int64     `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// Validate checks a rule set's own fields.
func (rs *RuleSet) Validate() error {
	var p Problems
	if rs.EffectiveFrom.IsZero() {
		p.Add("effective_from", "is required")
	}
	if !utf8.ValidString(rs.Note) || utf8.RuneCountInString(rs.Note) > 500 {
		p.Add("note", "must be text of at most 500 characters")
	}
	if err := rs.Rules.Validate(); err != nil {
		p.addFrom(err)
	}
	return p.Err()
}

// RulesOn returns the version in effect on a day: the latest that took
// effect on or before it; nil before the first. Versions are in order.
func RulesOn(versions []*RuleSet, day time.Time) *RuleSet {
	var in *RuleSet
	for _, v := range versions {
		if !v.EffectiveFrom.After(day) {
			in = v
		}
	}
	return in
}

// MonthReads are a piece's reads in a month, for scoring. The read spikes
// of the month (ReadSpike) decide how many of them count.
type MonthReads struct {
	ArticleID int64
	Month     time.Time // the first day, CST
	Reads     int
}

// BeneficiaryKind is who earns points: a staff member or a unit.
type BeneficiaryKind string

// Beneficiary kinds.
const (
	ForStaff BeneficiaryKind = "staff"
	ForUnit  BeneficiaryKind = "unit"
)

// Beneficiary is who an entry credits.
type Beneficiary struct {
	Kind BeneficiaryKind `json:"kind"`
	ID   int64           `json:"id"`
}

// Sources of points: the events the rules score.
const (
	SourceSubmission  = "submission"
	SourceAdoption    = "adoption"
	SourceChannel     = "channel"
	SourcePlacement   = "placement"
	SourceRecognition = "recognition"
	SourceReads       = "reads"
	SourceQuota       = "quota"
)

// LedgerEntry is one immutable movement of points: what earned them (the
// source event), for whom, under which rule version, on which day. Its key
// makes scoring idempotent — the same event never credits twice; a
// correction is a new entry reversing an earlier one.
type LedgerEntry struct {
	ID          int64       `json:"id"`
	Key         string      `json:"key"`
	Beneficiary Beneficiary `json:"beneficiary"`
	Points      Points      `json:"points"`
	RuleVersion int         `json:"rule_version"`
	Source      string      `json:"source"`
	SourceID    int64       `json:"source_id"` // the article, placement, recognition or unit
	ArticleID   int64       `json:"article_id,omitempty"`
	Day         time.Time   `json:"day"` // the day the points belong to (CST)
	Reverses    int64       `json:"reverses,omitempty"`
	Note        string      `json:"note,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
}

// LedgerFilter selects entries, in the order they were made; zero fields do
// not filter. From and To are days (CST), To excluded.
type LedgerFilter struct {
	Beneficiary *Beneficiary
	ArticleID   int64
	Source      string
	From, To    time.Time
	Limit       int
	Offset      int
}

// Total is a beneficiary's points over a period.
type Total struct {
	Beneficiary Beneficiary `json:"beneficiary"`
	Points      Points      `json:"points"`
	Entries     int         `json:"entries"`
}

// IncentiveStore keeps the incentive mechanism's records. The ledger only
// grows: AppendLedger adds the entries whose keys are new, giving them
// their IDs, and skips the others (so scoring twice adds nothing), and
// nothing changes or removes an entry. Errors: EINVALID naming the field, ECONFLICT (a recognition the
// article has already; a rule version that takes effect in the past or not
// after the last one), ENOTFOUND.
type IncentiveStore interface {
	CreateRecognition(ctx context.Context, r *Recognition, ev Event) error
	WithdrawRecognition(ctx context.Context, id int64, ev Event) (*Recognition, error)
	FindRecognitions(ctx context.Context, articleID int64) ([]*Recognition, error)
	// AllRecognitions lists every recognition, withdrawn ones too, for scoring.
	AllRecognitions(ctx context.Context) ([]*Recognition, error)

	SetQuota(ctx context.Context, q *Quota, ev Event) error
	FindQuotas(ctx context.Context, month string) ([]*Quota, error)
	AllQuotas(ctx context.Context) ([]*Quota, error)

	// CreateRules stores a new version (numbered one after the last), which
	// must take effect after the last version's day and not before the
	// event's day.
	CreateRules(ctx context.Context, rs *RuleSet, ev Event) error
	FindRules(ctx context.Context) ([]*RuleSet, error)

	AppendLedger(ctx context.Context, entries []*LedgerEntry, ev Event) (added int, err error)
	FindLedger(ctx context.Context, f LedgerFilter) ([]*LedgerEntry, int, error)
	// LedgerTotals sums the entries of a kind of beneficiary over days From
	// (included) to To (excluded), highest first.
	LedgerTotals(ctx context.Context, kind BeneficiaryKind, from, to time.Time) ([]Total, error)
}
