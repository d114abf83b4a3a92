// Package planning coordinates the work of the publicity centre and the
// units under it: topic plans that tie a central-work theme to an occasion,
// assignments commissioned from units and their staff with a due time, the
// state machine the assignments move through, their completion when their
// article is published, and the iCalendar feeds of them.
package planning

import (
	"slices"

	"github.com/heraldnews/herald"
)

// Action is a step an assignment takes; each is also the Action of the
// audit event that records it.
type Action string

// Assignment actions.
const (
	ActAccept  Action = herald.ActionAccept
	ActStart   Action = herald.ActionStart
	ActSubmit  Action = herald.ActionSubmit
	ActPublish Action = herald.ActionPublish
	ActDecline Action = herald.ActionDecline
	ActCancel  Action = herald.ActionCancel
)

// Actions lists the steps, in the order pages offer them.
var Actions = []Action{ActAccept, ActStart, ActSubmit, ActPublish, ActDecline, ActCancel}

// step is where an action may start from and where it leads.
type step struct {
	from []herald.AssignmentStatus
	to   herald.AssignmentStatus
}

// steps is the state machine. Submitting links an article, which a writer
// may do without having pressed accept or start first (picking the
// assignment is taking it on); publishing is the system's, when that
// article is published; declining is for work not handed in yet; the
// assigner may cancel anything still open.
var steps = map[Action]step{
	ActAccept:  {from: []herald.AssignmentStatus{herald.AssignmentAssigned}, to: herald.AssignmentAccepted},
	ActStart:   {from: []herald.AssignmentStatus{herald.AssignmentAccepted}, to: herald.AssignmentInProgress},
	ActSubmit:  {from: []herald.AssignmentStatus{herald.AssignmentAssigned, herald.AssignmentAccepted, herald.AssignmentInProgress}, to: herald.AssignmentSubmitted},
	ActPublish: {from: []herald.AssignmentStatus{herald.AssignmentSubmitted}, to: herald.AssignmentPublished},
	ActDecline: {from: []herald.AssignmentStatus{herald.AssignmentAssigned, herald.AssignmentAccepted, herald.AssignmentInProgress}, to: herald.AssignmentDeclined},
	ActCancel:  {from: herald.OpenAssignmentStatuses, to: herald.AssignmentCancelled},
}

// Next is the state action leads to from status, or ECONFLICT when the
// action does not apply there (EINVALID for an unknown action).
func Next(status herald.AssignmentStatus, act Action) (herald.AssignmentStatus, error) {
	st, ok := steps[act]
	if !ok {
		return "", herald.Errorf(herald.EINVALID, "Unknown action %q.", act)
	}
	if !slices.Contains(st.from, status) {
		return "", herald.Errorf(herald.ECONFLICT, "An assignment that is %s cannot be %s.", status, pastTense[act])
	}
	return st.to, nil
}

// Allowed reports whether act applies to an assignment in status.
func Allowed(status herald.AssignmentStatus, act Action) bool {
	_, err := Next(status, act)
	return err == nil
}

var pastTense = map[Action]string{ActAccept: "accepted", ActStart: "started", ActSubmit: "submitted",
	ActPublish: "published", ActDecline: "declined", ActCancel: "cancelled"}

// Who may do what.
var (
	// planners make plans, assign pieces and cancel them, within their
	// units' scope.
	planners = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}
	// writers take assignments on and hand in articles for them: the roles
	// that write articles.
	writers = []herald.Role{herald.RoleCorrespondent, herald.RoleEditor, herald.RoleEditorInChief}
)

// MayPlan reports whether actor may make plans and assign pieces (to units
// in their scope).
func MayPlan(actor *herald.Staff) bool {
	return actor != nil && actor.Active() && actor.HasRole(planners...)
}

// MayWrite reports whether st writes pieces, and so may be given one.
func MayWrite(st *herald.Staff) bool { return st != nil && st.HasRole(writers...) }

// InScope reports whether actor's scope covers unit: their own unit and
// the units under it, a publicity centre acting for the unit above it (see
// herald.UnitTree.ScopeRoot).
func InScope(units *herald.UnitTree, actor *herald.Staff, unit int64) bool {
	return units.Within(unit, units.ScopeRoot(actor.UnitID))
}

// Check decides whether actor may take act on a: EFORBIDDEN with a message
// that says why not, ECONFLICT when a's state does not allow the action. A
// nil actor is the system, which only publishes (when the linked article
// is). Accepting, starting, declining and submitting are for the assignee,
// or, while the piece is given to the unit as a whole, for the writers of
// that unit; cancelling is for the assigner and the planners whose scope
// covers the unit.
func Check(act Action, actor *herald.Staff, a *herald.Assignment, units *herald.UnitTree) error {
	if _, err := Next(a.Status, act); herald.ErrorCode(err) == herald.EINVALID {
		return err
	}
	switch {
	case actor == nil:
		if act != ActPublish {
			return herald.Errorf(herald.EFORBIDDEN, "Only staff can %s assignments.", act)
		}
	case !actor.Active():
		return herald.Errorf(herald.EFORBIDDEN, "This account is disabled.")
	case act == ActPublish:
		return herald.Errorf(herald.EFORBIDDEN, "An assignment is completed when its article is published, not by hand.")
	case act == ActCancel:
		if actor.ID != a.CreatedBy && !(MayPlan(actor) && InScope(units, actor, a.UnitID)) {
			return herald.Errorf(herald.EFORBIDDEN, "Only the assigner or an editor over the unit can cancel an assignment.")
		}
	default:
		if err := checkTaker(actor, a); err != nil {
			return err
		}
	}
	_, err := Next(a.Status, act)
	return err
}

// checkTaker lets the assignee, or a writer of the unit for a piece given
// to the unit as a whole, work on an assignment.
func checkTaker(actor *herald.Staff, a *herald.Assignment) error {
	switch {
	case a.AssigneeID != 0 && a.AssigneeID != actor.ID:
		return herald.Errorf(herald.EFORBIDDEN, "This piece is assigned to someone else.")
	case a.AssigneeID == 0 && actor.UnitID != a.UnitID:
		return herald.Errorf(herald.EFORBIDDEN, "This piece is assigned to another unit.")
	case !MayWrite(actor):
		return herald.Errorf(herald.EFORBIDDEN, "Your roles do not include writing pieces.")
	}
	return nil
}
