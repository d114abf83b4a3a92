package newsroom

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/workflow"
)

// translationRow is one translation listed on its original's page.
type translationRow struct {
	Article    *herald.Article
	Translator string
	Outdated   bool // the source has a revision the translation does not follow yet
}

// sourceView is, on a translation's pages, its source and how the source
// changed since the revision the translation follows.
type sourceView struct {
	Article *herald.Article
	Latest  int                  // the source's latest revision
	Diff    []workflow.FieldDiff // what changed since the followed revision; empty when current
}

// Outdated reports whether the source changed since the translation's revision.
func (v *sourceView) Outdated() bool { return v != nil && len(v.Diff) > 0 }

// mayTranslate reports whether staff may start translations: translators write
// them, editors may too.
func mayTranslate(st *herald.Staff) bool {
	return st.HasRole(herald.RoleTranslator, herald.RoleEditor, herald.RoleEditorInChief)
}

// addTranslations fills in an article page's translation parts: an
// original's translations, or a translation's source and its changes.
func (s *Server) addTranslations(ctx context.Context, req *request, d *articleData) error {
	a := d.Article
	if a.TranslationOf != 0 {
		src, err := s.sourceOf(ctx, req.staff, a)
		if err != nil {
			return err
		}
		d.Source = src
		return nil
	}
	d.CanTranslate = mayTranslate(req.staff)
	list, _, err := s.Workflow.List(ctx, req.staff, herald.ArticleFilter{TranslationOf: a.ID, NoBody: true, Order: herald.ByID, Limit: 100})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	revs, err := s.Store.FindRevisions(ctx, a.ID)
	if err != nil {
		return err
	}
	latest := 0
	if len(revs) > 0 {
		latest = revs[len(revs)-1].Number
	}
	for _, t := range list {
		row := translationRow{Article: t, Outdated: latest > t.SourceRevision}
		translator := t.CreatedBy
		if len(t.Authors) > 0 && t.Authors[0].StaffID != 0 {
			translator = t.Authors[0].StaffID
		}
		if st, err := s.Store.FindStaffByID(ctx, translator); err == nil {
			row.Translator = st.Byline()
		}
		d.Translations = append(d.Translations, row)
	}
	return nil
}

// sourceOf is a translation's source with what changed in it since the
// revision the translation follows; nil when the viewer may not see the source.
func (s *Server) sourceOf(ctx context.Context, st *herald.Staff, a *herald.Article) (*sourceView, error) {
	src, err := s.Workflow.Get(ctx, st, a.TranslationOf)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	latest, diff, err := s.Workflow.SourceChanges(ctx, st, a)
	if err != nil {
		return nil, err
	}
	return &sourceView{Article: src, Latest: latest, Diff: diff}, nil
}

// startTranslation creates a draft translation of the article into the
// language asked for, beginning as a copy of the source for the translator to
// replace block by block. The store refuses the source's own language and a
// second version in one language; the article page then says why.
func (s *Server) startTranslation(w http.ResponseWriter, r *http.Request, req *request) {
	src, err := s.viewable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if !mayTranslate(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "translate.not_allowed")))
		return
	}
	lang := canonicalLanguage(r.PostFormValue("language"))
	c := src.ArticleContent.Clone()
	c.Language, c.Authors, c.EditorID = lang, nil, 0
	t, err := s.Workflow.Create(r.Context(), req.staff, workflow.Draft{ArticleContent: c, TranslationOf: src.ID})
	if err == nil {
		http.Redirect(w, r, "/newsroom/articles/"+strconv.FormatInt(t.ID, 10)+"/translate", http.StatusSeeOther)
		return
	}
	if herald.ErrorCode(err) != herald.EINVALID {
		s.fail(w, r, req, err)
		return
	}
	d, derr := s.articleView(r, req, src)
	if derr != nil {
		s.fail(w, r, req, derr)
		return
	}
	d.TranslateLanguage, d.TranslateProblem = r.PostFormValue("language"), herald.ErrorMessage(err)
	s.render(w, r, http.StatusBadRequest, "article", req, src.Title, d)
}

// canonicalLanguage writes a typed BCP 47 tag the usual way: "EN_us" is
// "en-US", "zh-hant" is "zh-Hant". The store checks what is left.
func canonicalLanguage(tag string) string {
	parts := strings.Split(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"), "-")
	for i, p := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(p)
		case len(p) == 2:
			parts[i] = strings.ToUpper(p)
		case len(p) == 4:
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-")
}

// translateData is the side-by-side editor: the source's blocks beside the
// translation's, and after a refused save the reason and what changed.
type translateData struct {
	Article  *herald.Article
	Source   *sourceView
	Title    pair
	Subtitle pair
	Summary  pair
	Blocks   []blockPair
	Version  int
	Correct  bool // the translation is published: saving is a correction with a note
	Note     string
	Problem  string
	Conflict []workflow.FieldDiff
}

// pair is a field of the source beside the same field of the translation.
type pair struct{ Source, Text string }

// blockPair is one body block of the source beside the translation's block
// at the same place.
type blockPair struct {
	Index  int
	Kind   string // the block's element (p, h2, ul…), or keepBlock
	Source string // the source block's text; its HTML for a kept block
	Text   string // the translation's text; its HTML for a kept block
}

// Number is the block's place in the body, counting from 1.
func (b blockPair) Number() int { return b.Index + 1 }

// Editable reports whether the block is translated as text.
func (b blockPair) Editable() bool { return b.Kind != keepBlock }

// Rows is how many lines the block's text area starts with.
func (b blockPair) Rows() int {
	n := max(len([]rune(b.Source)), len([]rune(b.Text)))/40 + 2
	return min(n, 12)
}

// translatable loads the translation the path names and what the actor may
// do to its content (edit, or correct once published).
func (s *Server) translatable(r *http.Request, req *request) (*herald.Article, workflow.Action, *sourceView, error) {
	a, act, err := s.editable(r, req)
	if err != nil {
		return nil, "", nil, err
	}
	if a.TranslationOf == 0 {
		return nil, "", nil, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "translate.not_translation"))
	}
	src, err := s.sourceOf(r.Context(), req.staff, a)
	if err == nil && src == nil {
		err = herald.Errorf(herald.ENOTFOUND, "Article %d not found.", a.TranslationOf)
	}
	return a, act, src, err
}

// newTranslateData lays the source and the translation c side by side.
func newTranslateData(a *herald.Article, act workflow.Action, src *sourceView, c herald.ArticleContent) *translateData {
	d := &translateData{Article: a, Source: src, Version: a.Version, Correct: act == workflow.ActCorrect,
		Title: pair{src.Article.Title, c.Title}, Subtitle: pair{src.Article.Subtitle, c.Subtitle}, Summary: pair{src.Article.Summary, c.Summary}}
	from, to := bodyBlocks(src.Article.Body), bodyBlocks(c.Body)
	for i := range max(len(from), len(to)) {
		b := blockPair{Index: i}
		var mine *block
		if i < len(to) {
			mine = &to[i]
		}
		if i < len(from) {
			b.Kind, b.Source = from[i].kind, from[i].text
			if from[i].kind == keepBlock {
				b.Source = from[i].html
			}
		} else {
			b.Kind = mine.kind
		}
		switch {
		case b.Kind == keepBlock && mine != nil && mine.kind == keepBlock:
			b.Text = mine.html
		case b.Kind == keepBlock:
			b.Text = from[i].html // carried over from the source as it is
		case mine != nil && mine.kind != keepBlock:
			b.Text = mine.text
		}
		d.Blocks = append(d.Blocks, b)
	}
	return d
}

// translatePage shows the side-by-side editor.
func (s *Server) translatePage(w http.ResponseWriter, r *http.Request, req *request) {
	a, act, src, err := s.translatable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, http.StatusOK, "translate", req, a.Title, newTranslateData(a, act, src, a.ArticleContent))
}

// saveTranslation saves the side-by-side editor through the workflow's edit
// (or correction): the body is rebuilt block by block in the structure the
// form showed. A save based on an old version is refused and the editor
// shows the translator's text again beside what changed. A posted
// source_revision then marks the translation as following that revision.
func (s *Server) saveTranslation(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	a, act, src, err := s.translatable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	c := a.ArticleContent.Clone()
	c.Title, c.Subtitle, c.Summary = r.PostFormValue("title"), r.PostFormValue("subtitle"), r.PostFormValue("summary")
	c.Body = bodyFromForm(r, a.Body)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	note := r.PostFormValue("note")
	saved, err := s.Workflow.Do(ctx, req.staff, a.ID, act, workflow.Request{Version: version, Content: &c, Comment: note})
	if err == nil {
		if err := s.Store.DeleteAutosave(ctx, a.ID, req.staff.ID); err != nil {
			s.Log.Warn("drop autosave", "article_id", a.ID, "error", err)
		}
		done := "1"
		if v := r.PostFormValue("source_revision"); v != "" {
			rev, _ := strconv.Atoi(v)
			if _, err := s.followSource(ctx, req.staff, saved.ID, saved.Version, rev); err != nil {
				s.fail(w, r, req, err)
				return
			}
			done = "source_followed"
		}
		http.Redirect(w, r, "/newsroom/articles/"+strconv.FormatInt(a.ID, 10)+"?done="+done, http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	d := newTranslateData(a, act, src, c)
	d.Version, d.Note, d.Problem = version, note, herald.ErrorMessage(err)
	if herald.ErrorCode(err) == herald.ECONFLICT && version != a.Version {
		d.Conflict = workflow.DiffContent(&c, &a.ArticleContent)
		d.Version = a.Version // saving again now overwrites knowingly
	}
	s.render(w, r, httpx.Status(err), "translate", req, a.Title, d)
}

// markSourceFollowed marks a translation as following its source's latest
// revision, from the banner on the translation's page.
func (s *Server) markSourceFollowed(w http.ResponseWriter, r *http.Request, req *request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	rev, _ := strconv.Atoi(r.PostFormValue("source_revision"))
	if _, err := s.followSource(r.Context(), req.staff, id, version, rev); err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, "/newsroom/articles/"+strconv.FormatInt(id, 10)+"?done=source_followed", http.StatusSeeOther)
}

// followSource marks a translation as following revision rev of its source.
func (s *Server) followSource(ctx context.Context, actor *herald.Staff, id int64, version, rev int) (*herald.Article, error) {
	return s.Workflow.FollowSource(ctx, actor, id, version, rev)
}
