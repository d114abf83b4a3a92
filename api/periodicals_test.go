package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/storetest"
)

func TestAnEditorPrintsAnIssue(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		editor, writer := ts.as(t, w.Editor), ts.as(t, w.Writer)
		a := &herald.Article{ArticleContent: storetest.Content(w.News, "全省司法行政工作会议召开"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished}
		if err := s.CreateArticle(t.Context(), a, herald.Event{At: ts.now, ActorID: w.Editor.ID}); err != nil {
			t.Fatal(err)
		}
		writer.do("POST", "/api/v1/periodicals", map[string]any{"slug": "bulletin", "name": "河北司法行政宣传"}).must(t, http.StatusForbidden)
		var p herald.Periodical
		editor.do("POST", "/api/v1/periodicals", map[string]any{"slug": "bulletin", "name": "河北司法行政宣传"}).must(t, http.StatusCreated).decode(t, &p)
		if p.UnitID != w.Center.ID {
			t.Fatalf("periodical = %+v: the editor's unit publishes it", p)
		}
		editor.do("POST", fmt.Sprintf("/api/v1/periodicals/%d/issues", p.ID), map[string]any{"volume": 2026, "number": 12, "date": "2026-13-01"}).must(t, http.StatusBadRequest)
		var is herald.Issue
		editor.do("POST", fmt.Sprintf("/api/v1/periodicals/%d/issues", p.ID), map[string]any{"volume": 2026, "number": 12, "date": "2026-12-01"}).
			must(t, http.StatusCreated).decode(t, &is)
		editor.do("GET", fmt.Sprintf("/api/v1/issues/%d/pdf", is.ID), nil).must(t, http.StatusBadRequest) // no articles yet
		editor.do("PATCH", fmt.Sprintf("/api/v1/issues/%d", is.ID), map[string]any{"article_ids": []int64{a.ID}}).must(t, http.StatusBadRequest)
		editor.do("PATCH", fmt.Sprintf("/api/v1/issues/%d", is.ID), map[string]any{"version": is.Version, "article_ids": []int64{a.ID}, "editor_note": "本期编者按"}).
			must(t, http.StatusOK)
		editor.do("PATCH", fmt.Sprintf("/api/v1/issues/%d", is.ID), map[string]any{"version": is.Version, "editor_note": "过时的修改"}).must(t, http.StatusConflict)
		res := editor.do("GET", fmt.Sprintf("/api/v1/issues/%d/pdf", is.ID), nil).must(t, http.StatusOK)
		if res.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.body, []byte("%PDF-")) || res.header.Get("X-Pages") == "" {
			t.Fatalf("PDF: %s, %d bytes, %s pages", res.header.Get("Content-Type"), len(res.body), res.header.Get("X-Pages"))
		}
		writer.do("GET", fmt.Sprintf("/api/v1/issues/%d/pdf", is.ID), nil).must(t, http.StatusForbidden)
		var list struct{ Issues []herald.Issue }
		writer.do("GET", fmt.Sprintf("/api/v1/periodicals/%d/issues", p.ID), nil).must(t, http.StatusOK).decode(t, &list)
		if len(list.Issues) != 1 || len(list.Issues[0].ArticleIDs) != 1 || list.Issues[0].EditorNote != "本期编者按" {
			t.Fatalf("issues = %+v", list.Issues)
		}
	})
}
