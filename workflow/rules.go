// Package workflow is the editorial workflow, the seed's "publicity mechanism":
// draft → submitted → review levels → published (now or scheduled) → retracted,
// with rejection back to the author at any level, corrections that leave a
// visible note, and an audit event for every step. The rules in this file are
// pure functions of who acts, on what, in which state; Service applies them
// inside the store's transaction.
package workflow

import (
	"slices"

	"github.com/heraldnews/herald"
)

// Action is something a person (or the scheduler) does to an article.
type Action string

// Actions.
const (
	ActCreate     Action = "create"
	ActEdit       Action = "edit"
	ActSubmit     Action = "submit"
	ActWithdraw   Action = "withdraw"
	ActApprove    Action = "approve"
	ActReject     Action = "reject"
	ActPublish    Action = "publish"
	ActSchedule   Action = "schedule"
	ActUnschedule Action = "unschedule"
	ActCorrect    Action = "correct"
	ActRetract    Action = "retract"
)

// Actions lists every action.
var Actions = []Action{ActCreate, ActEdit, ActSubmit, ActWithdraw, ActApprove, ActReject, ActPublish, ActSchedule, ActUnschedule, ActCorrect, ActRetract}

var (
	writers   = []herald.Role{herald.RoleCorrespondent, herald.RoleEditor, herald.RoleEditorInChief}
	reviewers = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}
)

// actionRoles says who may ever take an action; the state and the article decide
// the rest.
var actionRoles = map[Action][]herald.Role{
	ActCreate:     writers,
	ActEdit:       writers,
	ActSubmit:     writers,
	ActWithdraw:   writers,
	ActApprove:    reviewers,
	ActReject:     reviewers,
	ActPublish:    reviewers,
	ActSchedule:   reviewers,
	ActUnschedule: reviewers,
	ActCorrect:    reviewers,
	ActRetract:    {herald.RoleEditorInChief},
}

// fromStatuses says in which states an action is legal.
var fromStatuses = map[Action][]herald.Status{
	ActEdit:       {herald.StatusDraft, herald.StatusRejected, herald.StatusSubmitted, herald.StatusApproved, herald.StatusScheduled},
	ActSubmit:     {herald.StatusDraft, herald.StatusRejected},
	ActWithdraw:   {herald.StatusSubmitted},
	ActApprove:    {herald.StatusSubmitted},
	ActReject:     {herald.StatusSubmitted, herald.StatusApproved, herald.StatusScheduled},
	ActPublish:    {herald.StatusApproved, herald.StatusScheduled},
	ActSchedule:   {herald.StatusApproved, herald.StatusScheduled},
	ActUnschedule: {herald.StatusScheduled},
	ActCorrect:    {herald.StatusPublished},
	ActRetract:    {herald.StatusPublished},
}

// Facts are what the rules need besides the actor and the article.
type Facts struct {
	Units  *herald.UnitTree
	Column *herald.Column // the article's column
}

// InScope reports whether actor's unit covers unitID (see herald.UnitTree.ScopeRoot).
func (f Facts) InScope(actor *herald.Staff, unitID int64) bool {
	return f.Units.Within(unitID, f.Units.ScopeRoot(actor.UnitID))
}

// CanView reports whether actor may read article a: published pieces are public;
// the rest is visible to staff whose scope covers the article's unit.
func CanView(actor *herald.Staff, a *herald.Article, f Facts) bool {
	if a.Status == herald.StatusPublished {
		return true
	}
	return actor != nil && actor.Active() && f.InScope(actor, a.UnitID)
}

// Check decides whether actor may take act on article a. A nil actor is the
// system (the scheduler), which may only publish scheduled pieces. It returns
// EFORBIDDEN when the person may not, and ECONFLICT when the article's state
// does not allow the action.
func Check(act Action, actor *herald.Staff, a *herald.Article, f Facts) error {
	if actor == nil {
		if act == ActPublish && a.Status == herald.StatusScheduled {
			return nil
		}
		return herald.Errorf(herald.EFORBIDDEN, "Only staff can %s articles.", act)
	}
	if !actor.Active() {
		return herald.Errorf(herald.EFORBIDDEN, "This account is disabled.")
	}
	if !actor.HasRole(actionRoles[act]...) && !translatorMay(act, actor, a) {
		return herald.Errorf(herald.EFORBIDDEN, "Your roles do not allow you to %s articles.", act)
	}
	if !f.InScope(actor, a.UnitID) {
		return herald.Errorf(herald.EFORBIDDEN, "This article belongs to a unit outside yours.")
	}
	if act == ActCreate {
		return checkAuthorUnit(actor, a, f)
	}
	if !slices.Contains(fromStatuses[act], a.Status) {
		return herald.Errorf(herald.ECONFLICT, "A %s article cannot be %s.", a.Status, pastTense(act))
	}
	switch act {
	case ActEdit:
		return checkEdit(actor, a, f)
	case ActSubmit:
		return checkAuthorUnit(actor, a, f)
	case ActWithdraw:
		if !a.IsAuthor(actor.ID) {
			return herald.Errorf(herald.EFORBIDDEN, "Only an author can withdraw a submission.")
		}
	case ActApprove:
		return checkApprove(actor, a, f)
	case ActReject:
		return checkReviewLevel(actor, a, f)
	}
	return nil
}

// translatorMay reports whether a translator may take a writer's action
// (create, edit, submit, withdraw) on a translation: translators write
// translations, which editors review like any piece.
func translatorMay(act Action, actor *herald.Staff, a *herald.Article) bool {
	return a.TranslationOf != 0 && actor.HasRole(herald.RoleTranslator) && slices.Equal(actionRoles[act], writers)
}

// reviewLevel is the level whose reviewers act on the article now: the level it
// waits for while submitted, the column's last level once approved.
func reviewLevel(a *herald.Article, f Facts) int {
	if a.Status == herald.StatusSubmitted {
		return a.ReviewLevel
	}
	if f.Column != nil {
		return f.Column.ReviewLevels
	}
	return herald.MaxReviewLevels
}

// checkReviewLevel lets only holders of the current review level reject or edit:
// level 3 is the editor-in-chief's, so an editor cannot undo or rewrite what the
// editor-in-chief approved.
func checkReviewLevel(actor *herald.Staff, a *herald.Article, f Facts) error {
	if reviewLevel(a, f) == herald.MaxReviewLevels && !actor.HasRole(herald.RoleEditorInChief) {
		return herald.Errorf(herald.EFORBIDDEN, "Review level 3 belongs to the editor-in-chief.")
	}
	return nil
}

// checkAuthorUnit keeps correspondents to their own unit: they write, edit and
// submit only their unit's pieces, whoever in the unit started them. A publicity
// center's correspondents write for the unit the center acts for.
func checkAuthorUnit(actor *herald.Staff, a *herald.Article, f Facts) error {
	if actor.HasRole(reviewers...) || a.UnitID == actor.UnitID || a.UnitID == f.Units.ScopeRoot(actor.UnitID) {
		return nil
	}
	return herald.Errorf(herald.EFORBIDDEN, "Correspondents work only on their own unit's articles.")
}

func checkEdit(actor *herald.Staff, a *herald.Article, f Facts) error {
	if a.Status == herald.StatusDraft || a.Status == herald.StatusRejected {
		return checkAuthorUnit(actor, a, f)
	}
	if !actor.HasRole(reviewers...) {
		return herald.Errorf(herald.EFORBIDDEN, "Once submitted, an article is edited by its reviewers; withdraw it to change it yourself.")
	}
	if a.Status != herald.StatusSubmitted && a.IsAuthor(actor.ID) {
		return herald.Errorf(herald.EFORBIDDEN, "An approved article is not changed by its own author; ask a reviewer, or have it rejected and resubmit.")
	}
	return checkReviewLevel(actor, a, f)
}

func checkApprove(actor *herald.Staff, a *herald.Article, f Facts) error {
	if a.ReviewLevel == herald.MaxReviewLevels && !actor.HasRole(herald.RoleEditorInChief) {
		return herald.Errorf(herald.EFORBIDDEN, "Review level 3 belongs to the editor-in-chief.")
	}
	if a.IsAuthor(actor.ID) {
		return herald.Errorf(herald.EFORBIDDEN, "Nobody approves their own article.")
	}
	if f.Column != nil && f.Column.ReviewLevels == herald.MaxReviewLevels && a.ReviewLevel < herald.MaxReviewLevels && actor.HasRole(herald.RoleEditorInChief) {
		return herald.Errorf(herald.EFORBIDDEN, "In a three-level column the editor-in-chief holds level 3; levels 1 and 2 need other reviewers.")
	}
	if slices.Contains(a.Reviewers, actor.ID) {
		return herald.Errorf(herald.EFORBIDDEN, "You approved an earlier level of this article; another reviewer must approve this one.")
	}
	if f.Column == nil || a.ReviewLevel < 1 || a.ReviewLevel > f.Column.ReviewLevels {
		return herald.Errorf(herald.ECONFLICT, "The article's review level does not match its column.")
	}
	return nil
}

func pastTense(act Action) string {
	switch act {
	case ActEdit:
		return "edited"
	case ActSubmit:
		return "submitted"
	case ActWithdraw:
		return "withdrawn"
	case ActApprove:
		return "approved"
	case ActReject:
		return "rejected"
	case ActPublish:
		return "published"
	case ActSchedule:
		return "scheduled"
	case ActUnschedule:
		return "unscheduled"
	case ActCorrect:
		return "corrected (only published articles are corrected)"
	case ActRetract:
		return "retracted"
	}
	return string(act) + "ed"
}
