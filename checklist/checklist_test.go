package checklist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// good returns content that passes every check.
func good() herald.ArticleContent {
	return herald.ArticleContent{
		Title:      "全省司法行政工作会议在省城召开",
		Summary:    "会议总结了去年工作，部署了今年任务。",
		Body:       `<p>会议指出，要<b>深入</b>推进法治建设。</p><p><img src="/media/1.jpg" alt="会场"></p><p><a href="/news/1">相关报道</a></p>`,
		CoverImage: "/media/cover.jpg",
		Source:     "省司法厅",
		Language:   "zh-CN",
		ColumnID:   1,
		EditorID:   7,
		ThemeIDs:   []int64{3},
	}
}

// allRequired turns every rule on as required.
func allRequired() Policy {
	p := Policy{}
	for _, r := range Rules {
		p[r] = Required
	}
	return p
}

func okLinks(context.Context, string) error { return nil }

func item(t *testing.T, rep Report, r Rule) Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.Rule == r {
			return it
		}
	}
	t.Fatalf("no item for %s in %+v", r, rep.Items)
	return Item{}
}

func TestGoodPasses(t *testing.T) {
	rep := Check(context.Background(), good(), allRequired(), CommonWords(), okLinks)
	if len(rep.Items) != len(Rules) {
		t.Fatalf("items = %d, want %d", len(rep.Items), len(Rules))
	}
	for i, it := range rep.Items {
		if it.Rule != Rules[i] {
			t.Errorf("item %d is %s, want %s (display order)", i, it.Rule, Rules[i])
		}
		if !it.OK || it.Message != "checklist."+string(it.Rule)+".ok" {
			t.Errorf("%s: %+v", it.Rule, it)
		}
	}
	if rep.Blocking() {
		t.Error("good content blocks")
	}
}

func TestRules(t *testing.T) {
	words := []Word{{Word: "再接再励", Kind: herald.WordMistaken, Suggestion: "再接再厉"}}
	brokenLinks := func(_ context.Context, href string) error {
		if strings.Contains(href, "dead") {
			return errors.New("HTTP 404")
		}
		return nil
	}
	tests := []struct {
		name    string
		rule    Rule
		edit    func(c *herald.ArticleContent)
		ok      bool
		msg     string
		args    []any
		details []string
	}{
		{"title present", RuleTitle, func(c *herald.ArticleContent) {}, true, "checklist.title.ok", nil, nil},
		{"title blank", RuleTitle, func(c *herald.ArticleContent) { c.Title = "  " }, false, "checklist.title.missing", nil, nil},
		{"title 5 runes", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = "司法厅召开" }, true, "checklist.title_length.ok", nil, nil},
		{"title 4 runes", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = "司法要闻" }, false, "checklist.title_length.too_short", []any{4, MinTitleRunes}, nil},
		{"title empty", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = "" }, false, "checklist.title_length.too_short", []any{0, MinTitleRunes}, nil},
		{"title 40 runes", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = strings.Repeat("法", 40) }, true, "checklist.title_length.ok", nil, nil},
		{"title 41 runes", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = strings.Repeat("法", 41) }, false, "checklist.title_length.too_long", []any{41, MaxTitleRunes}, nil},
		{"mixed title counts runes", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = "Herald发布" }, true, "checklist.title_length.ok", nil, nil},
		{"latin 3 words", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = "Justice Bureau reopens" }, true, "checklist.title_length.ok", nil, nil},
		{"latin 2 words", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = "Bureau reopens!" }, false, "checklist.title_length.too_few_words", []any{2, MinTitleWords}, nil},
		{"latin 20 words", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = strings.Repeat("law ", 20) }, true, "checklist.title_length.ok", nil, nil},
		{"latin 21 words", RuleTitleLength, func(c *herald.ArticleContent) { c.Title = strings.Repeat("state-of-the-art ", 21) }, false, "checklist.title_length.too_many_words", []any{21, MaxTitleWords}, nil},
		{"summary missing", RuleSummary, func(c *herald.ArticleContent) { c.Summary = "" }, false, "checklist.summary.missing", nil, nil},
		{"summary 200", RuleSummary, func(c *herald.ArticleContent) { c.Summary = strings.Repeat("摘", 200) }, true, "checklist.summary.ok", nil, nil},
		{"summary 201", RuleSummary, func(c *herald.ArticleContent) { c.Summary = strings.Repeat("摘", 201) }, false, "checklist.summary.too_long", []any{201, MaxSummaryRunes}, nil},
		{"cover missing", RuleCover, func(c *herald.ArticleContent) { c.CoverImage = "" }, false, "checklist.cover.missing", nil, nil},
		{"alt missing", RuleImageAlt, func(c *herald.ArticleContent) {
			c.Body = `<p><img src="/a.jpg" alt="甲"><img src="/b.jpg"><img src="/c.jpg" alt=" "><IMG SRC="/d.jpg" ALT="丁"><img alt=""></p>`
		}, false, "checklist.image_alt.missing", []any{3}, []string{"/b.jpg", "/c.jpg", "img #5"}},
		{"no images", RuleImageAlt, func(c *herald.ArticleContent) { c.Body = "<p>无图</p>" }, true, "checklist.image_alt.ok", nil, nil},
		{"broken links", RuleLinks, func(c *herald.ArticleContent) {
			c.Body = `<p><a href="https://ok.example/">好</a><a href="https://dead.example/x">坏</a><img src="/dead.png" alt="图"><a href="https://dead.example/x">又坏</a><a name="x">锚</a></p>`
		}, false, "checklist.links.broken", []any{2}, []string{"https://dead.example/x: HTTP 404", "/dead.png: HTTP 404"}},
		{"words found", RuleWords, func(c *herald.ArticleContent) { c.Summary = "希望大家再接再励。" }, false, "checklist.words.found", []any{1}, nil},
		{"themes missing", RuleThemes, func(c *herald.ArticleContent) { c.ThemeIDs = nil }, false, "checklist.themes.missing", nil, nil},
		{"source missing", RuleSource, func(c *herald.ArticleContent) { c.Source = " " }, false, "checklist.source.missing", nil, nil},
		{"editor missing", RuleEditor, func(c *herald.ArticleContent) { c.EditorID = 0 }, false, "checklist.editor.missing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.edit(&c)
			it := item(t, Check(context.Background(), c, allRequired(), words, brokenLinks), tt.rule)
			if it.OK != tt.ok || it.Message != tt.msg || !slices.Equal(it.Args, tt.args) || !slices.Equal(it.Details, tt.details) {
				t.Errorf("got OK=%v %s %v %q, want OK=%v %s %v %q", it.OK, it.Message, it.Args, it.Details, tt.ok, tt.msg, tt.args, tt.details)
			}
			if it.Severity != Required {
				t.Errorf("severity = %s", it.Severity)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	ctx := context.Background()
	c := good()
	c.CoverImage, c.Source = "", ""

	rep := Check(ctx, c, nil, nil, okLinks)
	if cover := item(t, rep, RuleCover); cover.OK || cover.Severity != Recommended {
		t.Errorf("cover = %+v", cover)
	}
	if src := item(t, rep, RuleSource); src.OK || src.Severity != Required {
		t.Errorf("source = %+v", src)
	}
	if !rep.Blocking() {
		t.Error("missing source (required by default) does not block")
	}
	if f := rep.Failed(Recommended); len(f) != 1 || f[0].Rule != RuleCover {
		t.Errorf("Failed(recommended) = %+v", f)
	}
	if f := rep.Failed(Required); len(f) != 1 || f[0].Rule != RuleSource {
		t.Errorf("Failed(required) = %+v", f)
	}

	rep = Check(ctx, c, Policy{RuleSource: Recommended, RuleCover: Off}, nil, okLinks)
	if rep.Blocking() {
		t.Errorf("blocking with only recommended failures: %+v", rep.Failed(Required))
	}
	for _, it := range rep.Items {
		if it.Rule == RuleCover {
			t.Error("off rule reported")
		}
	}
	if len(rep.Items) != len(Rules)-2 { // cover is off here, the editor by default
		t.Errorf("items = %d", len(rep.Items))
	}

	rep = Check(ctx, c, Policy{RuleCover: Required, RuleSource: Recommended}, nil, nil)
	if !rep.Blocking() || rep.Failed(Required)[0].Rule != RuleCover {
		t.Errorf("required cover: %+v", rep)
	}
	for _, it := range rep.Items {
		if it.Rule == RuleLinks {
			t.Error("links reported without a checker")
		}
	}

	d := DefaultPolicy()
	d[RuleTitle] = Off // a copy
	if DefaultPolicy()[RuleTitle] != Required || DefaultPolicy().Validate() != nil {
		t.Error("DefaultPolicy is shared or invalid")
	}
	for _, r := range Rules {
		if _, ok := DefaultPolicy()[r]; !ok {
			t.Errorf("DefaultPolicy lacks %s", r)
		}
	}
	if s := (Policy{RuleLinks: "bogus"}).Severity(RuleLinks); s != Recommended {
		t.Errorf("invalid severity falls back to %s", s)
	}
	if s := (Policy{}).Severity("nope"); s != Off {
		t.Errorf("unknown rule = %s", s)
	}

	for _, p := range []Policy{{"nope": Required}, {RuleTitle: "sometimes"}} {
		err := p.Validate()
		if herald.ErrorCode(err) != herald.EINVALID || len(herald.ErrorFields(err)) != 1 || herald.ErrorFields(err)[0].Field != "checklist" {
			t.Errorf("Validate(%v) = %v", p, err)
		}
	}
	if p, err := ParsePolicy(map[string]string{"cover": "required", "links": "off"}); err != nil || p.Severity(RuleCover) != Required || p.Severity(RuleLinks) != Off {
		t.Errorf("ParsePolicy = %v, %v", p, err)
	}
	if _, err := ParsePolicy(map[string]string{"cover": "yes"}); err == nil {
		t.Error("ParsePolicy accepted a bad severity")
	}
}

// words returns the hits of Check's words item.
func hits(c herald.ArticleContent, words []Word) []Hit {
	rep := Check(context.Background(), c, Policy{}, words, nil)
	for _, it := range rep.Items {
		if it.Rule == RuleWords {
			return it.Hits
		}
	}
	return nil
}

func hitWords(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Field+":"+h.Word.Word)
	}
	return out
}

func TestWords(t *testing.T) {
	words := []Word{
		{Word: "再接再励", Kind: herald.WordMistaken, Suggestion: "再接再厉"},
		{Word: "布署", Kind: herald.WordMistaken, Suggestion: "部署"},
		{Word: "Dalai  Lama", Kind: herald.WordSensitive, Note: "慎用"},
		{Word: "台湾总统", Kind: herald.WordSensitive, Suggestion: "台湾地区领导人"},
		{Word: "总统", Kind: herald.WordSensitive},
		{Word: "R&D", Kind: herald.WordMistaken, Suggestion: "研发"},
		{Word: "部长", Kind: herald.WordTitle, Suggestion: "司法部部长"},
		{Word: "", Kind: herald.WordMistaken}, // ignored
	}
	tests := []struct {
		name string
		c    herald.ArticleContent
		want []string
	}{
		{"plain", herald.ArticleContent{Body: "<p>要再接再励。</p>"}, []string{"body:再接再励"}},
		{"across inline tags", herald.ArticleContent{Body: "<p>要再接<b>再</b><i><span>励</span></i>。</p>"}, []string{"body:再接再励"}},
		{"across a link", herald.ArticleContent{Body: `<p>再接<a href="/x">再励</a></p>`}, []string{"body:再接再励"}},
		{"not across paragraphs", herald.ArticleContent{Body: "<p>再接</p><p>再励</p>"}, nil},
		{"not across br", herald.ArticleContent{Body: "<p>再接<br>再励</p>"}, nil},
		{"not across cells", herald.ArticleContent{Body: "<table><tr><td>再接</td><td>再励</td></tr></table>"}, nil},
		{"not across list items", herald.ArticleContent{Body: "<ul><li>再接</li><li>再励</li></ul>"}, nil},
		{"not across headings", herald.ArticleContent{Body: "<h2>再接</h2>再励"}, nil},
		{"correct form", herald.ArticleContent{Body: "<p>认真部署，再接再厉。</p>"}, nil},
		{"case-insensitive", herald.ArticleContent{Body: "<p>the DALAI lama said</p>"}, []string{"body:Dalai  Lama"}},
		{"white space collapsed", herald.ArticleContent{Body: "<p>dalai\n  <em>lama</em></p>"}, []string{"body:Dalai  Lama"}},
		{"entities decoded", herald.ArticleContent{Body: "<p>加大r&amp;d投入</p>"}, []string{"body:R&D"}},
		{"longest wins", herald.ArticleContent{Body: "<p>所谓台湾总统，以及总统</p>"}, []string{"body:台湾总统", "body:总统"}},
		{"suggestion written out", herald.ArticleContent{Title: "司法部部长会见", Body: "<p>部长会见</p>"}, []string{"body:部长"}},
		{"script and style skipped", herald.ArticleContent{Body: "<script>var a='再接再励'</script><style>/*布署*/</style><p>ok</p>"}, nil},
		{"attributes skipped", herald.ArticleContent{Body: `<p><img src="/x.jpg" alt="布署" title="再接再励"></p>`}, nil},
		{"fields", herald.ArticleContent{Title: "布署工作", Subtitle: "再接再励", Summary: "第一行\n台湾总统", Body: "<p>布署</p>"},
			[]string{"title:布署", "subtitle:再接再励", "summary:台湾总统", "body:布署"}},
		{"summary lines separate", herald.ArticleContent{Summary: "再接\n再励"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hitWords(hits(tt.c, words)); !slices.Equal(got, tt.want) {
				t.Errorf("hits = %q, want %q", got, tt.want)
			}
		})
	}

	hs := hits(herald.ArticleContent{Body: "<p>一二三四五六七八九十甲乙丙丁，希望大家<b>再接再励</b>，一二三四五六七八九十甲乙丙丁</p>"}, words)
	if len(hs) != 1 || hs[0].Context != "…八九十甲乙丙丁，希望大家再接再励，一二三四五六七八九十甲…" {
		t.Errorf("context = %+v", hs)
	}
	hs = hits(herald.ArticleContent{Body: "<p>要布署</p>"}, words)
	if len(hs) != 1 || hs[0].Context != "要布署" || hs[0].Word.Suggestion != "部署" {
		t.Errorf("short context = %+v", hs)
	}

	if got := hits(good(), nil); got != nil {
		t.Errorf("no words: %v", got)
	}
}

func TestMatcherOverlaps(t *testing.T) {
	words := []Word{{Word: "abc", Kind: herald.WordMistaken}, {Word: "bcd", Kind: herald.WordMistaken}, {Word: "c", Kind: herald.WordMistaken}, {Word: "abcdef", Kind: herald.WordMistaken}, {Word: "ABC", Kind: herald.WordSensitive}}
	m := newMatcher(words)
	if len(m.pats) != 4 {
		t.Fatalf("patterns = %d (duplicates not merged)", len(m.pats))
	}
	var got []string
	text := fold("xabcdx abcdef c")
	for _, x := range m.matches(text) {
		got = append(got, fmt.Sprintf("%s@%d", string(text[x.start:x.end]), x.start))
	}
	want := []string{"abc@1", "abcdef@7", "c@14"}
	if !slices.Equal(got, want) {
		t.Errorf("matches = %q, want %q", got, want)
	}
}

// TestMatcherAgainstNaive compares the automaton with a naive search.
func TestMatcherAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alpha := []rune("甲乙丙ab")
	rnd := func(n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(r)
	}
	for round := range 200 {
		var words []Word
		for range 1 + rng.IntN(8) {
			words = append(words, Word{Word: rnd(1 + rng.IntN(4)), Kind: herald.WordMistaken})
		}
		m := newMatcher(words)
		text := []rune(rnd(40))
		got := m.matches(text)
		// naive leftmost-longest
		var want []match
		for i := 0; i < len(text); {
			best := -1
			for p, pat := range m.pats {
				w := fold(pat.word.Word)
				if i+len(w) <= len(text) && slices.Equal(text[i:i+len(w)], w) && (best < 0 || len(w) > m.pats[best].n) {
					best = p
				}
			}
			if best < 0 {
				i++
				continue
			}
			want = append(want, match{i, i + m.pats[best].n, int32(best)})
			i += m.pats[best].n
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: words %v text %q: got %v want %v", round, words, string(text), got, want)
		}
	}
}

func TestHighlight(t *testing.T) {
	words := []Word{
		{Word: "再接再励", Kind: herald.WordMistaken, Suggestion: "再接再厉", Note: "厉同砺"},
		{Word: "A&B<C", Kind: herald.WordSensitive, Note: `说明"引号"`},
		{Word: "布署", Kind: herald.WordMistaken, Suggestion: `部署 & "安排"`},
		{Word: "司法部长", Kind: "ti tle<x>", Suggestion: "司法部部长"},
	}
	tests := []struct{ name, in, want string }{
		{"plain", "<p>要再接再励。</p>",
			`<p>要<mark class="hit hit-mistaken" title="再接再厉">再接再励</mark>。</p>`},
		{"escaped word", "<p>x a&amp;b&lt;c y</p>",
			`<p>x <mark class="hit hit-sensitive" title="说明&#34;引号&#34;">a&amp;b&lt;c</mark> y</p>`},
		{"attribute untouched", `<p><img src="/布署.jpg" alt="布署"><a href="/x?q=布署" title="布署">布署</a></p>`,
			`<p><img src="/布署.jpg" alt="布署"><a href="/x?q=布署" title="布署"><mark class="hit hit-mistaken" title="部署 &amp; &#34;安排&#34;">布署</mark></a></p>`},
		{"split across inline tags", "<p>再接<b>再励</b>了</p>",
			`<p><mark class="hit hit-mistaken" title="再接再厉">再接</mark><b><mark class="hit hit-mistaken" title="再接再厉">再励</mark></b>了</p>`},
		{"not across paragraphs", "<p>再接</p><p>再励</p>", "<p>再接</p><p>再励</p>"},
		{"script and style", "<script>x='布署'</script><style>p{content:'布署'}</style><p>布署</p>",
			`<script>x='布署'</script><style>p{content:'布署'}</style><p><mark class="hit hit-mistaken" title="部署 &amp; &#34;安排&#34;">布署</mark></p>`},
		{"kind sanitized", "<p>司法部长</p>", `<p><mark class="hit hit-titlex" title="司法部部长">司法部长</mark></p>`},
		{"other text re-escaped only where marked", "<p>a &amp; b</p><p>x&nbsp;布署 &lt;</p>",
			`<p>a &amp; b</p><p>x` + "\u00a0" + `<mark class="hit hit-mistaken" title="部署 &amp; &#34;安排&#34;">布署</mark> &lt;</p>`},
		{"no hits kept byte for byte", `<p class=x>A &amp; B<br/>ok</p>`, `<p class=x>A &amp; B<br/>ok</p>`},
		{"unfinished tag", `<p>布署</p><a href="x`, `<p><mark class="hit hit-mistaken" title="部署 &amp; &#34;安排&#34;">布署</mark></p>&lt;a href=&#34;x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Highlight(tt.in, words); got != tt.want {
				t.Errorf("Highlight(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
	if got := Highlight("<p>布署</p>", nil); got != "<p>布署</p>" {
		t.Errorf("no words: %s", got)
	}
	if got := Highlight("<p>按装</p>", []Word{{Word: "按装", Kind: herald.WordMistaken}}); got != `<p><mark class="hit hit-mistaken">按装</mark></p>` {
		t.Errorf("no title: %s", got)
	}
}

func TestHTTPLinkChecker(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/missing", http.StatusFound) })
	mux.HandleFunc("/gethonly", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	mux.HandleFunc("/noimpl", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotImplemented)
			return
		}
		http.NotFound(w, r)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)

	client := &http.Client{Timeout: 200 * time.Millisecond}
	internal := func(_ context.Context, path string) bool {
		return path == "/news/1" || strings.HasPrefix(path, "/media/")
	}
	check := HTTPLinkChecker(client, internal)
	tests := []struct{ href, err string }{
		{srv.URL + "/ok", ""},
		{srv.URL + "/missing", "HTTP 404"},
		{srv.URL + "/gone", "HTTP 410"},
		{srv.URL + "/moved", ""},
		{srv.URL + "/gethonly", ""},
		{srv.URL + "/noimpl", "HTTP 404"},
		{srv.URL + "/slow", "timeout"},
		{strings.Replace(srv.URL, "http://", "HTTP://", 1) + "/ok", ""},
		{"/news/1", ""},
		{"/media/a.jpg?x=1#y", ""},
		{"/news/2", "not found on this site"},
		{"#top", ""},
		{"mailto:press@example.org", ""},
		{"tel:+86-311-1234567", ""},
		{"javascript:alert(1)", "javascript: links are not allowed"},
		{"JavaScript:alert(1)", "javascript: links are not allowed"},
		{"file:///etc/passwd", "file: links are not allowed"},
		{"news/1", "relative link"},
		{"", "empty link"},
		{"http://", "malformed link"},
		{"http://%zz", "malformed link"},
	}
	for _, tt := range tests {
		err := check(context.Background(), tt.href)
		if got := fmt.Sprint(err); tt.err == "" && err != nil || tt.err != "" && got != tt.err {
			t.Errorf("check(%q) = %v, want %q", tt.href, err, tt.err)
		}
	}
	if err := HTTPLinkChecker(nil, nil)(context.Background(), "/anything"); err != nil {
		t.Errorf("nil internal: %v", err)
	}
}

func TestCheckLinksConcurrency(t *testing.T) {
	var cur, peak, calls atomic.Int32
	// The first LinkConcurrent requests wait for one another, so the checker
	// must have that many in flight at once to get past them.
	full := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if c := calls.Add(1); c == LinkConcurrent {
			close(full)
		} else if c < LinkConcurrent {
			select {
			case <-full:
			case <-r.Context().Done(): // the checker gave up: peak stays low and the test fails
			}
		}
		if strings.HasPrefix(r.URL.Path, "/bad") {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var body strings.Builder
	for i := range 12 {
		fmt.Fprintf(&body, `<p><a href="%s/page%d">链接</a><a href="%s/page%d">重复</a></p>`, srv.URL, i, srv.URL, i)
	}
	fmt.Fprintf(&body, `<p><img src="%s/bad.png" alt="坏图"><a href="javascript:void(0)">脚本</a></p>`, srv.URL)
	c := good()
	c.Body = body.String()
	it := item(t, Check(context.Background(), c, nil, nil, HTTPLinkChecker(srv.Client(), nil)), RuleLinks)
	want := []string{srv.URL + "/bad.png: HTTP 404", "javascript:void(0): javascript: links are not allowed"}
	if it.OK || !slices.Equal(it.Details, want) || !slices.Equal(it.Args, []any{2}) {
		t.Errorf("links item = %+v", it)
	}
	if calls.Load() != 13 {
		t.Errorf("calls = %d, want 13 (duplicates probed once)", calls.Load())
	}
	if p := peak.Load(); p != LinkConcurrent {
		t.Errorf("peak concurrency = %d", p)
	}
}

func TestFromSensitiveWords(t *testing.T) {
	sw := []*herald.SensitiveWord{{ID: 1, Word: "布署", Kind: herald.WordMistaken, Suggestion: "部署", Note: "n"}}
	if got := FromSensitiveWords(sw); len(got) != 1 || got[0] != *sw[0] {
		t.Errorf("FromSensitiveWords = %+v", got)
	}
}

func TestCommonWords(t *testing.T) {
	ws := CommonWords()
	seen := map[string]bool{}
	kinds := map[herald.WordKind]int{}
	for _, w := range ws {
		if err := w.Validate(); err != nil {
			t.Errorf("%+v: %v", w, err)
		}
		if w.Note == "" || w.Kind != herald.WordSensitive && w.Suggestion == "" {
			t.Errorf("%s lacks a suggestion or note", w.Word)
		}
		if key := string(fold(w.Word)); seen[key] {
			t.Errorf("%s listed twice", w.Word)
		} else {
			seen[key] = true
		}
		kinds[w.Kind]++
	}
	if kinds[herald.WordMistaken] < 60 || kinds[herald.WordSensitive] == 0 || kinds[herald.WordTitle] == 0 {
		t.Errorf("kinds = %v", kinds)
	}
	ws[0].Word = "changed"
	if CommonWords()[0].Word == "changed" {
		t.Error("CommonWords shares its slice")
	}
	// No suggestion is itself flagged.
	ws = CommonWords()
	for _, w := range ws {
		if w.Suggestion == "" {
			continue
		}
		if hs := hits(herald.ArticleContent{Body: "<p>" + w.Suggestion + "</p>"}, ws); len(hs) > 0 {
			t.Errorf("suggestion %s of %s hits %v", w.Suggestion, w.Word, hitWords(hs))
		}
	}
	if hs := hits(herald.ArticleContent{Body: "<p>同志们要再接再励，认真布署。</p>"}, ws); len(hs) != 2 {
		t.Errorf("hits = %v", hitWords(hs))
	}
}

func readCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "web", "i18n", "checklist."+lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return m
}

func TestCatalogs(t *testing.T) {
	zh, en := readCatalog(t, "zh-CN"), readCatalog(t, "en")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %s", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN lacks %s", k)
		}
	}
	for _, r := range Rules {
		if zh["checklist.rule."+string(r)] == "" {
			t.Errorf("no name for rule %s", r)
		}
	}
	for _, s := range Severities {
		if zh["checklist.severity."+string(s)] == "" {
			t.Errorf("no name for severity %s", s)
		}
	}
	// Every message Check emits, passing and failing, with its arguments.
	bad := herald.ArticleContent{Title: "短", Summary: strings.Repeat("长", 300), Body: `<p><img src="/x.jpg">再接再励</p>`}
	latin := herald.ArticleContent{Title: strings.Repeat("word ", 30)}
	fewWords := herald.ArticleContent{Title: "Two words", Summary: " "}
	empty := herald.ArticleContent{}
	long := herald.ArticleContent{Title: strings.Repeat("长", 50)}
	broken := func(context.Context, string) error { return errors.New("HTTP 404") }
	words := []Word{{Word: "再接再励", Kind: herald.WordMistaken}}
	var items []Item
	for _, c := range []herald.ArticleContent{good(), bad, latin, fewWords, long, empty} {
		items = append(items, Check(context.Background(), c, allRequired(), words, broken).Items...)
	}
	msgs := map[string]bool{}
	for _, it := range items {
		msgs[it.Message] = true
		for lang, cat := range map[string]map[string]string{"zh-CN": zh, "en": en} {
			msg, ok := cat[it.Message]
			if !ok {
				t.Errorf("%s lacks %s", lang, it.Message)
				continue
			}
			if got := fmt.Sprintf(msg, it.Args...); strings.Contains(got, "%!") {
				t.Errorf("%s %s with %v: %s", lang, it.Message, it.Args, got)
			}
		}
	}
	for k := range zh {
		if !strings.HasPrefix(k, "checklist.rule.") && !strings.HasPrefix(k, "checklist.severity.") && !msgs[k] {
			t.Errorf("catalog key %s is never emitted (or not covered here)", k)
		}
	}
}

// TestConcurrentCheck runs Check from many goroutines with alternating word
// lists, for the race detector and the matcher cache.
func TestConcurrentCheck(t *testing.T) {
	a := []Word{{Word: "布署", Kind: herald.WordMistaken}}
	b := []Word{{Word: "按装", Kind: herald.WordMistaken}}
	c := good()
	c.Body = "<p>布署按装</p>"
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ws := a
			if i%2 == 1 {
				ws = b
			}
			if hs := hits(c, ws); len(hs) != 1 || hs[0].Word.Word != ws[0].Word {
				t.Errorf("hits = %v", hitWords(hs))
			}
		})
	}
	wg.Wait()
}

func benchData(nWords, bodyRunes int) ([]Word, string) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Common characters so that prefixes are shared and the text hits often.
	chars := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严")
	seen := map[string]bool{}
	var words []Word
	for len(words) < nWords {
		n := 2 + rng.IntN(4)
		r := make([]rune, n)
		for i := range r {
			r[i] = chars[rng.IntN(len(chars))]
		}
		if w := string(r); !seen[w] {
			seen[w] = true
			words = append(words, Word{Word: w, Kind: herald.WordMistaken, Suggestion: "改"})
		}
	}
	var body strings.Builder
	n := 0
	for n < bodyRunes {
		body.WriteString("<p>")
		for range 200 {
			if rng.IntN(20) == 0 {
				body.WriteString("<b>")
				body.WriteRune(chars[rng.IntN(len(chars))])
				body.WriteString("</b>")
			} else {
				body.WriteRune(chars[rng.IntN(len(chars))])
			}
			n++
		}
		body.WriteString("</p>\n")
	}
	return words, body.String()
}

func BenchmarkCheckWords(b *testing.B) {
	words, body := benchData(5000, 20000)
	c := good()
	c.Body = body
	p := Policy{}
	for _, r := range Rules {
		p[r] = Off
	}
	p[RuleWords] = Required
	ctx := context.Background()
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			Check(ctx, c, p, words, nil)
		}
	})
	b.Run("compile", func(b *testing.B) {
		for b.Loop() {
			newMatcher(words)
		}
	})
	b.Run("highlight", func(b *testing.B) {
		for b.Loop() {
			Highlight(body, words)
		}
	})
}
