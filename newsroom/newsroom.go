// Package newsroom is the staff web interface: sign-in with sessions and CSRF
// protection, a desk for each role, and the editorial workflow as forms. It
// speaks Simplified Chinese by default and English on request.
package newsroom

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/planning"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/syndication"
	"github.com/heraldnews/herald/textdiff"
	"github.com/heraldnews/herald/topics"
	"github.com/heraldnews/herald/web"
	"github.com/heraldnews/herald/workflow"
)

// CST is the newsroom's time zone.
var CST = herald.CST

// cookie names.
const (
	sessionCookie = "herald_session"
	langCookie    = "herald_lang"
)

// Server serves the newsroom under /newsroom/.
type Server struct {
	Store     herald.Store
	Auth      *auth.Service
	Workflow  *workflow.Service
	Directory *directory.Service
	Log       *slog.Logger
	Secure    bool // set cookies Secure (the site runs on https)
	// Preview renders an article as the portal's page (or phone page) would
	// show it once published; without it, previews are not offered.
	Preview func(ctx context.Context, a *herald.Article, phone bool) ([]byte, error)
	// Links checks the links of articles for the checklist; nil skips that check.
	Links checklist.LinkChecker
	// Search finds articles; nil hides the search page.
	Search *search.Service
	// Periodicals makes periodicals, their issues and the issues' PDFs; nil
	// means a service over Store on the Auth clock.
	Periodicals *periodicals.Service
	// Scoring runs the incentive mechanism (placements, recognitions,
	// quotas, rules, rankings); nil means a service over Store on the Auth
	// clock.
	Scoring *scoring.Service
	// Syndication manages partner outlets and their tokens; nil means a
	// service over Store on the Auth clock.
	Syndication *syndication.Service
	// Topics curates special topics; nil means a service over Store on the
	// Auth clock. VideoFiles keeps the films of video pieces (nil: no video
	// uploads), each at most VideoMaxBytes (0: media.DefaultVideoMaxBytes).
	Topics        *topics.Service
	VideoFiles    media.Files
	VideoMaxBytes int64
	// Planning runs topic plans, assignments and their calendar feeds; nil
	// means a service over Store on the Auth clock.
	Planning *planning.Service
	// JobChanged, if set, is told of each job an editor retried or cancelled,
	// so that what the job stands for (a delivery) follows.
	JobChanged func(ctx context.Context, j *herald.Job) error
	// BaseURL is the public site's address ("https://news.example.gov.cn"),
	// which the WeChat rendition links to; empty means the address the
	// newsroom is reached at, for a newsroom served with the portal.
	BaseURL string
	// Mails says whether notifications can be mailed (a relay is
	// configured); the settings page says so when they cannot.
	Mails bool

	msgs      catalogs
	templates map[string]*template.Template
	assets    *web.Assets
}

// New loads the catalogs and templates; a broken one stops the start-up.
func New(store herald.Store, authSvc *auth.Service, wf *workflow.Service, log *slog.Logger, secure bool) (*Server, error) {
	s := &Server{Store: store, Auth: authSvc, Workflow: wf, Directory: directory.NewService(store, authSvc.Clock), Log: log, Secure: secure,
		templates: map[string]*template.Template{}, assets: web.LoadAssets()}
	var err error
	if s.msgs, err = loadCatalogs(); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": s.assets.URL,
		"ptr":   func(t time.Time) *time.Time { return &t },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"html":  func(s string) template.HTML { return template.HTML(s) }, // article bodies are sanitized when saved
		"sides": textdiff.SideBySide,
		"when":  cstTime,
	}
	pages, err := fs.Glob(web.Templates, "templates/newsroom-*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range pages {
		page := strings.TrimSuffix(strings.TrimPrefix(file, "templates/newsroom-"), ".html")
		if page == "layout" {
			continue
		}
		t, err := template.New(page).Funcs(funcs).ParseFS(web.Templates, "templates/newsroom-layout.html", file)
		if err != nil {
			return nil, err
		}
		s.templates[page] = t
	}
	if err := s.shareTrainingRecord(); err != nil { // training.go
		return nil, err
	}
	return s, nil
}

// Handler returns the newsroom's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /newsroom/login", s.loginPage)
	mux.HandleFunc("POST /newsroom/login", s.login)
	mux.HandleFunc("GET /newsroom/login/code", s.codePage)
	mux.HandleFunc("POST /newsroom/login/code", s.checkCode)
	mux.HandleFunc("GET /newsroom/lang/{lang}", s.setLanguage)
	mux.HandleFunc("GET /newsroom/account", s.signedIn(s.accountPage))
	mux.HandleFunc("POST /newsroom/account/language", s.signedIn(s.chooseLanguage))
	mux.HandleFunc("POST /newsroom/account/totp", s.signedIn(s.enableTOTP))
	mux.HandleFunc("POST /newsroom/account/totp/disable", s.signedIn(s.disableTOTP))
	mux.HandleFunc("POST /newsroom/account/email", s.signedIn(s.changeEmail))
	mux.HandleFunc("GET /newsroom/notifications", s.signedIn(s.notificationsPage))
	mux.HandleFunc("POST /newsroom/notifications/read", s.signedIn(s.markNotificationsRead))
	mux.HandleFunc("GET /newsroom/notifications/settings", s.signedIn(s.notificationSettingsPage))
	mux.HandleFunc("POST /newsroom/notifications/settings", s.signedIn(s.saveNotificationSettings))
	mux.HandleFunc("POST /newsroom/logout", s.signedIn(s.logout))
	mux.HandleFunc("GET /newsroom/{$}", s.signedIn(s.home))
	mux.HandleFunc("GET /newsroom/articles/new", s.signedIn(s.newArticle))
	mux.HandleFunc("POST /newsroom/articles", s.signedIn(s.createArticle))
	mux.HandleFunc("GET /newsroom/articles/{id}", s.signedIn(s.article))
	mux.HandleFunc("GET /newsroom/articles/{id}/edit", s.signedIn(s.editArticle))
	mux.HandleFunc("POST /newsroom/articles/{id}/edit", s.signedIn(s.saveArticle))
	mux.HandleFunc("GET /newsroom/articles/{id}/revisions", s.signedIn(s.revisions))
	mux.HandleFunc("POST /newsroom/articles/{id}/autosave", s.signedIn(s.autosave))
	mux.HandleFunc("POST /newsroom/media", s.signedInLimit(uploadLimits.MaxBytes+1<<20, s.upload))
	mux.HandleFunc("GET /newsroom/articles/{id}/preview", s.signedIn(s.preview))
	mux.HandleFunc("GET /newsroom/articles/{id}/wechat", s.signedIn(s.wechatPage))
	mux.HandleFunc("GET /newsroom/articles/{id}/wechat/preview.html", s.signedIn(s.wechatPreview))
	mux.HandleFunc("GET /newsroom/articles/{id}/wechat/cover.jpg", s.signedIn(s.wechatCover))
	mux.HandleFunc("POST /newsroom/articles/{id}/deliveries/{delivery}/retry", s.signedIn(s.retryDelivery))
	mux.HandleFunc("GET /newsroom/audit", s.signedIn(s.audit))
	mux.HandleFunc("GET /newsroom/password", s.signedIn(s.passwordPage))
	mux.HandleFunc("POST /newsroom/password", s.signedIn(s.changePassword))
	mux.HandleFunc("POST /newsroom/articles/{id}/translations", s.signedIn(s.startTranslation))
	mux.HandleFunc("GET /newsroom/articles/{id}/translate", s.signedIn(s.translatePage))
	mux.HandleFunc("POST /newsroom/articles/{id}/translate", s.signedIn(s.saveTranslation))
	mux.HandleFunc("POST /newsroom/articles/{id}/source", s.signedIn(s.markSourceFollowed))
	mux.HandleFunc("POST /newsroom/articles/{id}/{action}", s.signedIn(s.act))
	mux.HandleFunc("POST /newsroom/review", s.signedIn(s.bulkReview))
	mux.HandleFunc("GET /newsroom/search", s.signedIn(s.searchArticles))
	mux.HandleFunc("GET /newsroom/words", s.signedIn(s.wordsPage))
	mux.HandleFunc("POST /newsroom/words", s.signedIn(s.changeWords))
	mux.HandleFunc("GET /newsroom/jobs", s.signedIn(s.jobsPage))
	mux.HandleFunc("POST /newsroom/jobs/{id}/retry", s.signedIn(s.retryJob))
	mux.HandleFunc("POST /newsroom/jobs/{id}/cancel", s.signedIn(s.cancelJob))
	mux.HandleFunc("GET /newsroom/periodicals", s.signedIn(s.periodicalsPage))
	mux.HandleFunc("POST /newsroom/periodicals", s.signedIn(s.createPeriodical))
	mux.HandleFunc("POST /newsroom/periodicals/{id}/issues", s.signedIn(s.createIssue))
	mux.HandleFunc("GET /newsroom/issues/{id}", s.signedIn(s.issuePage))
	mux.HandleFunc("POST /newsroom/issues/{id}", s.signedIn(s.saveIssue))
	mux.HandleFunc("GET /newsroom/issues/{id}/pdf", s.signedIn(s.issuePDF))
	mux.HandleFunc("GET /newsroom/partners", s.signedIn(s.partnersPage))
	mux.HandleFunc("POST /newsroom/partners", s.signedIn(s.createPartner))
	mux.HandleFunc("GET /newsroom/partners/{id}", s.signedIn(s.partnerPage))
	mux.HandleFunc("POST /newsroom/partners/{id}", s.signedIn(s.savePartner))
	mux.HandleFunc("POST /newsroom/partners/{id}/disable", s.signedIn(s.disablePartner))
	mux.HandleFunc("POST /newsroom/partners/{id}/enable", s.signedIn(s.enablePartner))
	mux.HandleFunc("POST /newsroom/partners/{id}/token", s.signedIn(s.rotatePartnerToken))
	mux.HandleFunc("GET /newsroom/partners/{id}/{action}", s.signedIn(s.backToPartner))
	mux.HandleFunc("GET /newsroom/placements", s.signedIn(s.placementsPage))
	mux.HandleFunc("POST /newsroom/placements", s.signedInLimit(uploadLimits.MaxBytes+1<<20, s.recordPlacement))
	mux.HandleFunc("POST /newsroom/placements/{id}/verify", s.signedIn(s.verifyPlacement))
	mux.HandleFunc("POST /newsroom/placements/{id}/reject", s.signedIn(s.rejectPlacement))
	mux.HandleFunc("GET /newsroom/placements/{id}/{action}", s.signedIn(s.backToPlacements))
	mux.HandleFunc("GET /newsroom/spikes", s.signedIn(s.spikesPage))
	mux.HandleFunc("POST /newsroom/spikes/{id}/release", s.signedIn(s.releaseSpike))
	mux.HandleFunc("POST /newsroom/spikes/{id}/void", s.signedIn(s.voidSpike))
	mux.HandleFunc("GET /newsroom/spikes/{id}/{action}", s.signedIn(s.backToSpikes))
	mux.HandleFunc("POST /newsroom/articles/{id}/recognitions", s.signedIn(s.addRecognition))
	mux.HandleFunc("POST /newsroom/articles/{id}/recognitions/{rid}/withdraw", s.signedIn(s.withdrawRecognition))
	mux.HandleFunc("GET /newsroom/articles/{id}/recognitions/{rest...}", s.signedIn(s.backToRecognitions))
	mux.HandleFunc("GET /newsroom/dashboard", s.signedIn(s.dashboardPage))
	mux.HandleFunc("GET /newsroom/dashboard/{file}", s.signedIn(s.dashboardFile))
	mux.HandleFunc("GET /newsroom/rankings", s.signedIn(s.rankingsPage))
	mux.HandleFunc("GET /newsroom/rankings/notice", s.signedIn(s.noticePage))
	mux.HandleFunc("GET /newsroom/rankings/notice.xlsx", s.signedIn(s.noticeXLSX))
	mux.HandleFunc("GET /newsroom/rankings/notice.pdf", s.signedIn(s.noticePDF))
	mux.HandleFunc("GET /newsroom/rankings/{file}", s.signedIn(s.rankingFile))
	mux.HandleFunc("GET /newsroom/rules", s.signedIn(s.rulesPage))
	mux.HandleFunc("POST /newsroom/rules", s.signedIn(s.createRules))
	mux.HandleFunc("GET /newsroom/quotas", s.signedIn(s.quotasPage))
	mux.HandleFunc("POST /newsroom/quotas", s.signedIn(s.setQuotas))
	mux.HandleFunc("GET /newsroom/topics", s.signedIn(s.topicsPage))
	mux.HandleFunc("POST /newsroom/topics", s.signedIn(s.createTopic))
	mux.HandleFunc("GET /newsroom/topics/{id}", s.signedIn(s.topicPage))
	mux.HandleFunc("POST /newsroom/topics/{id}", s.signedIn(s.saveTopic))
	mux.HandleFunc("POST /newsroom/topics/{id}/{action}", s.signedIn(s.topicAction))
	mux.HandleFunc("GET /newsroom/topics/{id}/{action}", s.signedIn(s.backToTopic))
	mux.HandleFunc("POST /newsroom/articles/{id}/video", s.signedInLimit(streamedUpload, s.uploadVideo))
	s.trainingRoutes(mux)
	s.planningRoutes(mux)
	s.adminRoutes(mux)
	mux.HandleFunc("/newsroom/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, nil, herald.Errorf(herald.ENOTFOUND, "No such page."))
	})
	return mux
}

// request is one signed-in request.
type request struct {
	staff   *herald.Staff
	session *herald.Session
	lang    string
}

// signedIn admits requests with a live session; forms must also carry the
// session's CSRF token.
func (s *Server) signedIn(h func(w http.ResponseWriter, r *http.Request, req *request)) http.HandlerFunc {
	return s.signedInLimit(4<<20, h)
}

// signedInLimit is signedIn for forms that may be up to limit bytes.
func (s *Server) signedInLimit(limit int64, h func(w http.ResponseWriter, r *http.Request, req *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie(sessionCookie)
		var secret string
		if c != nil {
			secret = c.Value
		}
		st, sess, err := s.Auth.SessionStaff(r.Context(), secret)
		if err != nil {
			if herald.ErrorCode(err) != herald.EUNAUTHORIZED {
				s.fail(w, r, nil, err)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/newsroom/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, nil, err)
			return
		}
		req := &request{staff: st, session: sess, lang: s.language(r)}
		if st.Language != "" {
			req.lang = st.Language
		}
		if r.Method == http.MethodPost && limit == streamedUpload {
			w.Header().Set("Cache-Control", "no-store")
			h(w, r, req) // reads its body part by part, the CSRF token first (videos.go)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := parseForm(r); err != nil {
				s.fail(w, r, req, err)
				return
			}
			if !auth.CheckCSRF(sess, r.PostFormValue("csrf")) {
				s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "error.csrf")))
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, req)
	}
}

// parseForm reads a posted form, telling an oversized one apart from a broken one.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(32 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return herald.Errorf(herald.ETOOLARGE, "The upload is larger than %d MiB.", tooBig.Limit>>20)
	case err != nil:
		return herald.Errorf(herald.EINVALID, "The form could not be read.")
	}
	return nil
}

// language is the reader's chosen language, Chinese unless they chose English.
func (s *Server) language(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		for _, l := range Languages {
			if c.Value == l {
				return l
			}
		}
	}
	return Languages[0]
}

func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if slices.Contains(Languages, lang) {
		s.setLanguageCookie(w, lang)
	}
	http.Redirect(w, r, backInNewsroom(r), http.StatusSeeOther)
}

// backInNewsroom is the newsroom page the request came from, or the desk: a
// Referer of another site, or outside the newsroom, is not followed.
func backInNewsroom(r *http.Request) string {
	u, err := url.Parse(r.Header.Get("Referer"))
	if err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/newsroom/") {
		return "/newsroom/"
	}
	return u.RequestURI()
}

func (s *Server) setLanguageCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/newsroom/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
}

// contentSecurityPolicy lets newsroom pages load only Herald's own scripts,
// styles and images, so that pasted or injected markup cannot run or call out.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// view is what every newsroom template gets.
type view struct {
	Lang, Title, CSRF, Flash string
	Staff                    *herald.Staff
	Data                     any
	msgs                     catalogs
	// Unread counts the signed-in person's unread notifications, for the bell.
	Unread int
}

// T translates a message key for the page.
func (v *view) T(key string, args ...any) string { return v.msgs.T(v.Lang, key, args...) }

// TArgs translates a message key with its arguments as a list.
func (v *view) TArgs(key string, args []any) string { return v.msgs.T(v.Lang, key, args...) }

// OtherLang is the language the switch offers.
func (v *view) OtherLang() string {
	if v.Lang == "en" {
		return "zh-CN"
	}
	return "en"
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, req *request, title string, data any) {
	v := &view{Lang: Languages[0], Title: title, Data: data, msgs: s.msgs, Flash: r.URL.Query().Get("done")}
	if req != nil {
		v.Lang, v.Staff, v.CSRF = req.lang, req.staff, req.session.CSRF
		if req.staff != nil { // nil while the second factor is pending
			v.Unread = s.unreadNotifications(r.Context(), req.staff.ID)
		}
	} else {
		v.Lang = s.language(r)
	}
	if v.Flash != "" {
		// "done" names what was done when the catalogs have words for it
		// (flash.job_retried); any other value says only that it was.
		key := "flash." + v.Flash
		if _, ok := s.msgs[Languages[0]][key]; !ok {
			key = "action.done"
		}
		v.Flash = s.msgs.T(v.Lang, key)
	}
	var buf bytes.Buffer
	if err := s.templates[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("newsroom render", "request_id", httpx.RequestID(r.Context()), "page", page, "error", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page with the message that is safe to show.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, req *request, err error) {
	status := httpx.Status(err)
	httpx.LogFailure(s.Log, r, err)
	if wantsJSON(r) {
		httpx.WriteProblem(w, r, err)
		return
	}
	lang := s.language(r)
	if req != nil {
		lang = req.lang
	}
	s.render(w, r, status, "error", req, s.msgs.T(lang, "error.title"), s.errorText(lang, err))
}

// errorText is the message of err to show in lang.
func (s *Server) errorText(lang string, err error) string {
	if msg, ok := s.gateMessage(lang, err); ok {
		return msg
	}
	return herald.ErrorMessage(err)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", nil, s.msgs.T(s.language(r), "login.title"), loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// loginData is the sign-in form.
type loginData struct {
	Username, Error, Next string
}

// safeNext keeps redirects inside the newsroom.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/newsroom/") && !strings.HasPrefix(next, "/newsroom//") {
		return next
	}
	return "/newsroom/"
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	lang := s.language(r)
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	data := loginData{Username: username, Next: safeNext(r.PostFormValue("next"))}
	st, err := s.Auth.Login(r.Context(), username, password, httpx.ClientIP(r))
	if err != nil {
		status := httpx.Status(err)
		switch herald.ErrorCode(err) {
		case herald.ERATELIMITED:
			data.Error = s.msgs.T(lang, "login.limited")
		case herald.EUNAUTHORIZED:
			data.Error = s.msgs.T(lang, "login.failed")
			if strings.Contains(herald.ErrorMessage(err), "disabled") {
				data.Error = s.msgs.T(lang, "login.disabled")
			}
		default:
			s.fail(w, r, nil, err)
			return
		}
		s.render(w, r, status, "login", nil, s.msgs.T(lang, "login.title"), data)
		return
	}
	secret, _, err := s.Auth.StartSession(r.Context(), st, r.UserAgent())
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/newsroom/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.Secure, MaxAge: int(auth.MaxSessionAge.Seconds())})
	if st.Language != "" {
		s.setLanguageCookie(w, st.Language)
	}
	if st.TOTPSecret != "" {
		http.Redirect(w, r, "/newsroom/login/code?next="+url.QueryEscape(data.Next), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, req *request) {
	id, action := req.session.ID, "sign_out"
	if r.PostFormValue("everywhere") != "" {
		id, action = 0, "sign_out_everywhere"
	}
	if _, err := s.Store.DeleteSessions(r.Context(), req.staff.ID, id, herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID, Action: action}); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/newsroom/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
}

// loadByID finds what the path's {id} names; a bad ID and a missing one both
// answer with the catalog's not-found message under key.
func loadByID[T any](s *Server, r *http.Request, req *request, key string, find func(context.Context, int64) (T, error)) (T, error) {
	var zero T
	notFound := herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, key))
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return zero, notFound
	}
	v, err := find(r.Context(), id)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return zero, notFound
	}
	return v, err
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, herald.Errorf(herald.ENOTFOUND, "No such article.")
	}
	return id, nil
}
