package storetest

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
)

// testSearch builds the search index from the store and holds every engine to
// the same answers: the index lives in Go, so the store must hand it the same
// articles, in full, with their authors' names, on both.
func testSearch(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	type piece struct {
		title, body string
		status      herald.Status
		unit        *herald.Unit
		author      *herald.Staff
	}
	pieces := []piece{
		{"全省公共法律服务工作会议召开", "<p>会议部署<b>公共法律服务</b>体系建设。</p>", herald.StatusPublished, w.Center, w.Chief},
		{"雄安新区司法所揭牌", "<p>雄安新区设立司法所，政务ＡＰＰ同步上线。</p>", herald.StatusPublished, w.City, w.Writer},
		{"安新县召开会议", "<p>会议对办公安排作出部署。</p>", herald.StatusPublished, w.County, w.CountyWriter},
		{"Public legal services reach villages", "<p>Lawyers trained volunteers.</p>", herald.StatusPublished, w.Center, w.Editor},
		{"雄安草稿：法律援助进工地", "<p>尚未发布。</p>", herald.StatusDraft, w.County, w.CountyWriter},
	}
	ids := make([]int64, len(pieces))
	for i, p := range pieces {
		c := Content(w.News, p.title)
		c.Body, c.Authors = p.body, []herald.Author{{StaffID: p.author.ID}}
		a := &herald.Article{ArticleContent: c, UnitID: p.unit.ID, Status: p.status, CreatedBy: p.author.ID}
		if p.status == herald.StatusPublished {
			at := T0.Add(time.Duration(i) * time.Hour)
			a.PublishedAt = &at
		}
		must(t, s.CreateArticle(ctx, a, ev(p.author.ID)))
		ids[i] = a.ID
	}
	svc := search.NewService(s, func() time.Time { return T0 }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := svc.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	all := []herald.Status{herald.StatusDraft, herald.StatusPublished}
	cases := []struct {
		q    search.Query
		want []int // indexes into pieces, best first
	}{
		{search.Query{Text: "公共法律服务"}, []int{0}},
		{search.Query{Text: "雄安"}, []int{1}},
		{search.Query{Text: "雄安", Statuses: all, Private: []int64{w.County.ID}}, []int{1, 4}},
		{search.Query{Text: "app"}, []int{1}},
		{search.Query{Text: `"public legal services"`}, []int{3}},
		{search.Query{Text: "training"}, []int{3}},
		{search.Query{Text: "刘通讯"}, []int{2}}, // an author found by name
		{search.Query{Text: "会议", Sort: search.ByDate}, []int{2, 0}},
		{search.Query{Text: "会议", UnitIDs: []int64{w.County.ID}}, []int{2}},
	}
	for _, c := range cases {
		page, err := svc.Search(ctx, c.q)
		must(t, err)
		var got, want []int64
		for _, h := range page.Hits {
			got = append(got, h.Article.ID)
		}
		for _, i := range c.want {
			want = append(want, ids[i])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v: found %v, want %v", c.q, got, want)
		}
	}

	// a request to rebuild is an event of its own that followers read
	last, err := s.LastEventID(ctx)
	must(t, err)
	must(t, search.RequestReindex(ctx, s, func() time.Time { return T0 }))
	var seen []string
	next, err := herald.EventsAfter(ctx, s, last, func(e *herald.Event) { seen = append(seen, e.Entity+"/"+e.Action) })
	must(t, err)
	if !slices.Equal(seen, []string{"search/reindex"}) || next <= last {
		t.Fatalf("events after the request: %v (next %d, last %d)", seen, next, last)
	}
}
