package newsroom_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
)

// demoCourses returns the demo's seed course (2019) and next month's.
func demoCourses(t *testing.T, s herald.Store) (seed, next *herald.Course) {
	t.Helper()
	cs, err := s.FindCourses(context.Background())
	if err != nil || len(cs) != 2 {
		t.Fatalf("courses %+v: %v", cs, err)
	}
	return cs[1], cs[0]
}

var checkinURL = regexp.MustCompile(`class="hint url"><a href="([^"]+)"`)

// An organiser runs next month's course: a city's trainer nominates past
// the quota and is refused; the organiser approves, opens check-in on the
// screen; the participant checks in from the screen's code, twice (the
// second says when the first was), and with an expired code.
func TestOrganiserRunsACourse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	seed, next := demoCourses(t, f.store)
	if seed.ArticleID == 0 || seed.Title != "全省司法行政系统宣传工作培训班" {
		t.Fatalf("seed course %+v", seed)
	}
	organiser, trainer, gaofeng := f.browser(t), f.browser(t), f.browser(t)
	organiser.login("majianguo")
	trainer.login("songlina")
	gaofeng.login("gaofeng")
	path := "/newsroom/training/courses/" + itoa(next.ID)

	_, page := trainer.get(path)
	kong, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "kongfanyu"})
	sjz := next.Quotas[0].UnitID
	for _, q := range next.Quotas {
		if u, _ := f.store.FindUnitByID(ctx, q.UnitID); u.Code == "SJZ" {
			sjz = u.ID
		}
	}
	code, loc, _ := trainer.post(path+"/nominate", url.Values{"csrf": {trainer.csrf(page)}, "staff": {itoa(kong[0].ID)}, "unit": {itoa(sjz)}})
	if code != http.StatusSeeOther || !strings.Contains(loc, "done=nominated") {
		t.Fatalf("nominate: %d %s", code, loc)
	}
	songlina, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "songlina"})
	code, _, body := trainer.post(path+"/nominate", url.Values{"csrf": {trainer.csrf(page)}, "staff": {itoa(songlina[0].ID)}, "unit": {itoa(sjz)}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "used all 2 of its places") {
		t.Fatalf("past the quota: %d %.300s", code, body)
	}

	es, _ := f.store.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: next.ID})
	_, page = organiser.get(path)
	for _, e := range es {
		if code, _, body := organiser.post("/newsroom/training/enrolments/"+itoa(e.ID)+"/approved", url.Values{"csrf": {organiser.csrf(page)}}); code != http.StatusSeeOther {
			t.Fatalf("approve: %d %.300s", code, body)
		}
	}
	sessions, _ := f.store.FindTrainingSessions(ctx, next.ID)
	screen := "/newsroom/training/sessions/" + itoa(sessions[0].ID) + "/screen"
	_, page = organiser.get(screen)
	if !strings.Contains(page, "立即开放签到") {
		t.Fatalf("check-in is open a month early: %.500s", page)
	}
	if code, _, _ := organiser.post("/newsroom/training/sessions/"+itoa(sessions[0].ID)+"/open", url.Values{"csrf": {organiser.csrf(page)}}); code != http.StatusSeeOther {
		t.Fatalf("open check-in: %d", code)
	}
	_, page = organiser.get(screen)
	m := checkinURL.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "<svg") {
		t.Fatalf("no code on the screen: %.800s", page)
	}
	u, _ := url.Parse(html.UnescapeString(m[1]))
	code, body = gaofeng.get(u.RequestURI())
	if code != http.StatusOK || !strings.Contains(body, "签到成功") || !strings.Contains(body, "已于 18:00 签到") {
		t.Fatalf("check in: %d %.600s", code, body)
	}
	*f.now = f.now.Add(20 * time.Second)
	code, body = gaofeng.get(u.RequestURI())
	if code != http.StatusConflict || !strings.Contains(body, "您已于 18:00 签到，无需重复签到") {
		t.Fatalf("second check-in: %d %.600s", code, body)
	}
	*f.now = f.now.Add(time.Minute)
	code, body = gaofeng.get(u.RequestURI())
	if code != http.StatusBadRequest || !strings.Contains(body, "二维码已过期") {
		t.Fatalf("expired code: %d %.600s", code, body)
	}
	forged := strings.Replace(u.RequestURI(), "t=", "t=x", 1)
	if code, body = gaofeng.get(forged); code != http.StatusBadRequest || !strings.Contains(body, "这不是本课程的签到二维码") {
		t.Fatalf("forged code: %d %.600s", code, body)
	}
	// a correspondent sees no screen
	if code, _ := gaofeng.get(screen); code != http.StatusForbidden {
		t.Fatalf("a participant opened the screen: %d", code)
	}
}

// The seed course's report, certificates and attendance as an organiser
// and a participant see them.
func TestSeedCourseCertificatesAndAttendance(t *testing.T) {
	f := newFixture(t)
	seed, _ := demoCourses(t, f.store)
	organiser, gaofeng := f.browser(t), f.browser(t)
	organiser.login("majianguo")
	gaofeng.login("gaofeng")
	path := "/newsroom/training/courses/" + itoa(seed.ID)
	_, page := organiser.get(path)
	for _, want := range []string{"培训班动员讲话", "罗强", "中共河北省委党校", "候补", "PX2019-", "课程内容", "讲义提纲"} {
		if !strings.Contains(page, want) {
			t.Errorf("the course page lacks %q", want)
		}
	}
	code, csv := organiser.get(path + "/attendance/attendance.csv")
	if code != http.StatusOK || !strings.Contains(csv, "高峰") || !strings.Contains(csv, "PX2019-") {
		t.Fatalf("attendance CSV: %d %.300s", code, csv)
	}
	if code, _ := gaofeng.get(path + "/attendance/attendance.csv"); code != http.StatusForbidden {
		t.Fatalf("a participant downloaded attendance: %d", code)
	}
	_, account := gaofeng.get("/newsroom/account")
	if !strings.Contains(account, "累计培训学时：9.7 小时") {
		t.Errorf("the account page lacks the hours: %.2000s", account[strings.Index(account, "<main"):])
	}
	st, _, _ := f.store.FindStaff(context.Background(), herald.StaffFilter{Username: "gaofeng"})
	code, pdf := gaofeng.get(path + "/certificates/" + itoa(st[0].ID) + ".pdf")
	if code != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("certificate: %d", code)
	}
	if bin, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "c.pdf")
		os.WriteFile(file, []byte(pdf), 0o644)
		out, _ := exec.Command(bin, file, "-").Output()
		text := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{"结业证书", "高峰", "石家庄市司法局", "全省司法行政系统宣传工作培训班", "学时9.7小时", "河北省司法厅宣传中心"} {
			if !strings.Contains(text, want) {
				t.Errorf("the certificate does not read %q: %s", want, text)
			}
		}
	}
	if code, _ := gaofeng.get(path + "/certificates/1.pdf"); code != http.StatusForbidden {
		t.Errorf("someone else's certificate: %d", code)
	}
}

// TestBrowserTrainingCheckin: the organiser's check-in screen at 1280 px and
// the participant's phone at 390 px checking in from its code; axe finds no
// serious problem and nothing scrolls sideways.
func TestBrowserTrainingCheckin(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	ctx := context.Background()
	cs, _ := d.store.FindCourses(ctx)
	next := cs[0]
	es, _ := d.store.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: next.ID})
	for _, e := range es {
		if _, _, err := d.store.MoveEnrolment(ctx, e.ID, herald.EnrolmentApproved, "", herald.Event{At: d.clock(), ActorID: 1}); err != nil {
			t.Fatal(err)
		}
	}
	sessions, _ := d.store.FindTrainingSessions(ctx, next.ID)
	d.meet(t, "majianguo", "gaofeng")
	audit := func(p *page, where string) {
		t.Helper()
		browsertest.Audit(t, p.ctx, axe, where)
		if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s scrolls sideways by %d px", where, over)
		}
	}
	org := d.as(t, "majianguo")
	org.open("/newsroom/training/courses/" + itoa(next.ID))
	audit(org, "course page at 1280px")
	org.open("/newsroom/training/sessions/" + itoa(sessions[0].ID) + "/screen")
	org.submit(".checkin-screen form button[type=submit]") // open check-in now
	audit(org, "check-in screen at 1280px")
	link := browsertest.Eval[string](t, org.ctx, `document.querySelector('.checkin-screen .url a').getAttribute('href')`)
	u, _ := url.Parse(link)

	phone := d.as(t, "gaofeng")
	browsertest.Viewport(t, phone.ctx, 390, 844)
	phone.open(u.RequestURI())
	if h := phone.text("main h1"); h != "签到成功" {
		t.Fatalf("the phone says %q: %q", h, phone.text("main"))
	}
	audit(phone, "phone check-in at 390px")
	phone.open("/newsroom/training/courses/" + itoa(next.ID))
	audit(phone, "course page on a phone at 390px")
	org.open("/newsroom/training/sessions/" + itoa(sessions[0].ID) + "/screen")
	if n := org.text(".checkin-count"); n != "已签到 1 / 1 人" {
		t.Errorf("the screen counts %q", n)
	}
	// the organiser's course form on a phone: the course, its sessions and a new one
	browsertest.Viewport(t, org.ctx, 390, 844)
	org.open("/newsroom/training/courses/" + itoa(next.ID) + "/edit")
	if h := org.text("main h1"); !strings.Contains(h, next.Title) {
		t.Fatalf("the course form says %q", h)
	}
	audit(org, "course form at 390px")
	org.open("/newsroom/training/courses/new")
	audit(org, "new course form at 390px")
}
