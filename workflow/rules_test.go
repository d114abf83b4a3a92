package workflow

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// The fixed world the rules are tested in:
//
//	1 HEB (department)
//	├── 2 publicity center   chief, editors A and B, admin, disabled editor, translator
//	├── 3 city bureau        city editor, correspondent
//	│   └── 4 county bureau  correspondent
//	└── 5 city bureau        correspondent
const (
	unitHEB    int64 = 1
	unitCenter int64 = 2
	unitCity   int64 = 3
	unitCounty int64 = 4
	unitCity2  int64 = 5
)

var testUnits = herald.NewUnitTree([]*herald.Unit{
	{ID: unitHEB, Code: "HEB", Name: "Department", Type: herald.UnitDepartment},
	{ID: unitCenter, ParentID: unitHEB, Code: "HEB-PC", Name: "Publicity center", Type: herald.UnitPublicityCenter},
	{ID: unitCity, ParentID: unitHEB, Code: "SJZ", Name: "City bureau", Type: herald.UnitCityBureau},
	{ID: unitCounty, ParentID: unitCity, Code: "SJZ-ZD", Name: "County bureau", Type: herald.UnitCountyBureau},
	{ID: unitCity2, ParentID: unitHEB, Code: "TS", Name: "Second city bureau", Type: herald.UnitCityBureau},
})

var disabledAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func staff(id, unit int64, roles ...herald.Role) *herald.Staff {
	return &herald.Staff{ID: id, Username: fmt.Sprintf("u%d", id), UnitID: unit, Roles: roles}
}

var (
	chief      = staff(10, unitCenter, herald.RoleEditorInChief)
	editorA    = staff(11, unitCenter, herald.RoleEditor)
	editorB    = staff(12, unitCenter, herald.RoleEditor)
	cityEditor = staff(13, unitCity, herald.RoleEditor)
	corr3      = staff(14, unitCity, herald.RoleCorrespondent)
	corr4      = staff(15, unitCounty, herald.RoleCorrespondent)
	corr5      = staff(16, unitCity2, herald.RoleCorrespondent)
	viewer     = staff(17, unitHEB, herald.RoleViewer)
	admin      = staff(18, unitCenter, herald.RoleAdmin)
	disabled   = func() *herald.Staff {
		s := staff(19, unitCenter, herald.RoleEditor)
		s.DisabledAt = &disabledAt
		return s
	}()
	translator = staff(20, unitCenter, herald.RoleTranslator)
)

// Columns with one, two and three review levels; the column ID is its level count.
var testColumns = map[int64]*herald.Column{
	1: {ID: 1, Slug: "one", Name: "One level", ReviewLevels: 1},
	2: {ID: 2, Slug: "two", Name: "Two levels", ReviewLevels: 2},
	3: {ID: 3, Slug: "three", Name: "Three levels", ReviewLevels: 3},
}

func facts(a *herald.Article) Facts {
	return Facts{Units: testUnits, Column: testColumns[a.ColumnID]}
}

// art builds an article of unit, started (and bylined) by creator, in column col
// (= its number of review levels), in status st waiting for review level level.
func art(st herald.Status, level int, unit, creator, col int64, reviewers ...int64) *herald.Article {
	if reviewers == nil {
		reviewers = []int64{}
	}
	return &herald.Article{
		ID: 100,
		ArticleContent: herald.ArticleContent{
			Title: "Title", Body: "<p>Body text.</p>", Language: "zh-CN", ColumnID: col,
			Authors: []herald.Author{{StaffID: creator}},
		},
		UnitID: unit, Status: st, ReviewLevel: level, Reviewers: reviewers, CreatedBy: creator,
	}
}

func withAuthors(a *herald.Article, ids ...int64) *herald.Article {
	for _, id := range ids {
		a.Authors = append(a.Authors, herald.Author{StaffID: id})
	}
	return a
}

func name(s *herald.Staff) string {
	switch s {
	case nil:
		return "system"
	case chief:
		return "chief"
	case editorA:
		return "editorA"
	case editorB:
		return "editorB"
	case cityEditor:
		return "cityEditor"
	case corr3:
		return "corr3"
	case corr4:
		return "corr4"
	case corr5:
		return "corr5"
	case viewer:
		return "viewer"
	case admin:
		return "admin"
	case disabled:
		return "disabled"
	case translator:
		return "translator"
	}
	return fmt.Sprintf("staff%d", s.ID)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := herald.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, herald.EINVALID)
	for _, f := range herald.ErrorFields(err) {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error fields %v do not name %q", herald.ErrorFields(err), field)
}

// allowedFrom is the transition table, written out by hand: for each status, the
// actions a competent actor may take. Every other (status, action) pair is a
// conflict.
var allowedFrom = map[herald.Status][]Action{
	herald.StatusDraft:     {ActEdit, ActSubmit},
	herald.StatusSubmitted: {ActEdit, ActWithdraw, ActApprove, ActReject},
	herald.StatusRejected:  {ActEdit, ActSubmit},
	herald.StatusApproved:  {ActEdit, ActReject, ActPublish, ActSchedule},
	herald.StatusScheduled: {ActEdit, ActReject, ActPublish, ActSchedule, ActUnschedule},
	herald.StatusPublished: {ActCorrect, ActRetract},
	herald.StatusRetracted: {},
}

func TestTransitionTableIsComplete(t *testing.T) {
	for _, st := range herald.Statuses {
		if _, ok := allowedFrom[st]; !ok {
			t.Errorf("status %q has no row in the test's transition table", st)
		}
	}
	if len(allowedFrom) != len(herald.Statuses) {
		t.Errorf("transition table has %d rows, herald.Statuses has %d", len(allowedFrom), len(herald.Statuses))
	}
	want := []Action{ActCreate, ActEdit, ActSubmit, ActWithdraw, ActApprove, ActReject, ActPublish, ActSchedule, ActUnschedule, ActCorrect, ActRetract}
	if !slices.Equal(Actions, want) {
		t.Errorf("Actions = %v, want %v (extend the transition table)", Actions, want)
	}
}

// TestTransitions runs every status × action (but create) with an actor who may
// take the action, once on a one-level column reviewed by an editor and once on a
// three-level column at the editor-in-chief's level, and asserts that exactly the
// pairs in allowedFrom pass and every other pair is a conflict.
func TestTransitions(t *testing.T) {
	variants := []struct {
		name     string
		col      int64
		level    int
		reviewer *herald.Staff
	}{
		{"one-level column, editor", 1, 1, editorA},
		{"three-level column at level 3, chief", 3, 3, chief},
	}
	for _, v := range variants {
		// competent returns who should be able to take act on an article in status st.
		competent := func(act Action, st herald.Status) *herald.Staff {
			switch act {
			case ActSubmit, ActWithdraw:
				return corr3
			case ActEdit:
				if st == herald.StatusDraft || st == herald.StatusRejected {
					return corr3
				}
				return v.reviewer
			case ActRetract:
				return chief
			}
			return v.reviewer
		}
		for _, st := range herald.Statuses {
			for _, act := range Actions {
				if act == ActCreate {
					continue
				}
				actor := competent(act, st)
				level := 0
				if st == herald.StatusSubmitted {
					level = v.level
				}
				a := art(st, level, unitCity, corr3.ID, v.col)
				allowed := slices.Contains(allowedFrom[st], act)
				t.Run(fmt.Sprintf("%s/%s/%s by %s", v.name, st, act, name(actor)), func(t *testing.T) {
					err := Check(act, actor, a, facts(a))
					if allowed {
						wantCode(t, err, "")
					} else {
						wantCode(t, err, herald.ECONFLICT)
					}
				})
			}
		}
	}
}

// legalState returns an article of unit 3 by corr3 on the one-level column in a
// state where act is legal.
func legalState(act Action) *herald.Article {
	switch act {
	case ActCreate, ActEdit, ActSubmit:
		return art(herald.StatusDraft, 0, unitCity, corr3.ID, 1)
	case ActWithdraw, ActApprove, ActReject:
		return art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1)
	case ActPublish, ActSchedule:
		return art(herald.StatusApproved, 0, unitCity, corr3.ID, 1)
	case ActUnschedule:
		return art(herald.StatusScheduled, 0, unitCity, corr3.ID, 1)
	case ActCorrect, ActRetract:
		return art(herald.StatusPublished, 0, unitCity, corr3.ID, 1)
	}
	panic("unknown action " + act)
}

type permCase struct {
	name  string
	act   Action
	actor *herald.Staff
	a     *herald.Article
	want  string // "" for allowed
}

func runPerm(t *testing.T, cases []permCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, Check(c.act, c.actor, c.a, facts(c.a)), c.want)
		})
	}
}

func TestCreate(t *testing.T) {
	draft := func(unit, creator int64) *herald.Article { return art(herald.StatusDraft, 0, unit, creator, 1) }
	translation := func(a *herald.Article) *herald.Article { a.TranslationOf = 99; return a }
	runPerm(t, []permCase{
		{"correspondent for own unit", ActCreate, corr3, draft(unitCity, corr3.ID), ""},
		{"correspondent for a unit below own", ActCreate, corr3, draft(unitCounty, corr3.ID), herald.EFORBIDDEN},
		{"correspondent for a unit above own", ActCreate, corr4, draft(unitCity, corr4.ID), herald.EFORBIDDEN},
		{"correspondent for a sibling unit", ActCreate, corr5, draft(unitCity, corr5.ID), herald.EFORBIDDEN},
		{"center editor for any unit", ActCreate, editorA, draft(unitCity2, editorA.ID), ""},
		{"chief for any unit", ActCreate, chief, draft(unitCounty, chief.ID), ""},
		{"city editor for county below", ActCreate, cityEditor, draft(unitCounty, cityEditor.ID), ""},
		{"city editor for other city", ActCreate, cityEditor, draft(unitCity2, cityEditor.ID), herald.EFORBIDDEN},
		{"viewer", ActCreate, viewer, draft(unitHEB, viewer.ID), herald.EFORBIDDEN},
		{"admin", ActCreate, admin, draft(unitCenter, admin.ID), herald.EFORBIDDEN},
		{"translator", ActCreate, translator, draft(unitCenter, translator.ID), herald.EFORBIDDEN},
		{"translator, a translation", ActCreate, translator, translation(draft(unitCenter, translator.ID)), ""},
		{"translator submits a translation", ActSubmit, translator, translation(draft(unitCenter, translator.ID)), ""},
		{"translator approves a translation", ActApprove, translator,
			translation(art(herald.StatusSubmitted, 1, unitCenter, editorA.ID, 1)), herald.EFORBIDDEN},
		{"disabled editor", ActCreate, disabled, draft(unitCenter, disabled.ID), herald.EFORBIDDEN},
		{"system", ActCreate, nil, draft(unitCenter, 0), herald.EFORBIDDEN},
	})
}

func TestOwnPiece(t *testing.T) {
	runPerm(t, []permCase{
		{"creator cannot approve", ActApprove, editorA, art(herald.StatusSubmitted, 1, unitCenter, editorA.ID, 1), herald.EFORBIDDEN},
		{"byline author cannot approve", ActApprove, editorB,
			withAuthors(art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), editorB.ID), herald.EFORBIDDEN},
		{"another editor approves a bylined piece", ActApprove, editorA,
			withAuthors(art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), editorB.ID), ""},
		{"chief cannot approve own piece at level 3", ActApprove, chief,
			withAuthors(art(herald.StatusSubmitted, 3, unitCity, corr3.ID, 3, editorA.ID, editorB.ID), chief.ID), herald.EFORBIDDEN},
		{"chief creator cannot approve level 1", ActApprove, chief, art(herald.StatusSubmitted, 1, unitCenter, chief.ID, 2), herald.EFORBIDDEN},
	})
}

func TestReviewerOncePerRound(t *testing.T) {
	runPerm(t, []permCase{
		{"level 1 reviewer cannot approve level 2", ActApprove, editorA, art(herald.StatusSubmitted, 2, unitCity, corr3.ID, 2, editorA.ID), herald.EFORBIDDEN},
		{"another editor approves level 2", ActApprove, editorB, art(herald.StatusSubmitted, 2, unitCity, corr3.ID, 2, editorA.ID), ""},
		{"level 2 reviewer cannot approve level 3", ActApprove, chief,
			art(herald.StatusSubmitted, 3, unitCity, corr3.ID, 3, editorA.ID, chief.ID), herald.EFORBIDDEN},
		{"level 1 reviewer may still reject", ActReject, editorA, art(herald.StatusSubmitted, 2, unitCity, corr3.ID, 2, editorA.ID), ""},
	})
}

func TestLevels(t *testing.T) {
	sub := func(level int, col int64, reviewers ...int64) *herald.Article {
		return art(herald.StatusSubmitted, level, unitCity, corr3.ID, col, reviewers...)
	}
	runPerm(t, []permCase{
		{"editor approves level 1 of 3", ActApprove, editorA, sub(1, 3), ""},
		{"chief approves level 1 of 3", ActApprove, chief, sub(1, 3), herald.EFORBIDDEN},
		{"editor approves level 2 of 3", ActApprove, editorB, sub(2, 3, editorA.ID), ""},
		{"chief approves level 2 of 3", ActApprove, chief, sub(2, 3, editorA.ID), herald.EFORBIDDEN},
		{"editor approves level 2 of 2", ActApprove, editorB, sub(2, 2, editorA.ID), ""},
		{"editor cannot approve level 3", ActApprove, editorB, sub(3, 3, editorA.ID, cityEditor.ID), herald.EFORBIDDEN},
		{"city editor cannot approve level 3", ActApprove, cityEditor, sub(3, 3, editorA.ID, editorB.ID), herald.EFORBIDDEN},
		{"chief approves level 3", ActApprove, chief, sub(3, 3, editorA.ID, editorB.ID), ""},
		{"editor rejects level 1", ActReject, editorA, sub(1, 3), ""},
		{"editor rejects level 2", ActReject, editorB, sub(2, 3, editorA.ID), ""},
		{"editor cannot reject level 3", ActReject, editorA, sub(3, 3, editorA.ID, editorB.ID), herald.EFORBIDDEN},
		{"chief rejects level 3", ActReject, chief, sub(3, 3, editorA.ID, editorB.ID), ""},
		{"editor edits level 1", ActEdit, editorA, sub(1, 3), ""},
		{"editor edits level 2", ActEdit, editorA, sub(2, 3, editorB.ID), ""},
		{"editor cannot edit level 3", ActEdit, editorA, sub(3, 3, editorA.ID, editorB.ID), herald.EFORBIDDEN},
		{"chief edits level 3", ActEdit, chief, sub(3, 3, editorA.ID, editorB.ID), ""},
		{"level above the column's count", ActApprove, editorA, sub(2, 1), herald.ECONFLICT},
		{"level 0 while submitted", ActApprove, editorA, sub(0, 1), herald.ECONFLICT},
		{"no column", ActApprove, editorA, sub(1, 99), herald.ECONFLICT},
	})
}

func TestCorrespondents(t *testing.T) {
	runPerm(t, []permCase{
		{"edit county draft from city bureau", ActEdit, corr3, art(herald.StatusDraft, 0, unitCounty, corr4.ID, 1), herald.EFORBIDDEN},
		{"submit county draft from city bureau", ActSubmit, corr3, art(herald.StatusDraft, 0, unitCounty, corr4.ID, 1), herald.EFORBIDDEN},
		{"edit own unit's draft started by a colleague", ActEdit, corr3, art(herald.StatusDraft, 0, unitCity, cityEditor.ID, 1), ""},
		{"submit own unit's draft started by a colleague", ActSubmit, corr3, art(herald.StatusDraft, 0, unitCity, cityEditor.ID, 1), ""},
		{"edit own rejected piece", ActEdit, corr3, art(herald.StatusRejected, 0, unitCity, corr3.ID, 1), ""},
		{"resubmit own rejected piece", ActSubmit, corr3, art(herald.StatusRejected, 0, unitCity, corr3.ID, 1), ""},
		{"edit parent unit's draft", ActEdit, corr4, art(herald.StatusDraft, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"edit sibling unit's draft", ActEdit, corr5, art(herald.StatusDraft, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"cannot edit once submitted", ActEdit, corr3, art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"cannot edit once approved", ActEdit, corr3, art(herald.StatusApproved, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"cannot edit once scheduled", ActEdit, corr3, art(herald.StatusScheduled, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"cannot edit once published", ActEdit, corr3, art(herald.StatusPublished, 0, unitCity, corr3.ID, 1), herald.ECONFLICT},
		{"cannot approve", ActApprove, corr3, art(herald.StatusSubmitted, 1, unitCity, cityEditor.ID, 1), herald.EFORBIDDEN},
		{"cannot reject", ActReject, corr3, art(herald.StatusSubmitted, 1, unitCity, cityEditor.ID, 1), herald.EFORBIDDEN},
		{"cannot publish", ActPublish, corr3, art(herald.StatusApproved, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"cannot schedule", ActSchedule, corr3, art(herald.StatusApproved, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"cannot correct", ActCorrect, corr3, art(herald.StatusPublished, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
	})
}

func TestWithdraw(t *testing.T) {
	runPerm(t, []permCase{
		{"creator withdraws", ActWithdraw, corr3, art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), ""},
		{"creator withdraws at level 3", ActWithdraw, corr3, art(herald.StatusSubmitted, 3, unitCity, corr3.ID, 3, editorA.ID, editorB.ID), ""},
		{"byline author withdraws", ActWithdraw, corr4, withAuthors(art(herald.StatusSubmitted, 1, unitCounty, cityEditor.ID, 1), corr4.ID), ""},
		{"unit colleague cannot withdraw", ActWithdraw, corr3, art(herald.StatusSubmitted, 1, unitCity, cityEditor.ID, 1), herald.EFORBIDDEN},
		{"city editor cannot withdraw a correspondent's piece", ActWithdraw, cityEditor, art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"center editor cannot withdraw", ActWithdraw, editorA, art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"chief cannot withdraw", ActWithdraw, chief, art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
		{"author cannot withdraw an approved piece", ActWithdraw, corr3, art(herald.StatusApproved, 0, unitCity, corr3.ID, 1), herald.ECONFLICT},
	})
}

func TestRetract(t *testing.T) {
	pub := func() *herald.Article { return art(herald.StatusPublished, 0, unitCity, corr3.ID, 1) }
	runPerm(t, []permCase{
		{"chief retracts", ActRetract, chief, pub(), ""},
		{"center editor cannot", ActRetract, editorA, pub(), herald.EFORBIDDEN},
		{"city editor cannot", ActRetract, cityEditor, pub(), herald.EFORBIDDEN},
		{"author cannot", ActRetract, corr3, pub(), herald.EFORBIDDEN},
		{"admin cannot", ActRetract, admin, pub(), herald.EFORBIDDEN},
		{"system cannot", ActRetract, nil, pub(), herald.EFORBIDDEN},
		{"chief cannot retract an unpublished piece", ActRetract, chief, art(herald.StatusApproved, 0, unitCity, corr3.ID, 1), herald.ECONFLICT},
		{"editor corrects", ActCorrect, editorA, pub(), ""},
	})
}

func TestNonWriters(t *testing.T) {
	var cases []permCase
	for _, s := range []*herald.Staff{viewer, admin, translator} {
		for _, act := range []Action{ActCreate, ActEdit, ActApprove, ActPublish} {
			cases = append(cases, permCase{fmt.Sprintf("%s cannot %s", name(s), act), act, s, legalState(act), herald.EFORBIDDEN})
		}
	}
	runPerm(t, cases)
}

func TestDisabledEditor(t *testing.T) {
	// stateFor puts s on the byline for withdraw, which only authors take.
	stateFor := func(act Action, s *herald.Staff) *herald.Article {
		if act == ActWithdraw {
			return withAuthors(legalState(act), s.ID)
		}
		return legalState(act)
	}
	var cases []permCase
	for _, act := range Actions {
		cases = append(cases, permCase{fmt.Sprintf("cannot %s", act), act, disabled, stateFor(act, disabled), herald.EFORBIDDEN})
	}
	// The same actions are open to an active editor of the same unit (but retract,
	// which is the chief's).
	for _, act := range Actions {
		want := ""
		if act == ActRetract {
			want = herald.EFORBIDDEN
		}
		cases = append(cases, permCase{fmt.Sprintf("active editor may %s", act), act, editorA, stateFor(act, editorA), want})
	}
	runPerm(t, cases)
}

func TestScope(t *testing.T) {
	sub := func(unit int64) *herald.Article { return art(herald.StatusSubmitted, 1, unit, 0, 1) }
	var cases []permCase
	for _, c := range []struct {
		actor *herald.Staff
		unit  int64
		want  string
	}{
		{cityEditor, unitCity, ""},
		{cityEditor, unitCounty, ""},
		{cityEditor, unitCity2, herald.EFORBIDDEN},
		{cityEditor, unitHEB, herald.EFORBIDDEN},
		{cityEditor, unitCenter, herald.EFORBIDDEN},
		{editorA, unitHEB, ""},
		{editorA, unitCenter, ""},
		{editorA, unitCity, ""},
		{editorA, unitCounty, ""},
		{editorA, unitCity2, ""},
		{chief, unitCity2, ""},
		{chief, unitCounty, ""},
	} {
		for _, act := range []Action{ActApprove, ActReject, ActEdit} {
			cases = append(cases, permCase{fmt.Sprintf("%s %s unit %d", name(c.actor), act, c.unit), act, c.actor, sub(c.unit), c.want})
		}
	}
	cases = append(cases,
		permCase{"cityEditor publishes county piece", ActPublish, cityEditor, art(herald.StatusApproved, 0, unitCounty, corr4.ID, 1), ""},
		permCase{"cityEditor cannot publish other city's piece", ActPublish, cityEditor, art(herald.StatusApproved, 0, unitCity2, corr5.ID, 1), herald.EFORBIDDEN},
		permCase{"cityEditor cannot correct other city's piece", ActCorrect, cityEditor, art(herald.StatusPublished, 0, unitCity2, corr5.ID, 1), herald.EFORBIDDEN},
		permCase{"out of scope is forbidden before the state is looked at", ActApprove, cityEditor, art(herald.StatusRetracted, 0, unitCity2, corr5.ID, 1), herald.EFORBIDDEN},
	)
	runPerm(t, cases)
}

func TestSystem(t *testing.T) {
	var cases []permCase
	for _, act := range Actions {
		cases = append(cases, permCase{fmt.Sprintf("cannot %s", act), act, nil, legalState(act), herald.EFORBIDDEN})
	}
	cases = append(cases,
		permCase{"publishes scheduled", ActPublish, nil, art(herald.StatusScheduled, 0, unitCity, corr3.ID, 1), ""},
		permCase{"cannot unschedule", ActUnschedule, nil, art(herald.StatusScheduled, 0, unitCity, corr3.ID, 1), herald.EFORBIDDEN},
	)
	runPerm(t, cases)
}

func TestCanView(t *testing.T) {
	published := art(herald.StatusPublished, 0, unitCounty, corr4.ID, 1)
	draft := art(herald.StatusDraft, 0, unitCounty, corr4.ID, 1)
	retracted := art(herald.StatusRetracted, 0, unitCounty, corr4.ID, 1)
	cases := []struct {
		a     *herald.Article
		actor *herald.Staff
		want  bool
	}{
		{published, nil, true},
		{published, viewer, true},
		{published, corr5, true},
		{published, disabled, true},
		{published, cityEditor, true},
		{draft, cityEditor, true},
		{draft, corr4, true},
		{draft, corr3, true},
		{draft, editorA, true},
		{draft, viewer, true},
		{draft, translator, true},
		{draft, corr5, false},
		{draft, nil, false},
		{draft, disabled, false},
		{retracted, nil, false},
		{retracted, corr5, false},
		{retracted, cityEditor, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s", c.a.Status, name(c.actor)), func(t *testing.T) {
			if got := CanView(c.actor, c.a, facts(c.a)); got != c.want {
				t.Fatalf("CanView = %v, want %v", got, c.want)
			}
		})
	}
}

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// do runs an action the way Service.Do does, without a store: it checks the
// request and the rules, then applies the change to a.
func do(act Action, actor *herald.Staff, a *herald.Article, req Request, at time.Time) (herald.ArticleChange, error) {
	if err := checkRequest(act, req); err != nil {
		return herald.ArticleChange{}, err
	}
	f := facts(a)
	if err := Check(act, actor, a, f); err != nil {
		return herald.ArticleChange{}, err
	}
	change := herald.ArticleChange{Event: herald.Event{At: at, Action: string(act), Level: a.ReviewLevel, Comment: strings.TrimSpace(req.Comment)}}
	return change, apply(act, actor, a, req, f, testColumns, at, &change)
}

func mustDo(t *testing.T, act Action, actor *herald.Staff, a *herald.Article, req Request) herald.ArticleChange {
	t.Helper()
	change, err := do(act, actor, a, req, now)
	if err != nil {
		t.Fatalf("%s by %s: %v", act, name(actor), err)
	}
	return change
}

func TestApplyApprove(t *testing.T) {
	chains := map[int64][]*herald.Staff{
		1: {editorA},
		2: {editorA, editorB},
		3: {editorA, editorB, chief},
	}
	for col, approvers := range chains {
		t.Run(fmt.Sprintf("%d levels", col), func(t *testing.T) {
			a := art(herald.StatusDraft, 0, unitCity, corr3.ID, col)
			mustDo(t, ActSubmit, corr3, a, Request{})
			if a.Status != herald.StatusSubmitted || a.ReviewLevel != 1 || len(a.Reviewers) != 0 {
				t.Fatalf("after submit: status %s level %d reviewers %v", a.Status, a.ReviewLevel, a.Reviewers)
			}
			var ids []int64
			for i, r := range approvers {
				ch := mustDo(t, ActApprove, r, a, Request{Comment: "ok"})
				if ch.Event.Level != i+1 {
					t.Errorf("approval %d: event level %d", i+1, ch.Event.Level)
				}
				ids = append(ids, r.ID)
				if !slices.Equal(a.Reviewers, ids) {
					t.Fatalf("after approval %d: reviewers %v, want %v", i+1, a.Reviewers, ids)
				}
				if i < len(approvers)-1 {
					if a.Status != herald.StatusSubmitted || a.ReviewLevel != i+2 || a.EditorID != 0 {
						t.Fatalf("after approval %d: status %s level %d editor %d", i+1, a.Status, a.ReviewLevel, a.EditorID)
					}
				}
			}
			last := approvers[len(approvers)-1]
			if a.Status != herald.StatusApproved || a.ReviewLevel != 0 || a.EditorID != last.ID {
				t.Fatalf("final: status %s level %d editor %d, want approved 0 %d", a.Status, a.ReviewLevel, a.EditorID, last.ID)
			}
			_, err := do(ActApprove, editorB, a, Request{}, now)
			wantCode(t, err, herald.ECONFLICT)
		})
	}
	t.Run("responsible editor kept", func(t *testing.T) {
		a := art(herald.StatusSubmitted, 1, unitCity, corr3.ID, 2)
		a.EditorID = cityEditor.ID
		mustDo(t, ActApprove, editorA, a, Request{})
		mustDo(t, ActApprove, editorB, a, Request{})
		if a.Status != herald.StatusApproved || a.EditorID != cityEditor.ID {
			t.Fatalf("status %s editor %d, want approved %d", a.Status, a.EditorID, cityEditor.ID)
		}
	})
}

func TestApplyReject(t *testing.T) {
	scheduled := art(herald.StatusScheduled, 0, unitCity, corr3.ID, 2, editorA.ID, editorB.ID)
	at := now.Add(time.Hour)
	scheduled.ScheduledAt = &at
	for _, c := range []struct {
		name string
		a    *herald.Article
	}{
		{"submitted at level 2", art(herald.StatusSubmitted, 2, unitCity, corr3.ID, 2, editorA.ID)},
		{"approved", art(herald.StatusApproved, 0, unitCity, corr3.ID, 2, editorA.ID, editorB.ID)},
		{"scheduled", scheduled},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.a
			_, err := do(ActReject, chief, a, Request{}, now)
			wantField(t, err, "comment")
			mustDo(t, ActReject, chief, a, Request{Comment: "Check the figures."})
			if a.Status != herald.StatusRejected || a.ReviewLevel != 0 || a.Reviewers == nil || len(a.Reviewers) != 0 || a.ScheduledAt != nil {
				t.Fatalf("status %s level %d reviewers %v scheduled %v", a.Status, a.ReviewLevel, a.Reviewers, a.ScheduledAt)
			}
			// The author takes it back and a new round starts at level 1.
			mustDo(t, ActSubmit, corr3, a, Request{})
			if a.Status != herald.StatusSubmitted || a.ReviewLevel != 1 {
				t.Fatalf("resubmitted: status %s level %d", a.Status, a.ReviewLevel)
			}
		})
	}
}

func TestApplySubmit(t *testing.T) {
	t.Run("empty body", func(t *testing.T) {
		a := art(herald.StatusDraft, 0, unitCity, corr3.ID, 1)
		a.Body = " \n "
		_, err := do(ActSubmit, corr3, a, Request{}, now)
		wantField(t, err, "body")
		if a.Status != herald.StatusDraft {
			t.Fatalf("status %s after a refused submit", a.Status)
		}
	})
	t.Run("no column", func(t *testing.T) {
		a := art(herald.StatusDraft, 0, unitCity, corr3.ID, 0)
		_, err := do(ActSubmit, corr3, a, Request{}, now)
		wantField(t, err, "column_id")
	})
	t.Run("event level", func(t *testing.T) {
		a := art(herald.StatusRejected, 0, unitCity, corr3.ID, 3)
		ch := mustDo(t, ActSubmit, corr3, a, Request{})
		if ch.Event.Level != 1 || a.ReviewLevel != 1 || a.Status != herald.StatusSubmitted {
			t.Fatalf("event level %d, article level %d status %s", ch.Event.Level, a.ReviewLevel, a.Status)
		}
	})
	t.Run("withdraw", func(t *testing.T) {
		a := art(herald.StatusSubmitted, 2, unitCity, corr3.ID, 2, editorA.ID)
		mustDo(t, ActWithdraw, corr3, a, Request{})
		if a.Status != herald.StatusDraft || a.ReviewLevel != 0 || len(a.Reviewers) != 0 {
			t.Fatalf("status %s level %d reviewers %v", a.Status, a.ReviewLevel, a.Reviewers)
		}
	})
}

func TestApplyPublish(t *testing.T) {
	scheduledAt := func(at *time.Time) *herald.Article {
		a := art(herald.StatusScheduled, 0, unitCity, corr3.ID, 1)
		a.ScheduledAt = at
		return a
	}
	later, earlier := now.Add(time.Minute), now.Add(-time.Minute)
	t.Run("system before the time", func(t *testing.T) {
		a := scheduledAt(&later)
		_, err := do(ActPublish, nil, a, Request{}, now)
		wantCode(t, err, herald.ECONFLICT)
	})
	t.Run("system without a time", func(t *testing.T) {
		_, err := do(ActPublish, nil, scheduledAt(nil), Request{}, now)
		wantCode(t, err, herald.ECONFLICT)
	})
	t.Run("system when due", func(t *testing.T) {
		for _, at := range []time.Time{earlier, now} {
			a := scheduledAt(&at)
			mustDo(t, ActPublish, nil, a, Request{})
			if a.Status != herald.StatusPublished || a.ScheduledAt != nil || a.PublishedAt == nil || !a.PublishedAt.Equal(now) || a.EditorID != 0 {
				t.Fatalf("status %s scheduled %v published %v editor %d", a.Status, a.ScheduledAt, a.PublishedAt, a.EditorID)
			}
		}
	})
	t.Run("editor before the time", func(t *testing.T) {
		a := scheduledAt(&later)
		mustDo(t, ActPublish, editorA, a, Request{})
		if a.Status != herald.StatusPublished || a.EditorID != editorA.ID {
			t.Fatalf("status %s editor %d", a.Status, a.EditorID)
		}
	})
	t.Run("schedule and unschedule", func(t *testing.T) {
		a := art(herald.StatusApproved, 0, unitCity, corr3.ID, 1)
		at := time.Date(2026, 3, 2, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
		ch := mustDo(t, ActSchedule, editorA, a, Request{At: &at})
		want := at.UTC().Truncate(time.Microsecond)
		if a.Status != herald.StatusScheduled || a.ScheduledAt == nil || !a.ScheduledAt.Equal(want) || a.ScheduledAt.Location() != time.UTC {
			t.Fatalf("status %s scheduled %v, want %v", a.Status, a.ScheduledAt, want)
		}
		if !strings.Contains(ch.Event.Comment, want.Format(time.RFC3339)) {
			t.Errorf("event comment %q does not name the time", ch.Event.Comment)
		}
		mustDo(t, ActUnschedule, editorB, a, Request{})
		if a.Status != herald.StatusApproved || a.ScheduledAt != nil {
			t.Fatalf("status %s scheduled %v", a.Status, a.ScheduledAt)
		}
	})
	t.Run("retract", func(t *testing.T) {
		a := art(herald.StatusPublished, 0, unitCity, corr3.ID, 1)
		mustDo(t, ActRetract, chief, a, Request{Comment: "Wrong figures."})
		if a.Status != herald.StatusRetracted || a.RetractedAt == nil || !a.RetractedAt.Equal(now) {
			t.Fatalf("status %s retracted %v", a.Status, a.RetractedAt)
		}
	})
}

func TestApplyEditAndCorrect(t *testing.T) {
	content := func(a *herald.Article, body string, col int64) *herald.ArticleContent {
		c := a.ArticleContent.Clone()
		c.Body, c.ColumnID = body, col
		return &c
	}
	t.Run("correct", func(t *testing.T) {
		a := art(herald.StatusPublished, 0, unitCity, corr3.ID, 1)
		published := now.Add(-time.Hour)
		a.PublishedAt = &published
		ch := mustDo(t, ActCorrect, editorA, a, Request{Comment: "  The date was wrong. ", Content: content(a, "<p>Fixed text.</p>", 1)})
		if a.CorrectionNote != "The date was wrong." || a.CorrectedAt == nil || !a.CorrectedAt.Equal(now) {
			t.Fatalf("note %q corrected %v", a.CorrectionNote, a.CorrectedAt)
		}
		if ch.RevisionNote != "correction: The date was wrong." {
			t.Fatalf("revision note %q", ch.RevisionNote)
		}
		if !strings.Contains(a.Body, "Fixed text.") || a.Status != herald.StatusPublished || !a.PublishedAt.Equal(published) {
			t.Fatalf("body %q status %s published %v", a.Body, a.Status, a.PublishedAt)
		}
	})
	t.Run("edit sanitizes body", func(t *testing.T) {
		a := art(herald.StatusDraft, 0, unitCity, corr3.ID, 1)
		mustDo(t, ActEdit, corr3, a, Request{Content: content(a, `<p>Hi<script>alert(1)</script></p>`, 1)})
		if strings.Contains(a.Body, "script") || !strings.Contains(a.Body, "Hi") {
			t.Fatalf("body %q", a.Body)
		}
	})
	for _, st := range []herald.Status{herald.StatusSubmitted, herald.StatusApproved, herald.StatusScheduled} {
		t.Run("column change while "+string(st), func(t *testing.T) {
			level := 0
			if st == herald.StatusSubmitted {
				level = 1
			}
			a := art(st, level, unitCity, corr3.ID, 3)
			_, err := do(ActEdit, chief, a, Request{Content: content(a, a.Body, 1)}, now)
			wantField(t, err, "column_id")
			if a.ColumnID != 3 {
				t.Fatalf("column changed to %d", a.ColumnID)
			}
		})
	}
	t.Run("column change of a draft", func(t *testing.T) {
		a := art(herald.StatusDraft, 0, unitCity, corr3.ID, 3)
		mustDo(t, ActEdit, corr3, a, Request{Content: content(a, a.Body, 1)})
		if a.ColumnID != 1 {
			t.Fatalf("column %d, want 1", a.ColumnID)
		}
		_, err := do(ActEdit, corr3, a, Request{Content: content(a, a.Body, 99)}, now)
		wantField(t, err, "column_id")
	})
}

func TestCheckRequest(t *testing.T) {
	content := &herald.ArticleContent{Title: "T", Body: "<p>B</p>", ColumnID: 1}
	long := strings.Repeat("字", MaxCommentRunes+1)
	for _, c := range []struct {
		name  string
		act   Action
		req   Request
		field string // "" when the request is fine
	}{
		{"reject without comment", ActReject, Request{}, "comment"},
		{"reject with blank comment", ActReject, Request{Comment: " \t\n"}, "comment"},
		{"retract without comment", ActRetract, Request{}, "comment"},
		{"correct without comment", ActCorrect, Request{Content: content}, "comment"},
		{"correct without content", ActCorrect, Request{Comment: "note"}, "content"},
		{"edit without content", ActEdit, Request{}, "content"},
		{"content on approve", ActApprove, Request{Content: content}, "content"},
		{"content on submit", ActSubmit, Request{Content: content}, "content"},
		{"content on publish", ActPublish, Request{Content: content}, "content"},
		{"comment too long", ActApprove, Request{Comment: long}, "comment"},
		{"comment not UTF-8", ActApprove, Request{Comment: "\xff"}, "comment"},
		{"comment at the limit", ActApprove, Request{Comment: strings.Repeat("字", MaxCommentRunes)}, ""},
		{"reject with comment", ActReject, Request{Comment: "why"}, ""},
		{"retract with comment", ActRetract, Request{Comment: "why"}, ""},
		{"correct with both", ActCorrect, Request{Comment: "note", Content: content}, ""},
		{"edit with content", ActEdit, Request{Content: content}, ""},
		{"approve bare", ActApprove, Request{}, ""},
		{"submit bare", ActSubmit, Request{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkRequest(c.act, c.req)
			if c.field == "" {
				wantCode(t, err, "")
			} else {
				wantField(t, err, c.field)
			}
		})
	}
}

// TestApprovedArticlesStayWithTheFinalLevel: once approved, an article of a
// three-level column is edited or rejected only by the editor-in-chief, and never
// edited by its own author, so review cannot be bypassed after the fact.
func TestApprovedArticlesStayWithTheFinalLevel(t *testing.T) {
	centerEditorPiece := art(herald.StatusApproved, 0, unitCenter, editorA.ID, 2)
	runPerm(t, []permCase{
		{"editor edits approved 3-level piece", ActEdit, editorB, art(herald.StatusApproved, 0, unitCity, corr3.ID, 3), herald.EFORBIDDEN},
		{"editor rejects scheduled 3-level piece", ActReject, editorB, art(herald.StatusScheduled, 0, unitCity, corr3.ID, 3), herald.EFORBIDDEN},
		{"chief edits approved 3-level piece", ActEdit, chief, art(herald.StatusApproved, 0, unitCity, corr3.ID, 3), ""},
		{"chief rejects scheduled 3-level piece", ActReject, chief, art(herald.StatusScheduled, 0, unitCity, corr3.ID, 3), ""},
		{"editor edits approved 2-level piece", ActEdit, editorB, art(herald.StatusApproved, 0, unitCity, corr3.ID, 2), ""},
		{"author-editor edits own approved piece", ActEdit, editorA, centerEditorPiece, herald.EFORBIDDEN},
		{"author-editor edits own submitted piece", ActEdit, editorA, art(herald.StatusSubmitted, 1, unitCenter, editorA.ID, 2), ""},
	})
}

func TestScheduleNeedsATime(t *testing.T) {
	wantField(t, checkRequest(ActSchedule, Request{}), "at")
}
