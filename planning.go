package herald

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Entities of work coordination's events. The notifications follow
// EntityAssignment events, whose Action is one of the Action* constants of
// assignments and whose EntityID is the assignment's ID.
const (
	EntityTopicPlan    = "topic_plan"
	EntityAssignment   = "assignment"
	EntityCalendarFeed = "calendar_feed"
)

// Actions of assignment events: each moves an assignment to one status.
const (
	ActionAssign  = "assign"
	ActionAccept  = "accept"
	ActionStart   = "start"
	ActionSubmit  = "submit"
	ActionPublish = "publish"
	ActionDecline = "decline"
	ActionCancel  = "cancel"
)

// Limits of plans and assignments.
const (
	MaxPlanTitleRunes     = 200
	MaxBriefRunes         = 4000
	MaxDeclineReasonRunes = 500
	// MaxPlanDays is the longest period a plan covers: a campaign of a year.
	MaxPlanDays = 366
)

// TopicPlan ties a central-work theme to an occasion (an event or a
// campaign): the channels its coverage is meant for, the period it runs and
// the units that take part. Assignments carry out its coverage.
type TopicPlan struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	ThemeID  int64     `json:"theme_id"`
	Occasion string    `json:"occasion"` // the event or campaign the coverage is for
	Brief    string    `json:"brief,omitempty"`
	Channels []Channel `json:"channels"`
	Start    time.Time `json:"start"` // first day (CST midnight)
	End      time.Time `json:"end"`   // last day, included (CST midnight)
	UnitIDs  []int64   `json:"unit_ids"`
	// CreatedBy is the editor who made the plan.
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases with every save; an update must name the version it
	// was based on, so that two editors do not overwrite each other.
	Version int `json:"version"`
}

// Normalize trims the text and sorts the lists, so that equal plans compare
// equal and stored lists hold no duplicates.
func (p *TopicPlan) Normalize() {
	p.Title, p.Occasion, p.Brief = strings.TrimSpace(p.Title), strings.TrimSpace(p.Occasion), strings.TrimSpace(p.Brief)
	// sorted in copies: a caller's slices may be shared with another plan
	p.Channels, p.UnitIDs = slices.Clone(p.Channels), slices.Clone(p.UnitIDs)
	slices.SortFunc(p.Channels, func(a, b Channel) int { return slices.Index(Channels, a) - slices.Index(Channels, b) })
	p.Channels = slices.Compact(p.Channels)
	slices.Sort(p.UnitIDs)
	p.UnitIDs = slices.Compact(p.UnitIDs)
	if p.Channels == nil {
		p.Channels = []Channel{}
	}
	if p.UnitIDs == nil {
		p.UnitIDs = []int64{}
	}
	if !p.Start.IsZero() {
		p.Start = CSTDay(p.Start)
	}
	if !p.End.IsZero() {
		p.End = CSTDay(p.End)
	}
}

// Validate checks a plan's own fields, naming each bad one. Whether its
// theme and units exist is the store's and the service's to check.
func (p *TopicPlan) Validate() error {
	var pr Problems
	checkName(&pr, "title", p.Title, true)
	checkName(&pr, "occasion", p.Occasion, true)
	checkText(&pr, "brief", p.Brief, MaxBriefRunes, false)
	if p.ThemeID <= 0 {
		pr.Add("theme_id", "is required: the central-work theme the coverage serves")
	}
	if len(p.Channels) == 0 {
		pr.Add("channels", "must name at least one channel")
	}
	for _, c := range p.Channels {
		if !c.Valid() {
			pr.Add("channels", "unknown channel %q; channels are %s", c, joinTypes(Channels))
			break
		}
	}
	switch {
	case p.Start.IsZero():
		pr.Add("start", "is required")
	case p.End.IsZero():
		pr.Add("end", "is required")
	case p.End.Before(p.Start):
		pr.Add("end", "is before the start (%s)", DayString(p.Start))
	case p.End.Sub(p.Start) > MaxPlanDays*24*time.Hour:
		pr.Add("end", "makes the plan longer than %d days", MaxPlanDays)
	}
	if len(p.UnitIDs) == 0 {
		pr.Add("unit_ids", "must name at least one unit")
	}
	for _, id := range p.UnitIDs {
		if id <= 0 {
			pr.Add("unit_ids", "must be unit IDs")
			break
		}
	}
	return pr.Err()
}

// HasUnit reports whether unit id takes part in the plan.
func (p *TopicPlan) HasUnit(id int64) bool { return slices.Contains(p.UnitIDs, id) }

// AssignmentStatus is where a commissioned piece stands.
type AssignmentStatus string

// Assignment states. An assignment is given (assigned), taken on by the unit
// or person (accepted), being written (in progress), handed in as an article
// (submitted), and done once that article is published; the unit may
// decline it with a reason, and the assigner may cancel it while it is open.
const (
	AssignmentAssigned   AssignmentStatus = "assigned"
	AssignmentAccepted   AssignmentStatus = "accepted"
	AssignmentInProgress AssignmentStatus = "in_progress"
	AssignmentSubmitted  AssignmentStatus = "submitted"
	AssignmentPublished  AssignmentStatus = "published"
	AssignmentDeclined   AssignmentStatus = "declined"
	AssignmentCancelled  AssignmentStatus = "cancelled"
)

// AssignmentStatuses lists every state, in the order of the board's columns.
var AssignmentStatuses = []AssignmentStatus{AssignmentAssigned, AssignmentAccepted, AssignmentInProgress,
	AssignmentSubmitted, AssignmentPublished, AssignmentDeclined, AssignmentCancelled}

// OpenAssignmentStatuses are the states in which an assignment still waits
// for work.
var OpenAssignmentStatuses = []AssignmentStatus{AssignmentAssigned, AssignmentAccepted, AssignmentInProgress, AssignmentSubmitted}

// Valid reports whether s is a known state.
func (s AssignmentStatus) Valid() bool { return slices.Contains(AssignmentStatuses, s) }

// Open reports whether the assignment still waits for work: it is not
// published, declined or cancelled.
func (s AssignmentStatus) Open() bool { return slices.Contains(OpenAssignmentStatuses, s) }

// Assignment is a commissioned piece: given to a unit (and, optionally, to
// one of its staff) with a brief and a due date, usually as part of a topic
// plan. Its article, once linked, completes it when published.
type Assignment struct {
	ID     int64  `json:"id"`
	PlanID int64  `json:"plan_id,omitempty"` // 0: a standalone assignment
	Title  string `json:"title"`
	Brief  string `json:"brief,omitempty"`
	// UnitID is the unit the piece is given to.
	UnitID int64 `json:"unit_id"`
	// AssigneeID is the staff member who writes it; 0 gives it to the unit
	// as a whole, for any of its correspondents to take.
	AssigneeID int64 `json:"assignee_id,omitempty"`
	// Due is when the piece is due: midnight CST means "by the end of that
	// day" (an all-day deadline); any other time is a deadline to the minute.
	Due           time.Time        `json:"due"`
	Status        AssignmentStatus `json:"status"`
	ArticleID     int64            `json:"article_id,omitempty"` // 0 until an article is linked
	DeclineReason string           `json:"decline_reason,omitempty"`
	// CreatedBy is the assigner.
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// AllDay reports whether the assignment is due by the end of a day rather
// than at a time of day.
func (a *Assignment) AllDay() bool { return a.Due.Equal(CSTDay(a.Due)) }

// Deadline is the moment the assignment becomes overdue: the end of its day
// for an all-day deadline, its time otherwise.
func (a *Assignment) Deadline() time.Time {
	if a.AllDay() {
		return CSTDay(a.Due).AddDate(0, 0, 1)
	}
	return a.Due
}

// Overdue reports whether an open assignment is past its deadline at now.
func (a *Assignment) Overdue(now time.Time) bool { return a.Status.Open() && !now.Before(a.Deadline()) }

// AssignmentLink is where the newsroom shows an assignment, a path: on its
// unit's board, scrolled to it (assignments have no page of their own).
func AssignmentLink(a *Assignment) string {
	return "/newsroom/assignments?unit=" + strconv.FormatInt(a.UnitID, 10) + "#assignment-" + strconv.FormatInt(a.ID, 10)
}

// Normalize trims the text.
func (a *Assignment) Normalize() {
	a.Title, a.Brief, a.DeclineReason = strings.TrimSpace(a.Title), strings.TrimSpace(a.Brief), strings.TrimSpace(a.DeclineReason)
}

// Validate checks an assignment's own fields, naming each bad one. Whether
// the due date is past, the assignee may take it and the unit is the plan's
// is for the planning service to decide, which knows the time and the staff.
func (a *Assignment) Validate() error {
	var p Problems
	checkName(&p, "title", a.Title, true)
	checkText(&p, "brief", a.Brief, MaxBriefRunes, false)
	if a.UnitID <= 0 {
		p.Add("unit_id", "is required: the unit the piece is given to")
	}
	if a.AssigneeID < 0 {
		p.Add("assignee_id", "must be a staff ID, or 0 for the unit as a whole")
	}
	if a.PlanID < 0 {
		p.Add("plan_id", "must be a plan ID, or 0 for none")
	}
	if a.Due.IsZero() {
		p.Add("due", "is required")
	}
	if !a.Status.Valid() {
		p.Add("status", "must be one of %s", joinTypes(AssignmentStatuses))
	}
	if a.ArticleID < 0 {
		p.Add("article_id", "must be an article ID")
	}
	checkText(&p, "decline_reason", a.DeclineReason, MaxDeclineReasonRunes, false)
	if a.Status == AssignmentDeclined && a.DeclineReason == "" {
		p.Add("decline_reason", "is required: say why the piece is declined")
	}
	if (a.Status == AssignmentSubmitted || a.Status == AssignmentPublished) && a.ArticleID == 0 {
		p.Add("article_id", "is required once the piece is submitted")
	}
	if a.CreatedBy <= 0 {
		p.Add("created_by", "is required")
	}
	return p.Err()
}

// PlanFilter selects plans, the latest start first; zero fields do not
// filter.
type PlanFilter struct {
	IDs     []int64
	ThemeID int64
	// UnitIDs selects plans any of these units take part in.
	UnitIDs []int64
	// ActiveOn selects plans whose period includes that day.
	ActiveOn *time.Time
	Limit    int
	Offset   int
}

// AssignmentFilter selects assignments, the soonest due first; zero fields
// do not filter (a nil list does not filter, an empty one selects nothing).
type AssignmentFilter struct {
	IDs        []int64
	PlanID     int64
	PlanIDs    []int64 // the assignments of any of these plans
	UnitIDs    []int64
	AssigneeID int64
	Statuses   []AssignmentStatus
	DueBefore  *time.Time // due strictly before
	DueAfter   *time.Time // due at or after
	ArticleID  int64
	// CreatedBy selects the assignments one person gave.
	CreatedBy int64
	// For selects the assignments that are one person's: see AssignmentsFor.
	For    *AssignmentsFor
	Limit  int
	Offset int
}

// AssignmentsFor are the assignments that are one person's to work on:
// given to them, or to their unit as a whole while nobody has taken them
// on; with Given, also those they gave.
type AssignmentsFor struct {
	StaffID, UnitID int64
	Given           bool
}

// PlanStore keeps topic plans. Errors: EINVALID naming the field (an unknown
// theme or unit among them), ENOTFOUND, ECONFLICT when an update names a
// version that is not the stored one.
type PlanStore interface {
	CreatePlan(ctx context.Context, p *TopicPlan, ev Event) error
	// UpdatePlan saves p over the stored plan of its ID if p.Version is the
	// stored version, and increases the version.
	UpdatePlan(ctx context.Context, p *TopicPlan, ev Event) error
	FindPlans(ctx context.Context, f PlanFilter) ([]*TopicPlan, int, error)
	FindPlanByID(ctx context.Context, id int64) (*TopicPlan, error)
}

// AssignmentStore keeps assignments. Errors: EINVALID naming the field (an
// unknown plan, unit, assignee or article), ENOTFOUND, ECONFLICT when an
// update names a version that is not the stored one.
type AssignmentStore interface {
	// CreateAssignments stores several assignments in one transaction (a
	// plan given to several units at once), each with its own event made
	// from ev.
	CreateAssignments(ctx context.Context, as []*Assignment, ev Event) error
	// UpdateAssignment saves a over the stored assignment of its ID if
	// a.Version is the stored version, increases the version, and records
	// ev for it.
	UpdateAssignment(ctx context.Context, a *Assignment, ev Event) error
	FindAssignments(ctx context.Context, f AssignmentFilter) ([]*Assignment, int, error)
	FindAssignmentByID(ctx context.Context, id int64) (*Assignment, error)
}

// CalendarFeed is the secret address of an iCalendar feed of assignments:
// a staff member's own or a unit's. Only the SHA-256 of its secret is kept.
type CalendarFeed struct {
	ID        int64     `json:"id"`
	StaffID   int64     `json:"staff_id,omitempty"` // a person's feed
	UnitID    int64     `json:"unit_id,omitempty"`  // or a unit's
	Hash      string    `json:"-"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a feed: it belongs to a staff member or to a unit.
func (f *CalendarFeed) Validate() error {
	var p Problems
	if (f.StaffID > 0) == (f.UnitID > 0) {
		p.Add("owner", "a feed belongs to one staff member or one unit")
	}
	if len(f.Hash) != 64 {
		p.Add("hash", "must be a hex SHA-256")
	}
	return p.Err()
}

// CalendarFeedStore keeps the feeds' secrets. Errors: ENOTFOUND, EINVALID.
type CalendarFeedStore interface {
	// ResetCalendarFeed makes f the feed of its owner, replacing the
	// owner's earlier feed (whose address stops working).
	ResetCalendarFeed(ctx context.Context, f *CalendarFeed, ev Event) error
	// FindCalendarFeed returns the feed of a staff member (unitID 0) or of a
	// unit (staffID 0).
	FindCalendarFeed(ctx context.Context, staffID, unitID int64) (*CalendarFeed, error)
	FindCalendarFeedByHash(ctx context.Context, hash string) (*CalendarFeed, error)
}
