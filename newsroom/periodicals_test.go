package newsroom_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

// bulletin is the demo's periodical and its issue of the month.
func bulletin(t *testing.T, f *fixture) (*herald.Periodical, *herald.Issue) {
	t.Helper()
	ctx := context.Background()
	ps, err := f.store.FindPeriodicals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Slug == "bulletin" {
			issues, err := f.store.FindIssues(ctx, p.ID)
			if err != nil || len(issues) == 0 {
				t.Fatalf("the bulletin's issues: %d, %v", len(issues), err)
			}
			return p, issues[0]
		}
	}
	t.Fatal("the demo has no bulletin")
	return nil, nil
}

var (
	versionField      = regexp.MustCompile(`name="version" value="(\d+)"`)
	articleField      = regexp.MustCompile(`name="article" value="(\d+)"`)
	hiddenSearchField = regexp.MustCompile(`<input type="hidden" name="(q|page)" value="([^"]*)">`)
	editorNoteField   = regexp.MustCompile(`(?s)<textarea id="editor_note"[^>]*>(.*?)</textarea>`)
)

// issueForm reads the issue form off its page as the browser would send it,
// with the button op pressed.
func (b *browser) issueForm(page, op string) url.Values {
	b.t.Helper()
	v := url.Values{"csrf": {b.csrf(page)}, "op": {op}}
	m := versionField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatal("the issue page has no version field")
	}
	v.Set("version", m[1])
	for _, name := range []string{"volume", "number", "date"} {
		m := regexp.MustCompile(`id="` + name + `" name="` + name + `"[^>]* value="([^"]*)"`).FindStringSubmatch(page)
		if m == nil {
			b.t.Fatalf("the issue page has no %s field", name)
		}
		v.Set(name, html.UnescapeString(m[1]))
	}
	if m := editorNoteField.FindStringSubmatch(page); m != nil {
		v.Set("editor_note", html.UnescapeString(m[1]))
	}
	for _, m := range articleField.FindAllStringSubmatch(page, -1) {
		v.Add("article", m[1])
	}
	for _, m := range hiddenSearchField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// articleIDs is the print order the issue page shows.
func articleIDs(page string) []string {
	var out []string
	for _, m := range articleField.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func storedOrder(t *testing.T, f *fixture, id int64) []string {
	t.Helper()
	is, err := f.store.FindIssueByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(is.ArticleIDs))
	for i, a := range is.ArticleIDs {
		out[i] = itoa(a)
	}
	return out
}

// redirected follows a form's redirect the way a browser does, dropping the fragment.
func (b *browser) redirected(code int, loc, body string) string {
	b.t.Helper()
	if code != http.StatusSeeOther {
		b.t.Fatalf("form refused: %d %.500s", code, body)
	}
	loc, _, _ = strings.Cut(loc, "#")
	status, page := b.get(loc)
	if status != http.StatusOK {
		b.t.Fatalf("%s: %d", loc, status)
	}
	return page
}

func TestEditorBuildsAnIssueAndDownloadsThePDF(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	per, month := bulletin(t, f)
	b := f.browser(t)
	b.login("guoting") // an editor at the publicity center

	_, desk := b.get("/newsroom/")
	if !strings.Contains(desk, `<a href="/newsroom/periodicals">刊物</a>`) {
		t.Fatal("the editor's navigation has no 刊物")
	}
	code, list := b.get("/newsroom/periodicals")
	if code != http.StatusOK || !strings.Contains(list, "河北司法行政宣传") || !strings.Contains(list, "第2026卷第11期") ||
		!strings.Contains(list, "6 篇") || !strings.Contains(list, `href="/newsroom/issues/`+itoa(month.ID)+`/pdf"`) {
		t.Fatalf("periodicals page: %d\n%s", code, list)
	}
	// The new-issue form proposes this year's volume, the next number and today.
	for _, want := range []string{`name="volume" type="number" inputmode="numeric" min="1" max="9999" required value="2026"`,
		`name="number" type="number" inputmode="numeric" min="1" max="999" required value="12"`, `name="date" type="date" required value="2026-11-25"`} {
		if !strings.Contains(list, want) {
			t.Errorf("the new-issue form lacks %s", want)
		}
	}
	// Number 11 of 2026 exists: the form says so next to the number and keeps the input.
	create := url.Values{"csrf": {b.csrf(list)}, "volume": {"2026"}, "number": {"11"}, "date": {"2026-12-01"}}
	code, _, body := b.post("/newsroom/periodicals/"+itoa(per.ID)+"/issues", create)
	if code != http.StatusBadRequest || !strings.Contains(body, `<p class="field-error" id="number-`+itoa(per.ID)+`-error">第 2026 卷已有第 11 期。</p>`) ||
		!strings.Contains(body, `value="2026-12-01"`) {
		t.Fatalf("a taken number: %d\n%s", code, body)
	}
	create.Set("number", "12")
	code, loc, body := b.post("/newsroom/periodicals/"+itoa(per.ID)+"/issues", create)
	m := regexp.MustCompile(`^/newsroom/issues/(\d+)\?done=issue_created$`).FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("create the issue: %d %s %.300s", code, loc, body)
	}
	path := "/newsroom/issues/" + m[1]
	page := b.redirected(code, loc, body)
	if !strings.Contains(page, "新的一期已建好") || !strings.Contains(page, "本期还没有稿件") || !strings.Contains(page, "最近发布的稿件") {
		t.Fatalf("the new issue's page:\n%s", page)
	}

	// An empty issue does not print: the page says why instead of a broken download.
	res, err := b.c.Get(f.url + path + "/pdf")
	if err != nil {
		t.Fatal(err)
	}
	refusal := readAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(refusal, "无法生成付印 PDF") || !strings.Contains(refusal, `id="article_ids-error">本期还没有稿件，请先添加稿件。`) {
		t.Fatalf("PDF of an empty issue: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), refusal)
	}

	// Add the three latest published articles, ticked in the list.
	latest, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 3, NoBody: true})
	if err != nil || len(latest) != 3 {
		t.Fatalf("latest published: %v", err)
	}
	form := b.issueForm(page, "add")
	for _, a := range latest {
		if !strings.Contains(page, `<input type="checkbox" id="add-`+itoa(a.ID)+`" name="add" value="`+itoa(a.ID)+`" form="issue-form">`) {
			t.Fatalf("article %d %q is not offered", a.ID, a.Title)
		}
		form.Add("add", itoa(a.ID))
	}
	form.Set("editor_note", "本期聚焦基层法治建设。")
	page = b.redirected(b.post(path, form))
	want := []string{itoa(latest[0].ID), itoa(latest[1].ID), itoa(latest[2].ID)}
	if got := articleIDs(page); !slices.Equal(got, want) || !slices.Equal(storedOrder(t, f, parseID(m[1])), want) {
		t.Fatalf("after adding: page %v, stored %v, want %v", got, storedOrder(t, f, parseID(m[1])), want)
	}
	if !strings.Contains(page, "本期已保存") || !strings.Contains(page, "本期聚焦基层法治建设。") || !strings.Contains(page, `已在本期`) {
		t.Fatal("the page after adding does not show the saved note, or the added articles as in the issue")
	}

	// Find an older article with the search box and add it.
	older, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN",
		Order: herald.ByPublishedAsc, Limit: 1, NoBody: true})
	if err != nil || len(older) != 1 {
		t.Fatalf("the oldest published article: %v", err)
	}
	code, found := b.get(path + "?q=" + url.QueryEscape(`"`+older[0].Title+`"`))
	if code != http.StatusOK || !strings.Contains(found, `id="add-`+itoa(older[0].ID)+`"`) || !strings.Contains(found, "搜索结果") {
		t.Fatalf("searching for %q: %d", older[0].Title, code)
	}
	form = b.issueForm(found, "add")
	form.Add("add", itoa(older[0].ID))
	code, loc, body = b.post(path, form)
	if !strings.Contains(loc, "q=") {
		t.Errorf("after adding from a search the page is %s: the search is lost", loc)
	}
	page = b.redirected(code, loc, body)
	want = append(want, itoa(older[0].ID))
	if got := storedOrder(t, f, parseID(m[1])); !slices.Equal(got, want) {
		t.Fatalf("after adding from the search: %v, want %v", got, want)
	}

	// Reorder: the last one up twice, the first one down; take one out.
	for _, op := range []string{"up:" + want[3], "up:" + want[3], "down:" + want[0], "remove:" + want[2]} {
		page = b.redirected(b.post(path, b.issueForm(page, op)))
	}
	want = []string{want[3], want[0], want[1]}
	if got := storedOrder(t, f, parseID(m[1])); !slices.Equal(got, want) || !slices.Equal(articleIDs(page), want) {
		t.Fatalf("after reordering: stored %v, page %v, want %v", got, articleIDs(page), want)
	}

	// Save the header.
	form = b.issueForm(page, "save")
	form.Set("date", "2026-12-05")
	form.Set("editor_note", "本期聚焦公共法律服务。\n各地司法行政工作新进展。")
	page = b.redirected(b.post(path, form))
	is, _ := f.store.FindIssueByID(ctx, parseID(m[1]))
	if is.Date.Format("2006-01-02") != "2026-12-05" || is.EditorNote != "本期聚焦公共法律服务。\n各地司法行政工作新进展。" || is.Version != 8 {
		t.Fatalf("after saving: %s %q version %d", is.Date, is.EditorNote, is.Version)
	}
	// A bad number is refused next to it, the rest of the input kept.
	form = b.issueForm(page, "save")
	form.Set("number", "0")
	form.Set("editor_note", "改过的编者按")
	if code, _, body := b.post(path, form); code != http.StatusBadRequest || !strings.Contains(body, `<p class="field-error" id="number-error">须在 1 到 999 之间。</p>`) ||
		!strings.Contains(body, "改过的编者按</textarea>") {
		t.Fatalf("a bad number: %d\n%s", code, body)
	}

	// The page count, and the PDF for the printer.
	code, counted := b.get(path + "?pages=1")
	if code != http.StatusOK || !regexp.MustCompile(`排版后共 \d+ 页`).MatchString(counted) || !strings.Contains(counted, "第 2 页起") && !strings.Contains(counted, "第 3 页起") {
		t.Fatalf("page count: %d", code)
	}
	res, err = b.c.Get(f.url + path + "/pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="bulletin-2026-12.pdf"` || res.Header.Get("X-Pages") == "" {
		t.Fatalf("PDF: %d %s %q %.20q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), pdf)
	}

	// In English too.
	b.get("/newsroom/lang/en")
	if _, page := b.get(path); !strings.Contains(page, "Articles in print order (3)") || !strings.Contains(page, "Download the print PDF") ||
		!strings.Contains(page, "Vol. 2026, No. 12") {
		t.Error("the issue page is not in English after choosing it")
	}
}

func TestPeriodicalsAreForEditors(t *testing.T) {
	f := newFixture(t)
	_, month := bulletin(t, f)
	path := "/newsroom/issues/" + itoa(month.ID)
	editor := f.browser(t)
	editor.login("guoting")
	_, page := editor.get(path)
	for _, who := range []string{"baiyonggang", "zhoulixin", "zhaojun"} { // a correspondent, a viewer, an administrator
		b := f.browser(t)
		b.login(who)
		_, desk := b.get("/newsroom/")
		if strings.Contains(desk, `href="/newsroom/periodicals"`) {
			t.Errorf("%s is shown the periodicals in the navigation", who)
		}
		for _, p := range []string{"/newsroom/periodicals", path, path + "/pdf"} {
			if code, body := b.get(p); code != http.StatusForbidden || !strings.Contains(body, "只有编辑和总编辑可以编排刊物") {
				t.Errorf("%s GET %s: %d", who, p, code)
			}
		}
		form := editor.issueForm(page, "remove:"+itoa(month.ArticleIDs[0]))
		form.Set("csrf", b.csrf(desk))
		if code, _, _ := b.post(path, form); code != http.StatusForbidden {
			t.Errorf("%s changes the issue: %d", who, code)
		}
		if code, _, _ := b.post("/newsroom/periodicals", url.Values{"csrf": {b.csrf(desk)}, "slug": {"x"}, "name": {"x"}}); code != http.StatusForbidden {
			t.Errorf("%s creates a periodical: %d", who, code)
		}
	}
	if got := storedOrder(t, f, month.ID); len(got) != len(month.ArticleIDs) {
		t.Fatalf("the issue changed: %v", got)
	}
}

func TestStaleIssueIsRefused(t *testing.T) {
	f := newFixture(t)
	_, month := bulletin(t, f)
	path := "/newsroom/issues/" + itoa(month.ID)
	one, other := f.browser(t), f.browser(t)
	one.login("guoting")
	other.login("liuxiaomin") // another editor
	_, page1 := one.get(path)
	_, page2 := other.get(path)
	one.redirected(one.post(path, one.issueForm(page1, "down:"+itoa(month.ArticleIDs[0]))))
	form := other.issueForm(page2, "save")
	form.Set("editor_note", "第二位编辑的编者按")
	code, _, body := other.post(path, form)
	if code != http.StatusConflict || !strings.Contains(body, "本期已被他人修改（现在是第 2 版，您修改的是第 1 版）") ||
		!strings.Contains(body, "第二位编辑的编者按</textarea>") || !strings.Contains(body, `name="version" value="2"`) {
		t.Fatalf("a save on a stale version: %d (want 409 with the message and the editor's input kept)\n%s", code, body)
	}
	is, _ := f.store.FindIssueByID(context.Background(), month.ID)
	if is.EditorNote == "第二位编辑的编者按" || is.ArticleIDs[1] != month.ArticleIDs[0] {
		t.Fatal("the stale save overwrote the first")
	}
	// Saving the kept form again is a knowing overwrite.
	form.Set("version", "2")
	other.redirected(other.post(path, form))
	if is, _ := f.store.FindIssueByID(context.Background(), month.ID); is.EditorNote != "第二位编辑的编者按" {
		t.Fatalf("the second save after the conflict: %q", is.EditorNote)
	}
}

func TestUnpublishedArticleIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, month := bulletin(t, f)
	path := "/newsroom/issues/" + itoa(month.ID)
	drafts, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusDraft}, Limit: 1, NoBody: true})
	if err != nil || len(drafts) == 0 {
		t.Fatalf("a draft: %v", err)
	}
	draft := drafts[0]
	b := f.browser(t)
	b.login("guoting")
	_, page := b.get(path)
	if strings.Contains(page, `id="add-`+itoa(draft.ID)+`"`) {
		t.Fatal("a draft is offered for print")
	}
	form := b.issueForm(page, "add")
	form.Add("add", itoa(draft.ID)) // a form from before it was withdrawn, or a forged one
	form.Set("editor_note", "保留的编者按")
	code, _, body := b.post(path, form)
	if code != http.StatusBadRequest || !strings.Contains(body, "有 1 篇稿件不能付印：《"+html.EscapeString(draft.Title)+"》") ||
		!strings.Contains(body, "这篇稿件现在的状态是“草稿”") || !strings.Contains(body, "保留的编者按</textarea>") {
		t.Fatalf("adding a draft: %d\n%s", code, body)
	}
	if got := storedOrder(t, f, month.ID); len(got) != len(month.ArticleIDs) {
		t.Fatalf("the refused change was saved: %v", got)
	}
	// Nothing ticked: nothing to add.
	if code, _, body := b.post(path, b.issueForm(page, "add")); code != http.StatusBadRequest || !strings.Contains(body, "请先勾选要添加的稿件") {
		t.Fatalf("adding nothing: %d", code)
	}
}

func parseID(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func TestIssueOfNoPeriodical(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("guoting")
	_, page := b.get("/newsroom/periodicals")
	form := url.Values{"csrf": {b.csrf(page)}, "volume": {"2026"}, "number": {"1"}, "date": {"2026-01-01"}}
	if code, _, body := b.post("/newsroom/periodicals/9999/issues", form); code != http.StatusNotFound || !strings.Contains(body, "没有这份刊物") {
		t.Fatalf("an issue of no periodical: %d", code)
	}
	if code, _ := b.get("/newsroom/issues/9999"); code != http.StatusNotFound {
		t.Fatalf("no such issue: %d", code)
	}
}
