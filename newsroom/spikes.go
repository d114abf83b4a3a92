package newsroom

import (
	"cmp"
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/charts"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/scoring"
)

// The read spikes page (读数异常): the days scoring flagged because a
// piece's reads jumped far above its own pattern wait here for an editor,
// who releases them (the month's reads count) or voids them with a note
// (the reads above the expected are taken out). Each shows the piece's
// daily reads around the day, so that the editor sees the jump. The scoring
// service decides who may review and audits each review; the page offers
// only what it would allow and shows a refusal at the spike it concerns.

// Sizes of the page's lists and charts.
const (
	spikesFlaggedShown  = 30
	spikesReviewedShown = 20
	spikeDaysBefore     = 14 // days of reads the chart shows before the spike
	spikeDaysAfter      = 7  // and after it, as far as they have passed
)

// spikesData is the read spikes page.
type spikesData struct {
	Flagged      []spikeItem
	FlaggedTotal int
	// Reviewed are the latest reviewed spikes of the state Filter names
	// (both when it is "").
	Reviewed      []spikeItem
	ReviewedTotal int
	Filter        string
	Filters       []option
	// ReviewProblem is why a review was refused, said at the top of the
	// page, with a link to the spike (ReviewedID) when the list shows it.
	ReviewProblem string
	ReviewedID    int64
}

// spikeItem is one spike of the page's lists.
type spikeItem struct {
	Spike   *herald.ReadSpike
	Article *herald.Article // nil if it is gone
	Unit    string
	Status  string
	Chart   template.HTML
	// Mine says the reader wrote the piece: another editor reviews it.
	Mine       bool
	ReviewedBy string
	Reviewed   string // when, CST
	// Problem is why a review of it was just refused, Field "note" when it
	// is about the note, and Note the refused note, kept.
	Problem, Field, Note string
}

func spikesPath() string { return "/newsroom/spikes" }

// flaggedSpikes counts the read spikes waiting for an editor, for the
// dashboard.
func (s *Server) flaggedSpikes(ctx context.Context) (int, error) {
	_, total, err := s.Store.FindSpikes(ctx, herald.SpikeFilter{Statuses: []herald.SpikeStatus{herald.SpikeFlagged}, Limit: 1})
	return total, err
}

// refuseSpikeViewers answers 403 to those who may not review spikes.
func (s *Server) refuseSpikeViewers(w http.ResponseWriter, r *http.Request, req *request) bool {
	if scoring.MayReviewSpikes(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "spikes.forbidden")))
	return true
}

func (s *Server) spikesPage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseSpikeViewers(w, r, req) {
		return
	}
	s.renderSpikes(w, r, req, http.StatusOK, r.URL.Query().Get("status"), nil)
}

// renderSpikes draws the page, the reviewed list showing the spikes of
// state filter; refused, if given, is a spike whose review was refused.
func (s *Server) renderSpikes(w http.ResponseWriter, r *http.Request, req *request, status int, filter string, refused *spikeItem) {
	ctx := r.Context()
	d := &spikesData{Filter: filter}
	reviewed := []herald.SpikeStatus{herald.SpikeReleased, herald.SpikeVoided}
	if st := herald.SpikeStatus(filter); st == herald.SpikeReleased || st == herald.SpikeVoided {
		reviewed = []herald.SpikeStatus{st}
	} else {
		d.Filter = ""
	}
	for _, v := range []string{"", string(herald.SpikeReleased), string(herald.SpikeVoided)} {
		d.Filters = append(d.Filters, option{Value: v, Label: s.msgs.T(req.lang, "spikes.filter."+cmp.Or(v, "all")), Selected: v == d.Filter})
	}
	flagged, total, err := s.Store.FindSpikes(ctx, herald.SpikeFilter{Statuses: []herald.SpikeStatus{herald.SpikeFlagged}, Limit: spikesFlaggedShown})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.FlaggedTotal = total
	done, doneTotal, err := s.Store.FindSpikes(ctx, herald.SpikeFilter{Statuses: reviewed, Limit: spikesReviewedShown})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.ReviewedTotal = doneTotal
	if d.Flagged, err = s.spikeItems(ctx, req, flagged); err == nil {
		d.Reviewed, err = s.spikeItems(ctx, req, done)
	}
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if refused != nil {
		d.ReviewProblem = refused.Problem
		for i := range d.Flagged {
			if it := &d.Flagged[i]; it.Spike.ID == refused.Spike.ID {
				it.Problem, it.Field, it.Note = refused.Problem, refused.Field, refused.Note
				d.ReviewedID = it.Spike.ID
			}
		}
	}
	s.render(w, r, status, "spikes", req, s.msgs.T(req.lang, "spikes.page_title"), d)
}

// spikeItems describes spikes for the page's lists: their pieces, units,
// reviewers and charts.
func (s *Server) spikeItems(ctx context.Context, req *request, spikes []*herald.ReadSpike) ([]spikeItem, error) {
	var ids []int64
	for _, sp := range spikes {
		ids = append(ids, sp.ArticleID)
	}
	articles := map[int64]*herald.Article{}
	if len(ids) > 0 {
		found, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
		if err != nil {
			return nil, err
		}
		for _, a := range found {
			articles[a.ID] = a
		}
	}
	names := map[int64]string{} // of units and reviewers, each looked up once
	unitName := func(id int64) (string, error) {
		if n, ok := names[-id]; ok {
			return n, nil
		}
		u, err := s.Store.FindUnitByID(ctx, id)
		if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
			return "", err
		}
		if u != nil {
			names[-id] = u.Name
		}
		return names[-id], nil
	}
	staffName := func(id int64) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		st, err := s.Store.FindStaffByID(ctx, id)
		if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
			return "", err
		}
		if st != nil {
			names[id] = st.Byline()
		}
		return names[id], nil
	}
	out := make([]spikeItem, len(spikes))
	for i, sp := range spikes {
		it := spikeItem{Spike: sp, Article: articles[sp.ArticleID], Status: s.msgs.T(req.lang, "spikes.status."+string(sp.Status))}
		var err error
		if a := it.Article; a != nil {
			it.Mine = a.IsAuthor(req.staff.ID)
			if it.Unit, err = unitName(a.UnitID); err != nil {
				return nil, err
			}
		}
		if sp.ReviewedBy != 0 {
			if it.ReviewedBy, err = staffName(sp.ReviewedBy); err != nil {
				return nil, err
			}
			it.Reviewed = cstTime(sp.ReviewedAt)
		}
		if it.Chart, err = s.spikeChart(ctx, req, sp, it.Article); err != nil {
			return nil, err
		}
		out[i] = it
	}
	return out, nil
}

// spikeChart draws the piece's daily reads from spikeDaysBefore days before
// the spike to spikeDaysAfter after it (or today).
func (s *Server) spikeChart(ctx context.Context, req *request, sp *herald.ReadSpike, a *herald.Article) (template.HTML, error) {
	day, err := herald.ParseDay(sp.Day)
	if err != nil {
		return "", err
	}
	from, until := day.AddDate(0, 0, -spikeDaysBefore), day.AddDate(0, 0, spikeDaysAfter)
	if today := herald.CSTDay(s.Auth.Clock.Now()); until.After(today) {
		until = today
	}
	days, err := s.Store.ReadsByDay(ctx, herald.ReadFilter{From: from, Until: until, ArticleIDs: []int64{sp.ArticleID}}, false)
	if err != nil {
		return "", err
	}
	series := charts.Series{Name: s.msgs.T(req.lang, "spikes.chart_series")}
	for _, d := range days {
		at, err := herald.ParseDay(d.Day)
		if err != nil {
			return "", err
		}
		series.Points = append(series.Points, charts.Point{At: at, Value: float64(d.Reads)})
	}
	title := s.msgs.T(req.lang, "issue.article_id", sp.ArticleID)
	if a != nil {
		title = a.Title
	}
	return charts.Line(charts.Options{
		Title:  s.msgs.T(req.lang, "spikes.chart_title", title),
		Desc:   s.msgs.T(req.lang, "spikes.chart_desc", herald.DayString(from), herald.DayString(until), sp.Day, sp.Reads, sp.Expected),
		NoData: s.msgs.T(req.lang, "spikes.chart_none"),
		ID:     "spike-" + idText(sp.ID),
	}, series), nil
}

func (s *Server) releaseSpike(w http.ResponseWriter, r *http.Request, req *request) {
	s.reviewSpike(w, r, req, herald.SpikeReleased)
}

func (s *Server) voidSpike(w http.ResponseWriter, r *http.Request, req *request) {
	s.reviewSpike(w, r, req, herald.SpikeVoided)
}

// reviewSpike releases or voids a spike and goes back to the list; a
// refusal is shown at the spike, the note posted kept.
func (s *Server) reviewSpike(w http.ResponseWriter, r *http.Request, req *request, decision herald.SpikeStatus) {
	if s.refuseSpikeViewers(w, r, req) {
		return
	}
	ctx := r.Context()
	id := formID(r.PathValue("id"))
	notFound := herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "spikes.not_found"))
	if id == 0 {
		s.fail(w, r, req, notFound)
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	_, err := s.scoringService().ReviewSpike(ctx, req.staff, id, decision, note)
	if err == nil {
		http.Redirect(w, r, withFlash(spikesPath(), "spike_"+string(decision))+"#flagged", http.StatusSeeOther)
		return
	}
	sp, ferr := s.Store.FindSpikeByID(ctx, id)
	switch {
	case herald.ErrorCode(ferr) == herald.ENOTFOUND:
		s.fail(w, r, req, notFound)
		return
	case ferr != nil:
		s.fail(w, r, req, ferr)
		return
	}
	it := &spikeItem{Spike: sp, Note: note}
	switch herald.ErrorCode(err) {
	case herald.EFORBIDDEN: // the reader wrote the piece
		it.Problem = s.msgs.T(req.lang, "spikes.problem.own")
	case herald.ECONFLICT: // reviewed meanwhile: it shows as it is now
		it.Problem = s.msgs.T(req.lang, "spikes.problem.reviewed", s.msgs.T(req.lang, "spikes.status."+string(sp.Status)))
	case herald.EINVALID:
		fields, rest := fieldProblems(err, func(fe herald.FieldError) string { return s.spikeProblemText(req.lang, fe) }, "note")
		it.Problem = strings.Join(append(rest, fields["note"]), " ")
		if fields["note"] != "" {
			it.Field = "note"
		}
	default:
		s.fail(w, r, req, err)
		return
	}
	s.renderSpikes(w, r, req, httpx.Status(err), "", it)
}

// spikeProblemText is a field message of the review forms in lang.
func (s *Server) spikeProblemText(lang string, fe herald.FieldError) string {
	switch {
	case fe.Field == "note" && strings.HasPrefix(fe.Message, "is required"):
		return s.msgs.T(lang, "spikes.problem.note")
	case fe.Field == "note":
		return s.msgs.T(lang, "admin.problem.too_long", herald.MaxSpikeNote)
	}
	return s.problemText(lang, fe)
}

// backToSpikes sends a GET of a review's address — the page a refused
// review answered with, reloaded or come back to after switching the
// language — to the spikes page.
func (s *Server) backToSpikes(w http.ResponseWriter, r *http.Request, req *request) {
	http.Redirect(w, r, spikesPath()+"#flagged", http.StatusSeeOther)
}
