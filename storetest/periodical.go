package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testPeriodicals(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	article := func(title string, status herald.Status) int64 {
		a := &herald.Article{ArticleContent: Content(w.News, title), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: status}
		must(t, s.CreateArticle(ctx, a, ev(w.Editor.ID)))
		return a.ID
	}
	first, second := article("全省司法行政工作会议召开", herald.StatusPublished), article("十二月法治宣传要点", herald.StatusPublished)
	draft := article("尚未发布的稿件", herald.StatusDraft)

	bulletin := &herald.Periodical{Slug: "bulletin", Name: "河北司法行政宣传", UnitID: w.Center.ID}
	must(t, s.CreatePeriodical(ctx, bulletin, ev(w.Chief.ID)))
	wantCode(t, s.CreatePeriodical(ctx, &herald.Periodical{Slug: "bulletin", Name: "重复", UnitID: w.Center.ID}, ev(w.Chief.ID)), herald.ECONFLICT, "slug")
	wantCode(t, s.CreatePeriodical(ctx, &herald.Periodical{Slug: "Bad Slug", Name: "", UnitID: 999}, ev(w.Chief.ID)), herald.EINVALID, "slug")
	wantCode(t, s.CreatePeriodical(ctx, &herald.Periodical{Slug: "other", Name: "其他", UnitID: 999}, ev(w.Chief.ID)), herald.EINVALID, "unit_id")

	day := time.Date(2026, 12, 1, 0, 0, 0, 0, herald.CST)
	is := &herald.Issue{PeriodicalID: bulletin.ID, Volume: 2026, Number: 12, Date: day, EditorNote: "本期聚焦年终工作。", ArticleIDs: []int64{second, first}}
	must(t, s.CreateIssue(ctx, is, ev(w.Chief.ID)))
	got, err := s.FindIssueByID(ctx, is.ID)
	must(t, err)
	if !slices.Equal(got.ArticleIDs, []int64{second, first}) || !got.Date.Equal(day) || got.Version != 1 || got.EditorNote != is.EditorNote {
		t.Fatalf("issue = %+v", got)
	}
	wantCode(t, s.CreateIssue(ctx, &herald.Issue{PeriodicalID: bulletin.ID, Volume: 2026, Number: 12, Date: day}, ev(w.Chief.ID)), herald.EINVALID, "number")
	wantCode(t, s.CreateIssue(ctx, &herald.Issue{PeriodicalID: bulletin.ID, Volume: 2026, Number: 13, Date: day, ArticleIDs: []int64{draft}}, ev(w.Chief.ID)),
		herald.EINVALID, "article_ids")
	wantCode(t, s.CreateIssue(ctx, &herald.Issue{PeriodicalID: 999, Volume: 2026, Number: 1, Date: day}, ev(w.Chief.ID)), herald.EINVALID, "periodical_id")
	wantCode(t, s.CreateIssue(ctx, &herald.Issue{PeriodicalID: bulletin.ID, Volume: 2026, Number: 14, Date: day, ArticleIDs: []int64{first, first}}, ev(w.Chief.ID)),
		herald.EINVALID, "article_ids")

	// reorder, drop one; a refused change leaves the issue as it was
	_, err = s.UpdateIssue(ctx, is.ID, ev(w.Chief.ID), func(is *herald.Issue) error {
		is.ArticleIDs = []int64{first, draft}
		return nil
	})
	wantCode(t, err, herald.EINVALID, "article_ids")
	updated, err := s.UpdateIssue(ctx, is.ID, ev(w.Chief.ID), func(is *herald.Issue) error {
		is.ArticleIDs, is.EditorNote = []int64{first}, "改版"
		return nil
	})
	must(t, err)
	got, _ = s.FindIssueByID(ctx, is.ID)
	if updated.Version != 2 || !slices.Equal(got.ArticleIDs, []int64{first}) || got.EditorNote != "改版" {
		t.Fatalf("after the update: %+v", got)
	}
	issues, err := s.FindIssues(ctx, bulletin.ID)
	must(t, err)
	if len(issues) != 1 || issues[0].ID != is.ID {
		t.Fatalf("issues = %+v", issues)
	}
	evs, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityIssue, EntityID: is.ID})
	if len(evs) != 2 || evs[0].Action != "create" || evs[1].Action != "update" {
		t.Fatalf("events = %+v", evs)
	}
	if _, err := s.FindIssueByID(ctx, 4242); herald.ErrorCode(err) != herald.ENOTFOUND {
		t.Fatalf("missing issue: %v", err)
	}
}
