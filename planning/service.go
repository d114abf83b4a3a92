package planning

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
)

// Service runs work coordination over a store.
type Service struct {
	Store herald.Store
	Clock herald.Clock
}

// New returns a planning service.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock}
}

// Units returns the unit tree scopes are decided by.
func (s *Service) Units(ctx context.Context) (*herald.UnitTree, error) {
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, err
	}
	return herald.NewUnitTree(units), nil
}

// event is an audit event by actor (nil: the system) now; act "" leaves
// the action to the store, which names it for plans and feeds.
func (s *Service) event(actor *herald.Staff, act string, comment string) herald.Event {
	ev := herald.Event{At: s.Clock.Now(), Action: act, Comment: comment}
	if actor != nil {
		ev.ActorID = actor.ID
	}
	return ev
}

// checkPlanner refuses those who may not plan for every unit of units.
func (s *Service) checkPlanner(ctx context.Context, actor *herald.Staff, field string, unitIDs []int64) (*herald.UnitTree, error) {
	if !MayPlan(actor) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only editors plan topics and assign pieces.")
	}
	tree, err := s.Units(ctx)
	if err != nil {
		return nil, err
	}
	var p herald.Problems
	for _, id := range unitIDs {
		switch u := tree.Unit(id); {
		case u == nil:
			p.Add(field, "no unit has ID %d", id)
		case !InScope(tree, actor, id):
			return nil, &herald.Error{Code: herald.EFORBIDDEN, Message: fmt.Sprintf("%s: %s is outside the units you plan for.", field, u.Name),
				Fields: []herald.FieldError{{Field: field, Message: u.Name + " is outside the units you plan for"}}}
		}
	}
	return tree, p.Err()
}

// CreatePlan makes a plan; its units must be in the editor's scope.
func (s *Service) CreatePlan(ctx context.Context, actor *herald.Staff, p *herald.TopicPlan) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := s.checkPlanner(ctx, actor, "unit_ids", p.UnitIDs); err != nil {
		return err
	}
	p.CreatedBy = actor.ID
	return s.Store.CreatePlan(ctx, p, s.event(actor, "", ""))
}

// UpdatePlan saves a changed plan (p.Version names the version it changes).
// A unit with open assignments in the plan stays in it.
func (s *Service) UpdatePlan(ctx context.Context, actor *herald.Staff, p *herald.TopicPlan) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	old, err := s.Store.FindPlanByID(ctx, p.ID)
	if err != nil {
		return err
	}
	// the units dropped must be the editor's to drop, too
	tree, err := s.checkPlanner(ctx, actor, "unit_ids", append(slices.Clone(p.UnitIDs), old.UnitIDs...))
	if err != nil {
		return err
	}
	open, _, err := s.Store.FindAssignments(ctx, herald.AssignmentFilter{PlanID: p.ID, Statuses: herald.OpenAssignmentStatuses})
	if err != nil {
		return err
	}
	var pr herald.Problems
	for _, a := range open {
		if !p.HasUnit(a.UnitID) {
			pr.Add("unit_ids", "%s has open assignments in this plan; cancel them before taking the unit out", tree.Unit(a.UnitID).Name)
			break
		}
	}
	if err := pr.Err(); err != nil {
		return err
	}
	return s.Store.UpdatePlan(ctx, p, s.event(actor, "", ""))
}

// Target is one unit a piece is given to, and optionally the person in it
// who writes it.
type Target struct {
	UnitID     int64 `json:"unit_id"`
	AssigneeID int64 `json:"assignee_id,omitempty"`
}

// Assign gives the piece described by piece (title, brief, due, plan) to
// each target, one assignment each, in one transaction: a plan's coverage
// goes to several bureaus in one go. Refused, naming the field: no target,
// a due time already past, a unit outside the plan or the editor's scope,
// an assignee who is disabled, not a writer or not on the unit's staff.
func (s *Service) Assign(ctx context.Context, actor *herald.Staff, piece herald.Assignment, targets []Target) ([]*herald.Assignment, error) {
	if !MayPlan(actor) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only editors plan topics and assign pieces.")
	}
	now := s.Clock.Now()
	piece.Status, piece.CreatedBy, piece.ArticleID, piece.DeclineReason = herald.AssignmentAssigned, actor.ID, 0, ""
	var p herald.Problems
	if len(targets) == 0 {
		p.Add("unit_ids", "choose at least one unit to give the piece to")
	}
	if !piece.Due.IsZero() && !piece.Deadline().After(now) {
		p.Add("due", "is in the past (%s); give a time to come", piece.Due.In(herald.CST).Format("2006-01-02 15:04"))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	check := piece
	check.UnitID = 1 // the targets' units are checked below
	check.Normalize()
	if err := check.Validate(); err != nil {
		return nil, err
	}
	var plan *herald.TopicPlan
	if piece.PlanID != 0 {
		var err error
		if plan, err = s.Store.FindPlanByID(ctx, piece.PlanID); herald.ErrorCode(err) == herald.ENOTFOUND {
			return nil, herald.Invalid("plan_id", "no plan has ID %d", piece.PlanID)
		} else if err != nil {
			return nil, err
		}
	}
	var unitIDs []int64
	for _, t := range targets {
		unitIDs = append(unitIDs, t.UnitID)
	}
	tree, err := s.checkPlanner(ctx, actor, "unit_ids", unitIDs)
	if err != nil {
		return nil, err
	}
	var out []*herald.Assignment
	seen := map[int64]bool{}
	for _, t := range targets {
		u := tree.Unit(t.UnitID)
		if seen[t.UnitID] {
			p.Add("unit_ids", "%s is named twice", u.Name)
			continue
		}
		seen[t.UnitID] = true
		if plan != nil && !plan.HasUnit(t.UnitID) {
			p.Add("unit_ids", "%s does not take part in the plan %q", u.Name, plan.Title)
		}
		if t.AssigneeID != 0 {
			if err := s.checkAssignee(ctx, t, u, &p); err != nil {
				return nil, err
			}
		}
		a := piece
		a.UnitID, a.AssigneeID = t.UnitID, t.AssigneeID
		out = append(out, &a)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateAssignments(ctx, out, s.event(actor, herald.ActionAssign, "")); err != nil {
		return nil, err
	}
	return out, nil
}

// checkAssignee adds a problem when the person a piece is given to cannot
// take it.
func (s *Service) checkAssignee(ctx context.Context, t Target, u *herald.Unit, p *herald.Problems) error {
	st, err := s.Store.FindStaffByID(ctx, t.AssigneeID)
	switch {
	case herald.ErrorCode(err) == herald.ENOTFOUND:
		p.Add("assignee_id", "no staff member has ID %d", t.AssigneeID)
	case err != nil:
		return err
	case !st.Active():
		p.Add("assignee_id", "%s's account is disabled: give the piece to someone active, or to the unit", st.Byline())
	case st.UnitID != t.UnitID:
		p.Add("assignee_id", "%s is not on the staff of %s", st.Byline(), u.Name)
	case !MayWrite(st):
		p.Add("assignee_id", "%s does not write pieces (no correspondent or editor role)", st.Byline())
	}
	return nil
}

// Request carries what a step needs besides the assignment.
type Request struct {
	// Version, when not 0, must be the assignment's version.
	Version int
	// Reason is why a piece is declined (required) or cancelled.
	Reason string
	// ArticleID is the article handed in, for submit.
	ArticleID int64
}

// Do takes a step on an assignment for actor (nil: the system), checking
// who may and whether the state allows it, and records the event in the
// same transaction as the change.
func (s *Service) Do(ctx context.Context, actor *herald.Staff, id int64, act Action, req Request) (*herald.Assignment, error) {
	req.Reason = strings.TrimSpace(req.Reason)
	var p herald.Problems
	if !utf8.ValidString(req.Reason) || utf8.RuneCountInString(req.Reason) > herald.MaxDeclineReasonRunes {
		p.Add("reason", "must be text of at most %d characters", herald.MaxDeclineReasonRunes)
	} else if act == ActDecline && req.Reason == "" {
		p.Add("reason", "is required: tell the assigner why the piece is declined")
	}
	if act == ActSubmit && req.ArticleID <= 0 {
		p.Add("article_id", "is required: the article written for the assignment")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	a, err := s.Store.FindAssignmentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if req.Version != 0 && req.Version != a.Version {
		return nil, herald.Errorf(herald.ECONFLICT, "The assignment was changed meanwhile (version %d, you had %d); reload it and try again.", a.Version, req.Version)
	}
	tree, err := s.Units(ctx)
	if err != nil {
		return nil, err
	}
	if err := Check(act, actor, a, tree); err != nil {
		return nil, err
	}
	to, _ := Next(a.Status, act)
	ev := s.event(actor, string(act), req.Reason)
	switch act {
	case ActAccept:
		if a.AssigneeID == 0 {
			a.AssigneeID = actor.ID // taking on a unit's piece makes it yours
		}
	case ActDecline:
		a.DeclineReason = req.Reason
	case ActSubmit:
		art, err := s.linkable(ctx, a, tree, req.ArticleID)
		if err != nil {
			return nil, err
		}
		a.ArticleID = art.ID
		if a.AssigneeID == 0 {
			a.AssigneeID = actor.ID
		}
		if art.Status == herald.StatusPublished {
			// handed in after publication: done at once
			to, ev.Action = herald.AssignmentPublished, herald.ActionPublish
			ev.Comment = fmt.Sprintf("article %d, published already", art.ID)
		}
	}
	a.Status = to
	if err := s.Store.UpdateAssignment(ctx, a, ev); err != nil {
		return nil, err
	}
	if act == ActSubmit && a.Status == herald.AssignmentSubmitted {
		// The article may have been published while it was linked, its
		// completion job finding no assignment yet: look again now.
		if art, err := s.Store.FindArticleByID(ctx, a.ArticleID); err == nil && art.Status == herald.StatusPublished {
			if _, err := s.CompleteArticle(ctx, art.ID); err != nil {
				return nil, err
			}
			return s.Store.FindAssignmentByID(ctx, a.ID)
		}
	}
	return a, nil
}

// linkable returns the article to hand in for a, refusing one of another
// unit, a retracted one, and one that another assignment holds already.
func (s *Service) linkable(ctx context.Context, a *herald.Assignment, tree *herald.UnitTree, articleID int64) (*herald.Article, error) {
	art, err := s.Store.FindArticleByID(ctx, articleID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, herald.Invalid("article_id", "no article has ID %d", articleID)
	} else if err != nil {
		return nil, err
	}
	if !tree.Within(art.UnitID, a.UnitID) {
		return nil, herald.Invalid("article_id", "article %d belongs to another unit: hand in an article of the unit the piece is given to", articleID)
	}
	if art.Status == herald.StatusRetracted {
		return nil, herald.Invalid("article_id", "article %d was retracted", articleID)
	}
	held, _, err := s.Store.FindAssignments(ctx, herald.AssignmentFilter{ArticleID: articleID,
		Statuses: []herald.AssignmentStatus{herald.AssignmentSubmitted, herald.AssignmentPublished}})
	if err != nil {
		return nil, err
	}
	for _, h := range held {
		if h.ID != a.ID {
			return nil, herald.Invalid("article_id", "article %d is handed in for another assignment (%q)", articleID, h.Title)
		}
	}
	return art, nil
}

// CompleteArticle completes the submitted assignments of a published
// article, as the system, and returns how many it completed. Running it
// again changes nothing: what is completed stays so and is not recorded
// twice.
func (s *Service) CompleteArticle(ctx context.Context, articleID int64) (int, error) {
	art, err := s.Store.FindArticleByID(ctx, articleID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if art.Status != herald.StatusPublished {
		return 0, nil
	}
	waiting, _, err := s.Store.FindAssignments(ctx, herald.AssignmentFilter{ArticleID: articleID,
		Statuses: []herald.AssignmentStatus{herald.AssignmentSubmitted}})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, a := range waiting {
		a.Status = herald.AssignmentPublished
		err := s.Store.UpdateAssignment(ctx, a, s.event(nil, herald.ActionPublish, fmt.Sprintf("article %d published", articleID)))
		if err != nil {
			return done, err // a conflict: the job runs again and finds it as it is now
		}
		done++
	}
	return done, nil
}

// KindComplete is the job that completes the assignments of an article
// just published; its key names the article, so that it is queued once
// however often the publication is retried.
const KindComplete = "planning.complete"

// Follow returns the completion job a change of an article calls for: one
// when it is published. The workflow queues it in the publication's own
// transaction, so it is never lost.
func Follow(from herald.Status, a *herald.Article) []*herald.Job {
	if a.Status != herald.StatusPublished || from == herald.StatusPublished {
		return nil
	}
	return []*herald.Job{{Kind: KindComplete, Key: fmt.Sprintf("%s/%d", KindComplete, a.ID),
		Payload: []byte(fmt.Sprintf(`{"article":%d}`, a.ID))}}
}

// RunCompleteJob is the handler of KindComplete.
func (s *Service) RunCompleteJob(ctx context.Context, j *herald.Job) error {
	var p struct {
		Article int64 `json:"article"`
	}
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return herald.Errorf(herald.EINVALID, "completion job %d: %v", j.ID, err)
	}
	_, err := s.CompleteArticle(ctx, p.Article)
	return err
}

// FeedSecretPrefix starts every calendar feed's secret, so that one that
// leaks is recognised for what it is.
const FeedSecretPrefix = "hcal_"

// ResetFeed makes a new secret address for the calendar feed of actor
// (unitID 0) or of a unit, and returns the secret; the old address stops
// working. A unit's feed is for its members and the editors over it.
func (s *Service) ResetFeed(ctx context.Context, actor *herald.Staff, unitID int64) (string, error) {
	if actor == nil || !actor.Active() {
		return "", herald.Errorf(herald.EFORBIDDEN, "Sign in first.")
	}
	f := &herald.CalendarFeed{StaffID: actor.ID}
	if unitID != 0 {
		if err := s.checkUnitFeed(ctx, actor, unitID); err != nil {
			return "", err
		}
		f = &herald.CalendarFeed{UnitID: unitID}
	}
	secret, hash := auth.NewSecret(FeedSecretPrefix)
	f.Hash = hash
	return secret, s.Store.ResetCalendarFeed(ctx, f, s.event(actor, "", ""))
}

// checkUnitFeed lets a unit's members and the editors over it have its feed.
func (s *Service) checkUnitFeed(ctx context.Context, actor *herald.Staff, unitID int64) error {
	tree, err := s.Units(ctx)
	if err != nil {
		return err
	}
	if tree.Unit(unitID) == nil {
		return herald.Invalid("unit_id", "no unit has ID %d", unitID)
	}
	if actor.UnitID != unitID && !(MayPlan(actor) && InScope(tree, actor, unitID)) {
		return herald.Errorf(herald.EFORBIDDEN, "Only the unit's own staff and the editors over it subscribe to its assignments.")
	}
	return nil
}

// FeedHorizon is how far back a feed reaches: assignments due before are
// left out, so that a feed stays small as the years pass.
const FeedHorizon = 180 * 24 * time.Hour

// Feed is what a calendar feed shows.
type Feed struct {
	Feed        *herald.CalendarFeed
	Staff       *herald.Staff // the person whose feed it is
	Unit        *herald.Unit  // or the unit
	Assignments []*herald.Assignment
}

// OpenFeed finds the feed of a secret and its assignments: for a unit,
// those given to it; for a person, those they write, those given to their
// unit as a whole, and those they gave. A secret that is unknown, or whose
// owner's account is disabled, finds nothing (ENOTFOUND).
func (s *Service) OpenFeed(ctx context.Context, secret string) (*Feed, error) {
	notFound := herald.Errorf(herald.ENOTFOUND, "No such calendar.")
	if !strings.HasPrefix(secret, FeedSecretPrefix) || len(secret) > 100 {
		return nil, notFound
	}
	f, err := s.Store.FindCalendarFeedByHash(ctx, auth.HashToken(secret))
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	after := s.Clock.Now().Add(-FeedHorizon)
	feed := &Feed{Feed: f}
	if f.UnitID != 0 {
		if feed.Unit, err = s.Store.FindUnitByID(ctx, f.UnitID); err != nil {
			return nil, err
		}
		feed.Assignments, _, err = s.Store.FindAssignments(ctx, herald.AssignmentFilter{UnitIDs: []int64{f.UnitID}, DueAfter: &after})
		return feed, err
	}
	if feed.Staff, err = s.Store.FindStaffByID(ctx, f.StaffID); err != nil {
		return nil, err
	}
	if !feed.Staff.Active() {
		return nil, notFound
	}
	feed.Assignments, err = s.ForStaff(ctx, feed.Staff, herald.AssignmentFilter{DueAfter: &after}, true)
	return feed, err
}

// Visible lists the assignments actor sees that f selects: an editor's,
// every assignment of the units in their scope (f.UnitIDs narrowed to it);
// anyone else's, ForStaff's with those they gave.
func (s *Service) Visible(ctx context.Context, actor *herald.Staff, f herald.AssignmentFilter) ([]*herald.Assignment, error) {
	if !MayPlan(actor) {
		return s.ForStaff(ctx, actor, f, true)
	}
	tree, err := s.Units(ctx)
	if err != nil {
		return nil, err
	}
	scope := tree.Subtree(tree.ScopeRoot(actor.UnitID))
	if f.UnitIDs != nil {
		f.UnitIDs = slices.DeleteFunc(slices.Clone(f.UnitIDs), func(id int64) bool { return !slices.Contains(scope, id) })
	} else {
		f.UnitIDs = scope
	}
	as, _, err := s.Store.FindAssignments(ctx, f)
	return as, err
}

// ForStaff lists the assignments that are st's to work on — those given to
// them, and those given to their unit as a whole — and, with given, those
// they gave; soonest due first, each once, in one query. f narrows them
// further (its unit, assignee and creator fields are not used).
func (s *Service) ForStaff(ctx context.Context, st *herald.Staff, f herald.AssignmentFilter, given bool) ([]*herald.Assignment, error) {
	f.UnitIDs, f.AssigneeID, f.CreatedBy = nil, 0, 0
	f.For = &herald.AssignmentsFor{StaffID: st.ID, UnitID: st.UnitID, Given: given}
	as, _, err := s.Store.FindAssignments(ctx, f)
	return as, err
}
