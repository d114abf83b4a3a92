// Package portal is the public news site. This first version lists the latest
// published articles and shows each article with the seed page's core elements
// (title, release time, source, body, responsible editor, correction note).
package portal

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/web"
)

// CST is China Standard Time, in which release times are shown.
var CST = time.FixedZone("CST", 8*3600)

// Portal serves the public site.
type Portal struct {
	Store    herald.Store
	SiteName string
	Log      *slog.Logger
	pages    map[string]*template.Template
}

// labels are the article page's labels per language.
type labels struct{ ReleaseTime, Source, Editor, Correction string }

var labelsByLang = map[string]labels{
	"zh": {"发布时间：", "来源：", "责任编辑：", "更正说明："},
	"en": {"Release time: ", "Source: ", "Editor-in-chief: ", "Correction: "},
}

// New parses the templates; a broken template stops the start-up.
func New(store herald.Store, siteName string, log *slog.Logger) (*Portal, error) {
	p := &Portal{Store: store, SiteName: siteName, Log: log, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"release": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(CST).Format("2006-01-02 15:04:05")
		},
		"iso": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.Format(time.RFC3339)
		},
	}
	for _, page := range []string{"home", "article", "error"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(web.Templates, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		p.pages[page] = t
	}
	return p, nil
}

// Register adds the portal's routes to mux.
func (p *Portal) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /articles/{id}", p.article)
	mux.Handle("GET /static/", http.FileServerFS(web.Static))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, herald.Errorf(herald.ENOTFOUND, "页面不存在：您访问的地址没有内容。"))
	})
}

// page is what every template gets.
type page struct {
	Lang, Title, SiteName, Message string
	Articles                       []*herald.Article
	Article                        *herald.Article
	Body                           template.HTML
	Editor                         string
	L                              labels
}

func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, data page) {
	data.SiteName = p.SiteName
	if data.Lang == "" {
		data.Lang = "zh-CN"
	}
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		p.Log.Error("render", "request_id", httpx.RequestID(r.Context()), "page", name, "error", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := httpx.Status(err)
	msg := herald.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		p.Log.Error("portal", "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "error", err)
		msg = "服务器出错，请稍后再试。"
	}
	p.render(w, r, status, "error", page{Title: http.StatusText(status), Message: msg})
}

func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	articles, _, err := p.Store.FindArticles(r.Context(), herald.ArticleFilter{
		Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 30,
	})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "home", page{Articles: articles})
}

func (p *Portal) article(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.fail(w, r, herald.Errorf(herald.ENOTFOUND, "页面不存在：稿件编号无效。"))
		return
	}
	a, err := p.Store.FindArticleByID(r.Context(), id)
	if err == nil && a.Status != herald.StatusPublished {
		err = herald.Errorf(herald.ENOTFOUND, "稿件不存在或已撤稿。")
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	lang := "zh"
	if len(a.Language) >= 2 && a.Language[:2] == "en" {
		lang = "en"
	}
	data := page{Lang: a.Language, Title: a.Title, Article: a, L: labelsByLang[lang],
		Body: template.HTML(a.Body)} // sanitized when it was saved (htmlsafe)
	if a.EditorID != 0 {
		if ed, err := p.Store.FindStaffByID(r.Context(), a.EditorID); err == nil {
			name := ed.Name
			if lang == "en" && ed.NameEn != "" {
				name = ed.NameEn
			}
			data.Editor = name + "_" + ed.StaffCode
		}
	}
	p.render(w, r, http.StatusOK, "article", data)
}
