package newsroom_test

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/demotest"
	"github.com/heraldnews/herald/newsroom"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/workflow"
)

type fixture struct {
	store herald.Store
	url   string
	now   *time.Time
	srv   *newsroom.Server // its optional parts may be set before the first request
}

// demoNow is the test clock's start: the demo is seeded at this time.
var demoNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// newFixture serves the demo province without its year of history.
func newFixture(t *testing.T) *fixture { return newFixtureOf(t, false) }

// newFixtureWithHistory serves the demo province with its year of history.
func newFixtureWithHistory(t *testing.T) *fixture { return newFixtureOf(t, true) }

func newFixtureOf(t *testing.T, history bool) *fixture {
	t.Helper()
	ctx := context.Background()
	s := demotest.Store(t, demoNow, history)
	now := demoNow
	f := &fixture{store: s, now: &now}
	clock := func() time.Time { return *f.now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wf := workflow.NewService(s, clock)
	wf.Gate = checklist.Gate(s, nil) // as cmd/herald wires it, without probing outside links
	srv, err := newsroom.New(s, auth.NewService(s, clock), wf, log, false)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	site, err := portal.New(s, nil, clock, log, "https://news.example.gov.cn")
	if err != nil {
		t.Fatal(err)
	}
	srv.Preview = func(ctx context.Context, a *herald.Article, phone bool) ([]byte, error) {
		page, err := site.Preview(ctx, a, phone)
		if err != nil {
			return nil, err
		}
		return page.Body, nil
	}
	srv.Search = search.NewService(s, clock, log)
	if _, err := srv.Search.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	t *testing.T
	c *http.Client
	f *fixture
}

func (f *fixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.f.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.f.url+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(body)
}

func (b *browser) login(user string) {
	b.t.Helper()
	code, loc, body := b.post("/newsroom/login", url.Values{"username": {user}, "password": {demo.Password}})
	if code != http.StatusSeeOther || loc != "/newsroom/" {
		b.t.Fatalf("login %s: %d %s %.300s", user, code, loc, body)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) csrf(page string) string {
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

func TestSignInDeskAndReview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	b := f.browser(t)
	if code, _ := b.get("/newsroom/"); code != http.StatusSeeOther {
		t.Fatalf("desk without a session: %d", code)
	}
	if code, _, body := b.post("/newsroom/login", url.Values{"username": {"guoting"}, "password": {"wrong password"}}); code != 401 || !strings.Contains(body, "用户名或密码不正确") {
		t.Fatalf("wrong password: %d", code)
	}
	b.login("guoting") // an editor at the publicity center
	code, desk := b.get("/newsroom/")
	if code != 200 || !strings.Contains(desk, "待我审核（第 1 审）") || !strings.Contains(desk, "郭婷_DW120") {
		t.Fatalf("editor's desk: %d", code)
	}
	// Take the first piece of the level-1 queue and approve it through the form.
	waiting, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusSubmitted}, ReviewLevel: 1})
	var target *herald.Article
	for _, a := range waiting {
		if strings.Contains(desk, a.Title) {
			target = a
			break
		}
	}
	if target == nil {
		t.Fatal("no level-1 piece on the editor's desk")
	}
	path := "/newsroom/articles/" + itoa(target.ID)
	_, page := b.get(path)
	if !strings.Contains(page, `action="`+path+`/approve"`) || strings.Contains(page, `action="`+path+`/retract"`) {
		t.Fatal("the article page does not offer exactly the allowed actions")
	}
	token := b.csrf(page)
	if code, _, _ := b.post(path+"/approve", url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Fatalf("approve with a forged CSRF token: %d", code)
	}
	if code, _, body := b.post(path+"/reject", url.Values{"csrf": {token}}); code != http.StatusBadRequest || !strings.Contains(body, "comment") {
		t.Fatalf("reject without a comment: %d", code)
	}
	if code, loc, _ := b.post(path+"/approve", url.Values{"csrf": {token}, "comment": {"一审同意"}}); code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=1") {
		t.Fatalf("approve: %d %s", code, loc)
	}
	a, _ := f.store.FindArticleByID(ctx, target.ID)
	if a.ReviewLevel != 2 && a.Status != herald.StatusApproved {
		t.Fatalf("after approval: %s level %d", a.Status, a.ReviewLevel)
	}
	events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
	if last := events[len(events)-1]; last.Action != "approve" || last.Comment != "一审同意" {
		t.Fatalf("last event %+v", last)
	}
	// English, then sign out everywhere.
	b.get("/newsroom/lang/en")
	if _, desk := b.get("/newsroom/"); !strings.Contains(desk, "Waiting for my review (level") {
		t.Fatal("the desk is not in English after choosing it")
	}
	_, page = b.get("/newsroom/")
	if code, loc, _ := b.post("/newsroom/logout", url.Values{"csrf": {b.csrf(page)}, "everywhere": {"1"}}); code != http.StatusSeeOther || loc != "/newsroom/login" {
		t.Fatalf("sign out: %d %s", code, loc)
	}
	if code, _ := b.get("/newsroom/"); code != http.StatusSeeOther {
		t.Fatalf("desk after signing out: %d", code)
	}
}

func TestCorrespondentWritesAndSubmits(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("baiyonggang")
	_, page := b.get("/newsroom/articles/new")
	cols, _ := f.store.FindColumns(context.Background())
	code, loc, _ := b.post("/newsroom/articles", url.Values{"csrf": {b.csrf(page)}, "title": {"西湾子镇开展法律明白人培训"},
		"column_id": {itoa(cols[2].ID)}, "body": {"<p>培训覆盖全镇 32 个村，大家表示要再接再励。</p><script>alert(1)</script>"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/articles/") {
		t.Fatalf("create: %d %s", code, loc)
	}
	path := strings.TrimSuffix(loc, "?done=1")
	_, page = b.get(path)
	if strings.Contains(page, "alert(1)") || !strings.Contains(page, "培训覆盖全镇") {
		t.Fatal("the body is not sanitized or not shown")
	}
	// The checklist is shown, and a failed required check (no source, a
	// commonly mistaken word) stops the submission.
	if !strings.Contains(page, "发布前检查") || !strings.Contains(page, `<mark class="hit hit-mistaken"`) {
		t.Fatal("the article page shows no checklist or does not mark the listed word")
	}
	if code, _, body := b.post(path+"/submit", url.Values{"csrf": {b.csrf(page)}}); code != http.StatusBadRequest || !strings.Contains(body, "稿件来源") || !strings.Contains(body, "错敏词") {
		t.Fatalf("submit with failed required checks: %d", code)
	}
	_, form := b.get(path + "/edit")
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form)[1]
	if code, _, body := b.post(path+"/edit", url.Values{"csrf": {b.csrf(form)}, "version": {version}, "title": {"西湾子镇开展法律明白人培训"},
		"source": {"崇礼区司法局"}, "body": {"<p>培训覆盖全镇 32 个村，大家表示要再接再厉。</p>"}}); code != http.StatusSeeOther {
		t.Fatalf("fix: %d %.300s", code, body)
	}
	_, page = b.get(path)
	if code, _, _ := b.post(path+"/submit", url.Values{"csrf": {b.csrf(page)}}); code != http.StatusSeeOther {
		t.Fatalf("submit: %d", code)
	}
	_, page = b.get(path)
	if !strings.Contains(page, "审核中") || strings.Contains(page, "/approve\"") {
		t.Fatal("after submitting, the piece is not in review, or the author is offered approval")
	}
}

func TestIdleSessionEnds(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("wangyalan")
	*f.now = f.now.Add(auth.IdleTimeout + time.Minute)
	if code, _ := b.get("/newsroom/"); code != http.StatusSeeOther {
		t.Fatalf("desk after %s idle: %d", auth.IdleTimeout, code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestConcurrentEditsAreDetected(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chief := f.browser(t)
	chief.login("wangyalan")
	other := f.browser(t)
	other.login("wangyalan") // the same person in a second window
	approved, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}})
	if len(approved) == 0 {
		t.Fatal("no approved article in the demo")
	}
	a := approved[0]
	path := "/newsroom/articles/" + itoa(a.ID) + "/edit"
	_, page1 := chief.get(path)
	_, page2 := other.get(path)
	form := func(page, title string) url.Values {
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
		return url.Values{"csrf": {chief.csrf(page)}, "version": {version}, "title": {title}, "body": {a.Body}, "column_id": {itoa(a.ColumnID)}}
	}
	if code, _, body := chief.post(path, form(page1, "第一个窗口的标题")); code != http.StatusSeeOther {
		t.Fatalf("first save: %d %.300s", code, body)
	}
	f2 := form(page2, "第二个窗口的标题")
	f2.Set("csrf", other.csrf(page2))
	code, _, body := other.post(path, f2)
	if code != http.StatusConflict || !strings.Contains(body, "已被他人修改") || !strings.Contains(body, `value="第二个窗口的标题"`) ||
		!strings.Contains(body, "第一个窗口的标题") {
		t.Fatalf("second save on a stale version: %d (want 409 with the diff and the writer's text kept)", code)
	}
	got, _ := f.store.FindArticleByID(ctx, a.ID)
	if got.Title != "第一个窗口的标题" {
		t.Fatalf("title %q: the stale save overwrote the first", got.Title)
	}
	_, revs := chief.get("/newsroom/articles/" + itoa(a.ID) + "/revisions")
	if !strings.Contains(revs, "第一个窗口的标题") || !strings.Contains(revs, `class="insert"`) {
		t.Fatal("the revisions page does not show the title change")
	}
}

func TestAuditLogAndPassword(t *testing.T) {
	f := newFixture(t)
	writer := f.browser(t)
	writer.login("baiyonggang")
	if code, _ := writer.get("/newsroom/audit"); code != http.StatusForbidden {
		t.Fatalf("a correspondent reads the audit log: %d", code)
	}
	admin := f.browser(t)
	admin.login("zhaojun")
	code, page := admin.get("/newsroom/audit?entity=session")
	if code != 200 || !strings.Contains(page, "sign_in") || !strings.Contains(page, "白永刚_XWZ001") {
		t.Fatalf("audit page: %d", code)
	}
	res, err := admin.c.Get(f.url + "/newsroom/audit?entity=article&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(string(body), "\xef\xbb\xbfid,time (CST),actor") ||
		strings.Count(string(body), "\n") < 100 || !strings.Contains(string(body), ",approve,") {
		t.Fatalf("CSV export: %s, %d lines", res.Header.Get("Content-Type"), strings.Count(string(body), "\n"))
	}
	// A comment that looks like a formula stays text in spreadsheets.
	if got := csvCommentOf(t, admin, "=HYPERLINK(\"http://x\")"); got != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("formula comment exported as %q", got)
	}
	// Filters narrow by who, what and when, and the CSV follows them.
	code, page = admin.get("/newsroom/audit?entity=session&actor=baiyonggang&action=sign_in&from=2026-11-25&to=2026-11-25")
	if code != 200 || !strings.Contains(page, "白永刚_XWZ001") || strings.Count(page, "<td>sign_in</td>") != 1 || !strings.Contains(page, "format=csv") {
		t.Fatalf("filtered audit page: %d", code)
	}
	if !strings.Contains(page, `href="/newsroom/audit?action=sign_in&amp;actor=baiyonggang&amp;entity=session&amp;from=2026-11-25&amp;to=2026-11-25&amp;format=csv"`) {
		t.Fatal("the CSV link does not carry the filters")
	}
	if code, page = admin.get("/newsroom/audit?from=2026-11-26&entity=session"); code != http.StatusOK || strings.Contains(page, "<td>sign_in</td>") {
		t.Fatal("a sign-in of the 25th is listed from the 26th on")
	}
	if code, _ = admin.get("/newsroom/audit?actor=nobody"); code != http.StatusBadRequest {
		t.Fatalf("unknown actor: %d", code)
	}
	// Changing one's password signs out every session, this one included.
	_, page = writer.get("/newsroom/password")
	token := writer.csrf(page)
	if code, _, body := writer.post("/newsroom/password", url.Values{"csrf": {token}, "current": {"nope"}, "new": {"a new long password"}, "confirm": {"a new long password"}}); code != 400 || !strings.Contains(body, "当前密码不正确") {
		t.Fatalf("wrong current password: %d", code)
	}
	if code, loc, _ := writer.post("/newsroom/password", url.Values{"csrf": {token}, "current": {demo.Password}, "new": {"a new long password"}, "confirm": {"a new long password"}}); code != http.StatusSeeOther || loc != "/newsroom/login" {
		t.Fatalf("password change: %d %s", code, loc)
	}
	if code, _ := writer.get("/newsroom/"); code != http.StatusSeeOther {
		t.Fatal("the session survived the password change")
	}
	if code, _, _ := writer.post("/newsroom/login", url.Values{"username": {"baiyonggang"}, "password": {"a new long password"}}); code != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", code)
	}
}

// csvCommentOf rejects a submitted piece with comment and returns the comment
// as the audit CSV gives it.
func csvCommentOf(t *testing.T, admin *browser, comment string) string {
	t.Helper()
	ctx := context.Background()
	submitted, _, _ := admin.f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusSubmitted}, Limit: 1})
	chief, _, _ := admin.f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	wf := workflow.NewService(admin.f.store, func() time.Time { return *admin.f.now })
	a := submitted[0]
	if _, err := wf.Do(ctx, chief[0], a.ID, workflow.ActReject, workflow.Request{Comment: comment}); err != nil {
		t.Fatal(err)
	}
	res, err := admin.c.Get(admin.f.url + "/newsroom/audit?entity=article&action=reject&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(readAll(res.Body), "\xef\xbb\xbf"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[len(rows)-1][9]
}

func readAll(r io.Reader) string { b, _ := io.ReadAll(r); return string(b) }
