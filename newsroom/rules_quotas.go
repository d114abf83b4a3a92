package newsroom

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// The quotas page (任务数): each unit's target of adopted pieces for a
// month, how many it has had adopted so far, and the form that sets many
// units' targets at once. Editors and up read it; the editor-in-chief and
// administrators set targets (scoring.MaySetQuotas). A unit falls short by
// the pieces published in its own name, as scoring counts them.

// quotasView is what the quotas page's template gets.
type quotasView struct {
	Month, Label   string
	Input, Problem string // the month field, and what is wrong with it
	Prev, Next     *periodLink
	Rows           []quotaRow
	CanSet         bool
	// Refused says the form was refused; Problems are its problems that
	// belong to no unit.
	Refused               bool
	Problems              []string
	Targets, Adopted, Set int
}

// quotaRow is a unit with its target and progress.
type quotaRow struct {
	UnitID    int64
	Name      string
	Depth     int
	Target    int
	HasTarget bool
	Adopted   int
	Rate      int // adopted over target, in percent
	Bar       int // the progress bar's length, 0 to 100
	Met       bool
	Value     string // the target input's value
	Error     string
}

// quotaField is the name of a unit's target input.
func quotaField(id int64) string { return "target-" + idText(id) }

func (s *Server) quotasPage(w http.ResponseWriter, r *http.Request, req *request) {
	if !mayReadQuotas(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "quotas.forbidden")))
		return
	}
	text := strings.TrimSpace(r.URL.Query().Get("month"))
	month := scoring.MonthPeriod(s.Auth.Clock.Now()).Start
	if text != "" {
		m, err := time.ParseInLocation("2006-01", text, herald.CST)
		if err != nil || m.Year() < 2000 || m.Year() > 2100 {
			d := &quotasView{Input: text, Problem: s.msgs.T(req.lang, "quotas.problem.month", text), CanSet: scoring.MaySetQuotas(req.staff)}
			s.render(w, r, http.StatusBadRequest, "quotas", req, s.msgs.T(req.lang, "quotas.title"), d)
			return
		}
		month = m
	}
	s.renderQuotas(w, r, req, http.StatusOK, month, nil, nil)
}

// renderQuotas draws the quotas of a month; posted holds a refused form's
// values and problems, by unit.
func (s *Server) renderQuotas(w http.ResponseWriter, r *http.Request, req *request, status int, month time.Time, posted, problems map[int64]string) {
	d, err := s.quotas(r.Context(), req, month)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if posted != nil {
		d.Refused = true
		for i := range d.Rows {
			row := &d.Rows[i]
			row.Value, row.Error = posted[row.UnitID], problems[row.UnitID]
		}
	}
	s.render(w, r, status, "quotas", req, s.msgs.T(req.lang, "quotas.title_of", d.Label), d)
}

// quotas gathers a month's units, targets and adopted pieces.
func (s *Server) quotas(ctx context.Context, req *request, month time.Time) (*quotasView, error) {
	p := scoring.MonthPeriod(month)
	d := &quotasView{Month: p.String(), Label: periodLabel(req.lang, p), CanSet: scoring.MaySetQuotas(req.staff)}
	d.Input = d.Month
	now := s.Auth.Clock.Now()
	if prev := shiftPeriod(p, -1); prev.Start.Year() >= 2000 {
		d.Prev = &periodLink{Period: prev.String(), Label: periodLabel(req.lang, prev)}
	}
	// Targets are set ahead: a few months beyond this one are offered.
	if next := shiftPeriod(p, 1); next.Start.Before(now.AddDate(0, 12, 0)) && next.Start.Year() <= 2100 {
		d.Next = &periodLink{Period: next.String(), Label: periodLabel(req.lang, next)}
	}
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, err
	}
	quotas, err := s.Store.FindQuotas(ctx, d.Month)
	if err != nil {
		return nil, err
	}
	targets := map[int64]int{}
	for _, q := range quotas {
		targets[q.UnitID] = q.Target
	}
	adopted, err := s.scoringService().AdoptedByUnit(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, u := range unitsInTreeOrder(units) {
		row := quotaRow{UnitID: u.unit.ID, Name: u.unit.Name, Depth: min(u.depth, 5), Adopted: adopted[u.unit.ID]}
		if req.lang == "en" && u.unit.NameEn != "" {
			row.Name = u.unit.NameEn
		}
		row.Target, row.HasTarget = targets[u.unit.ID]
		if row.HasTarget {
			row.Value = strconv.Itoa(row.Target)
			row.Rate = 100
			if row.Target > 0 {
				row.Rate = row.Adopted * 100 / row.Target
			}
			row.Bar, row.Met = min(row.Rate, 100), row.Adopted >= row.Target
			d.Targets += row.Target
			d.Set++
		}
		d.Adopted += row.Adopted
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// unitAtDepth is a unit and how deep in the tree it is.
type unitAtDepth struct {
	unit  *herald.Unit
	depth int
}

// unitsInTreeOrder lists units depth first, sub-units by kind (the
// publicity center first) and then code, as the units page shows them.
func unitsInTreeOrder(units []*herald.Unit) []unitAtDepth {
	byID := map[int64]*herald.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	children := map[int64][]*herald.Unit{}
	for _, u := range units {
		parent := u.ParentID
		if byID[parent] == nil {
			parent = 0 // a root, or an orphan shown as one
		}
		children[parent] = append(children[parent], u)
	}
	for _, list := range children {
		slices.SortStableFunc(list, func(x, y *herald.Unit) int {
			return cmp.Or(cmp.Compare(slices.Index(herald.UnitTypes, x.Type), slices.Index(herald.UnitTypes, y.Type)), strings.Compare(x.Code, y.Code))
		})
	}
	var out []unitAtDepth
	seen := map[int64]bool{}
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, u := range children[parent] {
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			out = append(out, unitAtDepth{u, depth})
			walk(u.ID, depth+1)
		}
	}
	walk(0, 0)
	return out
}

func (s *Server) setQuotas(w http.ResponseWriter, r *http.Request, req *request) {
	if !scoring.MaySetQuotas(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "quotas.setters_only")))
		return
	}
	ctx := r.Context()
	month, err := time.ParseInLocation("2006-01", strings.TrimSpace(r.PostFormValue("month")), herald.CST)
	if err != nil {
		s.fail(w, r, req, herald.Errorf(herald.EINVALID, "%s", s.msgs.T(req.lang, "quotas.problem.month", r.PostFormValue("month"))))
		return
	}
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	ym := month.Format("2006-01")
	quotas, err := s.Store.FindQuotas(ctx, ym)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	had := map[int64]int{}
	for _, q := range quotas {
		had[q.UnitID] = q.Target
	}
	// Check every input before changing anything: a form with one bad
	// number changes nothing.
	posted, problems := map[int64]string{}, map[int64]string{}
	var changes []*herald.Quota
	for _, u := range units {
		text := strings.TrimSpace(r.PostFormValue(quotaField(u.ID)))
		posted[u.ID] = text
		if text == "" {
			continue // blank: unchanged
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			problems[u.ID] = s.msgs.T(req.lang, "quotas.problem.number")
			continue
		}
		q := &herald.Quota{UnitID: u.ID, Month: ym, Target: n}
		if err := q.Validate(); err != nil {
			problems[u.ID] = s.msgs.T(req.lang, "quotas.problem.range")
			continue
		}
		if old, ok := had[u.ID]; ok && old == n {
			continue
		}
		changes = append(changes, q)
	}
	if len(problems) > 0 {
		s.renderQuotas(w, r, req, http.StatusBadRequest, month, posted, problems)
		return
	}
	svc := s.scoringService()
	for _, q := range changes {
		if err := svc.SetQuota(ctx, req.staff, q); err != nil {
			s.fail(w, r, req, err)
			return
		}
	}
	http.Redirect(w, r, withFlash("/newsroom/quotas?month="+ym, "quotas_saved"), http.StatusSeeOther)
}
