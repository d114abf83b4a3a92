package newsroom

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

// editData is the article editor: the content being edited, and after a
// refused save the reason and how the stored version differs from the edit.
type editData struct {
	Article  *herald.Article
	Content  herald.ArticleContent
	Tags     string
	Version  int
	Columns  []*herald.Column
	Correct  bool // the piece is published: saving is a correction with a note
	Note     string
	Problem  string
	Conflict []workflow.FieldDiff
}

// editable loads an article and says whether actor may edit or correct it.
func (s *Server) editable(r *http.Request, req *request) (*herald.Article, workflow.Action, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, "", err
	}
	a, err := s.Workflow.Get(r.Context(), req.staff, id)
	if err != nil {
		return nil, "", err
	}
	allowed, err := s.Workflow.Allowed(r.Context(), req.staff, []*herald.Article{a})
	if err != nil {
		return nil, "", err
	}
	for _, act := range []workflow.Action{workflow.ActEdit, workflow.ActCorrect} {
		if slices.Contains(allowed[a.ID], act) {
			return a, act, nil
		}
	}
	return nil, "", herald.Errorf(herald.EFORBIDDEN, "You cannot edit this article in its present state.")
}

func (s *Server) editArticle(w http.ResponseWriter, r *http.Request, req *request) {
	a, act, err := s.editable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	cols, err := s.Store.FindColumns(r.Context())
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &editData{Article: a, Content: a.ArticleContent, Tags: strings.Join(a.Tags, ", "), Version: a.Version, Columns: cols, Correct: act == workflow.ActCorrect}
	s.render(w, r, http.StatusOK, "edit", req, a.Title, d)
}

// saveArticle saves an edit (or a correction). A save based on an old version is
// refused, and the editor shows the writer's text again beside what changed,
// so nobody's work is overwritten or lost.
func (s *Server) saveArticle(w http.ResponseWriter, r *http.Request, req *request) {
	a, act, err := s.editable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	c := a.ArticleContent.Clone()
	c.Title, c.Subtitle, c.Summary = r.PostFormValue("title"), r.PostFormValue("subtitle"), r.PostFormValue("summary")
	c.Source, c.Body = r.PostFormValue("source"), r.PostFormValue("body")
	c.Tags = splitTags(r.PostFormValue("tags"))
	if col, err := strconv.ParseInt(r.PostFormValue("column_id"), 10, 64); err == nil {
		c.ColumnID = col
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	note := r.PostFormValue("note")
	_, err = s.Workflow.Do(r.Context(), req.staff, a.ID, act, workflow.Request{Version: version, Content: &c, Comment: note})
	if err == nil {
		http.Redirect(w, r, "/newsroom/articles/"+strconv.FormatInt(a.ID, 10)+"?done=1", http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	cols, _ := s.Store.FindColumns(r.Context())
	d := &editData{Article: a, Content: c, Tags: r.PostFormValue("tags"), Version: version, Columns: cols,
		Correct: act == workflow.ActCorrect, Note: note, Problem: herald.ErrorMessage(err)}
	if herald.ErrorCode(err) == herald.ECONFLICT && version != a.Version {
		d.Conflict = workflow.DiffContent(&c, &a.ArticleContent)
		d.Version = a.Version // saving again now overwrites knowingly
	}
	s.render(w, r, httpStatus(err), "edit", req, a.Title, d)
}

func httpStatus(err error) int {
	if herald.ErrorCode(err) == herald.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// splitTags reads a comma-separated tag list (Chinese commas too).
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// revisionsData lists an article's revisions and, when two are chosen, their diff.
type revisionsData struct {
	Article   *herald.Article
	Revisions []*herald.Revision
	From, To  int
	Diff      []workflow.FieldDiff
}

func (s *Server) revisions(w http.ResponseWriter, r *http.Request, req *request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	a, err := s.Workflow.Get(r.Context(), req.staff, id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	revs, err := s.Workflow.Revisions(r.Context(), req.staff, id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &revisionsData{Article: a, Revisions: revs}
	d.From, _ = strconv.Atoi(r.URL.Query().Get("from"))
	d.To, _ = strconv.Atoi(r.URL.Query().Get("to"))
	if d.From == 0 && d.To == 0 && len(revs) > 1 {
		d.From, d.To = revs[len(revs)-2].Number, revs[len(revs)-1].Number
	}
	if d.From > 0 && d.To > 0 {
		if d.Diff, err = s.Workflow.Diff(r.Context(), req.staff, id, d.From, d.To); err != nil {
			s.fail(w, r, req, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "revisions", req, a.Title, d)
}
