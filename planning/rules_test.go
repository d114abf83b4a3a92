package planning

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// TestStateMachine walks every state × action pair: the allowed ones lead
// to the state the issue names, every other one is refused with ECONFLICT.
func TestStateMachine(t *testing.T) {
	A, C, I, S, P, D, X := herald.AssignmentAssigned, herald.AssignmentAccepted, herald.AssignmentInProgress,
		herald.AssignmentSubmitted, herald.AssignmentPublished, herald.AssignmentDeclined, herald.AssignmentCancelled
	allowed := map[herald.AssignmentStatus]map[Action]herald.AssignmentStatus{
		A: {ActAccept: C, ActSubmit: S, ActDecline: D, ActCancel: X},
		C: {ActStart: I, ActSubmit: S, ActDecline: D, ActCancel: X},
		I: {ActSubmit: S, ActDecline: D, ActCancel: X},
		S: {ActPublish: P, ActCancel: X},
		P: {},
		D: {},
		X: {},
	}
	if len(allowed) != len(herald.AssignmentStatuses) {
		t.Fatal("the table misses a state")
	}
	for _, from := range herald.AssignmentStatuses {
		for _, act := range Actions {
			t.Run(fmt.Sprintf("%s/%s", from, act), func(t *testing.T) {
				to, err := Next(from, act)
				want, ok := allowed[from][act]
				switch {
				case ok && (err != nil || to != want):
					t.Fatalf("got %q, %v; want %q", to, err, want)
				case !ok && herald.ErrorCode(err) != herald.ECONFLICT:
					t.Fatalf("got %q, %v; want a conflict", to, err)
				}
				if ok != Allowed(from, act) {
					t.Fatal("Allowed disagrees with Next")
				}
			})
		}
	}
	if _, err := Next(A, "approve"); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("unknown action: %v", err)
	}
	for _, s := range herald.AssignmentStatuses {
		if want := s != P && s != D && s != X; s.Open() != want {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
	}
}

// TestWhoMay checks the people behind each step: the assignee or, for a
// unit's piece, its writers take it on; the assigner and editors over the
// unit cancel; only the system completes.
func TestWhoMay(t *testing.T) {
	tree := herald.NewUnitTree([]*herald.Unit{
		{ID: 1, Type: herald.UnitDepartment},
		{ID: 2, ParentID: 1, Type: herald.UnitPublicityCenter},
		{ID: 3, ParentID: 1, Type: herald.UnitCityBureau},
		{ID: 4, ParentID: 1, Type: herald.UnitCityBureau},
		{ID: 5, ParentID: 3, Type: herald.UnitCountyBureau},
	})
	person := func(id, unit int64, roles ...herald.Role) *herald.Staff {
		return &herald.Staff{ID: id, UnitID: unit, Roles: roles}
	}
	editor := person(10, 2, herald.RoleEditor)              // the publicity centre: acts for the department
	assigner := person(11, 2, herald.RoleEditorInChief)     // gave the pieces
	bureauEditor := person(12, 4, herald.RoleEditor)        // another city's
	writer := person(20, 3, herald.RoleCorrespondent)       // of unit 3
	colleague := person(21, 3, herald.RoleCorrespondent)    // of unit 3 too
	stranger := person(22, 4, herald.RoleCorrespondent)     // of unit 4
	viewer := person(23, 3, herald.RoleViewer)              // of unit 3, writes nothing
	countyWriter := person(24, 5, herald.RoleCorrespondent) // under unit 3
	disabled := person(25, 3, herald.RoleCorrespondent)
	disabledAt := time.Now()
	disabled.DisabledAt = &disabledAt

	unitPiece := &herald.Assignment{ID: 1, UnitID: 3, CreatedBy: assigner.ID, Status: herald.AssignmentAssigned}
	ownPiece := &herald.Assignment{ID: 2, UnitID: 3, AssigneeID: writer.ID, CreatedBy: assigner.ID, Status: herald.AssignmentAssigned}
	submitted := &herald.Assignment{ID: 3, UnitID: 3, AssigneeID: writer.ID, CreatedBy: assigner.ID, Status: herald.AssignmentSubmitted}
	cases := []struct {
		name  string
		act   Action
		actor *herald.Staff
		a     *herald.Assignment
		code  string
	}{
		{"a writer of the unit accepts its piece", ActAccept, writer, unitPiece, ""},
		{"a colleague accepts the unit's piece", ActAccept, colleague, unitPiece, ""},
		{"the assignee accepts", ActAccept, writer, ownPiece, ""},
		{"a colleague may not take another's piece", ActAccept, colleague, ownPiece, herald.EFORBIDDEN},
		{"another unit's writer may not", ActAccept, stranger, unitPiece, herald.EFORBIDDEN},
		{"a county writer under the unit may not take the city's piece", ActDecline, countyWriter, unitPiece, herald.EFORBIDDEN},
		{"a viewer writes nothing", ActAccept, viewer, unitPiece, herald.EFORBIDDEN},
		{"a disabled account does nothing", ActAccept, disabled, unitPiece, herald.EFORBIDDEN},
		{"the assignee declines", ActDecline, writer, ownPiece, ""},
		{"the assignee submits", ActSubmit, writer, ownPiece, ""},
		{"the editor does not accept for the unit", ActAccept, editor, unitPiece, herald.EFORBIDDEN},
		{"the assigner cancels", ActCancel, assigner, ownPiece, ""},
		{"an editor over the unit cancels", ActCancel, editor, ownPiece, ""},
		{"another city's editor may not cancel", ActCancel, bureauEditor, ownPiece, herald.EFORBIDDEN},
		{"the writer may not cancel", ActCancel, writer, ownPiece, herald.EFORBIDDEN},
		{"nobody completes by hand", ActPublish, editor, submitted, herald.EFORBIDDEN},
		{"the system completes", ActPublish, nil, submitted, ""},
		{"the system does nothing else", ActCancel, nil, ownPiece, herald.EFORBIDDEN},
		{"a step the state refuses", ActStart, writer, ownPiece, herald.ECONFLICT},
		{"a submitted piece is not declined", ActDecline, writer, submitted, herald.ECONFLICT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := herald.ErrorCode(Check(c.act, c.actor, c.a, tree)); got != c.code {
				t.Fatalf("code %q, want %q", got, c.code)
			}
		})
	}
	if !InScope(tree, editor, 5) || InScope(tree, bureauEditor, 3) || !InScope(tree, bureauEditor, 4) {
		t.Fatal("scope")
	}
}
