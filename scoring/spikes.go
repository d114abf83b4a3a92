package scoring

import (
	"context"
	"strings"

	"github.com/heraldnews/herald"
)

// spikeReviewers release or void read spikes: the desk that checks
// placements, for both decide whether a piece's numbers are real.
var spikeReviewers = reviewers

// ReviewSpike releases a flagged read spike (its month's reads count in
// full) or voids it with a note (the day's reads above the expected are
// taken out), and asks for a scoring run so that the ledger follows. Nobody
// reviews the spikes of a piece they wrote: whether its reads earn points is
// their own gain. Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT (reviewed
// already), EINVALID naming "decision" or "note".
func (s *Service) ReviewSpike(ctx context.Context, actor *herald.Staff, id int64, decision herald.SpikeStatus, note string) (*herald.ReadSpike, error) {
	if err := may(actor, spikeReviewers, "review read spikes"); err != nil {
		return nil, err
	}
	sp, err := s.Store.FindSpikeByID(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := s.Store.FindArticleByID(ctx, sp.ArticleID)
	if err != nil {
		return nil, err
	}
	if a.IsAuthor(actor.ID) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "You wrote this piece: another editor must review its read spike, as its points are yours.")
	}
	sp, err = s.Store.ReviewSpike(ctx, id, decision, strings.TrimSpace(note), s.event(actor))
	if err == nil {
		s.changed(ctx)
	}
	return sp, err
}

// MayReviewSpikes tells whether st may release and void read spikes (of
// pieces they did not write).
func MayReviewSpikes(st *herald.Staff) bool { return may(st, spikeReviewers, "") == nil }
