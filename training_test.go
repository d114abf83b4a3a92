package herald_test

import (
	"testing"

	"github.com/heraldnews/herald"
)

// Every pair of enrolment states: the moves the state machine allows, and
// that every other is forbidden.
func TestEnrolmentTransitions(t *testing.T) {
	allowed := map[[2]herald.EnrolmentStatus]bool{
		{"nominated", "approved"}: true, {"nominated", "waitlisted"}: true, {"nominated", "rejected"}: true, {"nominated", "withdrawn"}: true,
		{"waitlisted", "approved"}: true, {"waitlisted", "withdrawn"}: true, {"waitlisted", "rejected"}: true,
		{"approved", "withdrawn"}: true,
	}
	for _, from := range herald.EnrolmentStatuses {
		for _, to := range herald.EnrolmentStatuses {
			if got, want := from.CanMove(to), allowed[[2]herald.EnrolmentStatus{from, to}]; got != want {
				t.Errorf("%s → %s allowed = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range herald.EnrolmentStatuses {
		want := s == "nominated" || s == "approved" || s == "waitlisted"
		if s.HoldsPlace() != want {
			t.Errorf("%s holds a place = %v", s, !want)
		}
	}
}
