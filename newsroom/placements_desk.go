package newsroom

import (
	"context"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// What the incentive mechanism adds to the desk: the unit's quota for the
// month and how far it has come.

// quotaProgress is the reader's unit's quota this month (China time).
type quotaProgress struct {
	Month string // 2026-11
	// Set says the unit has a quota this month, of Target pieces; Adopted
	// of its pieces were published this month, Percent of the target.
	Set                      bool
	Target, Adopted, Percent int
	// Shown is Adopted up to the target, for the progress bar.
	Shown int
	// CanSet links to where quotas are set.
	CanSet bool
}

// unitQuota finds the reader's unit's quota this month and counts its
// pieces published this month. It is nil when the unit has none, unless
// the reader sets quotas, who is shown where to.
func (s *Server) unitQuota(ctx context.Context, st *herald.Staff) (*quotaProgress, error) {
	now := s.Auth.Clock.Now().In(CST)
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, CST)
	p := &quotaProgress{Month: start.Format("2006-01"), CanSet: scoring.MaySetQuotas(st)}
	quotas, err := s.Store.FindQuotas(ctx, p.Month)
	if err != nil {
		return nil, err
	}
	for _, q := range quotas {
		if q.UnitID == st.UnitID && q.Target > 0 {
			p.Set, p.Target = true, q.Target
		}
	}
	if !p.Set {
		if p.CanSet {
			return p, nil
		}
		return nil, nil
	}
	adopted, err := s.scoringService().AdoptedByUnit(ctx, scoring.MonthPeriod(start))
	if err != nil {
		return nil, err
	}
	p.Adopted = adopted[st.UnitID]
	p.Percent = p.Adopted * 100 / p.Target
	p.Shown = min(p.Adopted, p.Target)
	return p, nil
}
