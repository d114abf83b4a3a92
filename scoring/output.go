package scoring

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/heraldnews/herald"
)

// OutputFilter selects the pieces an output report counts: a span of CST
// days and, optionally, the pieces of some units, a column or a theme.
type OutputFilter struct {
	From, Until time.Time // CST days (any time of the day), both included
	UnitIDs     []int64   // pieces of any of these units; nil: all, empty: none
	ColumnID    int64
	ThemeID     int64
}

// Output is what one unit or one staff member produced in a span.
type Output struct {
	Beneficiary herald.Beneficiary
	Name, Unit  string // the unit's or the member's name; a member's unit
	// Submitted counts the pieces first submitted for review in the span.
	Submitted int
	// Adopted counts the pieces first published in the span and not
	// retracted, as the rankings and quotas count them.
	Adopted int
	// ByChannel counts the adopted pieces meant for each channel.
	ByChannel map[herald.Channel]int
	// Placements counts the verified placements dated in the span by the
	// level of their outlet.
	Placements map[herald.OutletLevel]int
	// Turnarounds are, for each adopted piece that went through review, the
	// time from its first submission to its publication.
	Turnarounds []time.Duration
}

// MedianTurnaround is the median of the turnarounds: half the pieces were
// published sooner. False when no piece went through review.
func (o *Output) MedianTurnaround() (time.Duration, bool) {
	n := len(o.Turnarounds)
	if n == 0 {
		return 0, false
	}
	t := slices.Sorted(slices.Values(o.Turnarounds))
	if n%2 == 1 {
		return t[n/2], true
	}
	return (t[n/2-1] + t[n/2]) / 2, true
}

// Output reports, for each unit and each staff member with a piece in the
// span, what they submitted and had adopted, by channel and outlet level,
// and how long review took. Each author of a piece counts it whole (points
// are split, pieces are not). Units and staff come most adopted first.
func (s *Service) Output(ctx context.Context, f OutputFilter) (units, staff []Output, err error) {
	if f.From.IsZero() || f.Until.Before(f.From) {
		return nil, nil, herald.Errorf(herald.EINVALID, "An output report needs a span whose end is not before its start.")
	}
	start, end := herald.CSTDay(f.From), herald.CSTDay(f.Until).AddDate(0, 0, 1)
	submits, err := s.Store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, Action: "submit", Until: &end})
	if err != nil {
		return nil, nil, err
	}
	firstSubmit := map[int64]time.Time{}
	for _, ev := range submits { // oldest first: the first submission stays
		if _, seen := firstSubmit[ev.EntityID]; !seen {
			firstSubmit[ev.EntityID] = ev.At
		}
	}
	submittedIDs := []int64{}
	for id, at := range firstSubmit {
		if !at.Before(start) {
			submittedIDs = append(submittedIDs, id)
		}
	}
	narrow := herald.ArticleFilter{UnitIDs: f.UnitIDs, ColumnID: f.ColumnID, ThemeID: f.ThemeID, NoBody: true, NoCount: true, Order: herald.ByID}
	submitted := narrow
	submitted.IDs = submittedIDs
	submittedArticles, _, err := s.Store.FindArticles(ctx, submitted)
	if err != nil {
		return nil, nil, err
	}
	published := narrow
	after := start.Add(-time.Microsecond) // PublishedAfter is strict; times are kept to the microsecond
	published.Statuses, published.PublishedAfter, published.PublishedBefore = adoptingStatuses, &after, &end
	adoptedArticles, _, err := s.Store.FindArticles(ctx, published)
	if err != nil {
		return nil, nil, err
	}
	placements, _, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{UnitIDs: f.UnitIDs, Statuses: []herald.PlacementStatus{herald.PlacementVerified}})
	if err != nil {
		return nil, nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, nil, err
	}

	rows := map[herald.Beneficiary]*Output{}
	each := func(a *herald.Article, fn func(*Output)) {
		bs := []herald.Beneficiary{{Kind: herald.ForUnit, ID: a.UnitID}}
		for _, id := range authors(a) {
			bs = append(bs, herald.Beneficiary{Kind: herald.ForStaff, ID: id})
		}
		for _, b := range bs {
			r := rows[b]
			if r == nil {
				r = &Output{Beneficiary: b, ByChannel: map[herald.Channel]int{}, Placements: map[herald.OutletLevel]int{}}
				r.Name, r.Unit = names.of(b)
				rows[b] = r
			}
			fn(r)
		}
	}
	for _, a := range submittedArticles {
		each(a, func(r *Output) { r.Submitted++ })
	}
	pieces := map[int64]*herald.Article{}
	for _, a := range adoptedArticles {
		if !counts(a) {
			continue
		}
		pieces[a.ID] = a
		at, reviewed := firstSubmit[a.ID]
		each(a, func(r *Output) {
			r.Adopted++
			for _, c := range a.Channels {
				r.ByChannel[c]++
			}
			if reviewed && a.PublishedAt.After(at) {
				r.Turnarounds = append(r.Turnarounds, a.PublishedAt.Sub(at))
			}
		})
	}
	var inSpan []*herald.Placement
	var placed []int64 // pieces adopted before the span, placed in it
	for _, pl := range placements {
		if day := herald.CSTDay(pl.Date); !day.Before(start) && day.Before(end) {
			inSpan = append(inSpan, pl)
			if pieces[pl.ArticleID] == nil {
				placed = append(placed, pl.ArticleID)
			}
		}
	}
	if len(placed) > 0 {
		older := narrow
		older.IDs = slices.Compact(slices.Sorted(slices.Values(placed)))
		found, _, err := s.Store.FindArticles(ctx, older)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range found {
			if counts(a) {
				pieces[a.ID] = a
			}
		}
	}
	for _, pl := range inSpan {
		if a := pieces[pl.ArticleID]; a != nil {
			each(a, func(r *Output) { r.Placements[pl.Level]++ })
		}
	}

	for _, r := range rows {
		if r.Beneficiary.Kind == herald.ForUnit {
			units = append(units, *r)
		} else {
			staff = append(staff, *r)
		}
	}
	byOutput := func(a, b Output) int {
		return cmp.Or(cmp.Compare(b.Adopted, a.Adopted), cmp.Compare(b.Submitted, a.Submitted), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Beneficiary.ID, b.Beneficiary.ID))
	}
	slices.SortFunc(units, byOutput)
	slices.SortFunc(staff, byOutput)
	return units, staff, nil
}
