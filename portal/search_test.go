package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/workflow"
)

// newSearchFixture is the demo province with a built search index behind the
// portal.
func newSearchFixture(t *testing.T) (*fixture, *search.Service) {
	t.Helper()
	f := newFixture(t)
	svc := search.NewService(f.store, func() time.Time { return *f.clock }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := svc.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	f.portal.Search = svc
	return f, svc
}

// articleByTitle finds a demo article by the start of its title, in any state.
func articleByTitle(t *testing.T, f *fixture, prefix string) *herald.Article {
	t.Helper()
	as, _, err := f.store.FindArticles(context.Background(), herald.ArticleFilter{NoBody: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if strings.HasPrefix(a.Title, prefix) {
			return a
		}
	}
	t.Fatalf("no demo article titled %q…", prefix)
	return nil
}

var hitLink = regexp.MustCompile(`<h2(?: lang="[^"]*")?><a href="(?:/m)?/articles/(\d+)\.html">`)

// hits returns the IDs of the articles a results page lists, in order.
func hits(body string) []int64 {
	var ids []int64
	for _, m := range hitLink.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func searchURL(path string, params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return path + "?" + v.Encode()
}

func TestSearchFindsPublishedArticles(t *testing.T) {
	f, _ := newSearchFixture(t)
	a := articleByTitle(t, f, "国信公证处远程视频公证")
	r := get(t, f.portal, searchURL("/search", "q", "远程视频公证"))
	body := r.Body.String()
	if r.Code != http.StatusOK {
		t.Fatalf("status %d:\n%s", r.Code, body)
	}
	if ids := hits(body); !slices.Contains(ids, a.ID) {
		t.Fatalf("results %v lack article %d %q", ids, a.ID, a.Title)
	}
	for _, want := range []string{
		`<a href="/articles/` + strconv.FormatInt(a.ID, 10) + `.html">国信公证处<mark>远程视频公证</mark>让海外华侨`,
		`<p class="snippet">`, "找到约 ", " 条结果（用时 ", "秒）", `role="search"`, `<label for="search-q">`,
		`value="远程视频公证"`, ">公共法律服务</a>", ">石家庄市国信公证处</span>", `<meta name="robots" content="noindex, follow">`,
		`<title>“远程视频公证”的搜索结果 - `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the results page lacks %q", want)
		}
	}
	if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "private") || r.Header().Get("ETag") != "" {
		t.Errorf("Cache-Control %q, ETag %q: want a private response without validator", cc, r.Header().Get("ETag"))
	}
	if strings.Count(body, "<mark>") < 2 {
		t.Error("the snippet marks nothing")
	}

	// An English query finds the English seed article, marked within its title.
	seed := f.seedArticle(t)
	body = get(t, f.portal, searchURL("/search", "q", "training course", "lang", "en")).Body.String()
	if !slices.Contains(hits(body), seed.ID) || !strings.Contains(body, `<h2 lang="en">`) || !strings.Contains(body, "<mark>Training</mark> <mark>Course</mark>") {
		t.Errorf("an English search does not find or mark the seed article: %v", hits(body))
	}
}

func TestSearchNeverShowsUnpublished(t *testing.T) {
	f, _ := newSearchFixture(t)
	ctx := context.Background()
	unpublished, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{NoBody: true,
		Statuses: []herald.Status{herald.StatusDraft, herald.StatusSubmitted, herald.StatusApproved, herald.StatusRejected, herald.StatusScheduled, herald.StatusRetracted}})
	if err != nil || len(unpublished) < 5 {
		t.Fatalf("%d unpublished demo articles (%v)", len(unpublished), err)
	}
	for _, a := range unpublished {
		for _, path := range []string{"/search", "/m/search"} {
			r := get(t, f.portal, searchURL(path, "q", a.Title))
			body := r.Body.String()
			if r.Code != http.StatusOK {
				t.Fatalf("%s %q (%s): status %d", path, a.Title, a.Status, r.Code)
			}
			if slices.Contains(hits(body), a.ID) || strings.Contains(body, fmt.Sprintf("/articles/%d.html", a.ID)) {
				t.Errorf("%s finds %s article %d %q", path, a.Status, a.ID, a.Title)
			}
		}
	}
}

func TestSearchAfterRetraction(t *testing.T) {
	f, svc := newSearchFixture(t)
	ctx := context.Background()
	a := articleByTitle(t, f, "国信公证处远程视频公证")
	path := searchURL("/search", "q", "远程视频公证")
	if !slices.Contains(hits(get(t, f.portal, path).Body.String()), a.ID) {
		t.Fatal("not found before the retraction")
	}
	// Another query on the same path is not served from the page cache.
	if other := get(t, f.portal, searchURL("/search", "q", "法治沙滩")).Body.String(); slices.Contains(hits(other), a.ID) || len(hits(other)) == 0 {
		t.Fatalf("a second query shows %v: the first query's page was cached?", hits(other))
	}
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	wf := workflow.NewService(f.store, func() time.Time { return *f.clock })
	if _, err := wf.Do(ctx, chief[0], a.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿测试"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if ids := hits(get(t, f.portal, path).Body.String()); slices.Contains(ids, a.ID) {
		t.Errorf("the retracted article is still found: %v", ids)
	}
}

func TestSearchFilters(t *testing.T) {
	f, _ := newSearchFixture(t)
	ctx := context.Background()
	cols, _ := f.store.FindColumns(ctx)
	var grassroots *herald.Column
	for _, c := range cols {
		if c.Slug == "grassroots" {
			grassroots = c
		}
	}
	units, _, _ := f.store.FindUnits(ctx, herald.UnitFilter{})
	tree := herald.NewUnitTree(units)
	unitID := map[string]int64{}
	for _, u := range units {
		unitID[u.Code] = u.ID
	}
	xiong := articleByTitle(t, f, "回迁安置后兄妹分房起争执")  // grassroots, BD-XX
	zhengding := articleByTitle(t, f, "一堵院墙引发的纠纷") // grassroots, SJZ-ZD under SJZ
	day := xiong.PublishedAt.In(portal.CST).Format("2006-01-02")

	all := hits(get(t, f.portal, searchURL("/search", "q", "调解员")).Body.String())
	if len(all) < 3 {
		t.Fatalf("调解员 finds only %v", all)
	}
	for _, tt := range []struct {
		name   string
		params []string
		want   []int64 // must be among the results
		check  func(a *herald.Article) bool
	}{
		{"column by slug", []string{"column", "grassroots"}, []int64{xiong.ID, zhengding.ID},
			func(a *herald.Article) bool { return a.ColumnID == grassroots.ID }},
		{"column by ID", []string{"column", strconv.FormatInt(grassroots.ID, 10)}, []int64{xiong.ID},
			func(a *herald.Article) bool { return a.ColumnID == grassroots.ID }},
		{"one day", []string{"from", day, "to", day}, []int64{xiong.ID},
			func(a *herald.Article) bool { return a.PublishedAt.In(portal.CST).Format("2006-01-02") == day }},
		{"from a day on", []string{"from", day}, []int64{xiong.ID},
			func(a *herald.Article) bool { return a.PublishedAt.In(portal.CST).Format("2006-01-02") >= day }},
		{"until a day", []string{"to", day}, []int64{xiong.ID, zhengding.ID},
			func(a *herald.Article) bool { return a.PublishedAt.In(portal.CST).Format("2006-01-02") <= day }},
		{"unit subtree by code", []string{"unit", "sjz"}, []int64{zhengding.ID},
			func(a *herald.Article) bool { return tree.Within(a.UnitID, unitID["SJZ"]) }},
		{"unit by ID", []string{"unit", strconv.FormatInt(unitID["BD"], 10)}, []int64{xiong.ID},
			func(a *herald.Article) bool { return tree.Within(a.UnitID, unitID["BD"]) }},
		{"by date", []string{"sort", "date"}, nil, func(*herald.Article) bool { return true }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, f.portal, searchURL("/search", append([]string{"q", "调解员"}, tt.params...)...))
			ids := hits(r.Body.String())
			if r.Code != http.StatusOK || len(ids) == 0 {
				t.Fatalf("status %d, results %v", r.Code, ids)
			}
			for _, id := range tt.want {
				if !slices.Contains(ids, id) {
					t.Errorf("results %v lack %d", ids, id)
				}
			}
			var prev time.Time
			for i, id := range ids {
				a, err := f.store.FindArticleByID(ctx, id)
				if err != nil || !tt.check(a) {
					t.Errorf("result %d %q does not pass the filter", id, a.Title)
				}
				if tt.params[0] == "sort" && i > 0 && a.PublishedAt.After(prev) {
					t.Errorf("sorted by date, %d comes after an older article", id)
				}
				prev = *a.PublishedAt
			}
			if len(ids) >= len(all) && tt.params[0] != "sort" && tt.params[0] != "to" {
				t.Errorf("the filter keeps all %d results", len(ids))
			}
		})
	}
	// The form shows the filters it applied.
	body := get(t, f.portal, searchURL("/search", "q", "调解员", "column", strconv.FormatInt(grassroots.ID, 10), "unit", "sjz-zd")).Body.String()
	for _, want := range []string{`<option value="grassroots" selected>`, `<option value="SJZ-ZD" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	f, _ := newSearchFixture(t)
	first := get(t, f.portal, searchURL("/search", "q", "司法")).Body.String()
	ids1 := hits(first)
	if len(ids1) != portal.SearchPageSize || !strings.Contains(first, `rel="next"`) || strings.Contains(first, `rel="prev"`) {
		t.Fatalf("page 1: %d results, pager %v/%v", len(ids1), strings.Contains(first, `rel="next"`), strings.Contains(first, `rel="prev"`))
	}
	if !strings.Contains(first, `<span aria-current="page">1</span>`) || !strings.Contains(first, `href="/search?page=2&amp;q=%E5%8F%B8%E6%B3%95"`) {
		t.Error("the pager lacks the current page or a link to page 2")
	}
	second := get(t, f.portal, searchURL("/search", "q", "司法", "page", "2")).Body.String()
	ids2 := hits(second)
	if len(ids2) == 0 || !strings.Contains(second, `rel="prev"`) {
		t.Fatalf("page 2: %v", ids2)
	}
	for _, id := range ids2 {
		if slices.Contains(ids1, id) {
			t.Errorf("article %d is on pages 1 and 2", id)
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	f, _ := newSearchFixture(t)
	long := strings.Repeat("法", search.MaxQueryRunes+1)
	for _, tt := range []struct {
		query, field string
	}{
		{"q=%ff", "搜索词"},
		{"q=%E5%8F", "搜索词"}, // half a character
		{"q=%zz", "搜索词"},
		{"q=" + url.QueryEscape(long), "搜索词"},
		{"q=" + strings.Repeat("%E6%B3%95", 5000), "搜索词"}, // past any sane query string
		{"q=司法&from=2026-13-01", "开始日期"},
		{"q=司法&from=yesterday", "开始日期"},
		{"q=司法&to=2026-02-30", "结束日期"},
		{"q=司法&from=2026-10-02&to=2026-10-01", "结束日期"},
		{"q=司法&to=%ff", "结束日期"},
		{"q=司法&page=0", "页码"},
		{"q=司法&page=abc", "页码"},
		{"q=司法&page=-1", "页码"},
		{"q=司法&page=99999999999999999999", "页码"},
		{"q=司法&page=" + strconv.Itoa(portal.MaxSearchPage+1), "页码"},
		{"q=远程视频公证&page=2", "页码"}, // one page of results only
		{"q=司法&column=nowhere", "栏目"},
		{"q=司法&column=999999", "栏目"},
		{"q=司法&theme=nowhere", "专题"},
		{"q=司法&unit=NOWHERE", "单位"},
		{"q=司法&unit=%ff", "单位"},
		{"q=司法&lang=fr", "语言"},
		{"q=司法&sort=random", "排序"},
		{"page=0", "页码"}, // without a query too
	} {
		for _, path := range []string{"/search", "/m/search"} {
			r := get(t, f.portal, path+"?"+tt.query)
			body := r.Body.String()
			if r.Code != http.StatusBadRequest {
				t.Errorf("%s?%.60s: status %d, want 400", path, tt.query, r.Code)
				continue
			}
			if !strings.Contains(body, "<strong>"+tt.field+"</strong>：") || !strings.Contains(body, `role="alert"`) {
				t.Errorf("%s?%.60s: the 400 page does not name %s", path, tt.query, tt.field)
			}
			if !strings.Contains(body, `role="search"`) || !strings.Contains(body, "返回首页") {
				t.Errorf("%s?%.60s: the 400 page offers no way on", path, tt.query)
			}
			if cc := r.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s?%.60s: Cache-Control %q", path, tt.query, cc)
			}
		}
	}
	// Parameters that are not the search's are none of its business.
	if r := get(t, f.portal, "/search?q=%E5%8F%B8%E6%B3%95&utm_source=%ff&x=%zz"); r.Code != http.StatusOK {
		t.Errorf("foreign parameters: status %d", r.Code)
	}
	if r := get(t, f.portal, "/search"); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "请输入要搜索的词语") {
		t.Errorf("no query: status %d", r.Code)
	}
}

func TestSearchEmptyResultsHelp(t *testing.T) {
	f, svc := newSearchFixture(t)
	ctx := context.Background()
	total := func(q string) int {
		res, err := svc.Search(ctx, search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	// Each word alone finds something, together nothing.
	body := get(t, f.portal, searchURL("/search", "q", "远程视频公证 法治沙滩")).Body.String()
	if len(hits(body)) != 0 {
		t.Fatalf("two unrelated words find %v", hits(body))
	}
	for _, want := range []string{
		"分别搜索：",
		fmt.Sprintf(`<a href="/search?q=%s">远程视频公证（%d）</a>`, url.QueryEscape("远程视频公证"), total("远程视频公证")),
		fmt.Sprintf(`<a href="/search?q=%s">法治沙滩（%d）</a>`, url.QueryEscape("法治沙滩"), total("法治沙滩")),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty page lacks %q", want)
		}
	}
	// Found, but not under the filters: say how many without them.
	body = get(t, f.portal, searchURL("/search", "q", "远程视频公证", "column", "headlines", "sort", "date")).Body.String()
	if !strings.Contains(body, fmt.Sprintf("去掉筛选条件后有 %d 条结果", total("远程视频公证"))) ||
		!strings.Contains(body, `href="/search?q=`+url.QueryEscape("远程视频公证")+`&amp;sort=date"`) {
		t.Error("the filtered-out results are not offered")
	}
	// Nothing at all: advice, the latest articles and the columns.
	newest, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1, NoBody: true})
	body = get(t, f.portal, searchURL("/search", "q", "zzqqxxy")).Body.String()
	for _, want := range []string{"没有找到与“zzqqxxy”相符的内容", "请检查输入的字词是否有误", newest[0].Title, `href="/columns/headlines/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty page lacks %q", want)
		}
	}
}

func TestSearchPhonePage(t *testing.T) {
	f, _ := newSearchFixture(t)
	a := articleByTitle(t, f, "国信公证处远程视频公证")
	r := get(t, f.portal, searchURL("/m/search", "q", "远程视频公证"))
	body := r.Body.String()
	if r.Code != http.StatusOK {
		t.Fatalf("status %d", r.Code)
	}
	for _, want := range []string{
		`<body class="phone">`, fmt.Sprintf(`<a href="/m/articles/%d.html">`, a.ID), `action="/m/search"`, `data-prefix="/m"`,
		`href="/search?q=%E8%BF%9C%E7%A8%8B%E8%A7%86%E9%A2%91%E5%85%AC%E8%AF%81">电脑版</a>`, "<mark>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the phone results page lacks %q", want)
		}
	}
	if strings.Contains(body, `<nav class="columns"`) {
		t.Error("the phone page shows the desktop column bar")
	}
	head := httptest.NewRecorder()
	f.portal.ServeHTTP(head, httptest.NewRequest(http.MethodHead, "/m/search?q=%E5%8F%B8%E6%B3%95", nil))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD of the phone search: %d, %d bytes", head.Code, head.Body.Len())
	}
}

func TestSearchBoxInEveryHeader(t *testing.T) {
	f, _ := newSearchFixture(t)
	a := f.seedArticle(t)
	for path, action := range map[string]string{"/": "/search", herald.ArticlePath(a.ID): "/search", "/m/": "/m/search",
		"/m" + herald.ArticlePath(a.ID): "/m/search", "/columns/headlines/": "/search", "/tips/": "/search", "/nowhere": "/search"} {
		body := get(t, f.portal, path).Body.String()
		if !regexp.MustCompile(`<form class="site-search" role="search" aria-label="[^"]+" action="`+action+`" method="get">`).MatchString(body) ||
			!strings.Contains(body, `<input id="site-q" type="search" name="q"`) || !strings.Contains(body, `<label for="site-q"`) {
			t.Errorf("%s: no header search box sending to %s", path, action)
		}
		js := regexp.MustCompile(`<script src="(/static/search\.[0-9a-f]+\.js)" defer>`).FindStringSubmatch(body)
		if js == nil {
			t.Errorf("%s: search.js is not loaded", path)
		} else if r := get(t, f.portal, js[1]); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "aria-activedescendant") {
			t.Errorf("%s: %s: %d", path, js[1], r.Code)
		}
	}
	// An exported page has no /search beside it: its box goes to the dynamic site.
	page, err := f.portal.Render(context.Background(), "/", true)
	if err != nil {
		t.Fatal(err)
	}
	if body := string(page.Body); !strings.Contains(body, `action="`+base+`/search"`) || !strings.Contains(body, `data-suggest="`+base+`/api/v1/search/suggest"`) {
		t.Error("the exported home page's search box does not point at the dynamic site")
	}
	// Without a search service there is no box and no search page.
	f.portal.Search = nil
	f.portal.Invalidate()
	if body := get(t, f.portal, "/").Body.String(); strings.Contains(body, "site-search") {
		t.Error("a portal without search shows a search box")
	}
	if r := get(t, f.portal, "/search?q=x"); r.Code != http.StatusNotFound {
		t.Errorf("/search without a search service: %d", r.Code)
	}
	if robots := get(t, f.portal, "/robots.txt").Body.String(); !strings.Contains(robots, "Disallow: /search") {
		t.Errorf("robots.txt lets crawlers into the search pages:\n%s", robots)
	}
}

func TestSearchWhileIndexBuilds(t *testing.T) {
	f := newFixture(t)
	f.portal.Search = search.NewService(f.store, func() time.Time { return *f.clock }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r := get(t, f.portal, searchURL("/search", "q", "司法"))
	if r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "搜索索引正在建立中") {
		t.Errorf("status %d; the page does not say the index is being built", r.Code)
	}
}

func TestSearchEscapesTitles(t *testing.T) {
	f, svc := newSearchFixture(t)
	ctx := context.Background()
	editors, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	cols, _ := f.store.FindColumns(ctx)
	at := now.Add(-time.Hour)
	a := &herald.Article{ArticleContent: herald.ArticleContent{Title: `<img src=x onerror=alert(1)>鹦鹉螺测试 & "引号"`,
		Body: "<p>鹦鹉螺<script>alert(2)</script>正文</p>", Language: "zh-CN", ColumnID: cols[0].ID, EditorID: editors[0].ID},
		UnitID: editors[0].UnitID, Status: herald.StatusPublished, CreatedBy: editors[0].ID, PublishedAt: &at}
	if err := f.store.CreateArticle(ctx, a, herald.Event{At: at, ActorID: editors[0].ID}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	body := get(t, f.portal, searchURL("/search", "q", "鹦鹉螺")).Body.String()
	if !slices.Contains(hits(body), a.ID) {
		t.Fatalf("the article is not found: %v", hits(body))
	}
	if strings.Contains(body, "<img src=x") || strings.Contains(body, "<script>alert") {
		t.Fatal("markup from a title or body reaches the results page unescaped")
	}
	if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;<mark>鹦鹉螺</mark>测试 &amp; &#34;引号&#34;</a>") {
		t.Error("the title is not shown escaped with its match marked")
	}
}
