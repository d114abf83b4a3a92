package api

import (
	"net/http"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/planning"
)

// Topic plans and assignments. The planning service decides who may do
// what; the lists show editors the units in their scope and everyone else
// their own and their unit's assignments, as the newsroom does.

func (s *Server) planning() *planning.Service {
	if s.Planning != nil {
		return s.Planning
	}
	return planning.New(s.Store, s.Auth.Clock)
}

// planRoutes are the routes of plans and assignments.
func planRoutes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/api/v1/plans", handler: (*Server).listPlans},
		{Method: "POST", Path: "/api/v1/plans", handler: (*Server).createPlan},
		{Method: "GET", Path: "/api/v1/plans/{id}", handler: (*Server).getPlan},
		{Method: "PUT", Path: "/api/v1/plans/{id}", handler: (*Server).updatePlan},
		{Method: "GET", Path: "/api/v1/assignments", handler: (*Server).listAssignments},
		{Method: "POST", Path: "/api/v1/assignments", handler: (*Server).createAssignments},
		{Method: "GET", Path: "/api/v1/assignments/{id}", handler: (*Server).getAssignment},
	}
	for _, act := range []planning.Action{planning.ActAccept, planning.ActStart, planning.ActSubmit, planning.ActDecline, planning.ActCancel} {
		routes = append(routes, Route{Method: "POST", Path: "/api/v1/assignments/{id}/" + string(act), handler: assignmentStep(act)})
	}
	return routes
}

// planInput is a plan as posted: days written YYYY-MM-DD.
type planInput struct {
	Title    string           `json:"title"`
	ThemeID  int64            `json:"theme_id"`
	Occasion string           `json:"occasion"`
	Brief    string           `json:"brief"`
	Channels []herald.Channel `json:"channels"`
	Start    string           `json:"start"`
	End      string           `json:"end"`
	UnitIDs  []int64          `json:"unit_ids"`
	Version  int              `json:"version"` // for updates: the version changed
}

// plan reads the input as a plan, naming bad days.
func (in planInput) plan() (herald.TopicPlan, error) {
	p := herald.TopicPlan{Title: in.Title, ThemeID: in.ThemeID, Occasion: in.Occasion, Brief: in.Brief, Channels: in.Channels,
		UnitIDs: in.UnitIDs, Version: in.Version}
	var pr herald.Problems
	var err error
	if p.Start, err = herald.ParseDay(in.Start); err != nil {
		pr.Add("start", "must be a day written YYYY-MM-DD")
	}
	if p.End, err = herald.ParseDay(in.End); err != nil {
		pr.Add("end", "must be a day written YYYY-MM-DD")
	}
	return p, pr.Err()
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	f := herald.PlanFilter{}
	if !planning.MayPlan(actor) {
		f.UnitIDs = []int64{actor.UnitID}
	}
	var err error
	if f.Limit, f.Offset, err = queryPage(r); err != nil {
		s.problem(w, r, err)
		return
	}
	plans, total, err := s.Store.FindPlans(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(plans, total))
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in planInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	p, err := in.plan()
	if err == nil {
		err = s.planning().CreatePlan(r.Context(), actor, &p)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, p)
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	p, err := s.Store.FindPlanByID(r.Context(), id)
	if err == nil && !planning.MayPlan(actor) && !p.HasUnit(actor.UnitID) {
		err = herald.Errorf(herald.ENOTFOUND, "Plan not found.")
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, p)
}

func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[planInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	p, err := in.plan()
	if err == nil && in.Version == 0 {
		err = herald.Invalid("version", "is required: the version of the plan you changed")
	}
	p.ID = id
	if err == nil {
		err = s.planning().UpdatePlan(r.Context(), actor, &p)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, p)
}

func (s *Server) listAssignments(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	q := r.URL.Query()
	var f herald.AssignmentFilter
	var p herald.Problems
	var err error
	if f.PlanID, err = queryID(r, "plan_id"); err != nil {
		s.problem(w, r, err)
		return
	}
	unitID, err := queryID(r, "unit_id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if unitID != 0 {
		f.UnitIDs = []int64{unitID}
	}
	for _, v := range q["status"] {
		if st := herald.AssignmentStatus(v); st.Valid() {
			f.Statuses = append(f.Statuses, st)
		} else {
			p.Add("status", "must be one of assigned, accepted, in_progress, submitted, published, declined, cancelled")
		}
	}
	for name, dst := range map[string]**time.Time{"due_after": &f.DueAfter, "due_before": &f.DueBefore} {
		if v := q.Get(name); v != "" {
			d, err := herald.ParseDay(v)
			if err != nil {
				p.Add(name, "must be a day written YYYY-MM-DD")
			}
			*dst = &d
		}
	}
	if err := p.Err(); err != nil {
		s.problem(w, r, err)
		return
	}
	as, err := s.planning().Visible(r.Context(), actor, f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(as, len(as)))
}

// assignInput gives a piece to one or more units (targets) at once.
type assignInput struct {
	PlanID  int64             `json:"plan_id"`
	Title   string            `json:"title"`
	Brief   string            `json:"brief"`
	Due     time.Time         `json:"due"` // midnight CST: by the end of that day
	Targets []planning.Target `json:"targets"`
}

func (s *Server) createAssignments(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in assignInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	as, err := s.planning().Assign(r.Context(), actor, herald.Assignment{PlanID: in.PlanID, Title: in.Title, Brief: in.Brief, Due: in.Due}, in.Targets)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, list(as, len(as)))
}

func (s *Server) getAssignment(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	as, err := s.planning().Visible(r.Context(), actor, herald.AssignmentFilter{IDs: []int64{id}})
	if err == nil && len(as) == 0 {
		err = herald.Errorf(herald.ENOTFOUND, "Assignment not found.")
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, as[0])
}

// stepInput carries what a step takes: the version seen, a reason
// (required to decline) and, to submit, the article.
type stepInput struct {
	Version   int    `json:"version"`
	Reason    string `json:"reason"`
	ArticleID int64  `json:"article_id"`
}

// assignmentStep is the handler of one step.
func assignmentStep(act planning.Action) func(s *Server, w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	return func(s *Server, w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
		id, in, err := idAndBody[stepInput](r, "id")
		if err != nil {
			s.problem(w, r, err)
			return
		}
		a, err := s.planning().Do(r.Context(), actor, id, act, planning.Request{Version: in.Version, Reason: in.Reason, ArticleID: in.ArticleID})
		if err != nil {
			s.problem(w, r, err)
			return
		}
		reply(w, http.StatusOK, a)
	}
}
