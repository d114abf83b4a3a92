package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testPartners(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	hash := strings.Repeat("a", 64)
	p := &herald.Partner{Slug: "hebei-legal-daily", Name: "河北法制报", Kind: herald.KindNewspaper, Level: herald.LevelProvincial,
		Format: herald.FormatNINJS, TokenHash: hash}
	must(t, s.CreatePartner(ctx, p, ev(w.Chief.ID)))
	if p.ID == 0 || p.Version != 1 || p.Languages == nil {
		t.Fatalf("created %+v", p)
	}
	wantCode(t, s.CreatePartner(ctx, &herald.Partner{Slug: "hebei-legal-daily", Name: "重复", Kind: herald.KindNewspaper, Level: herald.LevelCity,
		Format: herald.FormatNINJS, TokenHash: strings.Repeat("b", 64)}, ev(w.Chief.ID)), herald.ECONFLICT, "")
	for field, bad := range map[string]herald.Partner{
		"kind":      {Slug: "x", Name: "x", Kind: "tv", Level: herald.LevelCity, Format: herald.FormatNINJS, TokenHash: hash},
		"level":     {Slug: "x", Name: "x", Kind: herald.KindOnline, Level: "galactic", Format: herald.FormatNINJS, TokenHash: hash},
		"format":    {Slug: "x", Name: "x", Kind: herald.KindOnline, Level: herald.LevelCity, Format: "rss", TokenHash: hash},
		"push_url":  {Slug: "x", Name: "x", Kind: herald.KindOnline, Level: herald.LevelCity, Format: herald.FormatNINJS, TokenHash: hash, PushURL: "ftp://x/"},
		"languages": {Slug: "x", Name: "x", Kind: herald.KindOnline, Level: herald.LevelCity, Format: herald.FormatNINJS, TokenHash: hash, Languages: []string{"English"}},
	} {
		wantCode(t, s.CreatePartner(ctx, &bad, ev(w.Chief.ID)), herald.EINVALID, field)
	}

	got, err := s.FindPartnerByTokenHash(ctx, hash)
	must(t, err)
	if got.ID != p.ID || got.Name != "河北法制报" {
		t.Fatalf("by token: %+v", got)
	}
	_, err = s.FindPartnerByTokenHash(ctx, strings.Repeat("c", 64))
	wantCode(t, err, herald.ENOTFOUND, "")

	// rotating the token and setting a push URL; a refused change keeps the partner
	_, err = s.UpdatePartner(ctx, p.ID, ev(w.Chief.ID), func(p *herald.Partner) error { p.Format = "pdf"; return nil })
	wantCode(t, err, herald.EINVALID, "format")
	newHash := strings.Repeat("d", 64)
	updated, err := s.UpdatePartner(ctx, p.ID, herald.Event{At: T0, ActorID: w.Chief.ID, Action: "rotate_token"}, func(p *herald.Partner) error {
		p.TokenHash, p.PushURL, p.Languages = newHash, "https://partner.example/herald", []string{"zh-CN"}
		return nil
	})
	must(t, err)
	if updated.Version != 2 {
		t.Fatalf("version = %d", updated.Version)
	}
	if _, err := s.FindPartnerByTokenHash(ctx, hash); herald.ErrorCode(err) != herald.ENOTFOUND {
		t.Fatalf("the old token still finds the partner: %v", err)
	}
	got, err = s.FindPartnerByID(ctx, p.ID)
	must(t, err)
	if got.PushURL != "https://partner.example/herald" || len(got.Languages) != 1 || got.TokenHash != newHash {
		t.Fatalf("after the update: %+v", got)
	}
	events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityPartner, EntityID: p.ID})
	must(t, err)
	if len(events) != 2 || events[1].Action != "rotate_token" {
		t.Fatalf("events = %+v", events)
	}
	pull := T0.Add(time.Hour)
	must(t, s.TouchPartner(ctx, p.ID, pull))
	got, _ = s.FindPartnerByID(ctx, p.ID)
	if got.LastPullAt == nil || !got.LastPullAt.Equal(pull) || got.Version != 2 {
		t.Fatalf("after a pull: %+v", got)
	}

	// placements: of published articles only, never in the future, once each
	published := &herald.Article{ArticleContent: Content(w.News, "法律援助进村"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID,
		Status: herald.StatusPublished, PublishedAt: &T0}
	must(t, s.CreateArticle(ctx, published, ev(w.Editor.ID)))
	draft := &herald.Article{ArticleContent: Content(w.News, "草稿"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusDraft}
	must(t, s.CreateArticle(ctx, draft, ev(w.Editor.ID)))
	day := herald.CSTDay(T0)
	pl := &herald.Placement{ArticleID: published.ID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day, Page: "第3版", Status: herald.PlacementVerified}
	must(t, s.CreatePlacement(ctx, pl, ev(0)))
	wantCode(t, s.CreatePlacement(ctx, &herald.Placement{ArticleID: published.ID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day, Page: "第3版",
		Status: herald.PlacementVerified}, ev(0)), herald.ECONFLICT, "")
	wantCode(t, s.CreatePlacement(ctx, &herald.Placement{ArticleID: draft.ID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day, Page: "1",
		Status: herald.PlacementVerified}, ev(0)), herald.EINVALID, "article_id")
	wantCode(t, s.CreatePlacement(ctx, &herald.Placement{ArticleID: published.ID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day.AddDate(0, 0, 1), Page: "1",
		Status: herald.PlacementVerified}, ev(0)), herald.EINVALID, "date")
	wantCode(t, s.CreatePlacement(ctx, &herald.Placement{ArticleID: published.ID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day,
		Status: herald.PlacementVerified}, ev(0)), herald.EINVALID, "page")
	web := &herald.Placement{ArticleID: published.ID, Outlet: "长城网", Level: herald.LevelProvincial, Date: day.AddDate(0, 0, -1),
		URL: "https://example.cn/a/1.html", Status: herald.PlacementPending, CreatedBy: w.Writer.ID}
	wantCode(t, s.CreatePlacement(ctx, web, ev(w.Writer.ID)), herald.EINVALID, "evidence")
	web.Evidence = "/media/3-0123456789abcdef/large.jpg"
	must(t, s.CreatePlacement(ctx, web, ev(w.Writer.ID)))
	wantCode(t, s.CreatePlacement(ctx, &herald.Placement{ArticleID: published.ID, Outlet: "另一家", Level: herald.LevelCity, Date: day,
		URL: "https://example.cn/a/1.html", Status: herald.PlacementPending, Evidence: web.Evidence}, ev(0)), herald.EINVALID, "url")

	all, total, err := s.FindPlacements(ctx, herald.PlacementFilter{ArticleID: published.ID})
	must(t, err)
	if total != 2 || all[0].ID != pl.ID || all[1].ID != web.ID || !all[0].Date.Equal(day) || all[0].Page != "第3版" || all[1].CreatedBy != w.Writer.ID || all[1].PartnerID != 0 {
		t.Fatalf("placements = %d %+v", total, all)
	}
	mine, total, err := s.FindPlacements(ctx, herald.PlacementFilter{PartnerID: p.ID})
	must(t, err)
	if total != 1 || mine[0].ID != pl.ID || mine[0].Status != herald.PlacementVerified {
		t.Fatalf("partner's placements = %d %+v", total, mine)
	}

	// review: pending → verified or rejected (with a reason); verified → rejected; never back
	review := func(id int64, st herald.PlacementStatus, reason string) (*herald.Placement, error) {
		return s.ReviewPlacement(ctx, id, herald.Event{At: T0.Add(time.Hour), ActorID: w.Editor.ID}, func(pl *herald.Placement) error {
			pl.Status, pl.Reason = st, reason
			return nil
		})
	}
	_, err = review(web.ID, herald.PlacementRejected, "")
	wantCode(t, err, herald.EINVALID, "reason")
	got2, err := review(web.ID, herald.PlacementVerified, "")
	must(t, err)
	if got2.ReviewedBy != w.Editor.ID || got2.ReviewedAt == nil {
		t.Fatalf("reviewed = %+v", got2)
	}
	_, err = review(web.ID, herald.PlacementRejected, "截图与版面不符")
	must(t, err)
	_, err = review(web.ID, herald.PlacementVerified, "")
	wantCode(t, err, herald.ECONFLICT, "")
	_, err = review(424242, herald.PlacementVerified, "")
	wantCode(t, err, herald.ENOTFOUND, "")
	back, err := s.FindPlacementByID(ctx, web.ID)
	must(t, err)
	if back.Status != herald.PlacementRejected || back.Reason != "截图与版面不符" || back.Evidence != web.Evidence {
		t.Fatalf("after the reviews: %+v", back)
	}
	for name, f := range map[string]herald.PlacementFilter{
		"rejected":      {Statuses: []herald.PlacementStatus{herald.PlacementRejected}},
		"by the writer": {CreatedBy: w.Writer.ID},
		"of the center": {UnitIDs: []int64{w.Center.ID}, Statuses: []herald.PlacementStatus{herald.PlacementRejected}},
	} {
		if got, n, err := s.FindPlacements(ctx, f); err != nil || n != 1 || got[0].ID != web.ID {
			t.Fatalf("%s: %d (%v)", name, n, err)
		}
	}
	if _, n, _ := s.FindPlacements(ctx, herald.PlacementFilter{UnitIDs: []int64{w.County.ID}}); n != 0 {
		t.Fatalf("placements of the county: %d", n)
	}
}

// testChangeWindow holds the article filter that partners pull by: the print
// channel, changes in a window, oldest first, paged by a cursor.
func testChangeWindow(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	var ids []int64
	for i := range 5 {
		c := Content(w.News, "稿件"+string(rune('A'+i)))
		if i != 2 {
			c.Channels = []herald.Channel{herald.ChannelWebsite, herald.ChannelPrint}
		}
		at := T0.Add(time.Duration(i/2) * time.Minute) // two articles share each minute
		a := &herald.Article{ArticleContent: c, UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished, PublishedAt: &at}
		must(t, s.CreateArticle(ctx, a, herald.Event{At: at, ActorID: w.Editor.ID}))
		ids = append(ids, a.ID)
	}
	page := func(after herald.ArticleCursor, before time.Time, limit int) []int64 {
		as, _, err := s.FindArticles(ctx, herald.ArticleFilter{Channel: herald.ChannelPrint, UpdatedAfter: &after, UpdatedBefore: &before,
			Order: herald.ByUpdatedAsc, Limit: limit, NoCount: true})
		must(t, err)
		var got []int64
		for _, a := range as {
			got = append(got, a.ID)
		}
		return got
	}
	end := T0.Add(time.Hour)
	if got := page(herald.ArticleCursor{UpdatedAt: T0}, end, 10); !slices.Equal(got, []int64{ids[0], ids[1], ids[3], ids[4]}) {
		t.Fatalf("print articles = %v of %v", got, ids)
	}
	// a page ends between two articles of the same time: the cursor resumes after the first
	first := page(herald.ArticleCursor{UpdatedAt: T0}, end, 3)
	if !slices.Equal(first, []int64{ids[0], ids[1], ids[3]}) {
		t.Fatalf("first page = %v", first)
	}
	if got := page(herald.ArticleCursor{UpdatedAt: T0.Add(time.Minute), ID: ids[3]}, end, 3); !slices.Equal(got, []int64{ids[4]}) {
		t.Fatalf("second page = %v", got)
	}
	if got := page(herald.ArticleCursor{UpdatedAt: T0}, T0.Add(time.Minute), 10); !slices.Equal(got, []int64{ids[0], ids[1]}) {
		t.Fatalf("window before the second minute = %v", got)
	}
}
