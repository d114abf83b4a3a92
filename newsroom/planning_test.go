package newsroom_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

// TestPlanAndAssignToThreeBureaus is the story in the newsroom:
// the editor-in-chief makes a plan and assigns a piece to three city
// bureaus in one form; bad input is refused with its reason and changes
// nothing; a correspondent finds the piece on the desk and the board and
// accepts it; a decline without a reason is refused at the assignment.
func TestPlanAndAssignToThreeBureaus(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chief := f.browser(t)
	chief.login("wangyalan")
	_, page := chief.get("/newsroom/plans")
	if !strings.Contains(page, "京津冀协同发展司法行政协作宣传") || !strings.Contains(page, `action="/newsroom/plans"`) {
		t.Fatal("the plans page lacks the demo's plan or the form")
	}
	token := chief.csrf(page)
	ts, lf, hd, sjz := f.unit(t, "TS"), f.unit(t, "LF"), f.unit(t, "HD"), f.unit(t, "SJZ")
	themes, _ := f.store.FindThemes(ctx)
	form := url.Values{"csrf": {token}, "title": {"法治政府建设宣传周"}, "theme_id": {itoa(themes[3].ID)}, "occasion": {"法治政府建设示范创建"},
		"start": {"2026-11-26"}, "end": {"2026-11-20"}, "channels": {"website", "microblog"},
		"unit_ids": {itoa(ts.ID), itoa(lf.ID), itoa(hd.ID)}}
	if code, _, body := chief.post("/newsroom/plans", form); code != http.StatusBadRequest || !strings.Contains(body, `id="end-error"`) {
		t.Fatalf("an end before the start: %d", code)
	}
	form.Set("end", "2026-12-10")
	code, loc, _ := chief.post("/newsroom/plans", form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/plans/") {
		t.Fatalf("create plan: %d %s", code, loc)
	}
	planPath := strings.SplitN(loc, "?", 2)[0]
	_, page = chief.get(planPath)
	if !strings.Contains(page, "法治政府建设宣传周") || !strings.Contains(page, `name="assignee_`+itoa(ts.ID)+`"`) {
		t.Fatal("the plan page lacks the assign form's units")
	}
	assign := url.Values{"csrf": {token}, "title": {"示范创建一线见闻"}, "brief": {"写一个执法规范化的实例"}, "due": {"2026-11-20"},
		"unit_ids": {itoa(ts.ID), itoa(lf.ID), itoa(hd.ID)}, "assignee_" + itoa(ts.ID): {itoa(f.member(t, "dongwei").ID)}}
	before := f.lastEvent(t)
	unchanged := func(what string) {
		t.Helper()
		if len(f.eventsAfter(t, before)) != 0 {
			t.Fatalf("%s was refused but changed something", what)
		}
	}
	if code, _, body := chief.post(planPath+"/assign", assign); code != http.StatusBadRequest || !strings.Contains(body, "截止时间已经过去") {
		t.Fatalf("a due day in the past: %d", code)
	}
	unchanged("a due day in the past")
	assign.Set("due", "2026-11-30")
	assign.Set("assignee_"+itoa(lf.ID), itoa(f.member(t, "dongwei").ID))
	if code, _, body := chief.post(planPath+"/assign", assign); code != http.StatusBadRequest || !strings.Contains(body, "不是该单位的人员") {
		t.Fatalf("an assignee of another unit: %d", code)
	}
	unchanged("an assignee of another unit")
	assign.Set("assignee_"+itoa(lf.ID), "0")
	assign["unit_ids"] = append(assign["unit_ids"], itoa(sjz.ID))
	if code, _, body := chief.post(planPath+"/assign", assign); code != http.StatusBadRequest || !strings.Contains(body, "不是本策划的参与单位") {
		t.Fatalf("a unit outside the plan: %d", code)
	}
	unchanged("a unit outside the plan")
	yes := true
	if _, err := f.store.UpdateStaff(ctx, f.member(t, "heyanan").ID, herald.StaffUpdate{Disabled: &yes}, herald.Event{At: *f.now}); err != nil {
		t.Fatal(err)
	}
	before = f.lastEvent(t)
	assign["unit_ids"] = assign["unit_ids"][:3]
	assign.Set("assignee_"+itoa(hd.ID), itoa(f.member(t, "heyanan").ID))
	if code, _, body := chief.post(planPath+"/assign", assign); code != http.StatusBadRequest || !strings.Contains(body, "账号已停用") {
		t.Fatalf("a disabled assignee: %d", code)
	}
	unchanged("a disabled assignee")
	assign.Set("assignee_"+itoa(hd.ID), "0")
	if code, loc, body := chief.post(planPath+"/assign", assign); code != http.StatusSeeOther || !strings.Contains(loc, "done=assigned") {
		t.Fatalf("assign to three bureaus: %d %s %.300s", code, loc, body)
	}
	events := f.eventsAfter(t, before)
	if len(events) != 3 || events[0].Entity != herald.EntityAssignment || events[0].Action != "assign" {
		t.Fatalf("assign events: %+v", events)
	}
	if _, page := chief.get("/newsroom/plans"); strings.Count(page, "任务 3 项，未完成 3 项") != 1 {
		t.Fatal("the plans page does not count the new plan's assignments")
	}

	// Langfang's correspondent sees the piece on the desk and takes it
	writer := f.browser(t)
	writer.login("yinlu")
	_, desk := writer.get("/newsroom/")
	if !strings.Contains(desk, "我的任务") || !strings.Contains(desk, "示范创建一线见闻") {
		t.Fatal("the desk does not show the new assignment")
	}
	_, board := writer.get("/newsroom/assignments")
	id := regexp.MustCompile(`action="/newsroom/assignments/(\d+)/accept"`).FindStringSubmatch(board)
	if id == nil || strings.Contains(board, "/cancel\"") {
		t.Fatal("the board does not offer exactly the writer's steps")
	}
	wtoken := writer.csrf(board)
	if code, _, body := writer.post("/newsroom/assignments/"+id[1]+"/decline", url.Values{"csrf": {wtoken}}); code != http.StatusBadRequest || !strings.Contains(body, "退回任务必须写明理由") {
		t.Fatalf("decline without a reason: %d", code)
	}
	if code, loc, _ := writer.post("/newsroom/assignments/"+id[1]+"/accept", url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Fatalf("a forged CSRF token: %d %s", code, loc)
	}
	if code, loc, _ := writer.post("/newsroom/assignments/"+id[1]+"/accept", url.Values{"csrf": {wtoken}}); code != http.StatusSeeOther || !strings.Contains(loc, "assignment_accept") {
		t.Fatalf("accept: %d %s", code, loc)
	}
	if code, _, _ := writer.post("/newsroom/assignments/"+id[1]+"/accept", url.Values{"csrf": {wtoken}}); code != http.StatusConflict {
		t.Fatalf("accepting twice: %d", code)
	}
	// the board in English, and the chief's per-unit lists
	_, board = chief.get("/newsroom/assignments?unit=" + itoa(lf.ID))
	if !strings.Contains(board, "已接受") || !strings.Contains(board, "廊坊市司法局") {
		t.Fatal("the chief's board does not show Langfang's accepted piece")
	}
}

// TestCalendarAndFeeds draws the month and week, makes feed addresses and
// reads them without a session: a reset stops the old address.
func TestCalendarAndFeeds(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("dongwei") // Tangshan: the demo's piece in progress, due in two days
	for _, view := range []string{"month", "week"} {
		code, page := b.get("/newsroom/calendar?view=" + view + "&date=2026-11-27")
		if code != 200 || !strings.Contains(page, "京津冀协作惠民见闻") || !strings.Contains(page, `datetime="2026-11-27"`) {
			t.Fatalf("%s view: %d", view, code)
		}
	}
	_, page := b.get("/newsroom/calendar")
	code, _, body := b.post("/newsroom/calendar/feeds", url.Values{"csrf": {b.csrf(page)}})
	m := regexp.MustCompile(`value="(http[^"]+/newsroom/calendar/(hcal_[^"]+)\.ics)"`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("make a feed: %d", code)
	}
	feed := func(secret string) (int, string, string) {
		res, err := http.Get(f.url + "/newsroom/calendar/" + secret + ".ics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), string(data)
	}
	code, ctype, ics := feed(m[2])
	if code != 200 || !strings.HasPrefix(ctype, "text/calendar") || !strings.Contains(ics, "BEGIN:VEVENT\r\n") ||
		!strings.Contains(ics, "DTSTART;VALUE=DATE:20261127") || !strings.Contains(ics, "SUMMARY:京津冀协作惠民见闻（撰写中）") {
		t.Fatalf("the feed: %d %s\n%s", code, ctype, ics)
	}
	// the unit's feed, then a reset of the person's
	_, page = b.get("/newsroom/calendar")
	if code, _, body := b.post("/newsroom/calendar/feeds", url.Values{"csrf": {b.csrf(page)}, "unit_id": {itoa(f.unit(t, "TS").ID)}}); code != 200 || !strings.Contains(body, "唐山市司法局 的任务") {
		t.Fatalf("the unit's feed: %d", code)
	}
	if code, _, _ := b.post("/newsroom/calendar/feeds", url.Values{"csrf": {b.csrf(page)}, "unit_id": {itoa(f.unit(t, "LF").ID)}}); code != http.StatusForbidden {
		t.Fatalf("another unit's feed: %d", code)
	}
	b.post("/newsroom/calendar/feeds", url.Values{"csrf": {b.csrf(page)}})
	if code, _, _ := feed(m[2]); code != http.StatusNotFound {
		t.Fatalf("the old address after a reset: %d", code)
	}
	if code, _, _ := feed("hcal_guessed"); code != http.StatusNotFound {
		t.Fatalf("a guessed address: %d", code)
	}
}
