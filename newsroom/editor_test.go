package newsroom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/workflow"
)

// The writer's working copy is kept on every autosave, offered again when the
// editor is reopened, shown by the preview, and dropped by the real save.
func TestAutosaveKeepsTheWorkingCopy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chief := f.browser(t)
	chief.login("wangyalan")
	approved, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}})
	a := approved[0]
	edit := "/newsroom/articles/" + itoa(a.ID) + "/edit"
	_, page := chief.get(edit)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
	form := url.Values{"csrf": {chief.csrf(page)}, "version": {version}, "title": {"自动保存的标题"}, "body": {"<p>正在写的段落</p>"},
		"column_id": {itoa(a.ColumnID)}}
	autosave := func(form url.Values) (int, map[string]any) {
		req, _ := http.NewRequest("POST", f.url+"/newsroom/articles/"+itoa(a.ID)+"/autosave", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res, err := chief.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		json.NewDecoder(res.Body).Decode(&v)
		return res.StatusCode, v
	}
	if code, v := autosave(form); code != http.StatusOK || v["saved_at"] == nil {
		t.Fatalf("autosave: %d %v", code, v)
	}
	stored, _ := f.store.FindArticleByID(ctx, a.ID)
	if stored.Title != a.Title || stored.Version != a.Version {
		t.Fatal("an autosave changed the article itself")
	}
	_, page = chief.get(edit)
	if !strings.Contains(page, `value="自动保存的标题"`) || !strings.Contains(page, "已恢复您") {
		t.Fatal("the editor does not offer the autosaved copy again")
	}
	if code, body := chief.get("/newsroom/articles/" + itoa(a.ID) + "/preview?view=phone"); code != http.StatusOK || !strings.Contains(body, "自动保存的标题") || !strings.Contains(body, "正在写的段落") {
		t.Fatalf("preview: %d", code)
	}
	// Without a CSRF token nothing is kept, and the answer is a problem document.
	bad := url.Values{"version": {version}, "title": {"x"}}
	if code, v := autosave(bad); code != http.StatusForbidden || v["status"] != float64(403) {
		t.Fatalf("autosave without CSRF: %d %v", code, v)
	}
	// A copy of an old version is kept too, and the writer is told.
	stale := url.Values{"csrf": form["csrf"], "version": {"1"}, "title": {"旧版本上的修改"}, "body": form["body"], "column_id": form["column_id"]}
	if code, v := autosave(stale); code != http.StatusConflict || v["code"] != herald.ECONFLICT {
		t.Fatalf("stale autosave: %d %v", code, v)
	}
	_, page = chief.get(edit)
	if !strings.Contains(page, `value="旧版本上的修改"`) || !strings.Contains(page, "已被他人修改") {
		t.Fatal("the stale copy is not offered with the differences")
	}
	// Saving makes the revision and drops the copy.
	form.Set("title", "正式保存的标题")
	if code, _, body := chief.post(edit, form); code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", code, body)
	}
	if _, page = chief.get(edit); strings.Contains(page, "已恢复您") || !strings.Contains(page, `value="正式保存的标题"`) {
		t.Fatal("after saving, the editor still offers the old copy")
	}
	// Channels: the boxes ticked, and always the website.
	_, page = chief.get(edit)
	version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
	form.Set("version", version)
	form.Set("channels", "1")
	form["channel"] = []string{"microblog", "print"}
	if code, _, body := chief.post(edit, form); code != http.StatusSeeOther {
		t.Fatalf("save with channels: %d %.300s", code, body)
	}
	if got, _ := f.store.FindArticleByID(ctx, a.ID); fmt.Sprint(got.Channels) != "[website microblog print]" {
		t.Fatalf("channels %v", got.Channels)
	}
	if _, page = chief.get(edit); !strings.Contains(page, `value="microblog" checked`) || strings.Contains(page, `value="foreign" checked`) {
		t.Fatal("the editor does not show the chosen channels")
	}
	if got, _ := f.store.FindArticleByID(ctx, a.ID); len(got.ThemeIDs) != len(a.ThemeIDs) {
		t.Fatalf("a form without theme boxes changed the themes: %v → %v", a.ThemeIDs, got.ThemeIDs)
	}
}

func TestRevisionsSideBySideAndRestore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chief := f.browser(t)
	chief.login("wangyalan")
	approved, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}})
	a := approved[0]
	edit := "/newsroom/articles/" + itoa(a.ID) + "/edit"
	_, page := chief.get(edit)
	form := url.Values{"csrf": {chief.csrf(page)}, "version": {itoa(int64(a.Version))}, "title": {"改过的标题"}, "body": {a.Body + "<p>新加的一段</p>"}}
	if code, _, body := chief.post(edit, form); code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", code, body)
	}
	revs, _ := f.store.FindRevisions(ctx, a.ID)
	last := revs[len(revs)-1].Number
	_, page = chief.get("/newsroom/articles/" + itoa(a.ID) + "/revisions")
	if !strings.Contains(page, `class="sidebyside"`) || !strings.Contains(page, `<td class="delete">`) || !strings.Contains(page, "新加的一段") {
		t.Fatalf("no side-by-side diff of the last two revisions")
	}
	prev := itoa(int64(last - 1))
	if !strings.Contains(page, `href="/newsroom/articles/`+itoa(a.ID)+`/edit?revision=`+prev+`"`) {
		t.Fatal("no link to load an earlier revision into the editor")
	}
	_, page = chief.get(edit + "?revision=" + prev)
	if !strings.Contains(page, `value="`+a.Title+`"`) || strings.Contains(page, `value="改过的标题"`) {
		t.Fatal("the editor does not hold the chosen revision")
	}
	if code, _ := chief.get(edit + "?revision=999"); code != http.StatusNotFound {
		t.Fatalf("unknown revision: %d", code)
	}
}

func TestBulkReview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	editor := f.browser(t)
	editor.login("guoting")
	_, page := editor.get("/newsroom/")
	boxes := regexp.MustCompile(`name="article" value="(\d+):(\d+)"`).FindAllStringSubmatch(page, -1)
	if len(boxes) < 2 {
		t.Fatalf("guoting's review queues show %d pieces with boxes; the demo should give at least 2", len(boxes))
	}
	// One of the two changes meanwhile: it is left alone, the other goes on.
	first, _ := strconv.ParseInt(boxes[0][1], 10, 64)
	second, _ := strconv.ParseInt(boxes[1][1], 10, 64)
	guoting, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "guoting"})
	wf := workflow.NewService(f.store, func() time.Time { return *f.now })
	a2, _ := f.store.FindArticleByID(ctx, second)
	c := a2.ArticleContent
	c.Title += "（改）"
	if _, err := wf.Do(ctx, guoting[0], second, workflow.ActEdit, workflow.Request{Version: a2.Version, Content: &c}); err != nil {
		t.Fatal(err)
	}
	if code, _, body := editor.post("/newsroom/review", url.Values{"csrf": {editor.csrf(page)}, "action": {"reject"}, "article": {boxes[0][0][len(`name="article" value="`) : len(boxes[0][0])-1]}}); code != http.StatusBadRequest || !strings.Contains(body, "退回意见") {
		t.Fatalf("bulk reject without a comment: %d", code)
	}
	form := url.Values{"csrf": {editor.csrf(page)}, "action": {"approve"}, "article": {boxes[0][1] + ":" + boxes[0][2], boxes[1][1] + ":" + boxes[1][2]}}
	code, _, body := editor.post("/newsroom/review", form)
	if code != http.StatusOK || !strings.Contains(body, "已处理 1 篇") {
		t.Fatalf("bulk approve: %d %.500s", code, body)
	}
	if a, _ := f.store.FindArticleByID(ctx, first); a.ReviewLevel < 2 && a.Status == herald.StatusSubmitted {
		t.Fatalf("first piece not approved: %s level %d", a.Status, a.ReviewLevel)
	}
	events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: second})
	if last := events[len(events)-1]; last.Action == "approve" {
		t.Fatal("a piece changed since the queue was shown was approved")
	}
}

func TestWordList(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.browser(t)
	admin.login("zhaojun")
	before, _ := f.store.FindWords(ctx)
	_, page := admin.get("/newsroom/words")
	csrf := admin.csrf(page)
	if code, loc, _ := admin.post("/newsroom/words", url.Values{"csrf": {csrf}, "op": {"add"}, "word": {"宣传标语甲"}, "kind": {"mistaken"}, "suggestion": {"宣传标语乙"}}); code != http.StatusSeeOther || loc != "/newsroom/words?done=1" {
		t.Fatalf("add: %d %s", code, loc)
	}
	if code, _, body := admin.post("/newsroom/words", url.Values{"csrf": {csrf}, "op": {"add"}, "word": {"宣传标语甲"}, "kind": {"mistaken"}}); code != http.StatusConflict || !strings.Contains(body, `value="宣传标语甲"`) {
		t.Fatalf("duplicate: %d", code)
	}
	if code, _, body := admin.post("/newsroom/words", url.Values{"csrf": {csrf}, "op": {"import"}, "lines": {"测试错词,测试正词\n旧式称谓，新式称谓,mistaken,常见错字\n坏行,,rude"}}); code != http.StatusBadRequest || !strings.Contains(body, "line 3") {
		t.Fatalf("import with a bad line: %d %.300s", code, body)
	}
	if words, _ := f.store.FindWords(ctx); len(words) != len(before)+1 {
		t.Fatalf("a refused import added words: %d", len(words))
	}
	if code, _, body := admin.post("/newsroom/words", url.Values{"csrf": {csrf}, "op": {"import"}, "lines": {"测试错词,测试正词\n旧式称谓，新式称谓,mistaken,常见错字\n宣传标语甲,宣传标语乙"}}); code != http.StatusOK || !strings.Contains(body, "已导入 2 个词") {
		t.Fatalf("import: %d", code)
	}
	words, _ := f.store.FindWords(ctx)
	if len(words) != len(before)+3 {
		t.Fatalf("%d words", len(words))
	}
	editor := f.browser(t)
	editor.login("guoting")
	code, editorPage := editor.get("/newsroom/words")
	if code != http.StatusOK || strings.Contains(editorPage, `name="op" value="add"`) {
		t.Fatalf("an editor sees the list read-only: %d", code)
	}
	if code, _, _ := editor.post("/newsroom/words", url.Values{"csrf": {editor.csrf(editorPage)}, "op": {"delete"}, "id": {itoa(words[0].ID)}}); code != http.StatusForbidden {
		t.Fatalf("an editor deletes a word: %d", code)
	}
	if after, _ := f.store.FindWords(ctx); len(after) != len(words) {
		t.Fatal("an editor's delete removed a word")
	}
	writer := f.browser(t)
	writer.login("baiyonggang")
	if code, _ := writer.get("/newsroom/words"); code != http.StatusForbidden {
		t.Fatalf("a correspondent sees the word list page: %d", code)
	}
}

func TestBrokenLinksAreReported(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	published, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Limit: 1})
	check := func(href string) bool { return checklist.SiteLinks(f.store)(ctx, href) }
	if !check("/articles/"+itoa(published[0].ID)+".html") || !check("/m/articles/"+itoa(published[0].ID)+".html") || !check("/columns/headlines/") {
		t.Fatal("a working site link is reported broken")
	}
	if !check("/themes/xiongan/") || !check("/about.html") {
		t.Fatal("a theme page or a fixed page is reported broken")
	}
	if check("/articles/999999.html") || check("/media/1-0000000000000000/large.jpg") || check("/columns/nope/") || check("/themes/nope/page/2.html") {
		t.Fatal("a broken site link passes")
	}
}
