package portal_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

// translations seeds what the language tests need: a published Chinese
// original of its own and helpers to add versions of it.
type translations struct {
	f     *fixture
	wf    *workflow.Service
	chief *herald.Staff
	col   int64
}

func newTranslations(t *testing.T, f *fixture) *translations {
	t.Helper()
	ctx := context.Background()
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	cols, _ := f.store.FindColumns(ctx)
	if len(chief) == 0 || len(cols) == 0 {
		t.Fatal("the demo lacks its editor-in-chief or columns")
	}
	return &translations{f: f, wf: workflow.NewService(f.store, func() time.Time { return *f.clock }), chief: chief[0], col: cols[0].ID}
}

// create stores an article in the given state; approved ones are published
// with publish.
func (tr *translations) create(t *testing.T, title, lang string, of int64, status herald.Status) *herald.Article {
	t.Helper()
	at := *tr.f.clock
	a := &herald.Article{ArticleContent: herald.ArticleContent{Title: title, Summary: title, Body: "<p>" + title + "</p>", Language: lang,
		ColumnID: tr.col, EditorID: tr.chief.ID}, UnitID: tr.chief.UnitID, Status: status, CreatedBy: tr.chief.ID, TranslationOf: of}
	if status == herald.StatusPublished {
		a.PublishedAt = &at
	}
	if err := tr.f.store.CreateArticle(context.Background(), a, herald.Event{At: at, ActorID: tr.chief.ID}); err != nil {
		t.Fatal(err)
	}
	return a
}

func (tr *translations) do(t *testing.T, id int64, act workflow.Action) {
	t.Helper()
	*tr.f.clock = tr.f.clock.Add(time.Minute)
	if _, err := tr.wf.Do(context.Background(), tr.chief, id, act, workflow.Request{Comment: "测试"}); err != nil {
		t.Fatalf("%s %d: %v", act, id, err)
	}
	tr.f.portal.Invalidate()
}

// hreflangs reads a page's <link rel="alternate" hreflang> tags, failing on
// an invalid or repeated language.
func hreflangs(t *testing.T, where, body string) map[string]string {
	t.Helper()
	tag := regexp.MustCompile(`^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*|x-default)$`)
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<link rel="alternate" hreflang="([^"]*)" href="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		if !tag.MatchString(m[1]) {
			t.Errorf("%s: hreflang %q is not a language tag", where, m[1])
		}
		if _, dup := out[m[1]]; dup {
			t.Errorf("%s: hreflang %q given twice", where, m[1])
		}
		if !strings.HasPrefix(m[2], base+"/") {
			t.Errorf("%s: hreflang %s points at %q, not an absolute address of the site", where, m[1], m[2])
		}
		out[m[1]] = m[2]
	}
	return out
}

func TestLanguageSectionsAndSwitcher(t *testing.T) {
	f := newFixture(t)
	tr := newTranslations(t, f)
	page := func(path string) (int, string) {
		rec := get(t, f.portal, path)
		return rec.Code, rec.Body.String()
	}
	orig := tr.create(t, "全省法治宣传工作会议召开", "zh-CN", 0, herald.StatusPublished)
	en := tr.create(t, "Provincial Law Publicity Conference Convened", "en", orig.ID, herald.StatusApproved)
	fr := tr.create(t, "Brouillon : conférence provinciale", "fr", orig.ID, herald.StatusDraft)
	tr.do(t, en.ID, workflow.ActPublish)
	origURL, enURL := base+herald.ArticlePath(orig.ID), base+herald.ArticlePath(en.ID)

	status, section := page("/en/")
	if status != 200 {
		t.Fatalf("/en/: status %d", status)
	}
	for _, want := range []string{`<html lang="en"`, "Skip to content", "<h1>English</h1>",
		`<ul class="list"><li><a href="` + herald.ArticlePath(en.ID) + `">` + en.Title, // the newest first
		`title="English RSS" href="/en/feed.xml">`,
		`href="/en/atom.xml"`, `href="/en/feed.json"`, `<a href="/" lang="zh-CN" hreflang="zh-CN">中文</a>`, `href="/m/en/"`} {
		if !strings.Contains(section, want) {
			t.Errorf("/en/ lacks %q", want)
		}
	}
	if strings.Contains(section, orig.Title) || strings.Contains(section, "发布时间") {
		t.Error("/en/ shows the Chinese original or Chinese labels")
	}
	if status, _ := page("/fr/"); status != 404 {
		t.Errorf("/fr/ with only a draft French translation: status %d, want 404", status)
	}
	if status, phone := page("/m/en/"); status != 200 || !strings.Contains(phone, `href="/m`+herald.ArticlePath(en.ID)+`"`) ||
		!strings.Contains(phone, `<html lang="en"`) || !strings.Contains(phone, `<a href="/m/" lang="zh-CN"`) {
		t.Errorf("/m/en/: status %d, or it lacks the translation's phone link or its language", status)
	}
	for path, want := range map[string]int{"/en/page/1.html": 200, "/en/page/999.html": 404, "/en/page/x.html": 400, "/en/nothing": 404, "/m/en/page/1.html": 404} {
		if status, _ := page(path); status != want {
			t.Errorf("%s: status %d, want %d", path, status, want)
		}
	}
	if _, home := page("/"); !strings.Contains(home, `<a href="/en/" lang="en" hreflang="en">English</a>`) || strings.Contains(home, `href="/fr/"`) {
		t.Error("the home page does not link to the English section only")
	}
	if _, home := page("/m/"); !strings.Contains(home, `<a href="/m/en/" lang="en" hreflang="en">English</a>`) {
		t.Error("the phone home page does not link to the English section's phone page")
	}

	// The versions link to each other, with the same hreflang set.
	want := map[string]string{"zh-CN": origURL, "en": enURL, "x-default": origURL}
	for _, a := range []*herald.Article{orig, en} {
		for _, prefix := range []string{"", "/m"} {
			path := prefix + herald.ArticlePath(a.ID)
			_, body := page(path)
			if got := hreflangs(t, path, body); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: hreflang %v, want %v", path, got, want)
			}
			other, otherLang, name := en, "en", "English"
			if a == en {
				other, otherLang, name = orig, "zh-CN", "中文"
			}
			link := fmt.Sprintf(`<a href="%s%s" lang="%s" hreflang="%s">%s</a>`, prefix, herald.ArticlePath(other.ID), otherLang, otherLang, name)
			if !strings.Contains(body, `<nav class="versions"`) || !strings.Contains(body, link) || !strings.Contains(body, `<span aria-current="page" lang="`+a.Language+`">`) {
				t.Errorf("%s: the language switcher lacks %s or the current version", path, link)
			}
			if strings.Contains(body, herald.ArticlePath(fr.ID)) || strings.Contains(body, "Français") {
				t.Errorf("%s: the draft French translation shows", path)
			}
		}
	}

	// Feeds per language parse and carry only that language.
	var rss struct {
		Channel struct {
			Language string `xml:"language"`
			Items    []struct {
				Link string `xml:"link"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(get(t, f.portal, "/en/feed.xml").Body.Bytes(), &rss); err != nil || len(rss.Channel.Items) == 0 ||
		rss.Channel.Items[0].Link != enURL+"?from=feed" || rss.Channel.Language != "en" {
		t.Fatalf("English RSS: %v, %+v", err, rss.Channel)
	}
	var atom struct {
		Lang    string `xml:"lang,attr"`
		Entries []struct {
			Lang string `xml:"lang,attr"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(get(t, f.portal, "/en/atom.xml").Body.Bytes(), &atom); err != nil || len(atom.Entries) == 0 {
		t.Fatalf("English Atom: %v", err)
	}
	for _, e := range atom.Entries {
		if e.Lang != "en" {
			t.Errorf("English Atom has an entry in %q", e.Lang)
		}
	}
	var jf struct {
		Language string `json:"language"`
		Items    []struct {
			URL string `json:"url"`
		} `json:"items"`
	}
	if err := json.Unmarshal(get(t, f.portal, "/en/feed.json").Body.Bytes(), &jf); err != nil || len(jf.Items) == 0 || jf.Items[0].URL != enURL+"?from=feed" {
		t.Fatalf("English JSON Feed: %v, %+v", err, jf)
	}
	if _, sm := page("/sitemaps/site.xml"); !strings.Contains(sm, "<loc>"+base+"/en/</loc>") {
		t.Error("the site sitemap does not list the English section")
	}

	// Retracted, the translation leaves the section and the switcher.
	tr.do(t, en.ID, workflow.ActRetract)
	if _, section := page("/en/"); strings.Contains(section, herald.ArticlePath(en.ID)) {
		t.Error("/en/ still lists the retracted translation")
	}
	_, body := page(herald.ArticlePath(orig.ID))
	if strings.Contains(body, `<nav class="versions"`) || strings.Contains(body, herald.ArticlePath(en.ID)) {
		t.Error("the original still links to its retracted translation")
	}
	if got := hreflangs(t, "original", body); fmt.Sprint(got) != fmt.Sprint(map[string]string{"zh-CN": origURL, "x-default": origURL}) {
		t.Errorf("the original's hreflang after the retraction: %v", got)
	}
}
