package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/print"
	"github.com/heraldnews/herald/training"
)

// The seed page reports a two-day training course for the province's
// publicity staff: the demo holds it as it ran, with its nominations (one
// left on the waiting list), check-ins, feedback and certificates, linked
// to its report; and a course next month that units are nominating for,
// on which an organiser can walk through a course live (opening check-in
// on demand, as a course's sessions are not today).

// seedCourseDay is the seed course's first day, 12 December 2019.
var seedCourseDay = time.Date(2019, 12, 12, 0, 0, 0, 0, herald.CST)

// demoSession is a session of a demo course: its day (0 the first), times
// (CST, hh:mm) and who gave it.
type demoSession struct {
	day                          int
	from, to                     string
	kind                         herald.SessionKind
	topic, lecturer, lecturerOrg string
}

var seedSessions = []demoSession{
	{0, "09:00", "09:40", herald.SessionMobilization, "培训班动员讲话", "罗强", "河北省司法厅"},
	{0, "10:00", "12:00", herald.SessionLecture, "全媒体时代的新闻宣传与舆论引导", "省委党校专家", "中共河北省委党校"},
	{0, "14:30", "17:00", herald.SessionLecture, "网络舆情研判与政务新媒体运营", "省委网信办专家", "中共河北省委网络安全和信息化委员会办公室"},
	{1, "09:00", "11:30", herald.SessionLecture, "司法行政新闻宣传报道实务", "马建国", "河北省司法厅宣传中心"},
	{1, "14:00", "16:00", herald.SessionWorkshop, "宣传工作研讨交流", "王亚兰", "河北省司法厅宣传中心"},
}

// seedQuotas are the city bureaus' places on the seed course: fourteen
// places for a hall of twelve.
var seedQuotas = map[string]int{"SJZ": 2, "TS": 2, "QHD": 1, "HD": 1, "XT": 1, "BD": 2, "ZJK": 1, "CD": 1, "CZ": 1, "LF": 1, "HS": 1}

// seedParticipants are the nominations, in order, with the unit whose quota
// each counts against, and which sessions each missed (by index).
var seedParticipants = []struct {
	username, unit string
	missed         []int
}{
	{"gaofeng", "SJZ", nil}, {"kongfanyu", "SJZ", nil}, {"dongwei", "TS", nil}, {"changlijun", "TS", []int{4}},
	{"fanglei", "QHD", nil}, {"heyanan", "HD", []int{0}}, {"jiangtao", "XT", nil}, {"cuiying", "BD", nil},
	{"wujing", "ZJK", nil}, {"pangrui", "CD", nil}, {"xuqiang", "CZ", nil}, {"yinlu", "LF", nil},
	{"lvjia", "BD", nil}, // the thirteenth: the hall was full, so the waiting list
}

// seedTraining seeds the two courses. reportID is the seed article's ID.
func seedTraining(ctx context.Context, s herald.Store, now time.Time, staff map[string]*herald.Staff, units map[string]*herald.Unit, reportID int64) error {
	var clock time.Time
	svc := training.New(s, func() time.Time { return clock })
	organiser, chief := staff["majianguo"], staff["wangyalan"]
	at := func(day time.Time, hhmm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", herald.DayString(day)+" "+hhmm, herald.CST)
		return t
	}

	// the seed course, as it ran
	clock = time.Date(2019, 11, 20, 10, 0, 0, 0, herald.CST)
	c := &herald.Course{Title: "全省司法行政系统宣传工作培训班", OrganiserID: units["HEB-XC"].ID, Place: "石家庄",
		StartDay: seedCourseDay, EndDay: seedCourseDay.AddDate(0, 0, 1), Capacity: 12, ArticleID: reportID,
		Description: "省司法厅重新组建以来首次全省司法行政系统宣传工作培训班。进一步提高新形势下全省司法行政系统法治宣传水平，增强全媒体时代司法行政宣传的传播力、引导力、影响力、公信力，加强宣传工作队伍建设。"}
	for _, code := range sortedKeys(seedQuotas) {
		c.Quotas = append(c.Quotas, herald.CourseQuota{UnitID: units[code].ID, Places: seedQuotas[code]})
	}
	if err := svc.CreateCourse(ctx, organiser, c); err != nil {
		return fmt.Errorf("course: %w", err)
	}
	sessions, err := addSessions(ctx, svc, organiser, c, seedSessions, at)
	if err != nil {
		return err
	}
	if err := addOutline(ctx, svc, organiser, sessions[3], clock); err != nil {
		return err
	}
	clock = time.Date(2019, 11, 25, 9, 0, 0, 0, herald.CST)
	var enrolled []*herald.Enrolment
	for _, p := range seedParticipants {
		clock = clock.Add(47 * time.Minute)
		nominator := organiser
		if p.unit == "SJZ" { // the city's own trainer nominated its two
			nominator = staff["songlina"]
		}
		e, err := svc.Nominate(ctx, nominator, c.ID, staff[p.username].ID, units[p.unit].ID)
		if err != nil {
			return fmt.Errorf("nominate %s: %w", p.username, err)
		}
		enrolled = append(enrolled, e)
	}
	clock = time.Date(2019, 12, 2, 15, 0, 0, 0, herald.CST)
	for i, e := range enrolled {
		to, note := herald.EnrolmentApproved, ""
		if i >= c.Capacity {
			to, note = herald.EnrolmentWaitlisted, "会场容量已满，列入候补"
		}
		if _, _, err := svc.Decide(ctx, organiser, e.ID, to, note); err != nil {
			return fmt.Errorf("decide %d: %w", e.StaffID, err)
		}
	}
	for i, ts := range sessions {
		for j, p := range seedParticipants[:c.Capacity] {
			if slices.Contains(p.missed, i) {
				continue
			}
			st := staff[p.username]
			// they scanned the code as they came in, a few minutes before
			clock = ts.StartsAt.Add(-time.Duration(12-j) * time.Minute)
			a := &herald.Attendance{SessionID: ts.ID, StaffID: st.ID, Method: herald.AttendanceQR}
			if j == 6 && i == 2 { // a phone without a signal: marked by hand
				a.Method = herald.AttendanceManual
				if err := s.RecordAttendance(ctx, a, herald.Event{At: clock.UTC(), ActorID: organiser.ID}); err != nil {
					return err
				}
				continue
			}
			if err := s.RecordAttendance(ctx, a, herald.Event{At: clock.UTC(), ActorID: st.ID}); err != nil {
				return fmt.Errorf("attendance: %w", err)
			}
		}
	}
	comments := []string{"专家授课针对性强，对做好新媒体宣传很有帮助。", "希望多组织此类培训，增加案例研讨。", "", "舆情应对课程很实用。", ""}
	for j, p := range seedParticipants[:10] {
		clock = at(seedCourseDay.AddDate(0, 0, 1), "16:05").Add(time.Duration(j) * time.Minute)
		fb := &herald.Feedback{CourseID: c.ID, Comment: comments[j%len(comments)], Ratings: map[string]int{
			"content": 5 - j%3/2, "lecturers": 5 - j%4/3, "organisation": 4 + j%2, "usefulness": 5 - j%5/3}}
		if err := svc.SubmitFeedback(ctx, staff[p.username], fb); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
	}
	clock = at(seedCourseDay.AddDate(0, 0, 1), "17:00")
	if _, err := svc.IssueCertificates(ctx, chief, c.ID); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}

	// next month's course, open for nominations
	clock = now.Add(-72 * time.Hour)
	start := herald.CSTDay(now).AddDate(0, 1, 0)
	next := &herald.Course{Title: "全省司法行政系统新媒体运营培训班", OrganiserID: units["HEB-XC"].ID, Place: "石家庄", StartDay: start,
		EndDay: start.AddDate(0, 0, 1), Capacity: 20,
		Description: "围绕短视频制作、政务新媒体运营和网络舆情应对，提升基层司法行政宣传骨干的新媒体运营能力。"}
	for _, code := range sortedKeys(seedQuotas) {
		next.Quotas = append(next.Quotas, herald.CourseQuota{UnitID: units[code].ID, Places: 2})
	}
	if err := svc.CreateCourse(ctx, organiser, next); err != nil {
		return fmt.Errorf("next course: %w", err)
	}
	if _, err := addSessions(ctx, svc, organiser, next, []demoSession{
		{0, "09:00", "09:30", herald.SessionMobilization, "开班动员", "王亚兰", "河北省司法厅宣传中心"},
		{0, "09:45", "12:00", herald.SessionLecture, "政务短视频策划与制作", "省委网信办专家", "中共河北省委网络安全和信息化委员会办公室"},
		{1, "09:00", "11:30", herald.SessionWorkshop, "新媒体作品评析与交流", "马建国", "河北省司法厅宣传中心"},
	}, at); err != nil {
		return err
	}
	clock = now.Add(-24 * time.Hour)
	if _, err := svc.Nominate(ctx, staff["songlina"], next.ID, staff["gaofeng"].ID, units["SJZ"].ID); err != nil {
		return fmt.Errorf("next nomination: %w", err)
	}
	return nil
}

func addSessions(ctx context.Context, svc *training.Service, organiser *herald.Staff, c *herald.Course, specs []demoSession,
	at func(time.Time, string) time.Time) ([]*herald.TrainingSession, error) {
	var out []*herald.TrainingSession
	for _, sp := range specs {
		day := c.StartDay.AddDate(0, 0, sp.day)
		ts := &herald.TrainingSession{CourseID: c.ID, Kind: sp.kind, Topic: sp.topic, Lecturer: sp.lecturer, LecturerOrg: sp.lecturerOrg,
			StartsAt: at(day, sp.from), EndsAt: at(day, sp.to)}
		if err := svc.AddSession(ctx, organiser, ts); err != nil {
			return nil, fmt.Errorf("session %s: %w", sp.topic, err)
		}
		out = append(out, ts)
	}
	return out, nil
}

// addOutline hands out the outline of the reporting lecture as a PDF.
func addOutline(ctx context.Context, svc *training.Service, organiser *herald.Staff, ts *herald.TrainingSession, date time.Time) error {
	res, err := print.RenderDocument(print.Document{Title: "司法行政新闻宣传报道实务（讲义提纲）", Issuer: "河北省司法厅宣传中心", Date: date,
		Body: "<h2>一、把握宣传主线</h2><p>聚焦中心工作，围绕京津冀协同发展、雄安新区建设、北京冬奥会筹办、法治政府建设精准宣传司法行政工作亮点。</p>" +
			"<h2>二、创新方式方法</h2><p>适应全媒体时代传播格局，用好报刊、网站、微博、微信公众号和外宣“4+1”宣传模式。</p>" +
			"<h2>三、建设宣传队伍</h2><p>建设一支讲政治、懂法律、通传播、会网络的司法行政宣传队伍。</p>"})
	if err != nil {
		return fmt.Errorf("outline: %w", err)
	}
	m := &herald.Material{SessionID: ts.ID, Title: "讲义提纲", Filename: "outline.pdf", ContentType: "application/pdf", Data: res.PDF}
	return svc.AddMaterial(ctx, organiser, m)
}
