package api

import (
	"net/http"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// Editors and the editor-in-chief see every read spike; other staff those
// of their unit's pieces, as with placements, for the points are theirs.
func (s *Server) listSpikes(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var f herald.SpikeFilter
	if st := herald.SpikeStatus(r.URL.Query().Get("status")); st != "" {
		if !st.Valid() {
			s.problem(w, r, herald.Invalid("status", "must be one of %s, %s, %s", herald.SpikeFlagged, herald.SpikeReleased, herald.SpikeVoided))
			return
		}
		f.Statuses = []herald.SpikeStatus{st}
	}
	if !scoring.MayReviewSpikes(actor) {
		f.UnitIDs = []int64{actor.UnitID}
	}
	var err error
	if f.Limit, f.Offset, err = queryPage(r); err != nil {
		s.problem(w, r, err)
		return
	}
	spikes, total, err := s.Store.FindSpikes(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(spikes, total))
}

// spikeReviewInput releases a read spike or voids it with a note.
type spikeReviewInput struct {
	Decision herald.SpikeStatus `json:"decision"`
	Note     string             `json:"note"`
}

func (s *Server) reviewSpike(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	id, in, err := idAndBody[spikeReviewInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	sp, err := s.Scoring.ReviewSpike(r.Context(), actor, id, in.Decision, in.Note)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, sp)
}
