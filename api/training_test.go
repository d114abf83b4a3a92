package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/training"
)

// An organiser sets up a course over the API; units nominate within their
// quotas (past it: 409); the organiser decides; a participant checks in
// with a scanned code for themselves (a forged code: 400; twice: 409) and
// reads their own record.
func TestTrainingCourseOverTheAPI(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		chief, cityEditor, writer := ts.as(t, w.Chief), ts.as(t, w.CityEditor), ts.as(t, w.Writer)
		day := herald.CSTDay(ts.now).Format(time.DateOnly)
		course := map[string]any{"title": "全市新闻宣传业务培训班", "organiser_id": w.Center.ID, "place": "石家庄", "start_day": day, "end_day": day,
			"capacity": 1, "quotas": []map[string]any{{"unit_id": w.City.ID, "places": 1}}}
		writer.do("POST", "/api/v1/courses", course).must(t, http.StatusForbidden)
		bad := map[string]any{}
		for k, v := range course {
			bad[k] = v
		}
		bad["end_day"] = herald.CSTDay(ts.now).AddDate(0, 0, -1).Format(time.DateOnly)
		if res := chief.do("POST", "/api/v1/courses", bad).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"end_day"`) {
			t.Fatalf("end before start is not named: %s", res.body)
		}
		bad["start_day"], bad["end_day"] = "12/10/2026", "tomorrow" // both days named in one answer
		if res := chief.do("POST", "/api/v1/courses", bad).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"start_day"`) ||
			!strings.Contains(string(res.body), `"end_day"`) || !strings.Contains(string(res.body), "YYYY-MM-DD") {
			t.Fatalf("unreadable days are not named: %s", res.body)
		}
		var c struct {
			herald.Course
			Sessions []herald.TrainingSession `json:"sessions"`
		}
		chief.do("POST", "/api/v1/courses", course).must(t, http.StatusCreated).decode(t, &c)
		if c.Version != 1 || len(c.Quotas) != 1 {
			t.Fatalf("course = %+v", c)
		}
		path := fmt.Sprintf("/api/v1/courses/%d", c.ID)
		session := map[string]any{"kind": "lecture", "topic": "新闻写作", "lecturer": "罗强", "lecturer_org": "省委党校",
			"starts_at": ts.now.Format(time.RFC3339), "ends_at": ts.now.Add(90 * time.Minute).Format(time.RFC3339)}
		var ses herald.TrainingSession
		chief.do("POST", path+"/sessions", session).must(t, http.StatusCreated).decode(t, &ses)
		session["starts_at"] = ts.now.Add(time.Hour).Format(time.RFC3339)
		if res := chief.do("POST", path+"/sessions", session).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), "overlaps") {
			t.Fatalf("an overlap is not refused: %s", res.body)
		}
		session["starts_at"], session["ends_at"] = ts.now.Add(48*time.Hour).Format(time.RFC3339), ts.now.Add(49*time.Hour).Format(time.RFC3339)
		chief.do("POST", path+"/sessions", session).must(t, http.StatusBadRequest)
		session["starts_at"], session["ends_at"] = ts.now.Add(2*time.Hour).Format(time.RFC3339), ts.now.Add(3*time.Hour).Format(time.RFC3339)
		var extra herald.TrainingSession
		chief.do("POST", path+"/sessions", session).must(t, http.StatusCreated).decode(t, &extra)
		session["topic"] = "研讨交流"
		chief.do("PUT", fmt.Sprintf("/api/v1/sessions/%d", extra.ID), session).must(t, http.StatusOK)
		writer.do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", extra.ID), nil).must(t, http.StatusForbidden)
		chief.do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", extra.ID), nil).must(t, http.StatusOK)

		// a stale version is refused; a quota is widened
		course["version"], course["capacity"] = 0, 2
		chief.do("PUT", path, course).must(t, http.StatusConflict)
		course["version"], course["quotas"] = 1, []map[string]any{{"unit_id": w.City.ID, "places": 2}}
		chief.do("PUT", path, course).must(t, http.StatusOK).decode(t, &c)
		if c.Version != 2 || c.Capacity != 2 || len(c.Sessions) != 1 {
			t.Fatalf("updated = %+v", c)
		}

		// nominations within the quota; past it, 409
		var e1, e2 herald.Enrolment
		cityEditor.do("POST", path+"/enrolments", map[string]any{"staff_id": w.Writer.ID, "unit_id": w.City.ID}).must(t, http.StatusCreated).decode(t, &e1)
		cityEditor.do("POST", path+"/enrolments", map[string]any{"staff_id": w.CountyWriter.ID, "unit_id": w.City.ID}).must(t, http.StatusCreated).decode(t, &e2)
		if res := cityEditor.do("POST", path+"/enrolments", map[string]any{"staff_id": w.CityEditor.ID, "unit_id": w.City.ID}).must(t, http.StatusConflict); !strings.Contains(string(res.body), "used all 2") {
			t.Fatalf("past the quota: %s", res.body)
		}
		// the quota may not go below the places held
		course["version"], course["quotas"] = 2, []map[string]any{{"unit_id": w.City.ID, "places": 1}}
		if res := chief.do("PUT", path, course).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"quotas"`) {
			t.Fatalf("a quota below the held places: %s", res.body)
		}
		cityEditor.do("POST", fmt.Sprintf("/api/v1/enrolments/%d/decide", e1.ID), map[string]any{"status": "approved"}).must(t, http.StatusForbidden)
		chief.do("POST", fmt.Sprintf("/api/v1/enrolments/%d/decide", e1.ID), map[string]any{"status": "approved"}).must(t, http.StatusOK)
		chief.do("POST", fmt.Sprintf("/api/v1/enrolments/%d/decide", e2.ID), map[string]any{"status": "waitlisted", "note": "名额已满"}).must(t, http.StatusOK)
		var list struct {
			Items []herald.Enrolment
			Total int
		}
		writer.do("GET", path+"/enrolments", nil).must(t, http.StatusOK).decode(t, &list)
		if list.Total != 1 || list.Items[0].StaffID != w.Writer.ID {
			t.Fatalf("the writer sees %+v", list)
		}
		chief.do("GET", path+"/enrolments", nil).must(t, http.StatusOK).decode(t, &list)
		if list.Total != 2 {
			t.Fatalf("the organiser sees %+v", list)
		}

		// checking in with a scanned code, for oneself
		code, err := training.New(s, func() time.Time { return ts.now }).CurrentCode(t.Context(), w.Chief, ses.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkin := fmt.Sprintf("/api/v1/sessions/%d/checkin", ses.ID)
		if res := writer.do("POST", checkin, map[string]any{"window": code.Window, "token": "AAAAAAAAAAAAAAAAAAAAAA"}).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"t"`) {
			t.Fatalf("a forged code: %s", res.body)
		}
		ts.as(t, w.CountyWriter).do("POST", checkin, map[string]any{"window": code.Window, "token": code.Token}).must(t, http.StatusForbidden) // waiting
		var a herald.Attendance
		writer.do("POST", checkin, map[string]any{"window": code.Window, "token": code.Token}).must(t, http.StatusCreated).decode(t, &a)
		if a.StaffID != w.Writer.ID || a.Method != herald.AttendanceQR {
			t.Fatalf("attendance = %+v", a)
		}
		if res := writer.do("POST", checkin, map[string]any{"window": code.Window, "token": code.Token}).must(t, http.StatusConflict); !strings.Contains(string(res.body), "Already checked in at 16:00") {
			t.Fatalf("a second check-in: %s", res.body)
		}
		ts.now = ts.now.Add(2 * time.Minute)
		writer.do("POST", checkin, map[string]any{"window": code.Window, "token": code.Token}).must(t, http.StatusBadRequest) // expired
		chief.do("POST", fmt.Sprintf("/api/v1/sessions/%d/attendance", ses.ID), map[string]any{"staff_id": w.CountyWriter.ID}).must(t, http.StatusBadRequest)
		writer.do("POST", fmt.Sprintf("/api/v1/sessions/%d/attendance", ses.ID), map[string]any{"staff_id": w.Writer.ID}).must(t, http.StatusForbidden)
		var att struct{ Total int }
		cityEditor.do("GET", fmt.Sprintf("/api/v1/sessions/%d/attendance", ses.ID), nil).must(t, http.StatusOK).decode(t, &att)
		if att.Total != 0 {
			t.Fatalf("a non-organiser sees others' attendance: %d", att.Total)
		}
		chief.do("GET", fmt.Sprintf("/api/v1/sessions/%d/attendance", ses.ID), nil).must(t, http.StatusOK).decode(t, &att)
		if att.Total != 1 {
			t.Fatalf("attendance total = %d", att.Total)
		}
		var rec struct {
			Minutes int
			Hours   string
			Courses []struct {
				CourseID         int64 `json:"course_id"`
				SessionsAttended int   `json:"sessions_attended"`
			}
		}
		writer.do("GET", "/api/v1/me/training", nil).must(t, http.StatusOK).decode(t, &rec)
		if rec.Minutes != 90 || rec.Hours != "1.5" || len(rec.Courses) != 1 || rec.Courses[0].SessionsAttended != 1 {
			t.Fatalf("record = %+v", rec)
		}
		// the participant withdraws; the waiting one takes the place
		var moved struct{ Enrolment, Promoted *herald.Enrolment }
		writer.do("POST", fmt.Sprintf("/api/v1/enrolments/%d/withdraw", e1.ID), nil).must(t, http.StatusOK).decode(t, &moved)
		if moved.Promoted == nil || moved.Promoted.ID != e2.ID {
			t.Fatalf("withdrawn: %+v", moved)
		}
		writer.do("POST", fmt.Sprintf("/api/v1/enrolments/%d/withdraw", e1.ID), nil).must(t, http.StatusConflict)
	})
}
