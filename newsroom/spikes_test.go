package newsroom_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/storetest"
)

// spikeFixture flags read spikes of two published pieces and of one the
// editor guoting wrote, with daily reads around the first.
func spikeFixture(t *testing.T) (f *fixture, first, second, own *herald.ReadSpike) {
	t.Helper()
	f = newFixture(t)
	ctx := context.Background()
	a := untouchedArticle(t, f.store, f.member(t, "baiyonggang"))
	b := untouchedArticle(t, f.store, f.member(t, "gaofeng"))
	guo := f.member(t, "guoting")
	c := storetest.Content(&herald.Column{ID: a.ColumnID}, "编辑本人撰写的稿件")
	c.Authors = []herald.Author{{StaffID: guo.ID}}
	mine := &herald.Article{ArticleContent: c, UnitID: guo.UnitID, CreatedBy: guo.ID, Status: herald.StatusPublished, PublishedAt: f.now}
	if err := f.store.CreateArticle(ctx, mine, herald.Event{At: *f.now, ActorID: guo.ID}); err != nil {
		t.Fatal(err)
	}
	var views []herald.DayViewCount
	for d, n := range []int{60, 40, 50, 45, 3000, 80, 50} {
		views = append(views, herald.DayViewCount{ArticleID: a.ID, Day: "2026-11-" + itoa(int64(16+d)), Channel: herald.ReadWeb, Views: n})
	}
	if err := f.store.AddReads(ctx, &herald.ReadBatch{DayViews: views}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RecordSpikes(ctx, []herald.ReadSpike{
		{ArticleID: a.ID, Day: "2026-11-20", Reads: 3000, Expected: 50, Threshold: 250},
		{ArticleID: b.ID, Day: "2026-11-21", Reads: 900, Expected: 30, Threshold: 200},
		{ArticleID: mine.ID, Day: "2026-11-22", Reads: 800, Expected: 20, Threshold: 200},
	}, *f.now); err != nil {
		t.Fatal(err)
	}
	spikes, _, err := f.store.FindSpikes(ctx, herald.SpikeFilter{})
	if err != nil || len(spikes) != 3 {
		t.Fatalf("spikes: %v %v", spikes, err)
	}
	return f, spikes[2], spikes[1], spikes[0]
}

func spikePath(sp *herald.ReadSpike, action string) string {
	return "/newsroom/spikes/" + itoa(sp.ID) + "/" + action
}

func TestEditorsReviewReadSpikes(t *testing.T) {
	f, first, second, own := spikeFixture(t)
	ctx := context.Background()
	guo := f.browser(t)
	guo.login("guoting") // an editor
	if _, desk := guo.get("/newsroom/"); !strings.Contains(desk, `href="/newsroom/spikes"`) || !strings.Contains(desk, ">读数异常</a>") {
		t.Error("an editor's navigation lacks 读数异常")
	}
	code, page := guo.get("/newsroom/spikes")
	if code != http.StatusOK {
		t.Fatalf("spikes page: %d", code)
	}
	a, _ := f.store.FindArticleByID(ctx, first.ArticleID)
	for _, want := range []string{"待审核（共 3 条）", `href="/newsroom/articles/` + itoa(a.ID) + `"`, html.EscapeString(a.Title),
		`action="` + spikePath(first, "release") + `"`, `action="` + spikePath(second, "void") + `"`, "<dd>3000</dd>", "<dd>50</dd>", "<dd>250</dd>",
		`<svg`, `id="spike-` + itoa(first.ID) + `-title"`, "这是您署名的稿件，须由其他编辑审核。"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, `action="`+spikePath(own, "release")+`"`) {
		t.Error("the page offers an editor to review the spike of their own piece")
	}
	csrf := guo.csrf(page)

	// voiding without a note names the field and changes nothing
	before := f.lastEvent(t)
	code, _, body := guo.post(spikePath(first, "void"), url.Values{"csrf": {csrf}, "note": {"  "}})
	if got := placementFieldError(body, "note-"+itoa(first.ID)); code != http.StatusBadRequest || got != "请填写作废理由。" {
		t.Errorf("void without a note: %d %q", code, got)
	}
	if sp, _ := f.store.FindSpikeByID(ctx, first.ID); sp.Status != herald.SpikeFlagged || f.lastEvent(t) != before {
		t.Errorf("a void without a note changed the spike: %+v", sp)
	}

	// release
	code, loc, _ := guo.post(spikePath(first, "release"), url.Values{"csrf": {csrf}})
	if code != http.StatusSeeOther || loc != "/newsroom/spikes?done=spike_released#flagged" {
		t.Fatalf("release: %d %s", code, loc)
	}
	if sp, _ := f.store.FindSpikeByID(ctx, first.ID); sp.Status != herald.SpikeReleased || sp.ReviewedBy != f.member(t, "guoting").ID {
		t.Errorf("after releasing: %+v", sp)
	}
	if _, page = guo.get(loc); !strings.Contains(page, "已放行，当月阅读量将全部计分。") {
		t.Error("no flash after the release")
	}
	events := f.eventsAfter(t, before)
	if len(events) != 1 || events[0].Entity != herald.EntitySpike || events[0].EntityID != first.ID || events[0].Action != "released" {
		t.Fatalf("events of the release = %+v", events)
	}
	if _, n, _ := f.store.FindJobs(ctx, herald.JobFilter{Kind: scoring.KindRun}); n == 0 {
		t.Error("no scoring run was queued after the release")
	}

	// void with a note
	code, loc, _ = guo.post(spikePath(second, "void"), url.Values{"csrf": {csrf}, "note": {"同一来源集中刷新"}})
	if code != http.StatusSeeOther || loc != "/newsroom/spikes?done=spike_voided#flagged" {
		t.Fatalf("void: %d %s", code, loc)
	}
	if sp, _ := f.store.FindSpikeByID(ctx, second.ID); sp.Status != herald.SpikeVoided || sp.Note != "同一来源集中刷新" {
		t.Errorf("after voiding: %+v", sp)
	}
	_, page = guo.get("/newsroom/spikes?status=voided")
	reviewed := page[strings.Index(page, `id="reviewed"`):]
	if !strings.Contains(reviewed, "理由：同一来源集中刷新") || !strings.Contains(reviewed, html.EscapeString(f.member(t, "guoting").Byline())+" 于 ") ||
		strings.Contains(reviewed, `id="spike-`+itoa(first.ID)+`"`) {
		t.Errorf("the voided list:\n%s", reviewed)
	}

	// a second review, and one of the editor's own piece, are refused at the spike
	code, _, body = guo.post(spikePath(first, "void"), url.Values{"csrf": {csrf}, "note": {"再看一遍"}})
	if code != http.StatusConflict || !strings.Contains(body, "这条记录已被其他编辑处理，现在的状态是“已放行”") {
		t.Errorf("a second review: %d", code)
	}
	code, _, body = guo.post(spikePath(own, "release"), url.Values{"csrf": {csrf}})
	if code != http.StatusForbidden || !strings.Contains(body, "这是您署名的稿件，须由其他编辑审核。") {
		t.Errorf("reviewing one's own piece: %d", code)
	}
	if sp, _ := f.store.FindSpikeByID(ctx, own.ID); sp.Status != herald.SpikeFlagged {
		t.Errorf("the own piece's spike was reviewed: %+v", sp)
	}
	if code, loc, _ := guo.post(spikePath(own, "release"), url.Values{"csrf": {"forged"}}); code != http.StatusForbidden || loc != "" {
		t.Errorf("a form without the session's CSRF token: %d %s", code, loc)
	}
	// a review's address opened as a page goes back to the list
	res, _ := guo.getRaw(spikePath(own, "release"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/newsroom/spikes#flagged" {
		t.Errorf("GET of a review address: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestCorrespondentsCannotReviewReadSpikes(t *testing.T) {
	f, first, _, _ := spikeFixture(t)
	gao := f.browser(t)
	gao.login("gaofeng") // a correspondent
	_, desk := gao.get("/newsroom/")
	if strings.Contains(desk, `href="/newsroom/spikes"`) {
		t.Error("a correspondent's navigation offers 读数异常")
	}
	if code, _ := gao.get("/newsroom/spikes"); code != http.StatusForbidden {
		t.Errorf("a correspondent opens the spikes page: %d", code)
	}
	before := f.lastEvent(t)
	if code, _, _ := gao.post(spikePath(first, "release"), url.Values{"csrf": {gao.csrf(desk)}}); code != http.StatusForbidden {
		t.Errorf("a correspondent releases: %d", code)
	}
	if sp, _ := f.store.FindSpikeByID(context.Background(), first.ID); sp.Status != herald.SpikeFlagged || f.lastEvent(t) != before {
		t.Errorf("a correspondent's release changed the spike: %+v", sp)
	}
}
