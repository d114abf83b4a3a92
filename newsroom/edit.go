package newsroom

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/workflow"
)

// editData is the article editor: the content being edited, and after a
// refused save the reason and how the stored version differs from the edit.
type editData struct {
	Article  *herald.Article // nil while writing a new article
	Content  herald.ArticleContent
	Tags     string
	Version  int
	Columns  []*herald.Column
	Themes   []*herald.Theme
	Editor   string // the responsible editor's byline, once the final level approved
	Correct  bool   // the piece is published: saving is a correction with a note
	Note     string
	Problem  string
	Notice   string
	Conflict []workflow.FieldDiff
	Restored *time.Time // the form holds the writer's autosaved copy of this time
	Labels   map[string]string
	DraftKey string     // where the browser keeps its own copy
	Works    *worksEdit // the kind, and a profile's figure or a video's film (videos.go)
}

// HasTheme reports whether the content is filed under theme id.
func (d *editData) HasTheme(id int64) bool { return slices.Contains(d.Content.ThemeIDs, id) }

// Channels are the channels the form offers.
func (d *editData) Channels() []herald.Channel { return herald.Channels }

// HasChannel reports whether the piece is to go to ch; every piece goes to the website.
func (d *editData) HasChannel(ch herald.Channel) bool {
	return ch == herald.ChannelWebsite || slices.Contains(d.Content.Channels, ch)
}

// newEditData gathers what every editor page shows.
func (s *Server) newEditData(r *http.Request, req *request, a *herald.Article, c herald.ArticleContent) (*editData, error) {
	ctx := r.Context()
	d := &editData{Article: a, Content: c, Tags: strings.Join(c.Tags, ", "), Labels: s.editorLabels(req.lang), Works: s.worksEditFor(r, req, a, c)}
	var err error
	if d.Columns, err = s.Store.FindColumns(ctx); err != nil {
		return nil, err
	}
	if d.Themes, err = s.Store.FindThemes(ctx); err != nil {
		return nil, err
	}
	d.DraftKey = "herald-draft-new-" + strconv.FormatInt(req.staff.ID, 10)
	if a != nil {
		d.Version = a.Version
		d.DraftKey = "herald-draft-" + strconv.FormatInt(a.ID, 10) + "-" + strconv.FormatInt(req.staff.ID, 10)
		if a.EditorID != 0 {
			if ed, err := s.Store.FindStaffByID(ctx, a.EditorID); err == nil {
				d.Editor = ed.Byline()
			}
		}
	}
	return d, nil
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

// editArticle shows the editor. When the writer has an autosaved copy, the
// form holds it; if the article changed since, the difference is shown too.
func (s *Server) editArticle(w http.ResponseWriter, r *http.Request, req *request) {
	a, act, err := s.editable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	c := a.ArticleContent
	saved, err := s.Store.FindAutosave(r.Context(), a.ID, req.staff.ID)
	if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
		s.fail(w, r, req, err)
		return
	}
	restored := err == nil && !saved.Content.Equal(&a.ArticleContent)
	if restored {
		c = saved.Content
	}
	fromRevision := 0
	if n, err := strconv.Atoi(r.URL.Query().Get("revision")); err == nil {
		rev, err := s.Store.FindRevision(r.Context(), a.ID, n)
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		c, restored, fromRevision = rev.Content, false, n
	}
	d, err := s.newEditData(r, req, a, c)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Correct = act == workflow.ActCorrect
	if fromRevision != 0 {
		d.Notice = s.msgs.T(req.lang, "rev.loaded", fromRevision)
	}
	if restored {
		d.Restored = &saved.SavedAt
		if saved.BaseVersion != a.Version {
			d.Conflict = workflow.DiffContent(&saved.Content, &a.ArticleContent)
		}
	}
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
	c := contentFromForm(r, a.ArticleContent)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	note := r.PostFormValue("note")
	_, err = s.Workflow.Do(r.Context(), req.staff, a.ID, act, workflow.Request{Version: version, Content: &c, Comment: note})
	if err == nil {
		if err := s.Store.DeleteAutosave(r.Context(), a.ID, req.staff.ID); err != nil {
			s.Log.Warn("drop autosave", "article_id", a.ID, "error", err)
		}
		http.Redirect(w, r, "/newsroom/articles/"+strconv.FormatInt(a.ID, 10)+"?done=1", http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	d, derr := s.newEditData(r, req, a, c)
	if derr != nil {
		s.fail(w, r, req, derr)
		return
	}
	d.Tags, d.Version, d.Correct, d.Note, d.Problem = r.PostFormValue("tags"), version, act == workflow.ActCorrect, note, herald.ErrorMessage(err)
	if herald.ErrorCode(err) == herald.ECONFLICT && version != a.Version {
		d.Conflict = workflow.DiffContent(&c, &a.ArticleContent)
		d.Version = a.Version // saving again now overwrites knowingly
	}
	s.render(w, r, httpx.Status(err), "edit", req, a.Title, d)
}

func (s *Server) newArticle(w http.ResponseWriter, r *http.Request, req *request) {
	d, err := s.newEditData(r, req, nil, herald.ArticleContent{Language: "zh-CN"})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, http.StatusOK, "edit", req, s.msgs.T(req.lang, "new.title"), d)
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request, req *request) {
	c := contentFromForm(r, herald.ArticleContent{Language: "zh-CN"})
	a, err := s.Workflow.Create(r.Context(), req.staff, workflow.Draft{ArticleContent: c})
	if err == nil {
		http.Redirect(w, r, "/newsroom/articles/"+strconv.FormatInt(a.ID, 10)+"?done=1", http.StatusSeeOther)
		return
	}
	if herald.ErrorCode(err) != herald.EINVALID {
		s.fail(w, r, req, err)
		return
	}
	d, derr := s.newEditData(r, req, nil, c)
	if derr != nil {
		s.fail(w, r, req, derr)
		return
	}
	d.Tags, d.Problem = r.PostFormValue("tags"), herald.ErrorMessage(err)
	s.render(w, r, http.StatusBadRequest, "edit", req, s.msgs.T(req.lang, "new.title"), d)
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
	CanEdit   bool // revisions may be loaded into the editor
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
	_, _, editErr := s.editable(r, req)
	d := &revisionsData{Article: a, Revisions: revs, CanEdit: editErr == nil}
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
