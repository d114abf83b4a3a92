package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	shanghai = time.FixedZone("CST", 8*3600)
	now      = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)
)

const trickyTitle = `警惕"以案说法"骗局 <script>alert('x')</script> & </script><!-- 更多`

func testSite() Site {
	return Site{
		Name:        "河北司法行政网",
		NameEn:      "Hebei Justice Administration",
		BaseURL:     "https://news.example.gov.cn/",
		Language:    "zh-CN",
		Description: "河北省司法厅主办的司法行政新闻门户",
		Publisher:   "河北省司法厅",
		LogoURL:     "https://news.example.gov.cn/static/logo.png",
	}
}

func testEntries() []Entry {
	return []Entry{
		{
			ID:          101,
			URL:         "https://news.example.gov.cn/articles/101",
			Title:       "全省司法行政工作会议在石家庄召开",
			Summary:     "会议总结2025年工作，部署2026年重点任务。",
			ContentHTML: "<p>3月5日，全省司法行政工作会议在石家庄召开。</p>\n<p>会议强调，要坚持和发展新时代“枫桥经验”。</p>",
			Language:    "zh-CN",
			Authors:     []string{"王亚兰", "李明"},
			Section:     "工作动态",
			Tags:        []string{"法治建设", "公共法律服务"},
			ImageURL:    "https://news.example.gov.cn/media/101.jpg",
			Published:   now.Add(-2 * time.Hour),
			Updated:     now.Add(-1 * time.Hour),
			Alternates:  map[string]string{"en": "https://news.example.gov.cn/en/articles/102"},
		},
		{
			ID:          102,
			URL:         "https://news.example.gov.cn/en/articles/102",
			Title:       "Provincial justice administration work conference held in Shijiazhuang",
			Summary:     "The conference reviewed 2025 and set the priorities for 2026.",
			ContentHTML: "<p>The provincial justice administration work conference was held on 5 March.</p>",
			Language:    "en",
			Authors:     []string{"Translation Desk"},
			Section:     "News",
			Tags:        []string{"rule of law"},
			Published:   now.Add(-90 * time.Minute).UTC(),
			Alternates:  map[string]string{"zh-CN": "https://news.example.gov.cn/articles/101"},
		},
		{
			ID:          103,
			URL:         "https://news.example.gov.cn/articles/103?from=feed&lang=zh",
			Title:       trickyTitle,
			Summary:     "摘要含有 <b>标记</b> 与 & 符号",
			ContentHTML: "<p>正文包含 ]]> 与 <code>a]]]]>b</code> 以及控制字符\x01。</p><pre>x ]]> y</pre>",
			Language:    "zh-CN",
			Section:     "普法宣传",
			Tags:        []string{" 反诈 ", ""},
			Published:   now.Add(-72 * time.Hour),
		},
	}
}

func testFeed() Feed {
	return Feed{
		Title:       "河北司法行政网 · 工作动态",
		Description: "全省司法行政系统工作动态",
		URL:         "https://news.example.gov.cn/columns/work",
		SelfURL:     "https://news.example.gov.cn/columns/work/feed.xml",
		Updated:     now,
		Entries:     testEntries(),
	}
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./feeds -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./feeds -update after checking):\n--- got ---\n%s", name, got)
	}
}

func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	// Deterministic: a second rendering is byte-identical.
	var again bytes.Buffer
	if err := f(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("two renderings differ")
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	site, feed := testSite(), testFeed()
	golden(t, "rss.xml", render(t, func(b *bytes.Buffer) error { return RSS(b, site, feed) }))
	golden(t, "atom.xml", render(t, func(b *bytes.Buffer) error { return Atom(b, site, feed) }))
	golden(t, "feed.json", render(t, func(b *bytes.Buffer) error { return JSONFeed(b, site, feed) }))
	golden(t, "sitemap.xml", render(t, func(b *bytes.Buffer) error { return Sitemap(b, EntrySitemapURLs(feed.Entries)) }))
	golden(t, "news-sitemap.xml", render(t, func(b *bytes.Buffer) error { return NewsSitemap(b, site, feed.Entries, now) }))
	golden(t, "robots.txt", render(t, func(b *bytes.Buffer) error {
		return Robots(b, site, []string{"/api/", "admin", "/api/", " ", "/search?\nSitemap: https://evil.example/x"})
	}))
	for _, e := range feed.Entries {
		golden(t, fmt.Sprintf("jsonld-%d.json", e.ID), []byte(NewsArticleJSONLD(site, e)+"\n"))
	}
}

// ---- RSS ----

type rssTest struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		// Before Link: encoding/xml gives an element to the first field
		// that matches, and "link" without a namespace matches atom:link.
		AtomLinks []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Title         string `xml:"title"`
		Link          string `xml:"link"`
		Description   string `xml:"description"`
		Language      string `xml:"language"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title       string   `xml:"title"`
			Link        string   `xml:"link"`
			Description string   `xml:"description"`
			Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Creators    []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories  []string `xml:"category"`
			GUID        struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
			PubDate string `xml:"pubDate"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestRSSValid(t *testing.T) {
	site, feed := testSite(), testFeed()
	out := render(t, func(b *bytes.Buffer) error { return RSS(b, site, feed) })
	var doc rssTest
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("RSS does not parse: %v\n%s", err, out)
	}
	ch := doc.Channel
	if doc.Version != "2.0" || ch.Title != feed.Title || ch.Link != feed.URL || ch.Description != feed.Description || ch.Language != "zh-CN" {
		t.Errorf("channel = %+v", ch)
	}
	if len(ch.AtomLinks) != 1 || ch.AtomLinks[0].Rel != "self" || ch.AtomLinks[0].Href != feed.SelfURL {
		t.Errorf("atom:link = %+v", ch.AtomLinks)
	}
	if _, err := time.Parse(time.RFC1123Z, ch.LastBuildDate); err != nil {
		t.Errorf("lastBuildDate: %v", err)
	}
	if len(ch.Items) != len(feed.Entries) {
		t.Fatalf("%d items, want %d", len(ch.Items), len(feed.Entries))
	}
	for i, it := range ch.Items {
		e := feed.Entries[i]
		if it.Title != e.Title || it.Link != e.URL || it.Description != e.Summary {
			t.Errorf("item %d: title %q link %q description %q", i, it.Title, it.Link, it.Description)
		}
		if it.GUID.Value != e.URL || it.GUID.IsPermaLink != "true" {
			t.Errorf("item %d guid = %+v", i, it.GUID)
		}
		pub, err := time.Parse(time.RFC1123Z, it.PubDate)
		if err != nil || !pub.Equal(e.Published) || !strings.HasSuffix(it.PubDate, "+0000") {
			t.Errorf("item %d pubDate %q (%v), want %v in UTC", i, it.PubDate, err, e.Published)
		}
		if want := strings.ReplaceAll(e.ContentHTML, "\x01", ""); it.Content != want {
			t.Errorf("item %d content:encoded = %q, want %q", i, it.Content, want)
		}
		if strings.Join(it.Creators, "|") != strings.Join(e.Authors, "|") {
			t.Errorf("item %d dc:creator = %q", i, it.Creators)
		}
	}
	if got := ch.Items[2].Categories; len(got) != 1 || got[0] != "反诈" {
		t.Errorf("categories = %q", got)
	}
	if got := ch.Items[0].Categories; strings.Join(got, ",") != "法治建设,公共法律服务" {
		t.Errorf("categories = %q", got)
	}
}

// ---- Atom ----

type atomTest struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Href     string `xml:"href,attr"`
		Rel      string `xml:"rel,attr"`
		HrefLang string `xml:"hreflang,attr"`
	} `xml:"link"`
	Authors []string `xml:"author>name"`
	Entries []struct {
		Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []struct {
			Href     string `xml:"href,attr"`
			Rel      string `xml:"rel,attr"`
			HrefLang string `xml:"hreflang,attr"`
		} `xml:"link"`
		Published string   `xml:"published"`
		Authors   []string `xml:"author>name"`
		Summary   string   `xml:"summary"`
		Content   struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"content"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func TestAtomValid(t *testing.T) {
	site, feed := testSite(), testFeed()
	out := render(t, func(b *bytes.Buffer) error { return Atom(b, site, feed) })
	var doc atomTest
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("Atom does not parse: %v\n%s", err, out)
	}
	if doc.ID != feed.SelfURL || doc.Title != feed.Title || doc.Lang != "zh-CN" {
		t.Errorf("feed id %q title %q lang %q", doc.ID, doc.Title, doc.Lang)
	}
	if u, err := time.Parse(time.RFC3339, doc.Updated); err != nil || !u.Equal(now) || !strings.HasSuffix(doc.Updated, "Z") {
		t.Errorf("updated %q (%v)", doc.Updated, err)
	}
	rels := map[string]string{}
	for _, l := range doc.Links {
		rels[l.Rel] = l.Href
	}
	if rels["self"] != feed.SelfURL || rels["alternate"] != feed.URL {
		t.Errorf("feed links = %+v", doc.Links)
	}
	if len(doc.Authors) != 1 || doc.Authors[0] != "河北省司法厅" {
		t.Errorf("feed authors = %q", doc.Authors)
	}
	if len(doc.Entries) != len(feed.Entries) {
		t.Fatalf("%d entries, want %d", len(doc.Entries), len(feed.Entries))
	}
	for i, ae := range doc.Entries {
		e := feed.Entries[i]
		if ae.ID != e.URL || ae.Title != e.Title || ae.Lang != e.Language || ae.Summary != e.Summary {
			t.Errorf("entry %d: id %q title %q lang %q summary %q", i, ae.ID, ae.Title, ae.Lang, ae.Summary)
		}
		if ae.Content.Type != "html" || ae.Content.Text != strings.ReplaceAll(e.ContentHTML, "\x01", "") {
			t.Errorf("entry %d content = %+v", i, ae.Content)
		}
		if ae.Updated == "" || ae.Links[0].Rel != "alternate" || ae.Links[0].Href != e.URL {
			t.Errorf("entry %d: updated %q links %+v", i, ae.Updated, ae.Links)
		}
		if strings.Join(ae.Authors, "|") != strings.Join(e.Authors, "|") {
			t.Errorf("entry %d authors = %q", i, ae.Authors)
		}
	}
	// Alternates become hreflang links.
	if l := doc.Entries[0].Links; len(l) != 2 || l[1].HrefLang != "en" || l[1].Href != feed.Entries[1].URL {
		t.Errorf("entry 0 links = %+v", l)
	}
	// Updated falls back to Published.
	if doc.Entries[1].Updated != doc.Entries[1].Published {
		t.Errorf("entry 1 updated %q, published %q", doc.Entries[1].Updated, doc.Entries[1].Published)
	}
}

// ---- JSON Feed ----

func TestJSONFeedValid(t *testing.T) {
	site, feed := testSite(), testFeed()
	out := render(t, func(b *bytes.Buffer) error { return JSONFeed(b, site, feed) })
	var doc struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Items       []struct {
			ID            string              `json:"id"`
			URL           string              `json:"url"`
			Title         string              `json:"title"`
			ContentHTML   string              `json:"content_html"`
			Summary       string              `json:"summary"`
			Image         string              `json:"image"`
			DatePublished string              `json:"date_published"`
			DateModified  string              `json:"date_modified"`
			Authors       []map[string]string `json:"authors"`
			Tags          []string            `json:"tags"`
			Language      string              `json:"language"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("JSON Feed does not parse: %v", err)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" || doc.HomePageURL != feed.URL || doc.FeedURL != feed.SelfURL || doc.Title != feed.Title {
		t.Errorf("feed = %+v", doc)
	}
	if len(doc.Items) != len(feed.Entries) {
		t.Fatalf("%d items", len(doc.Items))
	}
	for i, it := range doc.Items {
		e := feed.Entries[i]
		if it.ID == "" || it.URL != e.URL || it.Title != e.Title || it.ContentHTML != e.ContentHTML || it.Language != e.Language {
			t.Errorf("item %d = %+v", i, it)
		}
		if p, err := time.Parse(time.RFC3339, it.DatePublished); err != nil || !p.Equal(e.Published) {
			t.Errorf("item %d date_published %q", i, it.DatePublished)
		}
	}
	it := doc.Items[0]
	if it.Image == "" || it.DateModified == "" || len(it.Authors) != 2 || it.Authors[0]["name"] != "王亚兰" || len(it.Tags) != 2 {
		t.Errorf("item 0 = %+v", it)
	}
}

// ---- sitemaps ----

type urlsetTest struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			HrefLang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
		News *struct {
			Name            string `xml:"publication>name"`
			Language        string `xml:"publication>language"`
			PublicationDate string `xml:"publication_date"`
			Title           string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

func TestSitemapValid(t *testing.T) {
	entries := testEntries()
	out := render(t, func(b *bytes.Buffer) error { return Sitemap(b, EntrySitemapURLs(entries)) })
	var doc urlsetTest
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("sitemap does not parse: %v\n%s", err, out)
	}
	if len(doc.URLs) != len(entries) {
		t.Fatalf("%d urls", len(doc.URLs))
	}
	for i, u := range doc.URLs {
		if u.Loc != entries[i].URL {
			t.Errorf("url %d loc %q", i, u.Loc)
		}
		if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
			t.Errorf("url %d lastmod %q: %v", i, u.LastMod, err)
		}
	}
	// hreflang: both versions list each other and themselves.
	links := doc.URLs[0].Links
	if len(links) != 2 || links[0].HrefLang != "en" || links[0].Href != entries[1].URL ||
		links[1].HrefLang != "zh-CN" || links[1].Href != entries[0].URL || links[0].Rel != "alternate" {
		t.Errorf("url 0 links = %+v", links)
	}
	if len(doc.URLs[2].Links) != 0 {
		t.Errorf("url 2 has links %+v", doc.URLs[2].Links)
	}
	// The input map is not modified.
	if len(entries[0].Alternates) != 1 {
		t.Errorf("EntrySitemapURLs modified the entry's alternates: %v", entries[0].Alternates)
	}
}

func TestSitemapLimit(t *testing.T) {
	urls := make([]SitemapURL, MaxSitemapURLs+1)
	for i := range urls {
		urls[i] = SitemapURL{Loc: fmt.Sprintf("https://news.example.gov.cn/articles/%d", i)}
	}
	var buf bytes.Buffer
	if err := Sitemap(&buf, urls); err == nil {
		t.Fatal("no error for more than MaxSitemapURLs URLs")
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes despite the error", buf.Len())
	}
	if err := Sitemap(&buf, urls[:MaxSitemapURLs]); err != nil {
		t.Fatalf("exactly MaxSitemapURLs: %v", err)
	}
}

func TestSitemapRejectsRelativeURLs(t *testing.T) {
	var buf bytes.Buffer
	for _, u := range []SitemapURL{
		{Loc: "/articles/1"},
		{Loc: ""},
		{Loc: "https://news.example.gov.cn/a", Alternates: map[string]string{"en": "/en/a"}},
		{Loc: "https://news.example.gov.cn/" + strings.Repeat("a", 2100)},
	} {
		if err := Sitemap(&buf, []SitemapURL{u}); err == nil {
			t.Errorf("no error for %+v", u)
		}
	}
	if err := RSS(&buf, testSite(), Feed{Entries: []Entry{{Title: "无链接"}}}); err == nil {
		t.Error("RSS: no error for an entry without URL")
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q despite errors", buf.String())
	}
}

func TestNewsSitemap(t *testing.T) {
	site := testSite()
	entries := testEntries()
	entries = append(entries,
		Entry{URL: "https://news.example.gov.cn/articles/200", Title: "定时发布", Published: now.Add(time.Hour)},         // future
		Entry{URL: "https://news.example.gov.cn/articles/201", Title: "刚好48小时", Published: now.Add(-48 * time.Hour)}, // edge: included
		Entry{URL: "https://news.example.gov.cn/articles/202", Title: "超过48小时", Published: now.Add(-48*time.Hour - time.Second)},
		Entry{URL: "https://news.example.gov.cn/articles/203", Title: "繁體", Language: "zh-Hant-TW", Published: now.Add(-3 * time.Hour)},
	)
	out := render(t, func(b *bytes.Buffer) error { return NewsSitemap(b, site, entries, now) })
	var doc urlsetTest
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("news sitemap does not parse: %v\n%s", err, out)
	}
	var got []string
	for _, u := range doc.URLs {
		if u.News == nil {
			t.Fatalf("url %s has no news:news", u.Loc)
		}
		got = append(got, u.Loc+" "+u.News.Language+" "+u.News.Title)
		if u.News.Name != "河北省司法厅" {
			t.Errorf("publication name %q", u.News.Name)
		}
		if _, err := time.Parse(time.RFC3339, u.News.PublicationDate); err != nil {
			t.Errorf("publication_date %q", u.News.PublicationDate)
		}
	}
	want := []string{
		"https://news.example.gov.cn/en/articles/102 en Provincial justice administration work conference held in Shijiazhuang",
		"https://news.example.gov.cn/articles/101 zh-cn 全省司法行政工作会议在石家庄召开",
		"https://news.example.gov.cn/articles/203 zh-tw 繁體",
		"https://news.example.gov.cn/articles/201 zh-cn 刚好48小时",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("news sitemap urls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(string(out), "articles/103") {
		t.Error("news sitemap contains the 72-hour-old entry")
	}
}

func TestNewsSitemapCap(t *testing.T) {
	var entries []Entry
	for i := range MaxNewsSitemapURLs + 50 {
		entries = append(entries, Entry{
			URL:       fmt.Sprintf("https://news.example.gov.cn/articles/%d", i),
			Title:     "标题",
			Published: now.Add(-time.Duration(i) * time.Minute),
		})
	}
	var buf bytes.Buffer
	if err := NewsSitemap(&buf, testSite(), entries, now); err != nil {
		t.Fatal(err)
	}
	var doc urlsetTest
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.URLs) != MaxNewsSitemapURLs || doc.URLs[0].Loc != entries[0].URL || doc.URLs[len(doc.URLs)-1].Loc != entries[MaxNewsSitemapURLs-1].URL {
		t.Errorf("%d urls, first %s", len(doc.URLs), doc.URLs[0].Loc)
	}
}

func TestNewsLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"zh-CN": "zh-cn", "zh": "zh-cn", "zh-Hans": "zh-cn", "zh_SG": "zh-cn",
		"zh-TW": "zh-tw", "zh-HK": "zh-tw", "zh-Hant-CN": "zh-tw",
		"en": "en", "en-GB": "en", "FR": "fr", "yue-HK": "yue", "": "zh-cn",
	} {
		if got := NewsLanguage(in); got != want {
			t.Errorf("NewsLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

// ---- robots.txt ----

func TestRobots(t *testing.T) {
	var buf bytes.Buffer
	if err := Robots(&buf, testSite(), []string{"/api/", "/api/", "login\r\nAllow: /"}); err != nil {
		t.Fatal(err)
	}
	want := "User-agent: *\nDisallow: /api/\nDisallow: /loginAllow: /\n\n" +
		"Sitemap: https://news.example.gov.cn/sitemap.xml\nSitemap: https://news.example.gov.cn/news-sitemap.xml\n"
	if buf.String() != want {
		t.Errorf("robots.txt =\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := Robots(&buf, testSite(), nil); err != nil || !strings.HasPrefix(buf.String(), "User-agent: *\nDisallow:\n") {
		t.Errorf("robots.txt without rules = %q, %v", buf.String(), err)
	}
	if err := Robots(&buf, Site{}, nil); err == nil {
		t.Error("no error without a base URL")
	}
}

// ---- JSON-LD ----

func TestNewsArticleJSONLD(t *testing.T) {
	site := testSite()
	for _, e := range testEntries() {
		s := NewsArticleJSONLD(site, e)
		if strings.ContainsAny(s, "<>") || strings.Contains(strings.ToLower(s), "</script") {
			t.Errorf("entry %d: JSON-LD contains markup characters: %s", e.ID, s)
		}
		var doc struct {
			Context          string `json:"@context"`
			Type             string `json:"@type"`
			Headline         string `json:"headline"`
			DatePublished    string `json:"datePublished"`
			DateModified     string `json:"dateModified"`
			MainEntityOfPage struct {
				ID string `json:"@id"`
			} `json:"mainEntityOfPage"`
			Author []struct {
				Type string `json:"@type"`
				Name string `json:"name"`
			} `json:"author"`
			Publisher struct {
				Type string `json:"@type"`
				Name string `json:"name"`
				Logo struct {
					Type string `json:"@type"`
					URL  string `json:"url"`
				} `json:"logo"`
			} `json:"publisher"`
			InLanguage     string   `json:"inLanguage"`
			ArticleSection string   `json:"articleSection"`
			Keywords       []string `json:"keywords"`
		}
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			t.Fatalf("entry %d: JSON-LD does not parse: %v", e.ID, err)
		}
		if doc.Context != "https://schema.org" || doc.Type != "NewsArticle" || doc.Headline != e.Title ||
			doc.MainEntityOfPage.ID != e.URL || doc.InLanguage != e.Language || doc.ArticleSection != e.Section {
			t.Errorf("entry %d: %+v", e.ID, doc)
		}
		if doc.Publisher.Type != "Organization" || doc.Publisher.Name != site.Publisher ||
			doc.Publisher.Logo.Type != "ImageObject" || doc.Publisher.Logo.URL != site.LogoURL {
			t.Errorf("entry %d publisher = %+v", e.ID, doc.Publisher)
		}
		if len(doc.Author) == 0 || doc.DatePublished == "" || doc.DateModified == "" {
			t.Errorf("entry %d: author %+v, dates %q %q", e.ID, doc.Author, doc.DatePublished, doc.DateModified)
		}
		for i, a := range e.Authors {
			if doc.Author[i].Type != "Person" || doc.Author[i].Name != a {
				t.Errorf("entry %d author %d = %+v", e.ID, i, doc.Author[i])
			}
		}
	}
}

func TestJSONLDHeadlineLimit(t *testing.T) {
	e := testEntries()[0]
	e.Title = strings.Repeat("法", 200)
	var doc struct{ Headline string }
	if err := json.Unmarshal([]byte(NewsArticleJSONLD(testSite(), e)), &doc); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(doc.Headline)); n != MaxHeadlineRunes || !strings.HasSuffix(doc.Headline, "…") {
		t.Errorf("headline has %d characters: %q", n, doc.Headline)
	}
}

// The JSON-LD is inserted with html/template as template.JS; a title holding
// "</script>" must not end the element.
func TestJSONLDInTemplate(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`<script type="application/ld+json">{{.}}</script>`))
	e := testEntries()[2]
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, template.JS(NewsArticleJSONLD(testSite(), e))); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	body := strings.TrimSuffix(strings.TrimPrefix(out, `<script type="application/ld+json">`), `</script>`)
	if strings.Contains(body, "</script") || strings.Contains(body, "<!--") {
		t.Fatalf("script element broken: %s", out)
	}
	var doc struct{ Headline string }
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Headline != trickyTitle {
		t.Errorf("headline %q (%v) from %s", doc.Headline, err, body)
	}
}

// LinkQuery marks the links a feed gives its readers (so that the site can
// count the reads the feed brings) and nothing else: ids and guids stay the
// canonical URLs, which feed readers key their items by.
func TestLinkQuery(t *testing.T) {
	site, feed := testSite(), testFeed()
	feed.LinkQuery = "from=feed"
	rss := string(render(t, func(b *bytes.Buffer) error { return RSS(b, site, feed) }))
	atom := string(render(t, func(b *bytes.Buffer) error { return Atom(b, site, feed) }))
	jf := string(render(t, func(b *bytes.Buffer) error { return JSONFeed(b, site, feed) }))
	for _, want := range []struct{ doc, name, s string }{
		{rss, "rss link", `<link>https://news.example.gov.cn/articles/101?from=feed</link>`},
		{rss, "rss guid", `<guid isPermaLink="true">https://news.example.gov.cn/articles/101</guid>`},
		{rss, "rss link with a query", `<link>https://news.example.gov.cn/articles/103?from=feed&amp;lang=zh</link>`},
		{atom, "atom link", `<link href="https://news.example.gov.cn/articles/101?from=feed" rel="alternate"`},
		{atom, "atom id", `<id>https://news.example.gov.cn/articles/101</id>`},
		{atom, "atom other language", `<link href="https://news.example.gov.cn/en/articles/102" rel="alternate" type="text/html" hreflang="en">`},
		{jf, "json url", `"url": "https://news.example.gov.cn/articles/101?from=feed"`},
		{jf, "json id", `"id": "https://news.example.gov.cn/articles/101"`},
	} {
		if !strings.Contains(want.doc, want.s) {
			t.Errorf("%s: no %s in\n%s", want.name, want.s, want.doc)
		}
	}
	// three links, and the guid of the entry whose own URL has it
	if strings.Count(rss, "from=feed") != 4 || strings.Contains(rss, "lang=zh&amp;from=feed") {
		t.Errorf("links marked more than once:\n%s", rss)
	}
}
