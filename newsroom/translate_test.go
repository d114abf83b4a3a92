package newsroom_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/textdiff"
	"github.com/heraldnews/herald/workflow"
)

var plainParagraph = regexp.MustCompile(`^<p>[^<]+</p>$`)

// untranslatedOriginal is a published Chinese demo article with no
// translation and at least three body blocks.
func untranslatedOriginal(t *testing.T, f *fixture) *herald.Article {
	t.Helper()
	ctx := context.Background()
	list, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN", Order: herald.ByID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		blocks := textdiff.HTMLBlocks(a.Body)
		if a.TranslationOf != 0 || len(blocks) < 3 || !slices.ContainsFunc(blocks, plainParagraph.MatchString) ||
			slices.ContainsFunc(blocks, func(b string) bool { return !plainParagraph.MatchString(b) }) {
			continue
		}
		if _, n, _ := f.store.FindArticles(ctx, herald.ArticleFilter{TranslationOf: a.ID}); n == 0 {
			return a
		}
	}
	t.Fatal("no untranslated published Chinese article in the demo")
	return nil
}

// The translator starts an English translation of a published Chinese
// article, translates the title and two blocks side by side and saves;
// the body keeps the source's structure. The same language, a second English
// version and a correspondent who may not see the source are refused. When
// the source's title changes, the translation's page and editor say so with
// the title's diff, and marking the translation current clears the notice.
func TestTranslateSideBySide(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	src := untranslatedOriginal(t, f)
	srcBlocks := textdiff.HTMLBlocks(src.Body)
	srcPath := "/newsroom/articles/" + itoa(src.ID)

	b := f.browser(t)
	b.login("lihaoran") // a translator at the publicity center
	_, page := b.get(srcPath)
	if !strings.Contains(page, `action="`+srcPath+`/translations"`) || !strings.Contains(page, "还没有译文") {
		t.Fatal("the original's page does not offer the translator a translation")
	}
	token := b.csrf(page)

	code, loc, _ := b.post(srcPath+"/translations", url.Values{"csrf": {token}, "language": {"en"}})
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "/translate") {
		t.Fatalf("start an English translation: %d %s", code, loc)
	}
	list, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{TranslationOf: src.ID})
	if len(list) != 1 || list[0].Language != "en" || list[0].Status != herald.StatusDraft {
		t.Fatalf("after starting: %d translations", len(list))
	}
	tr := list[0]
	revs, _ := f.store.FindRevisions(ctx, src.ID)
	if tr.SourceRevision != revs[len(revs)-1].Number {
		t.Fatalf("the translation follows source revision %d, want the latest %d", tr.SourceRevision, revs[len(revs)-1].Number)
	}
	trPath := "/newsroom/articles/" + itoa(tr.ID)
	if loc != trPath+"/translate" {
		t.Fatalf("after starting the translator is sent to %s", loc)
	}

	t.Run("Refused", func(t *testing.T) {
		for _, tc := range []struct{ lang, want string }{
			{"zh-CN", "language: must differ from the source&#39;s (zh-CN)"},
			{"EN", "language: article " + itoa(src.ID) + " already has a en version"},
		} {
			code, _, body := b.post(srcPath+"/translations", url.Values{"csrf": {token}, "language": {tc.lang}})
			if code != http.StatusBadRequest || !strings.Contains(body, tc.want) || !strings.Contains(body, `id="translate-problem"`) {
				t.Errorf("translate into %s: %d, want 400 saying %q on the article page", tc.lang, code, tc.want)
			}
		}
		// A correspondent of a village office may not see another city's
		// unpublished piece, so may not translate it.
		hidden, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusSubmitted}, UnitIDs: []int64{f.unit(t, "SJZ").ID}, Limit: 1})
		if len(hidden) == 0 {
			t.Fatal("no submitted piece of Shijiazhuang in the demo")
		}
		c := f.browser(t)
		c.login("baiyonggang")
		_, desk := c.get("/newsroom/")
		code, _, _ := c.post("/newsroom/articles/"+itoa(hidden[0].ID)+"/translations", url.Values{"csrf": {c.csrf(desk)}, "language": {"en"}})
		if _, n, _ := f.store.FindArticles(ctx, herald.ArticleFilter{TranslationOf: hidden[0].ID}); code != http.StatusNotFound || n != 0 {
			t.Errorf("a correspondent translating a piece out of sight: %d, %d translations", code, n)
		}
		if code, _ := c.get(trPath + "/translate"); code != http.StatusNotFound {
			t.Errorf("the correspondent opens the translation's editor: %d", code)
		}
	})

	_, page = b.get(trPath + "/translate")
	if !strings.Contains(page, `name="block-1"`) || !strings.Contains(page, `name="blocks" value="`+strconv.Itoa(len(srcBlocks))+`"`) ||
		!strings.Contains(page, html.EscapeString(src.Title)) {
		t.Fatalf("the side-by-side editor does not show the source's %d blocks", len(srcBlocks))
	}
	form := url.Values{"csrf": {b.csrf(page)}, "version": {strconv.Itoa(tr.Version)}, "blocks": {strconv.Itoa(len(srcBlocks))},
		"title": {"Legal Aid Reaches Every Village"}, "subtitle": {""}, "summary": {tr.Summary}}
	for i, blk := range srcBlocks {
		form.Set("kind-"+strconv.Itoa(i), "p")
		form.Set("block-"+strconv.Itoa(i), blockText(blk))
	}
	form.Set("block-0", "The first paragraph, in English.")
	form.Set("block-2", "The third one <script>alert(1)</script>\nwith a line break.")
	if code, loc, body := b.post(trPath+"/translate", form); code != http.StatusSeeOther || loc != trPath+"?done=1" {
		t.Fatalf("save the translation: %d %s %.300s", code, loc, body)
	}
	// A second save from the same page is based on an old version: refused,
	// with the translator's text kept beside what changed.
	form.Set("block-0", "A rival first paragraph.")
	if code, _, body := b.post(trPath+"/translate", form); code != http.StatusConflict || !strings.Contains(body, "A rival first paragraph.") || !strings.Contains(body, `id="conflict-h"`) {
		t.Fatalf("a save based on an old version: %d, want 409 with the translator's text kept", code)
	}
	tr, _ = f.store.FindArticleByID(ctx, tr.ID)
	got := textdiff.HTMLBlocks(tr.Body)
	want := append([]string{"<p>The first paragraph, in English.</p>", srcBlocks[1],
		"<p>The third one &lt;script&gt;alert(1)&lt;/script&gt;<br>", "with a line break.</p>"}, srcBlocks[3:]...)
	if tr.Title != "Legal Aid Reaches Every Village" || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("saved translation %q:\n%s\nwant\n%s", tr.Title, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: tr.ID, Action: "edit"}); len(events) != 1 {
		t.Errorf("the save recorded %d edit events, want 1", len(events))
	}

	// The source's title is corrected.
	eic := f.member(t, "wangyalan")
	c := src.ArticleContent.Clone()
	oldTitle := c.Title
	c.Title = oldTitle + "（更正）"
	wf := workflow.NewService(f.store, func() time.Time { return *f.now })
	if _, err := wf.Do(ctx, eic, src.ID, workflow.ActCorrect, workflow.Request{Content: &c, Comment: "标题补充"}); err != nil {
		t.Fatal(err)
	}
	revs, _ = f.store.FindRevisions(ctx, src.ID)
	latest := revs[len(revs)-1].Number
	for _, path := range []string{trPath, trPath + "/translate"} {
		_, page = b.get(path)
		banner := section(page, `id="outdated-h"`)
		if !strings.Contains(banner, "原文已修改") || !strings.Contains(banner, "标题") ||
			!strings.Contains(banner, html.EscapeString(oldTitle)+"</td>") || !strings.Contains(banner, html.EscapeString(c.Title)+"</td>") ||
			strings.Contains(banner, "<h3>正文</h3>") || strings.Contains(banner, "<h4>正文</h4>") {
			t.Fatalf("%s does not show the title's change (and only it) under 原文已修改: %.1500s", path, banner)
		}
	}
	if _, page := b.get(srcPath); !strings.Contains(section(page, `id="translations-h"`), "李浩然_DW127") || !strings.Contains(section(page, `id="translations-h"`), "原文已修改") {
		t.Error("the original's page does not list the outdated translation with its translator")
	}
	_, page = b.get(trPath)
	token = b.csrf(page)
	if code, _, _ := b.post(trPath+"/source", url.Values{"csrf": {token}, "version": {strconv.Itoa(tr.Version)}, "source_revision": {strconv.Itoa(latest + 1)}}); code != http.StatusBadRequest {
		t.Errorf("follow a source revision that does not exist: %d", code)
	}
	code, loc, _ = b.post(trPath+"/source", url.Values{"csrf": {token}, "version": {strconv.Itoa(tr.Version)}, "source_revision": {strconv.Itoa(latest)}})
	if code != http.StatusSeeOther || loc != trPath+"?done=source_followed" {
		t.Fatalf("mark the translation current: %d %s", code, loc)
	}
	if tr, _ = f.store.FindArticleByID(ctx, tr.ID); tr.SourceRevision != latest {
		t.Fatalf("after marking: source revision %d, want %d", tr.SourceRevision, latest)
	}
	_, page = b.get(loc)
	if strings.Contains(page, "原文已修改") || !strings.Contains(page, "已标记为跟进最新原文") {
		t.Error("the notice stays after marking the translation current")
	}
	if _, page := b.get(srcPath); strings.Contains(section(page, `id="translations-h"`), "原文已修改") || !strings.Contains(section(page, `id="translations-h"`), "已跟进最新原文") {
		t.Error("the original's page still flags the translation")
	}
	if events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: tr.ID, Action: "follow_source"}); len(events) != 1 || events[0].ActorID != f.member(t, "lihaoran").ID {
		t.Errorf("marking current recorded %d events", len(events))
	}
}

// blockText is the text of a one-paragraph HTML block.
func blockText(block string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(block, "<p>"), "</p>")
	return html.UnescapeString(s)
}

// section is the part of page from the element with attr to the end of its
// section (or of the page).
func section(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	page = page[i:]
	if j := strings.Index(page, "</section>"); j >= 0 {
		return page[:j]
	}
	return page
}
