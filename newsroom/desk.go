package newsroom

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

// row is one article in a desk list.
type row struct {
	Article *herald.Article
	Note    string // e.g. the reviewer's comment on a rejected piece
	Reads   int
}

// queue is the articles waiting for one review level.
type queue struct {
	Level int
	Rows  []row
}

// deskData is a staff member's desk.
type deskData struct {
	Drafts, Rejected, Published, Reads []row
	Queues                             []queue
	Bulk                               *bulkResult
	// Quota is the unit's quota this month and how far it has come.
	Quota *quotaProgress
	// Assignments are the reader's open assignments (planning.go).
	Assignments []assignmentItem
}

// bulkResult says how a bulk review went.
type bulkResult struct {
	Done   int
	Failed []bulkFailure
}

type bulkFailure struct {
	ID            int64
	Title, Reason string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, req *request) {
	d, err := s.desk(r, req)
	if err == nil {
		d.Assignments, err = s.myAssignments(r.Context(), req) // planning: my assignments
	}
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", req, s.msgs.T(req.lang, "nav.home"), d)
}

// bulkReview approves or rejects the chosen pieces of a review queue one by
// one: each is its own audited step, and a piece changed since the queue was
// shown is left alone.
func (s *Server) bulkReview(w http.ResponseWriter, r *http.Request, req *request) {
	act := workflow.Action(r.PostFormValue("action"))
	if act != workflow.ActApprove && act != workflow.ActReject {
		s.fail(w, r, req, herald.Invalid("action", "must be approve or reject"))
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if act == workflow.ActReject && comment == "" {
		s.fail(w, r, req, herald.Invalid("comment", "%s", s.msgs.T(req.lang, "bulk.reject_needs_comment")))
		return
	}
	if len(r.PostForm["article"]) == 0 {
		s.fail(w, r, req, herald.Invalid("article", "%s", s.msgs.T(req.lang, "bulk.none")))
		return
	}
	res := &bulkResult{}
	for _, v := range r.PostForm["article"] {
		idText, versionText, _ := strings.Cut(v, ":")
		id, err1 := strconv.ParseInt(idText, 10, 64)
		version, err2 := strconv.Atoi(versionText)
		if err1 != nil || err2 != nil {
			s.fail(w, r, req, herald.Invalid("article", "must be an article ID and version"))
			return
		}
		a, err := s.Workflow.Get(r.Context(), req.staff, id)
		if err == nil {
			_, err = s.Workflow.Do(r.Context(), req.staff, id, act, workflow.Request{Version: version, Comment: comment})
		}
		if err != nil {
			if herald.ErrorCode(err) == herald.EINTERNAL {
				s.fail(w, r, req, err)
				return
			}
			f := bulkFailure{ID: id, Reason: s.errorText(req.lang, err)}
			if a != nil {
				f.Title = a.Title
			}
			res.Failed = append(res.Failed, f)
			continue
		}
		res.Done++
	}
	d, err := s.desk(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Bulk = res
	s.render(w, r, http.StatusOK, "home", req, s.msgs.T(req.lang, "nav.home"), d)
}

// desk gathers a staff member's desk.
func (s *Server) desk(r *http.Request, req *request) (*deskData, error) {
	ctx := r.Context()
	me := req.staff
	d := &deskData{}
	mine, _, err := s.Workflow.List(ctx, me, herald.ArticleFilter{CreatedBy: me.ID, NoBody: true, Limit: 200,
		Statuses: []herald.Status{herald.StatusDraft, herald.StatusRejected}})
	if err != nil {
		return nil, err
	}
	for _, a := range mine {
		if a.Status == herald.StatusDraft {
			d.Drafts = append(d.Drafts, row{Article: a})
			continue
		}
		note := ""
		if events, err := s.Store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID, Action: string(workflow.ActReject)}); err == nil && len(events) > 0 {
			note = events[len(events)-1].Comment
		}
		d.Rejected = append(d.Rejected, row{Article: a, Note: note})
	}
	if me.HasRole(herald.RoleEditor, herald.RoleEditorInChief) {
		waiting, _, err := s.Workflow.List(ctx, me, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusSubmitted}, NoBody: true, Limit: 500, Order: herald.ByUpdated})
		if err != nil {
			return nil, err
		}
		allowed, err := s.Workflow.Allowed(ctx, me, waiting)
		if err != nil {
			return nil, err
		}
		byLevel := map[int][]row{}
		for _, a := range waiting {
			if slices.Contains(allowed[a.ID], workflow.ActApprove) {
				byLevel[a.ReviewLevel] = append(byLevel[a.ReviewLevel], row{Article: a})
			}
		}
		for lvl := 1; lvl <= herald.MaxReviewLevels; lvl++ {
			if rows := byLevel[lvl]; len(rows) > 0 || (lvl < 3) == me.HasRole(herald.RoleEditor) || lvl == 3 && me.HasRole(herald.RoleEditorInChief) {
				d.Queues = append(d.Queues, queue{Level: lvl, Rows: rows})
			}
		}
	}
	published, _, err := s.Workflow.List(ctx, me, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, NoBody: true, Order: herald.ByPublished, Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, a := range published {
		d.Published = append(d.Published, row{Article: a})
	}
	if d.Quota, err = s.unitQuota(ctx, me); err != nil {
		return nil, err
	}
	// Today's reads (China time) of the pieces this person wrote.
	y, m, day := s.Auth.Clock.Now().In(CST).Date()
	top, err := s.Store.TopArticles(ctx, time.Date(y, m, day, 0, 0, 0, 0, CST), 1000)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(top))
	for i, t := range top {
		ids[i] = t.ArticleID
	}
	read, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*herald.Article, len(read))
	for _, a := range read {
		byID[a.ID] = a
	}
	for _, t := range top { // in ranking order
		if a := byID[t.ArticleID]; a != nil && a.IsAuthor(me.ID) {
			d.Reads = append(d.Reads, row{Article: a, Reads: t.Reads})
		}
	}
	return d, nil
}

// articleData is one article with what the viewer may do to it.
type articleData struct {
	Article *herald.Article
	Column  *herald.Column
	Body    string
	Actions []workflow.Action
	Events  []eventRow
	Checks  *checkView // the pre-publish checklist, for those who move the piece on
	// Deliveries are the article's ways to the channels beyond the portal;
	// ShowDeliveries is set once it has any, or has been published.
	Deliveries     []deliveryRow
	ShowDeliveries bool
	// Translations are an original's translations the viewer may see, and
	// CanTranslate whether they may start one; TranslateLanguage and
	// TranslateProblem are a refused request to.
	Translations                        []translationRow
	CanTranslate                        bool
	TranslateLanguage, TranslateProblem string
	// Source is a translation's source, with how it changed since the
	// revision the translation follows; CanEdit says the viewer may update
	// the translation.
	Source  *sourceView
	CanEdit bool
	// Placements are where outside outlets carried the article, and
	// RecordPlacement whether the viewer may record another.
	Placements      []placementRow
	RecordPlacement bool
	// Recognitions are its leaders' endorsements and first reports.
	Recognitions *recognitionsView
}

type eventRow struct {
	Event *herald.Event
	Actor string
}

// viewable returns the article the path names, if the person may see it.
func (s *Server) viewable(r *http.Request, req *request) (*herald.Article, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return s.Workflow.Get(r.Context(), req.staff, id)
}

func (s *Server) article(w http.ResponseWriter, r *http.Request, req *request) {
	a, err := s.viewable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d, err := s.articleView(r, req, a)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, http.StatusOK, "article", req, a.Title, d)
}

// articleView gathers an article's page.
func (s *Server) articleView(r *http.Request, req *request, a *herald.Article) (*articleData, error) {
	ctx := r.Context()
	allowed, err := s.Workflow.Allowed(ctx, req.staff, []*herald.Article{a})
	if err != nil {
		return nil, err
	}
	d := &articleData{Article: a, Body: a.Body, Actions: allowed[a.ID]}
	d.CanEdit = slices.Contains(d.Actions, workflow.ActEdit) || slices.Contains(d.Actions, workflow.ActCorrect)
	if d.Checks, err = s.articleChecks(ctx, a, d.Actions); err != nil {
		return nil, err
	}
	if d.Checks != nil && d.Checks.Body != "" {
		d.Body = d.Checks.Body
	}
	cols, _ := s.Store.FindColumns(ctx)
	for _, c := range cols {
		if c.ID == a.ColumnID {
			d.Column = c
		}
	}
	events, err := s.Store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, e := range events {
		if _, ok := names[e.ActorID]; !ok && e.ActorID != 0 {
			if st, err := s.Store.FindStaffByID(ctx, e.ActorID); err == nil {
				names[e.ActorID] = st.Byline()
			}
		}
		d.Events = append(d.Events, eventRow{Event: e, Actor: names[e.ActorID]})
	}
	if d.Deliveries, err = s.articleDeliveries(ctx, req.staff, a); err != nil {
		return nil, err
	}
	d.ShowDeliveries = len(d.Deliveries) > 0 || a.PublishedAt != nil
	if d.Placements, err = s.articlePlacements(ctx, req, a); err != nil {
		return nil, err
	}
	d.RecordPlacement = mayRecordPlacementOf(req.staff, a)
	if d.Recognitions, err = s.articleRecognitions(ctx, req, a); err != nil {
		return nil, err
	}
	if err := s.addTranslations(ctx, req, d); err != nil {
		return nil, err
	}
	return d, nil
}

// act runs a workflow action posted from an article page.
func (s *Server) act(w http.ResponseWriter, r *http.Request, req *request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	act := workflow.Action(r.PathValue("action"))
	wreq := workflow.Request{Comment: r.PostFormValue("comment")}
	if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
		wreq.Version = v
	}
	if at := strings.TrimSpace(r.PostFormValue("at")); at != "" && act == workflow.ActPublish {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, CST)
		if err != nil {
			s.fail(w, r, req, herald.Invalid("at", "must be a date and time"))
			return
		}
		wreq.At = &t
	}
	if _, err := s.Workflow.Do(r.Context(), req.staff, id, act, wreq); err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, "/newsroom/articles/"+r.PathValue("id")+"?done=1", http.StatusSeeOther)
}
