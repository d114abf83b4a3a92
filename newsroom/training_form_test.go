package newsroom_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

// An organiser sets up a course on the form: bad input is refused under
// its fields and stores nothing; the course is created, edited (a stale
// version is refused), and given sessions (an overlap and a time outside
// the days refused); a session someone attended stays. A correspondent
// gets no form.
func TestTrainingCourseForm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	org, gaofeng := f.browser(t), f.browser(t)
	org.login("majianguo")
	gaofeng.login("gaofeng")
	if code, _ := gaofeng.get("/newsroom/training/courses/new"); code != http.StatusForbidden {
		t.Fatalf("a correspondent opened the course form: %d", code)
	}
	_, page := org.get("/newsroom/training")
	if !strings.Contains(page, `href="/newsroom/training/courses/new"`) {
		t.Fatal("the organiser is not offered a new course")
	}
	_, page = org.get("/newsroom/training/courses/new")
	before, _ := f.store.FindCourses(ctx)
	units, _, _ := f.store.FindUnits(ctx, herald.UnitFilter{})
	var center, sjz int64
	for _, u := range units {
		switch u.Code {
		case "SJZ":
			sjz = u.ID
		}
		if u.ParentID != 0 && center == 0 && u.Type == herald.UnitPublicityCenter {
			center = u.ID
		}
	}
	form := url.Values{"csrf": {org.csrf(page)}, "title": {"全省政务新媒体培训班"}, "organiser_id": {itoa(center)}, "place": {"石家庄"},
		"start_day": {"2026-12-10"}, "end_day": {"2026-12-09"}, "capacity": {"x"}, "description": {""},
		"quota_unit": {itoa(sjz), ""}, "quota_places": {"3", ""}}
	code, _, body := org.post("/newsroom/training/courses", form)
	if code != http.StatusBadRequest || !strings.Contains(body, `id="end_day-error"`) || !strings.Contains(body, "结业日期不能早于开班日期") ||
		!strings.Contains(body, `id="capacity-error"`) || !strings.Contains(body, "全省政务新媒体培训班") {
		t.Fatalf("bad course: %d %.3000s", code, body)
	}
	if after, _ := f.store.FindCourses(ctx); len(after) != len(before) {
		t.Fatal("a refused course was stored")
	}
	form.Set("end_day", "2026-12-11")
	form.Set("capacity", "30")
	code, loc, body := org.post("/newsroom/training/courses", form)
	if code != http.StatusSeeOther || !strings.Contains(loc, "/edit?done=course_created") {
		t.Fatalf("create: %d %s %.2000s", code, loc, body)
	}
	edit := strings.SplitN(loc, "?", 2)[0]
	_, page = org.get(loc)
	if !strings.Contains(page, "培训班已创建") || !strings.Contains(page, `name="version" value="1"`) {
		t.Fatalf("the edit page: %.2000s", page)
	}
	courses, _ := f.store.FindCourses(ctx)
	var c *herald.Course
	for _, x := range courses {
		if x.Title == "全省政务新媒体培训班" {
			c = x
		}
	}
	base := edit[:len(edit)-len("/edit")]
	session := url.Values{"csrf": {org.csrf(page)}, "kind": {"lecture"}, "topic": {"政务新媒体运营"}, "lecturer": {"李明"}, "lecturer_org": {"人民网"},
		"day": {"2026-12-10"}, "start": {"09:00"}, "end": {"11:00"}}
	if code, _, body := org.post(base+"/sessions", session); code != http.StatusSeeOther {
		t.Fatalf("add a session: %d %.2000s", code, body)
	}
	session.Set("start", "10:00")
	session.Set("end", "12:00")
	code, _, body = org.post(base+"/sessions", session)
	if code != http.StatusBadRequest || !strings.Contains(body, `id="new-start-error"`) || !strings.Contains(body, "时间重叠") {
		t.Fatalf("an overlap: %d %.3000s", code, body)
	}
	session.Set("day", "2026-12-20")
	code, _, body = org.post(base+"/sessions", session)
	if code != http.StatusBadRequest || !strings.Contains(body, "课程须安排在培训日期内") {
		t.Fatalf("outside the days: %d %.3000s", code, body)
	}
	session.Set("day", "2026-12-10")
	session.Set("start", "14:00")
	session.Set("end", "13:00")
	if code, _, body = org.post(base+"/sessions", session); code != http.StatusBadRequest || !strings.Contains(body, "结束时间须晚于开始时间") {
		t.Fatalf("end before start: %d %.3000s", code, body)
	}
	if ss, _ := f.store.FindTrainingSessions(ctx, c.ID); len(ss) != 1 {
		t.Fatalf("refused sessions were stored: %+v", ss)
	}
	// the course's days may not leave the session outside; a stale version is refused
	form.Set("version", "1")
	form.Set("start_day", "2026-12-11")
	code, _, body = org.post(edit, form)
	if code != http.StatusBadRequest || !strings.Contains(body, `id="start_day-error"`) {
		t.Fatalf("stranding a session: %d %.3000s", code, body)
	}
	form.Set("start_day", "2026-12-10")
	form.Set("place", "保定")
	if code, loc, body = org.post(edit, form); code != http.StatusSeeOther {
		t.Fatalf("save: %d %s %.2000s", code, loc, body)
	}
	form.Set("place", "廊坊")
	code, _, body = org.post(edit, form)
	if code != http.StatusConflict || !strings.Contains(body, `name="version" value="2"`) {
		t.Fatalf("a stale version: %d %.3000s", code, body)
	}
	if got, _ := f.store.FindCourseByID(ctx, c.ID); got.Place != "保定" || got.Version != 2 {
		t.Fatalf("course = %+v", got)
	}
	ss, _ := f.store.FindTrainingSessions(ctx, c.ID)
	session.Set("start", "08:30")
	session.Set("end", "10:30")
	if code, _, body := org.post("/newsroom/training/sessions/"+itoa(ss[0].ID)+"/edit", session); code != http.StatusSeeOther {
		t.Fatalf("edit a session: %d %.2000s", code, body)
	}
	edited, err := f.store.FindTrainingSessionByID(ctx, ss[0].ID)
	if err != nil || edited.StartsAt.In(herald.CST).Format("2006-01-02 15:04") != "2026-12-10 08:30" || edited.EndsAt.In(herald.CST).Format("15:04") != "10:30" {
		t.Fatalf("edited session %+v: %v", edited, err)
	}
	// a session someone attended stays, saying why; an unattended one goes
	session.Set("day", "2026-12-11")
	if code, _, body := org.post(base+"/sessions", session); code != http.StatusSeeOther {
		t.Fatalf("add a second session: %d %.2000s", code, body)
	}
	ss, _ = f.store.FindTrainingSessions(ctx, c.ID)
	if len(ss) != 2 {
		t.Fatalf("sessions = %+v", ss)
	}
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "majianguo"})
	if err := f.store.RecordAttendance(ctx, &herald.Attendance{SessionID: ss[0].ID, StaffID: chief[0].ID, Method: herald.AttendanceManual},
		herald.Event{At: *f.now, ActorID: chief[0].ID}); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := gaofeng.post("/newsroom/training/sessions/"+itoa(ss[1].ID)+"/delete", url.Values{"csrf": {gaofeng.csrf(page)}}); code != http.StatusForbidden {
		t.Fatalf("a correspondent removed a session: %d", code)
	}
	code, _, body = org.post("/newsroom/training/sessions/"+itoa(ss[0].ID)+"/delete", url.Values{"csrf": {org.csrf(page)}})
	if code != http.StatusConflict || !strings.Contains(body, "这节课已有签到记录或培训资料，不能删除。") {
		t.Fatalf("remove an attended session: %d %.3000s", code, body)
	}
	if _, err := f.store.FindTrainingSessionByID(ctx, ss[0].ID); err != nil {
		t.Fatalf("the attended session went: %v", err)
	}
	if code, _, body := org.post("/newsroom/training/sessions/"+itoa(ss[1].ID)+"/delete", url.Values{"csrf": {org.csrf(page)}}); code != http.StatusSeeOther {
		t.Fatalf("remove a session: %d %.2000s", code, body)
	}
	if left, _ := f.store.FindTrainingSessions(ctx, c.ID); len(left) != 1 || left[0].ID != ss[0].ID {
		t.Fatalf("sessions left = %+v", left)
	}
}

// The admin's member page shows the member's training record.
func TestTrainingOnTheAdminMemberPage(t *testing.T) {
	f := newFixture(t)
	admin := f.browser(t)
	admin.login("zhaojun")
	st, _, _ := f.store.FindStaff(context.Background(), herald.StaffFilter{Username: "gaofeng"})
	code, page := admin.get("/newsroom/admin/staff/" + itoa(st[0].ID))
	if code != http.StatusOK || !strings.Contains(page, "累计培训学时：9.7 小时") || !strings.Contains(page, "PX2019-") {
		t.Fatalf("the member page: %d %.3000s", code, page[strings.Index(page, "<main"):])
	}
}
