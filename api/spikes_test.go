package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/storetest"
)

func TestReadSpikeReview(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		editor, chief, writer := ts.as(t, w.Editor), ts.as(t, w.Chief), ts.as(t, w.Writer)
		article := func(unit *herald.Unit, author *herald.Staff, title string) *herald.Article {
			c := storetest.Content(w.Local, title)
			c.Authors = []herald.Author{{StaffID: author.ID}}
			a := &herald.Article{ArticleContent: c, UnitID: unit.ID, CreatedBy: author.ID, Status: herald.StatusPublished, PublishedAt: &ts.now}
			if err := s.CreateArticle(t.Context(), a, herald.Event{At: ts.now, ActorID: author.ID}); err != nil {
				t.Fatal(err)
			}
			return a
		}
		city, center := article(w.City, w.Writer, "市局普法宣传"), article(w.Center, w.Editor, "编辑撰写的稿件")
		if _, err := s.RecordSpikes(t.Context(), []herald.ReadSpike{
			{ArticleID: city.ID, Day: "2026-11-20", Reads: 3000, Expected: 50, Threshold: 250},
			{ArticleID: center.ID, Day: "2026-11-21", Reads: 900, Expected: 30, Threshold: 200},
		}, ts.now); err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []herald.ReadSpike
			Total int
		}
		editor.do("GET", "/api/v1/spikes?status=flagged", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 2 || page.Items[0].ArticleID != center.ID || page.Items[1].Reads != 3000 {
			t.Fatalf("an editor's spikes = %+v", page)
		}
		writer.do("GET", "/api/v1/spikes", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 1 || page.Items[0].ArticleID != city.ID {
			t.Fatalf("a writer sees %+v, want their unit's piece only", page)
		}
		res := editor.do("GET", "/api/v1/spikes?status=pending", nil).must(t, http.StatusBadRequest)
		if !strings.Contains(string(res.body), `"status"`) {
			t.Fatalf("a bad status is not named: %s", res.body)
		}

		review := func(id int64) string { return fmt.Sprintf("/api/v1/spikes/%d/review", id) }
		citySpike, centerSpike := page.Items[0].ID, int64(0)
		editor.do("GET", "/api/v1/spikes", nil).must(t, http.StatusOK).decode(t, &page)
		for _, sp := range page.Items {
			if sp.ArticleID == center.ID {
				centerSpike = sp.ID
			}
		}
		writer.do("POST", review(citySpike), map[string]any{"decision": "released"}).must(t, http.StatusForbidden)
		editor.do("POST", review(centerSpike), map[string]any{"decision": "released"}).must(t, http.StatusForbidden) // the editor wrote it
		res = editor.do("POST", review(citySpike), map[string]any{"decision": "voided", "note": " "}).must(t, http.StatusBadRequest)
		if !strings.Contains(string(res.body), `"note"`) {
			t.Fatalf("a void without a note does not name the note: %s", res.body)
		}
		res = editor.do("POST", review(citySpike), map[string]any{"decision": "flagged"}).must(t, http.StatusBadRequest)
		if !strings.Contains(string(res.body), `"decision"`) {
			t.Fatalf("a bad decision is not named: %s", res.body)
		}
		editor.do("POST", review(citySpike), map[string]any{"decision": "released", "verify": true}).must(t, http.StatusBadRequest)
		editor.do("POST", review(99999), map[string]any{"decision": "released"}).must(t, http.StatusNotFound)
		var voided herald.ReadSpike
		editor.do("POST", review(citySpike), map[string]any{"decision": "voided", "note": "同一来源集中刷新"}).must(t, http.StatusOK).decode(t, &voided)
		if voided.Status != herald.SpikeVoided || voided.Note != "同一来源集中刷新" || voided.ReviewedBy != w.Editor.ID || voided.ReviewedAt == nil {
			t.Fatalf("voided = %+v", voided)
		}
		chief.do("POST", review(citySpike), map[string]any{"decision": "released"}).must(t, http.StatusConflict)
		chief.do("POST", review(centerSpike), map[string]any{"decision": "released"}).must(t, http.StatusOK)
		writer.do("GET", "/api/v1/spikes?status=voided", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 1 || page.Items[0].Note != "同一来源集中刷新" {
			t.Fatalf("voided for the writer = %+v", page)
		}
	})
}
