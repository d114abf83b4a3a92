package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/api"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
)

// searchWorld is the articles the search tests look for.
type searchWorld struct {
	pubCity, pubCounty, pubEn, escaped *herald.Article
	draftCity, draftCounty             *herald.Article
}

// seedSearch adds articles to ts's store and builds the search index.
func seedSearch(tb testing.TB, ts *testServer) *searchWorld {
	tb.Helper()
	ctx := context.Background()
	w := ts.world
	add := func(col *herald.Column, unit *herald.Unit, by *herald.Staff, status herald.Status, published time.Duration, title, body, lang string) *herald.Article {
		tb.Helper()
		c := storetest.Content(col, title)
		c.Body, c.Language = body, lang
		if unit == w.City {
			c.ThemeIDs = []int64{w.Theme.ID}
		}
		a := &herald.Article{ArticleContent: c, UnitID: unit.ID, Status: status, CreatedBy: by.ID}
		if status == herald.StatusPublished {
			at := ts.now.Add(-published)
			a.PublishedAt = &at
		}
		if err := ts.store.CreateArticle(ctx, a, herald.Event{At: ts.now, ActorID: by.ID}); err != nil {
			tb.Fatal(err)
		}
		return a
	}
	const day = 24 * time.Hour
	sw := &searchWorld{
		// T0 is 16:00 in China: published on 2026-11-23 and 2026-10-16 there
		pubCity: add(w.News, w.City, w.Writer, herald.StatusPublished, 2*day, "石家庄市举办民法典宣传月活动",
			"<p>活动现场发放民法典宣传资料3000余份，群众踊跃咨询。</p>", "zh-CN"),
		pubCounty: add(w.Local, w.County, w.CountyWriter, herald.StatusPublished, 40*day, "正定县开展法律援助进乡村活动",
			"<p>法律援助律师深入乡村，为群众答疑解惑。</p>", "zh-CN"),
		pubEn: add(w.News, w.Dept, w.Editor, herald.StatusPublished, 3*day, "Legal aid reaches villages",
			"<p>Lawyers from the legal aid center visited villages.</p>", "en"),
		escaped: add(w.News, w.City, w.Writer, herald.StatusPublished, time.Hour, `A&B <法治> "周"`,
			"<p>法治宣传 &lt;b&gt;不是标签&lt;/b&gt; 的说明。</p>", "zh-CN"),
		draftCity: add(w.News, w.City, w.Writer, herald.StatusDraft, 0, "民法典宣传草稿（市）",
			"<p>民法典草稿正文。</p>", "zh-CN"),
		draftCounty: add(w.Local, w.County, w.CountyWriter, herald.StatusDraft, 0, "民法典宣传草稿（县）",
			"<p>民法典草稿正文。</p>", "zh-CN"),
	}
	if _, err := ts.search.Build(ctx, nil); err != nil {
		tb.Fatal(err)
	}
	return sw
}

// searchIDs searches and returns the IDs found, in order.
func searchIDs(t *testing.T, c *client, query string) ([]int64, api.SearchResponse) {
	t.Helper()
	var res api.SearchResponse
	c.do("GET", "/api/v1/search?"+query, nil).must(t, 200).decode(t, &res)
	ids := []int64{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids, res
}

func sameIDs(got []int64, want ...*herald.Article) bool {
	ids := []int64{}
	for _, a := range want {
		ids = append(ids, a.ID)
	}
	g := slices.Clone(got)
	slices.Sort(g)
	slices.Sort(ids)
	return slices.Equal(g, ids)
}

func TestSearchFindsPublishedArticlesForAnyone(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		sw := seedSearch(t, ts)
		anon := &client{t: t, base: ts.url}

		r := anon.do("GET", "/api/v1/search?q="+url.QueryEscape("民法典"), nil).must(t, 200)
		var res api.SearchResponse
		r.decode(t, &res)
		if len(res.Hits) != 1 || res.Total != 1 || res.Hits[0].ID != sw.pubCity.ID {
			t.Fatalf("anonymous 民法典: %s", r.body)
		}
		h := res.Hits[0]
		if !strings.Contains(h.SnippetHTML, "<mark>民法典</mark>") || h.TitleHTML != "石家庄市举办<mark>民法典</mark>宣传月活动" {
			t.Errorf("title_html %q, snippet_html %q", h.TitleHTML, h.SnippetHTML)
		}
		if h.URL == nil || *h.URL != fmt.Sprintf("/articles/%d.html", sw.pubCity.ID) || h.Status != herald.StatusPublished ||
			h.UnitID != ts.world.City.ID || h.ColumnID != ts.world.News.ID || h.Language != "zh-CN" || h.PublishedAt == nil || h.Score <= 0 {
			t.Errorf("hit = %+v", h)
		}
		if !slices.ContainsFunc(h.Snippet, func(sp api.SearchSpan) bool { return sp.Mark && sp.Text == "民法典" }) {
			t.Errorf("snippet spans %+v have no marked 民法典", h.Snippet)
		}
		if res.Limit != 10 || res.Offset != 0 || res.Building || res.Partial == nil {
			t.Errorf("page = %+v", res)
		}
		if cc := r.header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("Cache-Control = %q", cc)
		}
		if !strings.Contains(string(r.body), `"url":"/articles/`) || !strings.Contains(string(r.body), `"snippet":[{"text":`) {
			t.Errorf("body %s", r.body)
		}

		t.Run("text is escaped, matches marked", func(t *testing.T) {
			_, res := searchIDs(t, anon, "q="+url.QueryEscape("法治"))
			if len(res.Hits) != 1 {
				t.Fatalf("法治: %+v", res)
			}
			h := res.Hits[0]
			if h.TitleHTML != `A&amp;B &lt;<mark>法治</mark>&gt; &#34;周&#34;` {
				t.Errorf("title_html = %q", h.TitleHTML)
			}
			if !strings.Contains(h.SnippetHTML, "<mark>法治</mark>宣传 &lt;b&gt;不是标签&lt;/b&gt;") {
				t.Errorf("snippet_html = %q", h.SnippetHTML)
			}
		})

		t.Run("filters", func(t *testing.T) {
			w := ts.world
			cases := []struct {
				query string
				want  []*herald.Article
			}{
				{"q=活动", []*herald.Article{sw.pubCity, sw.pubCounty}},
				{fmt.Sprintf("q=活动&unit=%d", w.City.ID), []*herald.Article{sw.pubCity, sw.pubCounty}}, // the county is the city's
				{fmt.Sprintf("q=活动&unit=%d", w.County.ID), []*herald.Article{sw.pubCounty}},
				{fmt.Sprintf("q=活动&column=%d", w.Local.ID), []*herald.Article{sw.pubCounty}},
				{fmt.Sprintf("q=活动&theme=%d", w.Theme.ID), []*herald.Article{sw.pubCity}},
				{"q=legal&lang=en", []*herald.Article{sw.pubEn}},
				{"q=legal&lang=EN-us", nil},
				{"q=活动&lang=zh", []*herald.Article{sw.pubCity, sw.pubCounty}},
				{"q=活动&from=2026-11-23&to=2026-11-23", []*herald.Article{sw.pubCity}}, // to is inclusive
				{"q=活动&to=2026-11-22", []*herald.Article{sw.pubCounty}},
				{"q=活动&from=2026-11-24", nil},
				{"q=活动&to=" + url.QueryEscape("2026-11-23T16:00:00+08:00"), []*herald.Article{sw.pubCity, sw.pubCounty}}, // to its second
				{"q=活动&to=2026-11-23T07:59:59Z", []*herald.Article{sw.pubCounty}},
				{"q=" + url.QueryEscape(`"((* OR`), nil},
				{"q=" + url.QueryEscape("活动 -乡村"), []*herald.Article{sw.pubCity}},
				{"q=" + url.QueryEscape("民法典 OR 乡村"), []*herald.Article{sw.pubCity, sw.pubCounty}},
				{"q=" + url.QueryEscape("ＬＥＧＡＬ　ａｉｄ"), []*herald.Article{sw.pubEn}},
				{"q=活动&status=published", []*herald.Article{sw.pubCity, sw.pubCounty}},
			}
			for _, c := range cases {
				if got, _ := searchIDs(t, anon, c.query); !sameIDs(got, c.want...) {
					t.Errorf("%s: got %v, want %v", c.query, got, c.want)
				}
			}
		})

		t.Run("paging and sorting", func(t *testing.T) {
			got, res := searchIDs(t, anon, "q=活动&sort=date&limit=1")
			if res.Total != 2 || res.Limit != 1 || !slices.Equal(got, []int64{sw.pubCity.ID}) {
				t.Fatalf("first page: %v %+v", got, res)
			}
			got, res = searchIDs(t, anon, "q=活动&sort=date&limit=1&offset=1")
			if res.Total != 2 || res.Offset != 1 || !slices.Equal(got, []int64{sw.pubCounty.ID}) {
				t.Fatalf("second page: %v %+v", got, res)
			}
		})

		t.Run("says what found nothing", func(t *testing.T) {
			_, res := searchIDs(t, anon, "q="+url.QueryEscape("民法典 乡村"))
			if res.Total != 0 || len(res.Partial) != 2 || res.Partial[0] != (api.SearchPartial{Text: "民法典", Total: 1}) {
				t.Errorf("partial = %+v", res.Partial)
			}
			_, res = searchIDs(t, anon, fmt.Sprintf("q=民法典&column=%d", ts.world.Local.ID))
			if res.Total != 0 || res.Unfiltered != 1 {
				t.Errorf("unfiltered = %d, want 1", res.Unfiltered)
			}
		})
	})
}

func TestSearchFindsDraftsOnlyInTheTokensScope(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		sw := seedSearch(t, ts)
		w := ts.world
		anon := &client{t: t, base: ts.url}
		q := "q=" + url.QueryEscape("民法典")
		cases := []struct {
			who   string
			c     *client
			query string
			want  []*herald.Article
		}{
			{"anonymous", anon, q, []*herald.Article{sw.pubCity}},
			{"city writer", ts.as(t, w.Writer), q, []*herald.Article{sw.pubCity, sw.draftCity, sw.draftCounty}},
			{"county writer", ts.as(t, w.CountyWriter), q, []*herald.Article{sw.pubCity, sw.draftCounty}},
			{"center editor: the department", ts.as(t, w.Editor), q, []*herald.Article{sw.pubCity, sw.draftCity, sw.draftCounty}},
			{"viewer at the department", ts.as(t, w.Viewer), q, []*herald.Article{sw.pubCity, sw.draftCity, sw.draftCounty}},
			{"city writer, drafts only", ts.as(t, w.Writer), q + "&status=draft", []*herald.Article{sw.draftCity, sw.draftCounty}},
			{"county writer, drafts only", ts.as(t, w.CountyWriter), q + "&status=draft,submitted", []*herald.Article{sw.draftCounty}},
			{"city writer, published only", ts.as(t, w.Writer), q + "&status=published", []*herald.Article{sw.pubCity}},
			{"editor, in the county", ts.as(t, w.Editor), q + fmt.Sprintf("&unit=%d", w.County.ID), []*herald.Article{sw.draftCounty}},
		}
		for _, c := range cases {
			r := c.c.do("GET", "/api/v1/search?"+c.query, nil).must(t, 200)
			var res api.SearchResponse
			r.decode(t, &res)
			var got []int64
			for _, h := range res.Hits {
				got = append(got, h.ID)
				if h.Status != herald.StatusPublished && h.URL != nil {
					t.Errorf("%s: unpublished %d has url %q", c.who, h.ID, *h.URL)
				}
			}
			if !sameIDs(got, c.want...) {
				t.Errorf("%s (%s): got %v, want %v", c.who, c.query, got, c.want)
			}
			wantCache := "private, no-store"
			if c.c == anon {
				wantCache = "public, max-age=60"
			}
			if cc := r.header.Get("Cache-Control"); cc != wantCache || r.header.Get("Vary") != "Authorization" {
				t.Errorf("%s: Cache-Control %q, Vary %q", c.who, cc, r.header.Get("Vary"))
			}
		}

		// Without a token, asking for drafts is refused, not answered with less.
		wantField(t, anon.do("GET", "/api/v1/search?"+q+"&status=draft", nil), "status")
		wantField(t, anon.do("GET", "/api/v1/search?"+q+"&status=published,retracted", nil), "status")
		// A token that is sent must be good: it is never quietly ignored.
		bad := &client{t: t, base: ts.url, token: "hrd_notatoken"}
		r := bad.do("GET", "/api/v1/search?"+q, nil).must(t, 401)
		if r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
	})
}

func TestSuggestReturnsPublishedTitles(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		sw := seedSearch(t, ts)
		anon := &client{t: t, base: ts.url}
		r := anon.do("GET", "/api/v1/search/suggest?q="+url.QueryEscape("民法"), nil).must(t, 200)
		var res api.SuggestResponse
		r.decode(t, &res)
		want := []api.Suggestion{{ID: sw.pubCity.ID, Title: sw.pubCity.Title, URL: fmt.Sprintf("/articles/%d.html", sw.pubCity.ID)}}
		if !slices.Equal(res.Suggestions, want) {
			t.Errorf("suggestions = %+v, want %+v (drafts never)", res.Suggestions, want)
		}
		if cc := r.header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("Cache-Control = %q", cc)
		}
		anon.do("GET", "/api/v1/search/suggest?q=%E6%B4%BB%E5%8A%A8&limit=1", nil).must(t, 200).decode(t, &res) // 活动
		if len(res.Suggestions) != 1 {
			t.Errorf("limit=1: %+v", res.Suggestions)
		}
		anon.do("GET", "/api/v1/search/suggest?q=leg&lang=zh", nil).must(t, 200).decode(t, &res)
		if len(res.Suggestions) != 0 {
			t.Errorf("lang=zh found English titles: %+v", res.Suggestions)
		}
		r = anon.do("GET", "/api/v1/search/suggest?q=", nil).must(t, 200)
		if string(r.body) != `{"suggestions":[]}`+"\n" {
			t.Errorf("empty q: %s", r.body)
		}
	})
}

// wantField fails unless r is a 400 problem naming field.
func wantField(t *testing.T, r response, field string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Errorf("status %d, want 400 naming %s: %.300s", r.status, field, r.body)
		return
	}
	if err := problemNames(r.header, r.body, field); err != nil {
		t.Error(err)
	}
}

// problemNames checks that body is a problem document naming field.
func problemNames(h http.Header, body []byte, field string) error {
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("Content-Type %q, want application/problem+json: %.300s", ct, body)
	}
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("problem %q: %v", body, err)
	}
	if p.Code != herald.EINVALID || p.Status != 400 || p.Detail == "" {
		return fmt.Errorf("problem = %+v", p)
	}
	for _, f := range p.Errors {
		if f.Field == field && f.Message != "" {
			return nil
		}
	}
	return fmt.Errorf("problem %s does not name %s", body, field)
}

func TestSearchRefusesBadInputNamingTheField(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		seedSearch(t, ts)
		w := ts.world
		anon := &client{t: t, base: ts.url}
		writer := ts.as(t, w.Writer)
		long := url.QueryEscape(strings.Repeat("法", 201))
		cases := []struct {
			c             *client
			path, field   string
			alsoNamesThis string
		}{
			{anon, "/api/v1/search", "q", ""},
			{anon, "/api/v1/search?q=", "q", ""},
			{anon, "/api/v1/search?q=%20%E3%80%80%09", "q", ""}, // spaces, an ideographic one, a tab
			{anon, "/api/v1/search?q=" + long, "q", ""},
			{anon, "/api/v1/search?q=%FF%FE", "q", ""},
			{anon, "/api/v1/search?q=a%00b", "q", ""},
			{anon, "/api/v1/search?q=%1F", "q", ""},
			{anon, "/api/v1/search?q=%C2%85", "q", ""}, // a C1 control
			{anon, "/api/v1/search?q=50%", "q", ""},    // not URL-encoded
			{anon, "/api/v1/search?q=a;b", "q", ""},
			{anon, "/api/v1/search?q=x&limit=0", "limit", ""},
			{anon, "/api/v1/search?q=x&limit=51", "limit", ""},
			{anon, "/api/v1/search?q=x&limit=ten", "limit", ""},
			{anon, "/api/v1/search?q=x&offset=-1", "offset", ""},
			{anon, "/api/v1/search?q=x&offset=1001", "offset", ""},
			{anon, "/api/v1/search?q=x&sort=best", "sort", ""},
			{anon, "/api/v1/search?q=x&from=yesterday", "from", ""},
			{anon, "/api/v1/search?q=x&from=2026-02-30", "from", ""},
			{anon, "/api/v1/search?q=x&to=2026-13-01", "to", ""},
			{anon, "/api/v1/search?q=x&to=2026-06-01T25:00:00Z", "to", ""},
			{anon, "/api/v1/search?q=x&from=2026-06-02&to=2026-06-01", "to", ""},
			{anon, "/api/v1/search?q=x&column=abc", "column", ""},
			{anon, "/api/v1/search?q=x&column=0", "column", ""},
			{anon, "/api/v1/search?q=x&column=99999", "column", ""},
			{anon, "/api/v1/search?q=x&theme=-1", "theme", ""},
			{anon, "/api/v1/search?q=x&theme=99999", "theme", ""},
			{anon, "/api/v1/search?q=x&unit=99999999999999999999", "unit", ""},
			{anon, "/api/v1/search?q=x&unit=99999", "unit", ""},
			{anon, "/api/v1/search?q=x&lang=%E4%B8%AD%E6%96%87", "lang", ""},
			{anon, "/api/v1/search?q=x&lang=e", "lang", ""},
			{anon, "/api/v1/search?q=x&status=bogus", "status", ""},
			{anon, "/api/v1/search?q=x&status=draft", "status", ""},
			{writer, "/api/v1/search?q=x&status=draft,bogus", "status", ""},
			{anon, "/api/v1/search?q=&limit=0&sort=x", "q", "limit"}, // every field at once
			{anon, "/api/v1/search/suggest?q=%FF", "q", ""},
			{anon, "/api/v1/search/suggest?q=" + long, "q", ""},
			{anon, "/api/v1/search/suggest?q=%07", "q", ""},
			{anon, "/api/v1/search/suggest?q=x&lang=__", "lang", ""},
			{anon, "/api/v1/search/suggest?q=x&limit=11", "limit", ""},
			{anon, "/api/v1/search/suggest?q=x&limit=0", "limit", ""},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%.70s", c.path), func(t *testing.T) {
				cl := *c.c
				cl.t = t
				r := cl.do("GET", c.path, nil)
				wantField(t, r, c.field)
				if c.alsoNamesThis != "" {
					wantField(t, r, c.alsoNamesThis)
				}
			})
		}
		// Operator soup is not an error: it finds what its words find.
		for _, q := range []string{`"((* OR`, "OR OR", "司法 -", `"`, "-", "*", ")(", "“法治", "「」", "a\tb\nc", "OR 活动 OR"} {
			anon.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil).must(t, 200)
		}
	})
}

func TestSearchWithoutAnIndexIsUnavailable(t *testing.T) {
	srv := httptest.NewServer((&api.Server{}).Handler())
	defer srv.Close()
	for _, path := range []string{"/api/v1/search?q=x", "/api/v1/search/suggest?q=x"} {
		c := &client{t: t, base: srv.URL}
		r := c.do("GET", path, nil).must(t, http.StatusServiceUnavailable)
		var p api.Problem
		r.decode(t, &p)
		if p.Code != "unavailable" || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %s", path, r.body)
		}
	}
}

// FuzzSearchAPI sends arbitrary search text through the API's handler, with
// and without a token and to the suggestions: the answer is a 200 whose HTML
// holds nothing but escaped text and marks, or a 400 problem naming q; never
// a 500 or a panic.
func FuzzSearchAPI(f *testing.F) {
	for _, q := range []string{
		"", strings.Repeat("司法", 2500), `"((* OR`, "\x00\x1f", "\xff\xfe", "司法 -", "OR OR",
		"ＡＰＰ上线　Ｔｒａｉｎｉｎｇｓ：Ｃａｆé，ﬁle", "民法典", "活动 -乡村", `"法律援助`, "<mark>法治</mark>",
		"&amp; 法治 &lt;", strings.Repeat("法", 200), strings.Repeat("法", 201), "a\tb", "\u200b\u202e法",
	} {
		f.Add(q)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	ts := newServer(f, s)
	seedSearch(f, ts)
	token, _, err := auth.NewService(s, nil).IssueToken(context.Background(), ts.world.Editor, "fuzz", 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, target := range []struct{ path, token string }{
			{"/api/v1/search", ""}, {"/api/v1/search", token}, {"/api/v1/search/suggest", ""},
		} {
			req := httptest.NewRequest("GET", target.path+"?q="+url.QueryEscape(q), nil)
			if target.token != "" {
				req.Header.Set("Authorization", "Bearer "+target.token)
			}
			rec := httptest.NewRecorder()
			ts.handler.ServeHTTP(rec, req)
			body := rec.Body.Bytes()
			switch rec.Code {
			case http.StatusOK:
				if target.path == "/api/v1/search/suggest" {
					var res api.SuggestResponse
					if err := json.Unmarshal(body, &res); err != nil || res.Suggestions == nil {
						t.Fatalf("suggest %q: %v: %.300s", q, err, body)
					}
					continue
				}
				var res api.SearchResponse
				if err := json.Unmarshal(body, &res); err != nil || res.Hits == nil || res.Partial == nil {
					t.Fatalf("search %q: %v: %.300s", q, err, body)
				}
				for _, h := range res.Hits {
					checkMarkedHTML(t, q, h.TitleHTML, nil)
					checkMarkedHTML(t, q, h.SnippetHTML, h.Snippet)
				}
			case http.StatusBadRequest:
				if err := problemNames(rec.Header(), body, "q"); err != nil {
					t.Fatalf("%s %q: %v", target.path, q, err)
				}
			default:
				t.Fatalf("%s %q: status %d: %.300s", target.path, q, rec.Code, body)
			}
		}
	})
}

// checkMarkedHTML fails unless s is escaped text with <mark> elements only,
// and, given spans, says what they say.
func checkMarkedHTML(t *testing.T, q, s string, spans []api.SearchSpan) {
	t.Helper()
	bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	if strings.ContainsAny(bare, "<>\"'") {
		t.Fatalf("%q: HTML %q holds more than escaped text and marks", q, s)
	}
	if spans == nil {
		return
	}
	var text, marked strings.Builder
	for _, sp := range spans {
		text.WriteString(sp.Text)
		if sp.Mark {
			marked.WriteString("<mark>" + html.EscapeString(sp.Text) + "</mark>")
		} else {
			marked.WriteString(html.EscapeString(sp.Text))
		}
	}
	if html.UnescapeString(bare) != text.String() || marked.String() != s {
		t.Fatalf("%q: snippet_html %q does not match its spans %+v", q, s, spans)
	}
}
