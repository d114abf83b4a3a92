package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	q := r.URL.Query()
	var f herald.ArticleFilter
	var err error
	for _, st := range strings.Split(q.Get("status"), ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		if !herald.Status(st).Valid() {
			s.problem(w, r, herald.Invalid("status", "unknown status %q", truncate(st, 40)))
			return
		}
		f.Statuses = append(f.Statuses, herald.Status(st))
	}
	unitID, err := queryID(r, "unit_id")
	if err == nil && unitID != 0 {
		f.UnitIDs = []int64{unitID}
	}
	if err == nil {
		f.ColumnID, err = queryID(r, "column_id")
	}
	if err == nil {
		f.ThemeID, err = queryID(r, "theme_id")
	}
	if err == nil {
		f.CreatedBy, err = queryID(r, "created_by")
	}
	if err == nil {
		f.ReviewLevel, err = queryInt(r, "review_level", 0, 0, herald.MaxReviewLevels)
	}
	if err == nil {
		f.Limit, err = queryInt(r, "limit", 50, 1, 500)
	}
	if err == nil {
		f.Offset, err = queryInt(r, "offset", 0, 0, 1<<30)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	f.Language = q.Get("language")
	switch order := herald.ArticleOrder(q.Get("order")); order {
	case "", herald.ByUpdated, herald.ByPublished, herald.ByScheduled:
		f.Order = order
	default:
		s.problem(w, r, herald.Invalid("order", "must be updated, published or scheduled"))
		return
	}
	articles, total, err := s.Workflow.List(r.Context(), actor, f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(articles, total))
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var d workflow.Draft
	if err := decode(r, &d); err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.Workflow.Create(r.Context(), actor, d)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/articles/"+itoa(a.ID))
	reply(w, http.StatusCreated, a)
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.Workflow.Get(r.Context(), actor, id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, a)
}

// articlePatch is a partial article: the fields it holds replace the current
// ones. Version is required, so that edits made on a stale copy are refused.
type articlePatch struct {
	Version int    `json:"version"`
	Comment string `json:"comment"`
	*herald.ArticleContent
}

// readPatch decodes a patch over the article's current content.
func (s *Server) readPatch(r *http.Request, actor *herald.Staff, id int64) (workflow.Request, error) {
	body, err := readBody(r)
	if err != nil {
		return workflow.Request{}, err
	}
	a, err := s.Workflow.Get(r.Context(), actor, id)
	if err != nil {
		return workflow.Request{}, err
	}
	content := a.ArticleContent.Clone()
	p := articlePatch{ArticleContent: &content}
	if err := decodeBytes(body, &p); err != nil {
		return workflow.Request{}, err
	}
	if p.Version <= 0 {
		return workflow.Request{}, herald.Invalid("version", "is required: send the version you edited (it is %d now)", a.Version)
	}
	return workflow.Request{Version: p.Version, Comment: p.Comment, Content: &content}, nil
}

func (s *Server) editArticle(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	s.patchArticle(w, r, actor, workflow.ActEdit)
}

func (s *Server) correctArticle(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	s.patchArticle(w, r, actor, workflow.ActCorrect)
}

func (s *Server) patchArticle(w http.ResponseWriter, r *http.Request, actor *herald.Staff, act workflow.Action) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	req, err := s.readPatch(r, actor, id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.Workflow.Do(r.Context(), actor, id, act, req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, a)
}

// transitionInput is the body of a workflow action; all fields are optional
// except where the action needs them (a comment to reject or retract).
type transitionInput struct {
	Version int        `json:"version"`
	Comment string     `json:"comment"`
	At      *time.Time `json:"at"` // publish only: when; omitted or past means now
}

func transition(act workflow.Action) func(s *Server, w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	return func(s *Server, w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
		id, err := pathID(r, "id")
		if err != nil {
			s.problem(w, r, err)
			return
		}
		var in transitionInput
		body, err := readBody(r)
		if err == nil && len(strings.TrimSpace(string(body))) > 0 {
			err = decodeBytes(body, &in)
		}
		if err == nil && in.At != nil && act != workflow.ActPublish {
			err = herald.Invalid("at", "is only accepted by publish")
		}
		if err != nil {
			s.problem(w, r, err)
			return
		}
		a, err := s.Workflow.Do(r.Context(), actor, id, act, workflow.Request{Version: in.Version, Comment: in.Comment, At: in.At})
		if err != nil {
			s.problem(w, r, err)
			return
		}
		reply(w, http.StatusOK, a)
	}
}

func (s *Server) listRevisions(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	revs, err := s.Workflow.Revisions(r.Context(), actor, id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(revs, len(revs)))
}

func (s *Server) getRevision(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	n, err := pathID(r, "number")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	rev, err := s.Workflow.Revision(r.Context(), actor, id, int(n))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, rev)
}

// diffResponse compares two revisions.
type diffResponse struct {
	From   int                  `json:"from"`
	To     int                  `json:"to"`
	Fields []workflow.FieldDiff `json:"fields"`
}

func (s *Server) diffRevisions(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var from, to int
	if from, err = queryInt(r, "from", 0, 1, 1<<30); err == nil && from == 0 {
		err = herald.Invalid("from", "is required")
	}
	if err == nil {
		if to, err = queryInt(r, "to", 0, 1, 1<<30); err == nil && to == 0 {
			err = herald.Invalid("to", "is required")
		}
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	fields, err := s.Workflow.Diff(r.Context(), actor, id, from, to)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if fields == nil {
		fields = []workflow.FieldDiff{}
	}
	reply(w, http.StatusOK, diffResponse{From: from, To: to, Fields: fields})
}

func (s *Server) articleEvents(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if _, err := s.Workflow.Get(r.Context(), actor, id); err != nil {
		s.problem(w, r, err)
		return
	}
	events, err := s.Store.FindEvents(r.Context(), herald.EventFilter{Entity: herald.EntityArticle, EntityID: id})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(events, len(events)))
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !actor.HasRole(herald.RoleAdmin, herald.RoleEditorInChief) {
		s.problem(w, r, herald.Errorf(herald.EFORBIDDEN, "Only admins and the editor-in-chief read the whole audit log."))
		return
	}
	f := herald.EventFilter{Entity: r.URL.Query().Get("entity")}
	var err error
	if f.EntityID, err = queryID(r, "entity_id"); err == nil {
		if f.ActorID, err = queryID(r, "actor_id"); err == nil {
			if f.AfterID, err = queryID(r, "after_id"); err == nil {
				f.Limit, err = queryInt(r, "limit", 100, 1, 1000)
			}
		}
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	events, err := s.Store.FindEvents(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(events, len(events)))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
