package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/storetest"
)

func TestIncentiveFromRulesToRanking(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		admin, chief, editor, writer := ts.as(t, w.Admin), ts.as(t, w.Chief), ts.as(t, w.Editor), ts.as(t, w.Writer)
		today := herald.CSTDay(ts.now).Format(time.DateOnly)

		rules := map[string]any{"submission": 1, "adoption": map[string]any{"news": 3, "in_depth": 5}, "placement": map[string]any{"provincial": 4, "national": 8, "central": 10},
			"bonus": map[string]any{"endorsement": 5}, "split": map[string]any{"first_author_percent": 60, "unit_percent": 100}, "missed_quota": 2}
		chief.do("POST", "/api/v1/scoring/rules", map[string]any{"effective_from": today, "rules": rules}).must(t, http.StatusForbidden)
		res := admin.do("POST", "/api/v1/scoring/rules", map[string]any{"effective_from": today, "rules": map[string]any{"reads": map[string]any{"points": 1}}}).
			must(t, http.StatusBadRequest)
		if !strings.Contains(string(res.body), `"reads.per"`) {
			t.Fatalf("a division by zero is not named: %s", res.body)
		}
		admin.do("POST", "/api/v1/scoring/rules", map[string]any{"effective_from": herald.CSTDay(ts.now).AddDate(0, 0, -1).Format(time.DateOnly), "rules": rules}).
			must(t, http.StatusBadRequest)
		admin.do("POST", "/api/v1/scoring/rules", map[string]any{"effective_from": today, "rules": map[string]any{"submission": 1.005}}).must(t, http.StatusBadRequest)
		var v1 herald.RuleSet
		admin.do("POST", "/api/v1/scoring/rules", map[string]any{"effective_from": today, "note": "初版", "rules": rules}).must(t, http.StatusCreated).decode(t, &v1)
		if v1.Version != 1 || v1.Rules.Adoption[herald.KindInDepth] != 500 {
			t.Fatalf("v1 = %+v", v1)
		}
		chief.do("PUT", "/api/v1/quotas", map[string]any{"unit_id": w.Center.ID, "month": ts.now.In(herald.CST).Format("2006-01"), "target": 3}).must(t, http.StatusOK)
		writer.do("PUT", "/api/v1/quotas", map[string]any{"unit_id": w.Center.ID, "month": "2026-11", "target": 1}).must(t, http.StatusForbidden)

		c := storetest.Content(w.News, "省司法厅召开全省法律援助工作推进会")
		c.Kind = herald.KindInDepth
		c.Authors = []herald.Author{{StaffID: w.Writer.ID}}
		a := &herald.Article{ArticleContent: c, UnitID: w.Center.ID, CreatedBy: w.Writer.ID, Status: herald.StatusPublished, PublishedAt: &ts.now}
		if err := s.CreateArticle(t.Context(), a, herald.Event{At: ts.now, ActorID: w.Editor.ID}); err != nil {
			t.Fatal(err)
		}
		m := &herald.Media{SHA256: strings.Repeat("ab", 32), Format: "png", Width: 1, Height: 1, UploadedBy: w.Writer.ID,
			Renditions: []herald.MediaRendition{{Name: "large", ContentType: "image/png", Width: 1, Height: 1, Data: []byte("x")}}}
		if err := s.CreateMedia(t.Context(), m, herald.Event{At: ts.now, ActorID: w.Writer.ID}); err != nil {
			t.Fatal(err)
		}
		placement := map[string]any{"article_id": a.ID, "outlet": "法治日报", "level": "central", "date": today, "page": "第5版"}
		res = writer.do("POST", "/api/v1/placements", placement).must(t, http.StatusBadRequest)
		if !strings.Contains(string(res.body), `"evidence"`) {
			t.Fatalf("missing evidence is not named: %s", res.body)
		}
		placement["evidence"] = m.URL("large")
		var pl herald.Placement
		writer.do("POST", "/api/v1/placements", placement).must(t, http.StatusCreated).decode(t, &pl)
		writer.do("POST", "/api/v1/placements", placement).must(t, http.StatusConflict)
		placement["date"] = herald.CSTDay(ts.now).AddDate(0, 0, 3).Format(time.DateOnly)
		writer.do("POST", "/api/v1/placements", placement).must(t, http.StatusBadRequest)
		writer.do("POST", fmt.Sprintf("/api/v1/placements/%d/review", pl.ID), map[string]any{"verify": true}).must(t, http.StatusForbidden)
		editor.do("POST", fmt.Sprintf("/api/v1/placements/%d/review", pl.ID), map[string]any{"verify": false}).must(t, http.StatusBadRequest) // no reason
		editor.do("POST", fmt.Sprintf("/api/v1/placements/%d/review", pl.ID), map[string]any{"verify": true}).must(t, http.StatusOK)
		editor.do("POST", fmt.Sprintf("/api/v1/articles/%d/recognitions", a.ID), map[string]any{"kind": "endorsement", "day": today}).must(t, http.StatusForbidden)
		var rc herald.Recognition
		chief.do("POST", fmt.Sprintf("/api/v1/articles/%d/recognitions", a.ID), map[string]any{"kind": "endorsement", "day": today, "note": "厅长批示"}).
			must(t, http.StatusCreated).decode(t, &rc)

		if _, err := ts.scoring.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		var rk struct {
			Label        string
			Units, Staff []struct {
				Rank   int
				Name   string
				Points float64
			}
		}
		writer.do("GET", "/api/v1/rankings", nil).must(t, http.StatusOK).decode(t, &rk)
		// in depth 5 + central placement 10 + endorsement 5 = 20 (the writer alone; the piece was created without a submission)
		if len(rk.Staff) != 1 || rk.Staff[0].Points != 20 || rk.Units[0].Points != 20 || rk.Units[0].Name != w.Center.Name || !strings.HasSuffix(rk.Label, "月") {
			t.Fatalf("rankings = %+v", rk)
		}
		writer.do("GET", "/api/v1/rankings?period=2026-13", nil).must(t, http.StatusBadRequest)
		var own struct{ Total int }
		writer.do("GET", "/api/v1/ledger", nil).must(t, http.StatusOK).decode(t, &own)
		if own.Total != 3 {
			t.Fatalf("the writer's entries = %d", own.Total)
		}
		writer.do("GET", fmt.Sprintf("/api/v1/ledger?id=%d", w.Editor.ID), nil).must(t, http.StatusForbidden)
		editor.do("GET", fmt.Sprintf("/api/v1/ledger?id=%d", w.Writer.ID), nil).must(t, http.StatusOK)

		// withdrawing the endorsement is answered by a reversing entry
		chief.do("DELETE", fmt.Sprintf("/api/v1/recognitions/%d", rc.ID), nil).must(t, http.StatusOK)
		chief.do("DELETE", fmt.Sprintf("/api/v1/recognitions/%d", rc.ID), nil).must(t, http.StatusConflict)
		if _, err := ts.scoring.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		writer.do("GET", "/api/v1/rankings", nil).must(t, http.StatusOK).decode(t, &rk)
		writer.do("GET", "/api/v1/ledger", nil).must(t, http.StatusOK).decode(t, &own)
		if rk.Staff[0].Points != 15 || own.Total != 4 {
			t.Fatalf("after the withdrawal: %v points, %d entries", rk.Staff[0].Points, own.Total)
		}
	})
}
