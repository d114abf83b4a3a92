package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/views"
	"github.com/heraldnews/herald/workflow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// now is the demo's present in these tests.
var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const base = "https://news.example.gov.cn"

// fixture is a seeded demo province with a portal over it.
type fixture struct {
	store  herald.Store
	portal *portal.Portal
	views  *views.Counter
	clock  *time.Time
}

func newFixture(t *testing.T) *fixture { return newFixtureWith(t) }

// newFixtureWith seeds the demo with the options besides WithoutHistory.
func newFixtureWith(t *testing.T, opts ...demo.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Seed(ctx, s, now, append(opts, demo.WithoutHistory())...); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, clock: new(time.Time)}
	*f.clock = now
	clock := func() time.Time { return *f.clock }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.views = views.New(s, clock, log)
	if f.portal, err = portal.New(s, f.views, clock, log, base); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) seedArticle(t *testing.T) *herald.Article {
	t.Helper()
	as, _, _ := f.store.FindArticles(context.Background(), herald.ArticleFilter{Language: "en", Statuses: []herald.Status{herald.StatusPublished}})
	for _, a := range as {
		if strings.HasPrefix(a.Title, "Provincial Judicial Administration System Publicity Training Course") {
			return a
		}
	}
	t.Fatal("no seed article")
	return nil
}

func TestArticlePageGolden(t *testing.T) {
	f := newFixture(t)
	a := f.seedArticle(t)
	page, err := f.portal.Render(context.Background(), herald.ArticlePath(a.ID), false)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "seed-article.html")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, page.Body, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./portal -run Golden -update)", err)
	}
	if !bytes.Equal(page.Body, want) {
		t.Errorf("the seed article page differs from %s (run with -update after checking the change)", golden)
	}
	body := string(page.Body)
	for _, el := range []string{
		"Provincial Judicial Administration System Publicity Training Course Held in Shijiazhuang</h1>",
		`Release time: <time datetime="2019-12-19T08:14:04Z">2019-12-19 16:14:04</time>`,
		"Source: Hebei Legal Network Hebei Party Network", "News Hotline: 0311-87908405", "Share to:", ">WeChat<",
		"service.weibo.com/share/share.php?url=", "connect.qq.com/widget/shareqq", `id="copy-link"`, `id="web-share"`,
		"Editor-in-chief: Wang Yalan_DW110", "Scan the QR code to follow the public account", "Scan QR code to enter mobile version",
		"Hot News Leaderboard", "Next: ", "Supervisor: 中共河北省委", "冀ICP备13012861号-1", "冀新网备132014010号",
		"Breaking news hotline: ", "QQ群 619736383", "陈淑琴（河北冀华律师事务所）", `<link rel="canonical" href="` + base + herald.ArticlePath(a.ID) + `">`,
		`"@type":"NewsArticle"`, `property="og:title"`, `hreflang="en"`,
	} {
		if !strings.Contains(body, el) {
			t.Errorf("the seed article page lacks %q", el)
		}
	}
	if strings.Contains(body, "<script src=\"http") || strings.Contains(body, "<iframe") {
		t.Error("the page loads a third-party script or frame")
	}
}

func TestEscaping(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	editors, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	cols, _ := f.store.FindColumns(ctx)
	at := now.Add(-time.Hour)
	a := &herald.Article{ArticleContent: herald.ArticleContent{Title: `标题</script><script>alert("x")</script> & "引号"`, Summary: `<b>摘要</b>`,
		Body: "<p>正文</p>", Language: "zh-CN", ColumnID: cols[0].ID, EditorID: editors[0].ID}, UnitID: editors[0].UnitID,
		Status: herald.StatusPublished, CreatedBy: editors[0].ID, PublishedAt: &at}
	if err := f.store.CreateArticle(ctx, a, herald.Event{At: at, ActorID: editors[0].ID}); err != nil {
		t.Fatal(err)
	}
	page, err := f.portal.Render(ctx, herald.ArticlePath(a.ID), false)
	if err != nil {
		t.Fatal(err)
	}
	body := string(page.Body)
	if strings.Contains(body, `<script>alert("x")`) || strings.Contains(body, "<b>摘要</b>") {
		t.Fatal("unescaped title or summary in the page")
	}
	if !strings.Contains(body, "标题&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;引号&#34;</h1>") {
		t.Error("the title is not shown escaped")
	}
	start := strings.Index(body, `<script type="application/ld+json">`)
	end := strings.Index(body[start:], "</script>")
	var ld map[string]any
	if err := json.Unmarshal([]byte(body[start+len(`<script type="application/ld+json">`):start+end]), &ld); err != nil || !strings.HasPrefix(ld["headline"].(string), "标题</script>") {
		t.Fatalf("JSON-LD broken or not closed where it should be: %v %v", err, ld["headline"])
	}
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = "198.51.100.7:5000"
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestServingCachingAndBadInput(t *testing.T) {
	f := newFixture(t)
	a := f.seedArticle(t)
	path := herald.ArticlePath(a.ID)
	first := get(t, f.portal, path)
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || !strings.Contains(first.Header().Get("Cache-Control"), "max-age=") || first.Header().Get("Last-Modified") == "" {
		t.Fatalf("first response %d %v", first.Code, first.Header())
	}
	if r := get(t, f.portal, path, "If-None-Match", etag); r.Code != 304 || r.Body.Len() != 0 {
		t.Fatalf("conditional request: %d", r.Code)
	}
	gz := get(t, f.portal, path, "Accept-Encoding", "gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= first.Body.Len() {
		t.Fatalf("gzip: %q, %d bytes vs %d", gz.Header().Get("Content-Encoding"), gz.Body.Len(), first.Body.Len())
	}
	asset := get(t, f.portal, strings.Split(strings.Split(first.Body.String(), `<link rel="stylesheet" href="`)[1], `"`)[0])
	if asset.Code != 200 || !strings.Contains(asset.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("hashed asset: %d %v", asset.Code, asset.Header())
	}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/articles/abc.html", 404}, {"/articles/0.html", 404}, {"/articles/99999999999999999999.html", 404},
		{"/columns/nope/", 404}, {"/columns/headlines/page/x.html", 400}, {"/columns/headlines/page/999.html", 404},
		{"/?" + strings.Repeat("q=1&", 400), 400}, {"/nowhere/../../etc/passwd", 404}, {"/static/nothing.css", 404},
		{"/about.html", 200}, {"/contact.html", 200}, {"/tips/", 200}, {"/m/", 200}, {"/m" + path, 200},
		{"/columns/headlines/", 200}, {"/columns/headlines/page/1.html", 200}, {"/themes/xiongan/", 200},
	} {
		r := get(t, f.portal, tt.path)
		if r.Code != tt.status {
			t.Errorf("%s: %d, want %d", tt.path, r.Code, tt.status)
		}
		if tt.status >= 400 && !strings.Contains(r.Body.String(), "返回首页") && !strings.HasPrefix(tt.path, "/static/") {
			t.Errorf("%s: the error page does not help the reader home", tt.path)
		}
	}
	if r := get(t, f.portal, "/"); !strings.Contains(r.Body.String(), `<ol class="hot" id="hot-day"><li><a href="/articles/`) {
		t.Error("the home page's leaderboard is empty despite the demo's reads")
	}
}

func TestViewsAreCountedOncePerReader(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.seedArticle(t)
	path := herald.ArticlePath(a.ID)
	get(t, f.portal, path)
	get(t, f.portal, path)                                                            // same reader, within 30 minutes
	get(t, f.portal, path, "User-Agent", "Mozilla/5.0 (compatible; Baiduspider/2.0)") // a bot
	get(t, f.portal, path, "Sec-Purpose", "prefetch")                                 // a prefetch
	get(t, f.portal, "/m"+path, "User-Agent", "Mozilla/5.0 (Linux; Android 14) Chrome/130 Mobile")
	if n := f.views.Pending(); n != 2 {
		t.Fatalf("%d views pending, want 2 (one reader twice, one other reader)", n)
	}
	if err := f.views.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	top, err := f.store.TopArticles(ctx, now.Add(-time.Hour), 100)
	reads := -1
	for _, r := range top {
		if r.ArticleID == a.ID {
			reads = r.Reads
		}
	}
	if err != nil || reads != 2 {
		t.Fatalf("after the flush the seed article has %d reads in the last hour, want 2 (%v)", reads, err)
	}
}

func postTip(t *testing.T, h http.Handler, fields map[string]string, file []byte, client string) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("files", "现场.png")
		fw.Write(file)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/tips", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.RemoteAddr = client + ":1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestTipForm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := map[string]string{"name": "王先生", "contact": "13800000000", "subject": "社区普法活动", "body": "今天上午在社区广场举办了民法典宣传活动。"}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	if r := postTip(t, f.portal, good, png, "203.0.113.1"); r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/tips/thanks.html" {
		t.Fatalf("good tip: %d %s", r.Code, r.Body)
	}
	tips, total, _ := f.store.FindTips(ctx, 0, 10)
	if total != 1 || tips[0].Subject != "社区普法活动" || len(tips[0].Attachments) != 1 || tips[0].Attachments[0].ContentType != "image/png" {
		t.Fatalf("stored tips: %+v", tips)
	}
	spam := map[string]string{"contact": "x", "subject": "广告", "body": "买", "website": "http://spam.example"}
	if r := postTip(t, f.portal, spam, nil, "203.0.113.2"); r.Code != http.StatusSeeOther {
		t.Fatalf("honeypot: %d", r.Code)
	}
	r := postTip(t, f.portal, map[string]string{"subject": "缺内容"}, []byte("MZ\x90\x00 not an image"), "203.0.113.3")
	if r.Code != 400 || !strings.Contains(r.Body.String(), "联系方式：必须填写") || !strings.Contains(r.Body.String(), "不是允许的类型") {
		t.Fatalf("bad tip: %d %s", r.Code, r.Body)
	}
	if _, total, _ := f.store.FindTips(ctx, 0, 10); total != 1 {
		t.Fatalf("%d tips stored after spam and a bad tip, want 1", total)
	}
	for i := range portal.TipsPerHour {
		postTip(t, f.portal, good, nil, "203.0.113.9")
		_ = i
	}
	if r := postTip(t, f.portal, good, nil, "203.0.113.9"); r.Code != http.StatusTooManyRequests {
		t.Fatalf("tip %d from one client in an hour: %d", portal.TipsPerHour+1, r.Code)
	}
}

func TestFeedsAndSitemaps(t *testing.T) {
	f := newFixture(t)
	a := f.seedArticle(t)
	var rss struct {
		Channel struct {
			Items []struct {
				Link string `xml:"link"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(get(t, f.portal, "/feed.xml").Body.Bytes(), &rss); err != nil || len(rss.Channel.Items) == 0 {
		t.Fatalf("site RSS: %v, %d items", err, len(rss.Channel.Items))
	}
	var jf struct {
		Version string `json:"version"`
		Items   []struct {
			URL string `json:"url"`
		} `json:"items"`
	}
	if err := json.Unmarshal(get(t, f.portal, "/columns/headlines/feed.json").Body.Bytes(), &jf); err != nil || len(jf.Items) == 0 {
		t.Fatalf("column JSON Feed: %v", err)
	}
	var atom struct {
		Entries []struct{} `xml:"entry"`
	}
	if err := xml.Unmarshal(get(t, f.portal, "/themes/xiongan/atom.xml").Body.Bytes(), &atom); err != nil || len(atom.Entries) == 0 {
		t.Fatalf("theme Atom: %v", err)
	}
	var index struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(get(t, f.portal, "/sitemap.xml").Body.Bytes(), &index); err != nil || len(index.Sitemaps) < 2 {
		t.Fatalf("sitemap index: %v %+v", err, index)
	}
	chunk := get(t, f.portal, strings.TrimPrefix(index.Sitemaps[1].Loc, base)).Body.String()
	if !strings.Contains(chunk, base+herald.ArticlePath(a.ID)) {
		t.Error("the sitemap chunk lacks the seed article")
	}
	robots := get(t, f.portal, "/robots.txt").Body.String()
	if !strings.Contains(robots, "Sitemap: "+base+"/sitemap.xml") || !strings.Contains(robots, "Disallow: /api/") {
		t.Errorf("robots.txt:\n%s", robots)
	}
}

// readTree maps each file under dir to its content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return err
	})
	return out
}

func diffTrees(a, b map[string]string) []string {
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diffs = append(diffs, "only in incremental: "+k)
		} else if v != w {
			diffs = append(diffs, "differs: "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, "only in full: "+k)
		}
	}
	return diffs
}

func TestIncrementalExportEqualsFullExport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	live := t.TempDir()
	if _, err := f.portal.Export(ctx, live, nil); err != nil {
		t.Fatal(err)
	}
	wf := workflow.NewService(f.store, func() time.Time { return *f.clock })
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	approved, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}})
	published, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 5})
	// A Chinese original without translations gets a French one (the first
	// French article: a new section) and an English one.
	tr := newTranslations(t, f)
	var orig, fr *herald.Article
	zh, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Language: "zh-CN", Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 50})
	for _, a := range zh {
		if ts, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{TranslationOf: a.ID}); len(ts) == 0 && a.TranslationOf == 0 && a.ID != published[3].ID {
			orig = a
			break
		}
	}
	if orig == nil {
		t.Fatal("no published Chinese original without translations")
	}
	steps := []struct {
		name string
		do   func() (int64, error)
	}{
		{"publish", func() (int64, error) {
			a, err := wf.Do(ctx, chief[0], approved[0].ID, workflow.ActPublish, workflow.Request{})
			return a.ID, err
		}},
		{"publish a translation opening a section", func() (int64, error) {
			fr = tr.create(t, "Conférence provinciale sur la publicité juridique", "fr", orig.ID, herald.StatusApproved)
			a, err := wf.Do(ctx, chief[0], fr.ID, workflow.ActPublish, workflow.Request{})
			return a.ID, err
		}},
		{"publish a second translation", func() (int64, error) {
			en := tr.create(t, "Provincial Legal Publicity Conference", "en", orig.ID, herald.StatusApproved)
			a, err := wf.Do(ctx, chief[0], en.ID, workflow.ActPublish, workflow.Request{})
			return a.ID, err
		}},
		{"retract", func() (int64, error) {
			a, err := wf.Do(ctx, chief[0], published[3].ID, workflow.ActRetract, workflow.Request{Comment: "撤稿测试"})
			return a.ID, err
		}},
		{"retract a translation closing its section", func() (int64, error) {
			a, err := wf.Do(ctx, chief[0], fr.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿测试"})
			return a.ID, err
		}},
	}
	for _, st := range steps {
		*f.clock = f.clock.Add(time.Minute)
		id, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		f.portal.Invalidate()
		stats, err := f.portal.ExportArticles(ctx, live, []int64{id})
		if err != nil {
			t.Fatal(err)
		}
		full := t.TempDir()
		if _, err := f.portal.Export(ctx, full, nil); err != nil {
			t.Fatal(err)
		}
		if diffs := diffTrees(readTree(t, live), readTree(t, full)); len(diffs) > 0 {
			t.Fatalf("after %s, the incrementally updated site differs from a full export (%d pages re-rendered):\n%s",
				st.name, stats.Pages, strings.Join(diffs[:min(len(diffs), 20)], "\n"))
		}
		t.Logf("%s: %d pages re-rendered, %d removed, in %s", st.name, stats.Pages, stats.Removed, stats.Duration)
	}
	if _, err := os.Stat(filepath.Join(live, "fr", "index.html")); !os.IsNotExist(err) {
		t.Error("the French section, emptied by a retraction, is still in the static site")
	}
	if b, err := os.ReadFile(filepath.Join(live, "en", "index.html")); err != nil || !strings.Contains(string(b), "Provincial Legal Publicity Conference") {
		t.Errorf("the static English section lacks the published translation (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(live, fmt.Sprintf("articles/%d.html", published[3].ID))); !os.IsNotExist(err) {
		t.Error("the retracted article's page is still in the static site")
	}
	// A full export over a used folder removes what no longer exists (here, a
	// page of an article retracted while no export ran) and keeps the web
	// server's hidden files.
	stale := filepath.Join(live, "articles", "999999.html")
	os.WriteFile(stale, []byte("old"), 0o644)
	os.MkdirAll(filepath.Join(live, ".well-known"), 0o755)
	os.WriteFile(filepath.Join(live, ".well-known", "security.txt"), []byte("x"), 0o644)
	stats, err := f.portal.Export(ctx, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) || stats.Removed == 0 {
		t.Errorf("a full export left a stale page (removed %d)", stats.Removed)
	}
	if _, err := os.Stat(filepath.Join(live, ".well-known", "security.txt")); err != nil {
		t.Error("a full export removed the web server's hidden file")
	}
}

func TestStaticBeacon(t *testing.T) {
	f := newFixture(t)
	a := f.seedArticle(t)
	drafts, _, _ := f.store.FindArticles(context.Background(), herald.ArticleFilter{Statuses: []herald.Status{herald.StatusDraft}, Limit: 1})
	post := func(body string) int {
		req := httptest.NewRequest("POST", "/views", strings.NewReader(body))
		req.RemoteAddr = "198.51.100.9:4000"
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0")
		rec := httptest.NewRecorder()
		f.portal.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := post(fmt.Sprintf(`{"article_id":%d}`, a.ID)); c != http.StatusNoContent {
		t.Fatalf("beacon: %d", c)
	}
	post(fmt.Sprintf(`{"article_id":%d}`, a.ID)) // the same reader again
	for body, want := range map[string]int{`{"article_id":0}`: 400, `nonsense`: 400, fmt.Sprintf(`{"article_id":%d}`, drafts[0].ID): 404} {
		if c := post(body); c != want {
			t.Errorf("beacon %s: %d, want %d", body, c, want)
		}
	}
	if n := f.views.Pending(); n != 1 {
		t.Fatalf("%d views pending after two beacons from one reader, want 1", n)
	}
}
