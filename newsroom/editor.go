package newsroom

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/htmlsafe"
	"github.com/heraldnews/herald/httpx"
)

// editorLabels are the rich-text editor's messages, read from the catalogs'
// "editor.*" keys.
var editorLabels = []string{"paragraph", "heading2", "heading3", "heading4", "bold", "italic", "underline", "bulletList",
	"numberedList", "quote", "link", "linkPrompt", "unlink", "table", "tableRows", "tableCols", "image", "imageAlt",
	"uploading", "uploadFailed", "undo", "redo", "clearFormat", "toolbar", "editorLabel", "saved", "saving", "offline",
	"restored", "conflict", "pasteImageDropped", "setCover", "source"}

func (s *Server) editorLabels(lang string) map[string]string {
	m := make(map[string]string, len(editorLabels))
	for _, k := range editorLabels {
		m[k] = s.msgs.T(lang, "editor."+k)
	}
	return m
}

// contentFromForm reads the article form over base: fields the form does not
// carry (authors, language, responsible editor) keep their values. signedIn
// has parsed the form.
func contentFromForm(r *http.Request, base herald.ArticleContent) herald.ArticleContent {
	c := base.Clone()
	for name, field := range map[string]*string{"title": &c.Title, "subtitle": &c.Subtitle, "summary": &c.Summary,
		"source": &c.Source, "body": &c.Body, "cover_image": &c.CoverImage} {
		if v, ok := r.PostForm[name]; ok {
			*field = strings.Join(v, "")
		}
	}
	if _, ok := r.PostForm["tags"]; ok {
		c.Tags = splitTags(r.PostFormValue("tags"))
	}
	if col, err := strconv.ParseInt(r.PostFormValue("column_id"), 10, 64); err == nil {
		c.ColumnID = col
	}
	if r.PostFormValue("channels") != "" { // as for themes below; the store adds the website
		c.Channels = []herald.Channel{}
		for _, v := range r.PostForm["channel"] {
			c.Channels = append(c.Channels, herald.Channel(v))
		}
	}
	if r.PostFormValue("themes") != "" { // the form shows the theme boxes; none ticked means none
		c.ThemeIDs = []int64{}
		for _, v := range r.PostForm["theme_id"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				c.ThemeIDs = append(c.ThemeIDs, id)
			}
		}
	}
	worksFromForm(r, &c) // videos.go
	return c
}

// autosaveReply tells the editor its working copy is safe.
type autosaveReply struct {
	SavedAt time.Time `json:"saved_at"`
	Version int       `json:"version"`
}

// autosave keeps the writer's working copy every few seconds. A copy based on
// an older version is kept all the same, and answered with 409 so the writer
// knows to save and compare.
func (s *Server) autosave(w http.ResponseWriter, r *http.Request, req *request) {
	a, _, err := s.editable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	as := &herald.Autosave{ArticleID: a.ID, StaffID: req.staff.ID, BaseVersion: version,
		Content: contentFromForm(r, a.ArticleContent), SavedAt: s.Auth.Clock.Now()}
	if err := s.Store.PutAutosave(r.Context(), as); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if version != a.Version {
		s.fail(w, r, req, herald.Errorf(herald.ECONFLICT, "%s", s.msgs.T(req.lang, "editor.conflict")))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, autosaveReply{SavedAt: as.SavedAt.In(CST), Version: a.Version})
}

// wantsJSON reports whether the request comes from the page's scripts, which
// read errors as problem documents rather than pages.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// preview shows the article as readers will see it, from the writer's latest
// autosaved copy when there is one, so that it matches what is on their screen.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, req *request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	a, err := s.Workflow.Get(r.Context(), req.staff, id)
	if err == nil && s.Preview == nil {
		err = herald.Errorf(herald.ENOTFOUND, "Previews are not available here.")
	}
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if saved, err := s.Store.FindAutosave(r.Context(), a.ID, req.staff.ID); err == nil {
		a.ArticleContent = saved.Content
		a.Body = htmlsafe.Sanitize(a.Body)
	}
	body, err := s.Preview(r.Context(), a, r.URL.Query().Get("view") == "phone")
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.Write(body)
}
