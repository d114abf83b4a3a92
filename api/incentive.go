package api

import (
	"net/http"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// scoringReady answers 503 when the server runs without the incentive
// mechanism.
func (s *Server) scoringReady(w http.ResponseWriter, r *http.Request) bool {
	if s.Scoring == nil {
		s.problem(w, r, herald.Errorf(herald.EUNAVAILABLE, "The incentive mechanism is not available on this server."))
		return false
	}
	return true
}

// rankingsReply is a period's rankings.
type rankingsReply struct {
	Period string        `json:"period"`
	Label  string        `json:"label"`
	Final  bool          `json:"final"`
	Units  []scoring.Row `json:"units"`
	Staff  []scoring.Row `json:"staff"`
}

// Every signed-in staff member may see the rankings: they are circulated
// to all units.
func (s *Server) rankings(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = scoring.MonthPeriod(s.Scoring.Clock.Now()).String()
	}
	p, err := scoring.ParsePeriod(period)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	units, staff, err := s.Scoring.Rankings(r.Context(), p)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, rankingsReply{Period: p.String(), Label: p.Label(), Final: units.Final, Units: nonNil(units.Rows), Staff: nonNil(staff.Rows)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Staff see their own entries; editors, editors-in-chief and admins anyone's.
func (s *Server) ledger(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	q := r.URL.Query()
	var f herald.LedgerFilter
	var err error
	b := herald.Beneficiary{Kind: herald.BeneficiaryKind(q.Get("kind")), ID: actor.ID}
	if b.Kind == "" {
		b.Kind = herald.ForStaff
	}
	if b.Kind != herald.ForStaff && b.Kind != herald.ForUnit {
		s.problem(w, r, herald.Invalid("kind", "must be staff or unit"))
		return
	}
	if id, err := queryID(r, "id"); err != nil {
		s.problem(w, r, err)
		return
	} else if id != 0 {
		b.ID = id
	} else if b.Kind == herald.ForUnit {
		b.ID = actor.UnitID
	}
	if !(b.Kind == herald.ForStaff && b.ID == actor.ID || b.Kind == herald.ForUnit && b.ID == actor.UnitID) &&
		!actor.HasRole(herald.RoleEditor, herald.RoleEditorInChief, herald.RoleAdmin) {
		s.problem(w, r, herald.Errorf(herald.EFORBIDDEN, "You may see your own points and your unit's."))
		return
	}
	f.Beneficiary = &b
	if p := q.Get("period"); p != "" {
		period, err := scoring.ParsePeriod(p)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		f.From, f.To = period.Start, period.End
	}
	if f.Limit, err = queryInt(r, "limit", 100, 1, 1000); err == nil {
		f.Offset, err = queryInt(r, "offset", 0, 0, 1<<30)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	entries, total, err := s.Store.FindLedger(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(entries, total))
}

// placementInput is a placement recorded by a staff member.
type placementInput struct {
	ArticleID int64              `json:"article_id"`
	Outlet    string             `json:"outlet"`
	Level     herald.OutletLevel `json:"level"`
	Date      string             `json:"date"`
	Page      string             `json:"page"`
	URL       string             `json:"url"`
	Evidence  string             `json:"evidence"`
}

func (s *Server) recordPlacement(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	var in placementInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	day, err := bodyDay("date", in.Date)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	pl := &herald.Placement{ArticleID: in.ArticleID, Outlet: in.Outlet, Level: in.Level, Date: day, Page: in.Page, URL: in.URL, Evidence: in.Evidence}
	if err := s.Scoring.RecordPlacement(r.Context(), actor, pl); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, pl)
}

// Staff see the placements they recorded and those of their unit's pieces;
// editors see all, by status.
func (s *Server) listPlacements(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	f := herald.PlacementFilter{}
	if st := r.URL.Query().Get("status"); st != "" {
		f.Statuses = []herald.PlacementStatus{herald.PlacementStatus(st)}
	}
	if !scoring.MayReview(actor) {
		f.UnitIDs = []int64{actor.UnitID}
	}
	s.replyPlacements(w, r, f)
}

// reviewInput verifies or rejects a placement.
type reviewInput struct {
	Verify bool   `json:"verify"`
	Reason string `json:"reason"`
}

func (s *Server) reviewPlacement(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	id, in, err := idAndBody[reviewInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	pl, err := s.Scoring.ReviewPlacement(r.Context(), actor, id, in.Verify, in.Reason)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, pl)
}

// recognitionInput is an endorsement or first report of an article.
type recognitionInput struct {
	Kind herald.RecognitionKind `json:"kind"`
	Day  string                 `json:"day"`
	Note string                 `json:"note"`
}

func (s *Server) recognize(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	id, in, err := idAndBody[recognitionInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	day, err := bodyDay("day", in.Day)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	rc := &herald.Recognition{ArticleID: id, Kind: in.Kind, Day: day, Note: in.Note}
	if err := s.Scoring.Recognize(r.Context(), actor, rc); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, rc)
}

func (s *Server) withdrawRecognition(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	rc, err := s.Scoring.WithdrawRecognition(r.Context(), actor, id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, rc)
}

func (s *Server) listRules(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	versions, err := s.Store.FindRules(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(versions, len(versions)))
}

// rulesInput is a new version of the rules.
type rulesInput struct {
	EffectiveFrom string       `json:"effective_from"`
	Note          string       `json:"note"`
	Rules         herald.Rules `json:"rules"`
}

func (s *Server) createRules(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	var in rulesInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	day, err := bodyDay("effective_from", in.EffectiveFrom)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	rs := &herald.RuleSet{EffectiveFrom: day, Note: in.Note, Rules: in.Rules}
	if err := s.Scoring.CreateRules(r.Context(), actor, rs); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, rs)
}

func (s *Server) listQuotas(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	month := r.URL.Query().Get("month")
	if month == "" {
		month = s.Scoring.Clock.Now().In(herald.CST).Format("2006-01")
	}
	qs, err := s.Store.FindQuotas(r.Context(), month)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(qs, len(qs)))
}

func (s *Server) setQuota(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.scoringReady(w, r) {
		return
	}
	var q herald.Quota
	if err := decode(r, &q); err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.Scoring.SetQuota(r.Context(), actor, &q); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, q)
}
