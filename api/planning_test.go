package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// An editor-in-chief makes a plan over the API and gives a piece to two of
// its units in one request; a due time already past is refused naming
// "due"; those who may not plan are refused, and a plan of other units is
// not found for them; the assignments list narrows to a plan.
func TestPlanAndAssignmentsOverTheAPI(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		chief, writer, viewer := ts.as(t, w.Chief), ts.as(t, w.CountyWriter), ts.as(t, w.Viewer)
		today := herald.CSTDay(ts.now)
		plan := map[string]any{"title": "雄安新区法治保障宣传月", "theme_id": w.Theme.ID, "occasion": "雄安新区设立九周年", "channels": []string{"website"},
			"start": herald.DayString(today), "end": herald.DayString(today.AddDate(0, 0, 30)), "unit_ids": []int64{w.City.ID, w.County.ID}}
		writer.do("POST", "/api/v1/plans", plan).must(t, http.StatusForbidden)
		var p herald.TopicPlan
		chief.do("POST", "/api/v1/plans", plan).must(t, http.StatusCreated).decode(t, &p)
		if p.ID == 0 || p.Version != 1 || len(p.UnitIDs) != 2 {
			t.Fatalf("plan = %+v", p)
		}
		planPath := fmt.Sprintf("/api/v1/plans/%d", p.ID)
		writer.do("GET", planPath, nil).must(t, http.StatusOK)       // the county takes part
		viewer.do("GET", planPath, nil).must(t, http.StatusNotFound) // the department does not

		// one request, one assignment per unit
		piece := map[string]any{"plan_id": p.ID, "title": "雄安法治保障见闻", "brief": "采访一线", "due": today.AddDate(0, 0, 7),
			"targets": []map[string]any{{"unit_id": w.City.ID}, {"unit_id": w.County.ID, "assignee_id": w.CountyWriter.ID}}}
		writer.do("POST", "/api/v1/assignments", piece).must(t, http.StatusForbidden)
		var made struct {
			Items []herald.Assignment
			Total int
		}
		chief.do("POST", "/api/v1/assignments", piece).must(t, http.StatusCreated).decode(t, &made)
		if made.Total != 2 || made.Items[0].UnitID != w.City.ID || made.Items[1].AssigneeID != w.CountyWriter.ID || made.Items[0].PlanID != p.ID {
			t.Fatalf("assigned %+v", made)
		}
		piece["due"] = ts.now.Add(-time.Hour)
		if res := chief.do("POST", "/api/v1/assignments", piece).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"due"`) {
			t.Fatalf("a past due time is not named: %s", res.body)
		}
		viewer.do("GET", fmt.Sprintf("/api/v1/assignments/%d", made.Items[0].ID), nil).must(t, http.StatusNotFound)

		// a piece outside the plan, then the list narrowed to the plan
		chief.do("POST", "/api/v1/assignments", map[string]any{"title": "年终综述", "due": today.AddDate(0, 0, 10),
			"targets": []map[string]any{{"unit_id": w.City.ID}}}).must(t, http.StatusCreated)
		var found struct {
			Items []herald.Assignment
			Total int
		}
		chief.do("GET", "/api/v1/assignments", nil).must(t, http.StatusOK).decode(t, &found)
		if found.Total != 3 {
			t.Fatalf("all assignments: %+v", found)
		}
		chief.do("GET", fmt.Sprintf("/api/v1/assignments?plan_id=%d", p.ID), nil).must(t, http.StatusOK).decode(t, &found)
		if found.Total != 2 || found.Items[0].PlanID != p.ID || found.Items[1].PlanID != p.ID {
			t.Fatalf("the plan's assignments: %+v", found)
		}
		writer.do("GET", fmt.Sprintf("/api/v1/assignments?plan_id=%d", p.ID), nil).must(t, http.StatusOK).decode(t, &found)
		if found.Total != 1 || found.Items[0].AssigneeID != w.CountyWriter.ID {
			t.Fatalf("the writer's assignments of the plan: %+v", found)
		}
		if res := chief.do("GET", "/api/v1/assignments?plan_id=x", nil).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"plan_id"`) {
			t.Fatalf("a bad plan_id is not named: %s", res.body)
		}
	})
}
