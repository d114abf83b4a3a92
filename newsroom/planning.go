package newsroom

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/planning"
)

// Work coordination (任务): topic plans, the assignments given from them, a
// board of assignments by status with a list per unit, and a calendar with
// the iCalendar feeds (planning_calendar.go). The planning service decides
// who may do what and audits each step; the pages offer only what it would
// allow, and show a refusal above the form it concerns, the input kept.

// planningService is the configured planning service, or one over the store.
func (s *Server) planningService() *planning.Service {
	if s.Planning != nil {
		return s.Planning
	}
	return planning.New(s.Store, s.Auth.Clock)
}

// planningRoutes adds the pages' routes.
func (s *Server) planningRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /newsroom/plans", s.signedIn(s.plansPage))
	mux.HandleFunc("POST /newsroom/plans", s.signedIn(s.createPlan))
	mux.HandleFunc("GET /newsroom/plans/{id}", s.signedIn(s.planPage))
	mux.HandleFunc("POST /newsroom/plans/{id}", s.signedIn(s.savePlan))
	mux.HandleFunc("POST /newsroom/plans/{id}/assign", s.signedIn(s.assignPieces))
	mux.HandleFunc("GET /newsroom/assignments", s.signedIn(s.assignmentsPage))
	mux.HandleFunc("POST /newsroom/assignments/{id}/{action}", s.signedIn(s.assignmentStep))
	mux.HandleFunc("GET /newsroom/calendar", s.signedIn(s.calendarPage))
	mux.HandleFunc("POST /newsroom/calendar/feeds", s.signedIn(s.resetFeed))
	mux.HandleFunc("GET /newsroom/calendar/{file}", s.calendarFeed) // subscribed to without a session
}

// planningFacts are the names the pages show, looked up once a request.
type planningFacts struct {
	units  *herald.UnitTree
	staff  map[int64]*herald.Staff
	themes map[int64]*herald.Theme
	plans  map[int64]*herald.TopicPlan
}

func (s *Server) planningFacts(ctx context.Context) (*planningFacts, error) {
	f := &planningFacts{staff: map[int64]*herald.Staff{}, themes: map[int64]*herald.Theme{}, plans: map[int64]*herald.TopicPlan{}}
	var err error
	if f.units, err = s.planningService().Units(ctx); err != nil {
		return nil, err
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{})
	if err != nil {
		return nil, err
	}
	for _, st := range staff {
		f.staff[st.ID] = st
	}
	themes, err := s.Store.FindThemes(ctx)
	if err != nil {
		return nil, err
	}
	for _, th := range themes {
		f.themes[th.ID] = th
	}
	return f, nil
}

// plan returns a plan by ID, looked up once.
func (f *planningFacts) plan(ctx context.Context, store herald.Store, id int64) *herald.TopicPlan {
	if id == 0 {
		return nil
	}
	if p, ok := f.plans[id]; ok {
		return p
	}
	p, _ := store.FindPlanByID(ctx, id)
	f.plans[id] = p
	return p
}

func (f *planningFacts) unitName(id int64) string {
	if u := f.units.Unit(id); u != nil {
		return u.Name
	}
	return ""
}

func (f *planningFacts) staffName(id int64) string {
	if st := f.staff[id]; st != nil {
		return st.Byline()
	}
	return ""
}

// assignmentItem is an assignment as the pages show it, with the steps the
// reader may take.
type assignmentItem struct {
	A                                *herald.Assignment
	Unit, Assignee, Assigner, Status string
	Due                              string // CST, the day alone for an all-day deadline
	Plan                             *herald.TopicPlan
	Overdue                          bool
	// Steps are the buttons offered; Decline and Submit have forms of
	// their own, Articles the reader's pieces of the unit to hand in.
	Steps           []string
	Decline, Submit bool
	Articles        []*herald.Article
	// Problem is why the reader's step was just refused.
	Problem string
}

// dueText writes an assignment's due time in CST.
func dueText(a *herald.Assignment) string {
	if a.AllDay() {
		return a.Due.In(CST).Format(time.DateOnly)
	}
	return a.Due.In(CST).Format("2006-01-02 15:04")
}

// assignmentItems describes assignments for the reader.
func (s *Server) assignmentItems(ctx context.Context, req *request, f *planningFacts, as []*herald.Assignment) ([]assignmentItem, error) {
	now := s.Auth.Clock.Now()
	out := make([]assignmentItem, 0, len(as))
	var mine []*herald.Article // the reader's pieces, for handing in
	loaded := false
	for _, a := range as {
		it := assignmentItem{A: a, Unit: f.unitName(a.UnitID), Assignee: f.staffName(a.AssigneeID), Assigner: f.staffName(a.CreatedBy),
			Status: s.msgs.T(req.lang, "assign.status."+string(a.Status)), Due: dueText(a), Plan: f.plan(ctx, s.Store, a.PlanID), Overdue: a.Overdue(now)}
		for _, act := range []planning.Action{planning.ActAccept, planning.ActStart, planning.ActCancel} {
			if planning.Check(act, req.staff, a, f.units) == nil {
				it.Steps = append(it.Steps, string(act))
			}
		}
		it.Decline = planning.Check(planning.ActDecline, req.staff, a, f.units) == nil
		if it.Submit = planning.Check(planning.ActSubmit, req.staff, a, f.units) == nil; it.Submit {
			if !loaded {
				found, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{CreatedBy: req.staff.ID, NoBody: true, NoCount: true, Limit: 30,
					Statuses: []herald.Status{herald.StatusDraft, herald.StatusSubmitted, herald.StatusRejected, herald.StatusApproved, herald.StatusScheduled, herald.StatusPublished}})
				if err != nil {
					return nil, err
				}
				mine, loaded = found, true
			}
			for _, art := range mine {
				if f.units.Within(art.UnitID, a.UnitID) {
					it.Articles = append(it.Articles, art)
				}
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// plansData is the plans page.
type plansData struct {
	Plans   []planItem
	CanPlan bool
	Form    planForm
	// Editing is the plan the form changes; nil makes a new one.
	Editing *herald.TopicPlan
}

// planItem is a plan in a list.
type planItem struct {
	P                  *herald.TopicPlan
	Theme, Units, Span string
	Open, Total        int
}

// planForm is the plan form, as filled in.
type planForm struct {
	P        herald.TopicPlan
	Start    string
	End      string
	Themes   []option
	Channels []option
	Units    []option
	Problems map[string]string
	Problem  string
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request, req *request) {
	var editing *herald.TopicPlan
	if id := formID(r.URL.Query().Get("edit")); id != 0 && planning.MayPlan(req.staff) {
		p, err := s.Store.FindPlanByID(r.Context(), id)
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		editing = p
	}
	s.renderPlans(w, r, req, http.StatusOK, editing, nil)
}

// renderPlans draws the plans page, the form filled with p (a plan being
// edited when it has an ID) and its refusal err when given.
func (s *Server) renderPlans(w http.ResponseWriter, r *http.Request, req *request, status int, p *herald.TopicPlan, err error) {
	ctx := r.Context()
	f, ferr := s.planningFacts(ctx)
	if ferr != nil {
		s.fail(w, r, req, ferr)
		return
	}
	d := &plansData{CanPlan: planning.MayPlan(req.staff)}
	filter := herald.PlanFilter{Limit: 100}
	if !d.CanPlan {
		filter.UnitIDs = []int64{req.staff.UnitID}
	}
	plans, _, ferr := s.Store.FindPlans(ctx, filter)
	if ferr != nil {
		s.fail(w, r, req, ferr)
		return
	}
	// each plan's assignments, open and in all, counted from one query
	counts := map[int64]struct{ open, total int }{}
	if len(plans) > 0 {
		ids := make([]int64, len(plans))
		for i, p := range plans {
			ids[i] = p.ID
		}
		as, _, aerr := s.Store.FindAssignments(ctx, herald.AssignmentFilter{PlanIDs: ids})
		if aerr != nil {
			s.fail(w, r, req, aerr)
			return
		}
		for _, a := range as {
			c := counts[a.PlanID]
			c.total++
			if a.Status.Open() {
				c.open++
			}
			counts[a.PlanID] = c
		}
	}
	for _, p := range plans {
		it := planItem{P: p, Span: herald.DayString(p.Start) + " – " + herald.DayString(p.End)}
		if th := f.themes[p.ThemeID]; th != nil {
			it.Theme = th.Name
		}
		var names []string
		for _, id := range p.UnitIDs {
			names = append(names, f.unitName(id))
		}
		it.Units = strings.Join(names, "、")
		it.Open, it.Total = counts[p.ID].open, counts[p.ID].total
		d.Plans = append(d.Plans, it)
	}
	if d.CanPlan {
		if p != nil && p.ID != 0 {
			d.Editing = p
		}
		if p == nil {
			today := herald.CSTDay(s.Auth.Clock.Now())
			p = &herald.TopicPlan{Start: today, End: today.AddDate(0, 0, 30), Channels: []herald.Channel{herald.ChannelWebsite}}
		}
		d.Form = s.planForm(req, f, p, err)
	}
	s.render(w, r, status, "plans", req, s.msgs.T(req.lang, "plans.page_title"), d)
}

// planForm fills the plan form with p; the units offered are those in the
// reader's scope.
func (s *Server) planForm(req *request, f *planningFacts, p *herald.TopicPlan, err error) planForm {
	form := planForm{P: *p, Problems: map[string]string{}}
	if !p.Start.IsZero() {
		form.Start = herald.DayString(p.Start)
	}
	if !p.End.IsZero() {
		form.End = herald.DayString(p.End)
	}
	themes := make([]*herald.Theme, 0, len(f.themes))
	for _, th := range f.themes {
		themes = append(themes, th)
	}
	slices.SortFunc(themes, func(a, b *herald.Theme) int { return int(a.ID - b.ID) })
	for _, th := range themes {
		form.Themes = append(form.Themes, option{Value: idText(th.ID), Label: th.Name, Selected: th.ID == p.ThemeID})
	}
	for _, c := range herald.Channels {
		form.Channels = append(form.Channels, option{Value: string(c), Label: s.msgs.T(req.lang, "channel."+string(c)), Selected: slices.Contains(p.Channels, c)})
	}
	for _, id := range f.units.Subtree(f.units.ScopeRoot(req.staff.UnitID)) {
		u := f.units.Unit(id)
		if u.Type == herald.UnitDepartment || u.Type == herald.UnitPublicityCenter {
			continue // they plan; the units under them take part
		}
		form.Units = append(form.Units, option{Value: idText(id), Label: u.Name, Selected: p.HasUnit(id)})
	}
	if err != nil {
		fields, rest := fieldProblems(err, func(fe herald.FieldError) string { return s.planningProblem(req.lang, fe) },
			"title", "theme_id", "occasion", "brief", "channels", "start", "end", "unit_ids")
		form.Problems = fields
		form.Problem = strings.Join(rest, " ")
		if form.Problem == "" {
			form.Problem = s.msgs.T(req.lang, "plans.problem.fields")
		}
	}
	return form
}

// planFromForm reads the plan form over base.
func planFromForm(r *http.Request, base herald.TopicPlan) herald.TopicPlan {
	p := base
	p.Title, p.Occasion, p.Brief = r.PostFormValue("title"), r.PostFormValue("occasion"), r.PostFormValue("brief")
	p.ThemeID = formID(r.PostFormValue("theme_id"))
	p.Channels = nil
	for _, c := range r.PostForm["channels"] {
		p.Channels = append(p.Channels, herald.Channel(c))
	}
	p.UnitIDs = formIDs(r.PostForm["unit_ids"])
	p.Start, _ = herald.ParseDay(r.PostFormValue("start"))
	p.End, _ = herald.ParseDay(r.PostFormValue("end"))
	if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
		p.Version = v
	}
	return p
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request, req *request) {
	p := planFromForm(r, herald.TopicPlan{})
	err := s.planningService().CreatePlan(r.Context(), req.staff, &p)
	if err == nil {
		http.Redirect(w, r, withFlash("/newsroom/plans/"+idText(p.ID), "plan_created"), http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.EFORBIDDEN && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	s.renderPlans(w, r, req, httpx.Status(err), &p, err)
}

// planData is a plan's page.
type planData struct {
	P                  *herald.TopicPlan
	Theme, Span, Units string
	Channels           []string
	CanPlan            bool
	Assign             assignForm
	Assignments        []assignmentItem
}

// assignForm gives a piece to the plan's units: one row per unit, with
// the person in it who writes it (or the unit as a whole).
type assignForm struct {
	Title, Brief, Due, Time string
	Rows                    []assignRow
	Problems                map[string]string
	Problem                 string
}

// assignRow is one unit of the assign form.
type assignRow struct {
	UnitID  int64
	Unit    string
	Checked bool
	// AssigneeID is the person chosen to write it, 0 for the unit as a whole.
	AssigneeID int64
	People     []option
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderPlan(w, r, req, http.StatusOK, nil, nil)
}

// renderPlan draws a plan's page; assign and assignErr refill the assign
// form.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, req *request, status int, assign *assignForm, assignErr error) {
	ctx := r.Context()
	p, err := loadByID(s, r, req, "plans.not_found", s.Store.FindPlanByID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	f, err := s.planningFacts(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &planData{P: p, Span: herald.DayString(p.Start) + " – " + herald.DayString(p.End), CanPlan: planning.MayPlan(req.staff)}
	if th := f.themes[p.ThemeID]; th != nil {
		d.Theme = th.Name
	}
	var names []string
	for _, id := range p.UnitIDs {
		names = append(names, f.unitName(id))
	}
	d.Units = strings.Join(names, "、")
	for _, c := range p.Channels {
		d.Channels = append(d.Channels, s.msgs.T(req.lang, "channel."+string(c)))
	}
	as, err := s.planningService().Visible(ctx, req.staff, herald.AssignmentFilter{PlanID: p.ID})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.Assignments, err = s.assignmentItems(ctx, req, f, as); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.CanPlan {
		if assign == nil {
			assign = &assignForm{Due: herald.DayString(herald.CSTDay(s.Auth.Clock.Now()).AddDate(0, 0, 7))}
		}
		d.Assign = s.fillAssignForm(req, f, p, *assign, assignErr)
	}
	s.render(w, r, status, "plan", req, p.Title, d)
}

// fillAssignForm lists the plan's units in the reader's scope with the
// writers of each, keeping what was posted.
func (s *Server) fillAssignForm(req *request, f *planningFacts, p *herald.TopicPlan, form assignForm, err error) assignForm {
	picked := map[int64]int64{}
	for _, row := range form.Rows {
		if row.Checked {
			picked[row.UnitID] = row.AssigneeID
		}
	}
	form.Rows = nil
	staff := make([]*herald.Staff, 0, len(f.staff))
	for _, st := range f.staff {
		staff = append(staff, st)
	}
	slices.SortFunc(staff, func(a, b *herald.Staff) int { return int(a.ID - b.ID) })
	for _, id := range p.UnitIDs {
		if !planning.InScope(f.units, req.staff, id) {
			continue
		}
		assignee, checked := picked[id]
		row := assignRow{UnitID: id, Unit: f.unitName(id), Checked: checked,
			People: []option{{Value: "0", Label: s.msgs.T(req.lang, "assign.whole_unit"), Selected: assignee == 0}}}
		for _, st := range staff {
			if st.UnitID == id && st.Active() && planning.MayWrite(st) {
				row.People = append(row.People, option{Value: idText(st.ID), Label: st.Byline(), Selected: st.ID == assignee})
			}
		}
		form.Rows = append(form.Rows, row)
	}
	form.Problems = map[string]string{}
	if err != nil {
		fields, rest := fieldProblems(err, func(fe herald.FieldError) string { return s.planningProblem(req.lang, fe) },
			"title", "brief", "due", "unit_ids", "assignee_id")
		form.Problems, form.Problem = fields, strings.Join(rest, " ")
		if form.Problem == "" {
			form.Problem = s.msgs.T(req.lang, "plans.problem.fields")
		}
	}
	return form
}

func (s *Server) savePlan(w http.ResponseWriter, r *http.Request, req *request) {
	p, err := loadByID(s, r, req, "plans.not_found", s.Store.FindPlanByID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	edited := planFromForm(r, *p)
	err = s.planningService().UpdatePlan(r.Context(), req.staff, &edited)
	if err == nil {
		http.Redirect(w, r, withFlash("/newsroom/plans/"+idText(p.ID), "plan_saved"), http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.EFORBIDDEN && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	s.renderPlans(w, r, req, httpx.Status(err), &edited, err)
}

// assignPieces gives a piece to the units ticked on the plan's page, in
// one go.
func (s *Server) assignPieces(w http.ResponseWriter, r *http.Request, req *request) {
	p, err := loadByID(s, r, req, "plans.not_found", s.Store.FindPlanByID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	form := assignForm{Title: r.PostFormValue("title"), Brief: r.PostFormValue("brief"), Due: r.PostFormValue("due"), Time: r.PostFormValue("time")}
	var targets []planning.Target
	for _, id := range formIDs(r.PostForm["unit_ids"]) {
		assignee := formID(r.PostFormValue("assignee_" + idText(id)))
		targets = append(targets, planning.Target{UnitID: id, AssigneeID: assignee})
		form.Rows = append(form.Rows, assignRow{UnitID: id, Checked: true, AssigneeID: assignee})
	}
	piece := herald.Assignment{PlanID: p.ID, Title: form.Title, Brief: form.Brief}
	due, err := parseDue(form.Due, form.Time)
	if err == nil {
		piece.Due = due
		_, err = s.planningService().Assign(r.Context(), req.staff, piece, targets)
	}
	if err == nil {
		http.Redirect(w, r, withFlash("/newsroom/plans/"+idText(p.ID), "assigned")+"#assignments", http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.EFORBIDDEN && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	s.renderPlan(w, r, req, httpx.Status(err), &form, err)
}

// parseDue reads a due day (YYYY-MM-DD) and an optional time (HH:MM) in
// CST; without a time the piece is due by the end of the day.
func parseDue(day, clock string) (time.Time, error) {
	day, clock = strings.TrimSpace(day), strings.TrimSpace(clock)
	if day == "" {
		return time.Time{}, herald.Invalid("due", "is required")
	}
	if clock == "" {
		d, err := herald.ParseDay(day)
		if err != nil {
			return time.Time{}, herald.Invalid("due", "must be a day written YYYY-MM-DD")
		}
		return d, nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, CST)
	if err != nil {
		return time.Time{}, herald.Invalid("due", "must be a day written YYYY-MM-DD and a time written HH:MM")
	}
	if t.Equal(herald.CSTDay(t)) {
		t = t.Add(time.Minute) // midnight would read as "all day"; 00:00 sharp means the very start of it
	}
	return t, nil
}

// planningProblemPatterns translate the refusals of the planning forms
// that the issue names; the captured text is the catalog text's argument.
// Each message is the planning package's own and belongs to one field.
var planningProblemPatterns = []problemPattern{
	{regexp.MustCompile(`^is in the past`), "assign.problem.due_past"},
	{regexp.MustCompile(`^(.*?)'s account is disabled`), "assign.problem.disabled"},
	{regexp.MustCompile(`^(.*?) is not on the staff of `), "assign.problem.not_in_unit"},
	{regexp.MustCompile(`^(.*?) does not take part in the plan `), "assign.problem.not_in_plan"},
	{regexp.MustCompile(`^choose at least one`), "assign.problem.no_unit"},
	{regexp.MustCompile(`^is required: tell the assigner why`), "assign.problem.reason"},
	{regexp.MustCompile(`^is required`), "plans.problem.required"},
}

// planningProblem is a field message of the planning forms in lang.
func (s *Server) planningProblem(lang string, fe herald.FieldError) string {
	return s.patternProblemText(lang, fe, planningProblemPatterns)
}

// assignmentsData is the board: the assignments the reader sees by status,
// and the same grouped by unit.
type assignmentsData struct {
	Columns []boardColumn
	Units   []unitList
	Filter  []option // units to narrow the board to
	UnitID  int64
	Total   int
	// Refused is an assignment whose step was just refused.
	Refused int64
}

// boardColumn is one status of the board.
type boardColumn struct {
	Status, Label string
	Items         []assignmentItem
}

// unitList is one unit's assignments.
type unitList struct {
	Unit  string
	ID    int64
	Items []assignmentItem
	Open  int
}

func (s *Server) assignmentsPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderAssignments(w, r, req, http.StatusOK, formID(r.URL.Query().Get("unit")), nil)
}

// boardSpan is how far back the board reaches: older finished pieces drop
// off it (open ones stay however old).
const boardSpan = 90 * 24 * time.Hour

// renderAssignments draws the board; refused is an item whose step was
// refused, shown at its place.
func (s *Server) renderAssignments(w http.ResponseWriter, r *http.Request, req *request, status int, unitID int64, refused *assignmentItem) {
	ctx := r.Context()
	f, err := s.planningFacts(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	filter := herald.AssignmentFilter{}
	if unitID != 0 {
		filter.UnitIDs = []int64{unitID}
	}
	as, err := s.planningService().Visible(ctx, req.staff, filter)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	since := s.Auth.Clock.Now().Add(-boardSpan)
	as = slices.DeleteFunc(as, func(a *herald.Assignment) bool { return !a.Status.Open() && a.UpdatedAt.Before(since) })
	items, err := s.assignmentItems(ctx, req, f, as)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &assignmentsData{UnitID: unitID, Total: len(items)}
	if refused != nil {
		d.Refused = refused.A.ID
		for i := range items {
			if items[i].A.ID == refused.A.ID {
				items[i].Problem = refused.Problem
			}
		}
	}
	for _, st := range herald.AssignmentStatuses {
		col := boardColumn{Status: string(st), Label: s.msgs.T(req.lang, "assign.status."+string(st))}
		for _, it := range items {
			if it.A.Status == st {
				col.Items = append(col.Items, it)
			}
		}
		if st == herald.AssignmentCancelled && len(col.Items) == 0 {
			continue // rare: shown only when there is one
		}
		d.Columns = append(d.Columns, col)
	}
	byUnit := map[int64]*unitList{}
	var order []int64
	for _, it := range items {
		l := byUnit[it.A.UnitID]
		if l == nil {
			l = &unitList{Unit: it.Unit, ID: it.A.UnitID}
			byUnit[it.A.UnitID] = l
			order = append(order, it.A.UnitID)
		}
		l.Items = append(l.Items, it)
		if it.A.Status.Open() {
			l.Open++
		}
	}
	slices.Sort(order)
	for _, id := range order {
		d.Units = append(d.Units, *byUnit[id])
	}
	if planning.MayPlan(req.staff) {
		d.Filter = append(d.Filter, option{Value: "0", Label: s.msgs.T(req.lang, "assign.all_units"), Selected: unitID == 0})
		for _, id := range f.units.Subtree(f.units.ScopeRoot(req.staff.UnitID)) {
			d.Filter = append(d.Filter, option{Value: idText(id), Label: f.unitName(id), Selected: id == unitID})
		}
	}
	s.render(w, r, status, "assignments", req, s.msgs.T(req.lang, "assign.page_title"), d)
}

// assignmentStep takes a step on an assignment from the board (or the
// plan's page, or the desk) and goes back where it came from; a refusal is
// shown on the board at the assignment.
func (s *Server) assignmentStep(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	id := formID(r.PathValue("id"))
	act := planning.Action(r.PathValue("action"))
	if id == 0 || !slices.Contains(planning.Actions, act) {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "assign.not_found")))
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := s.planningService().Do(ctx, req.staff, id, act, planning.Request{Version: version, Reason: r.PostFormValue("reason"),
		ArticleID: formID(r.PostFormValue("article_id"))})
	if err == nil {
		back := backInNewsroom(r)
		if i := strings.IndexByte(back, '#'); i >= 0 {
			back = back[:i]
		}
		http.Redirect(w, r, withFlash(back, "assignment_"+string(act))+"#assignment-"+idText(id), http.StatusSeeOther)
		return
	}
	a, ferr := s.Store.FindAssignmentByID(ctx, id)
	switch {
	case herald.ErrorCode(ferr) == herald.ENOTFOUND || herald.ErrorCode(err) == herald.ENOTFOUND:
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "assign.not_found")))
		return
	case ferr != nil:
		s.fail(w, r, req, ferr)
		return
	}
	code := herald.ErrorCode(err)
	if code != herald.EINVALID && code != herald.EFORBIDDEN && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	fields, rest := fieldProblems(err, func(fe herald.FieldError) string { return s.planningProblem(req.lang, fe) }, "reason", "article_id")
	problem := strings.Join(rest, " ")
	for _, k := range []string{"reason", "article_id"} {
		if fields[k] != "" {
			problem = strings.TrimSpace(problem + " " + fields[k])
		}
	}
	s.renderAssignments(w, r, req, httpx.Status(err), 0, &assignmentItem{A: a, Problem: problem})
}

// myAssignments are the reader's open assignments for the desk: theirs
// and their unit's, soonest due first.
func (s *Server) myAssignments(ctx context.Context, req *request) ([]assignmentItem, error) {
	as, err := s.planningService().ForStaff(ctx, req.staff, herald.AssignmentFilter{Statuses: herald.OpenAssignmentStatuses}, false)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	f, err := s.planningFacts(ctx)
	if err != nil {
		return nil, err
	}
	if len(as) > 10 {
		as = as[:10]
	}
	return s.assignmentItems(ctx, req, f, as)
}
