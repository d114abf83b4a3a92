package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// cstDay returns the CST day d days after 2026-11-25 (T0's day) as YYYY-MM-DD
// and as a time at noon CST.
func cstDay(d int) (string, time.Time) {
	t := time.Date(2026, 11, 25+d, 12, 0, 0, 0, herald.CST)
	return t.Format(time.DateOnly), t
}

// cstHour is hour h (CST) of day d.
func cstHour(d, h int) time.Time {
	return time.Date(2026, 11, 25+d, h, 0, 0, 0, herald.CST)
}

func testAnalytics(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	mk := func(title string, unit *herald.Unit, col *herald.Column, themed bool) *herald.Article {
		c := Content(col, title)
		if themed {
			c.ThemeIDs = []int64{w.Theme.ID}
		}
		at := cstHour(-3, 9)
		a := &herald.Article{ArticleContent: c, UnitID: unit.ID, Status: herald.StatusPublished, CreatedBy: w.Writer.ID, PublishedAt: &at}
		must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
		return a
	}
	a1 := mk("雄安法律服务", w.City, w.News, true)
	a2 := mk("正定调解", w.County, w.Local, false)
	a3 := mk("市局要闻", w.City, w.News, false)
	d0, _ := cstDay(0)
	dm1, _ := cstDay(-1)
	dm2, _ := cstDay(-2)

	// Hours on both sides of CST midnight: 23:00 CST is still day -1, 00:00 is day 0.
	must(t, s.AddReads(ctx, &herald.ReadBatch{
		Views: []herald.ViewCount{
			{ArticleID: a1.ID, Hour: cstHour(-1, 23), Channel: "web", Views: 10},
			{ArticleID: a1.ID, Hour: cstHour(0, 0), Channel: "web", Views: 7},
			{ArticleID: a1.ID, Hour: cstHour(0, 9), Channel: "feed", Views: 5},
			{ArticleID: a1.ID, Hour: cstHour(0, 10), Channel: "mobile", Views: 3},
			{ArticleID: a2.ID, Hour: cstHour(0, 8), Channel: "wechat", Views: 20},
			{ArticleID: a3.ID, Hour: cstHour(-2, 8), Channel: "mail", Views: 2},
		},
		Referrers: []herald.ReferrerCount{
			{ArticleID: a1.ID, Day: d0, Host: "www.baidu.com", Views: 4},
			{ArticleID: a1.ID, Day: d0, Host: "weibo.com", Views: 1},
			{ArticleID: a2.ID, Day: d0, Host: "mp.weixin.qq.com", Views: 6},
			{ArticleID: a2.ID, Day: dm1, Host: "www.baidu.com", Views: 1},
			{ArticleID: a2.ID, Day: d0, Host: herald.ReferrerOther, Views: 2},
		},
		Readers: []herald.ReaderKey{
			{ArticleID: a1.ID, Day: d0, Key: 1}, {ArticleID: a1.ID, Day: d0, Key: 2}, {ArticleID: a1.ID, Day: d0, Key: 2},
			{ArticleID: a2.ID, Day: d0, Key: 1},
			{ArticleID: 0, Day: d0, Key: 1}, {ArticleID: 0, Day: d0, Key: 2},
		},
	}))
	// A second batch (another replica): a key seen already adds no reader.
	must(t, s.AddReads(ctx, &herald.ReadBatch{
		Views:        []herald.ViewCount{{ArticleID: a1.ID, Hour: cstHour(0, 0), Channel: "web", Views: 1}},
		Readers:      []herald.ReaderKey{{ArticleID: a1.ID, Day: d0, Key: 1}, {ArticleID: a1.ID, Day: d0, Key: 3}, {ArticleID: 0, Day: d0, Key: 2}, {ArticleID: 0, Day: d0, Key: 3}},
		ReaderCounts: []herald.ReaderCount{{ArticleID: a3.ID, Day: dm2, Readers: 2}, {ArticleID: 0, Day: dm2, Readers: 2}},
	}))
	// AddViews rolls up into days as AddReads does.
	must(t, s.AddViews(ctx, []herald.ViewCount{{ArticleID: a3.ID, Hour: cstHour(0, 11), Channel: "web", Views: 4}}))

	_, from := cstDay(-2)
	_, until := cstDay(0)
	span := herald.ReadFilter{From: from, Until: until}
	with := func(f func(*herald.ReadFilter)) herald.ReadFilter {
		g := span
		f(&g)
		return g
	}

	t.Run("reads by day", func(t *testing.T) {
		tests := []struct {
			name   string
			filter herald.ReadFilter
			want   string
		}{
			{"site", span, fmt.Sprintf("%s:2 %s:10 %s:40", dm2, dm1, d0)},
			{"one day", with(func(f *herald.ReadFilter) { f.From = until }), d0 + ":40"},
			{"articles", with(func(f *herald.ReadFilter) { f.ArticleIDs = []int64{a1.ID} }), fmt.Sprintf("%s:0 %s:10 %s:16", dm2, dm1, d0)},
			{"no articles", with(func(f *herald.ReadFilter) { f.ArticleIDs = []int64{} }), fmt.Sprintf("%s:0 %s:0 %s:0", dm2, dm1, d0)},
			{"unit", with(func(f *herald.ReadFilter) { f.UnitIDs = []int64{w.County.ID} }), fmt.Sprintf("%s:0 %s:0 %s:20", dm2, dm1, d0)},
			{"no units", with(func(f *herald.ReadFilter) { f.UnitIDs = []int64{} }), fmt.Sprintf("%s:0 %s:0 %s:0", dm2, dm1, d0)},
			{"column", with(func(f *herald.ReadFilter) { f.ColumnID = w.News.ID }), fmt.Sprintf("%s:2 %s:10 %s:20", dm2, dm1, d0)},
			{"theme", with(func(f *herald.ReadFilter) { f.ThemeID = w.Theme.ID }), fmt.Sprintf("%s:0 %s:10 %s:16", dm2, dm1, d0)},
			{"channels", with(func(f *herald.ReadFilter) { f.Channels = []string{"feed", "wechat"} }), fmt.Sprintf("%s:0 %s:0 %s:25", dm2, dm1, d0)},
			{"column and channel", with(func(f *herald.ReadFilter) { f.ColumnID, f.Channels = w.News.ID, []string{"web"} }), fmt.Sprintf("%s:0 %s:10 %s:12", dm2, dm1, d0)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.ReadsByDay(ctx, tt.filter, false)
				must(t, err)
				var b []string
				for _, d := range got {
					if d.Channels != nil {
						t.Fatalf("channels %v not asked for", d.Channels)
					}
					b = append(b, fmt.Sprintf("%s:%d", d.Day, d.Reads))
				}
				if fmt.Sprint(b) != "["+tt.want+"]" {
					t.Fatalf("got %v, want [%s]", b, tt.want)
				}
			})
		}
		got, err := s.ReadsByDay(ctx, span, true)
		must(t, err)
		if len(got) != 3 || fmt.Sprint(got[0].Channels) != "map[mail:2]" || len(got[1].Channels) != 1 ||
			fmt.Sprint(got[2].Channels) != "map[feed:5 mobile:3 web:12 wechat:20]" || got[2].Reads != 40 {
			t.Fatalf("by channel: %+v", got)
		}
	})

	t.Run("reads by channel", func(t *testing.T) {
		got, err := s.ReadsByChannel(ctx, span)
		must(t, err)
		if fmt.Sprint(got) != "[{web 22} {wechat 20} {feed 5} {mobile 3} {mail 2}]" {
			t.Fatalf("got %v", got)
		}
		got, err = s.ReadsByChannel(ctx, with(func(f *herald.ReadFilter) { f.ArticleIDs = []int64{a2.ID, a3.ID} }))
		must(t, err)
		if fmt.Sprint(got) != "[{wechat 20} {web 4} {mail 2}]" {
			t.Fatalf("of two articles: %v", got)
		}
	})

	t.Run("top articles", func(t *testing.T) {
		got, err := s.TopReadArticles(ctx, span, 0)
		must(t, err)
		want := []herald.ArticleReads{{ArticleID: a1.ID, Reads: 26, Readers: 3}, {ArticleID: a2.ID, Reads: 20, Readers: 1}, {ArticleID: a3.ID, Reads: 6, Readers: 2}}
		if !slices.Equal(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		got, err = s.TopReadArticles(ctx, with(func(f *herald.ReadFilter) { f.Channels = []string{"web"}; f.From = until }), 1)
		must(t, err)
		// Readers are not narrowed by channel.
		if len(got) != 1 || got[0] != (herald.ArticleReads{ArticleID: a1.ID, Reads: 8, Readers: 3}) {
			t.Fatalf("web today, top 1: %+v", got)
		}
		got, err = s.TopReadArticles(ctx, with(func(f *herald.ReadFilter) { f.Channels = []string{"web"}; f.Until = from }), 0)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("nothing was read on the web on day -2: %+v", got)
		}
	})

	t.Run("top referrers", func(t *testing.T) {
		got, err := s.TopReferrers(ctx, span, 0)
		must(t, err)
		if fmt.Sprint(got) != "[{mp.weixin.qq.com 6} {www.baidu.com 5} {other 2} {weibo.com 1}]" {
			t.Fatalf("got %v", got)
		}
		got, err = s.TopReferrers(ctx, with(func(f *herald.ReadFilter) { f.UnitIDs = []int64{w.County.ID}; f.From = until }), 1)
		must(t, err)
		if fmt.Sprint(got) != "[{mp.weixin.qq.com 6}]" {
			t.Fatalf("county today, top 1: %v", got)
		}
		_, err = s.TopReferrers(ctx, with(func(f *herald.ReadFilter) { f.Channels = []string{"web"} }), 0)
		wantCode(t, err, herald.EINVALID, "channels")
	})

	t.Run("readers by day", func(t *testing.T) {
		show := func(rs []herald.DayReaders) string {
			var b []string
			for _, r := range rs {
				b = append(b, fmt.Sprintf("%s:%d", r.Day, r.Readers))
			}
			return fmt.Sprint(b)
		}
		got, err := s.ReadersByDay(ctx, span)
		must(t, err)
		if want := fmt.Sprintf("[%s:2 %s:0 %s:3]", dm2, dm1, d0); show(got) != want {
			t.Fatalf("site: %s, want %s", show(got), want)
		}
		got, err = s.ReadersByDay(ctx, with(func(f *herald.ReadFilter) { f.ColumnID = w.News.ID }))
		must(t, err)
		if want := fmt.Sprintf("[%s:2 %s:0 %s:3]", dm2, dm1, d0); show(got) != want {
			t.Fatalf("column: %s, want %s", show(got), want)
		}
		got, err = s.ReadersByDay(ctx, with(func(f *herald.ReadFilter) { f.ArticleIDs = []int64{a1.ID, a2.ID} }))
		must(t, err)
		if want := fmt.Sprintf("[%s:0 %s:0 %s:4]", dm2, dm1, d0); show(got) != want {
			t.Fatalf("two articles: %s, want %s (the sum of each one's readers)", show(got), want)
		}
		_, err = s.ReadersByDay(ctx, with(func(f *herald.ReadFilter) { f.Channels = []string{"web"} }))
		wantCode(t, err, herald.EINVALID, "channels")
	})

	t.Run("article reads by day", func(t *testing.T) {
		got, err := s.ArticleReadsByDay(ctx, span)
		must(t, err)
		want := []herald.ArticleDayReads{{ArticleID: a1.ID, Day: dm1, Reads: 10}, {ArticleID: a1.ID, Day: d0, Reads: 16},
			{ArticleID: a2.ID, Day: d0, Reads: 20}, {ArticleID: a3.ID, Day: dm2, Reads: 2}, {ArticleID: a3.ID, Day: d0, Reads: 4}}
		if !slices.Equal(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})

	t.Run("bad filters", func(t *testing.T) {
		_, err := s.ReadsByDay(ctx, herald.ReadFilter{}, false)
		wantCode(t, err, herald.EINVALID, "from")
		_, err = s.ReadsByChannel(ctx, herald.ReadFilter{From: until, Until: from})
		wantCode(t, err, herald.EINVALID, "until")
		_, err = s.TopReadArticles(ctx, herald.ReadFilter{From: from, Until: from.AddDate(11, 0, 0)}, 10)
		wantCode(t, err, herald.EINVALID, "until")
		_, err = s.ArticleReadsByDay(ctx, with(func(f *herald.ReadFilter) { f.Channels = []string{"telegram"} }))
		wantCode(t, err, herald.EINVALID, "channels")
	})

	t.Run("a bad batch writes nothing", func(t *testing.T) {
		before, _ := s.ReadsByDay(ctx, span, false)
		for name, b := range map[string]*herald.ReadBatch{
			"channel":  {Views: []herald.ViewCount{{ArticleID: a1.ID, Hour: cstHour(0, 1), Channel: "web", Views: 1}, {ArticleID: a1.ID, Hour: cstHour(0, 1), Channel: "fax", Views: 1}}},
			"host":     {Views: []herald.ViewCount{{ArticleID: a1.ID, Hour: cstHour(0, 1), Channel: "web", Views: 1}}, Referrers: []herald.ReferrerCount{{ArticleID: a1.ID, Day: d0, Host: "https://x.cn/", Views: 1}}},
			"day":      {Views: []herald.ViewCount{{ArticleID: a1.ID, Hour: cstHour(0, 1), Channel: "web", Views: 1}}, Readers: []herald.ReaderKey{{ArticleID: a1.ID, Day: "2026-11-5", Key: 1}}},
			"negative": {ReaderCounts: []herald.ReaderCount{{ArticleID: a1.ID, Day: d0, Readers: -1}}},
		} {
			err := s.AddReads(ctx, b)
			wantCode(t, err, herald.EINVALID, "")
			if herald.ErrorFields(err) == nil {
				t.Errorf("%s: no field named", name)
			}
		}
		// An article that does not exist fails the whole batch.
		err := s.AddReads(ctx, &herald.ReadBatch{Views: []herald.ViewCount{{ArticleID: a1.ID, Hour: cstHour(0, 1), Channel: "web", Views: 1}, {ArticleID: 987654, Hour: cstHour(0, 1), Channel: "web", Views: 1}}})
		if err == nil {
			t.Fatal("reads of an unknown article were written")
		}
		after, _ := s.ReadsByDay(ctx, span, false)
		if !slices.EqualFunc(before, after, func(a, b herald.DayReads) bool { return a.Day == b.Day && a.Reads == b.Reads }) {
			t.Fatalf("refused batches changed the reads: %v -> %v", before, after)
		}
	})

	t.Run("reader salts", func(t *testing.T) {
		_, today := cstDay(10)
		salt := func(day time.Time, fresh string) string {
			got, err := s.ReaderSalt(ctx, day, func() ([]byte, error) { return []byte(fresh), nil })
			must(t, err)
			return string(got)
		}
		first := salt(today, "salt-of-day-ten-0123456789")
		if first != "salt-of-day-ten-0123456789" || salt(today, "another-salt-0123456789") != first {
			t.Fatal("the day's salt is not kept")
		}
		// Replicas asking at once get one salt.
		_, tomorrow := cstDay(11)
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Go(func() { got[i] = salt(tomorrow, fmt.Sprintf("racing-salt-%02d-0123456789", i)) })
		}
		wg.Wait()
		for _, g := range got {
			if g != got[0] {
				t.Fatalf("racing replicas got different salts: %q", got)
			}
		}
		// The keys of a day two days back are deleted with its salt once a
		// new day's salt is made; the count they made stays.
		old, _ := cstDay(9)
		must(t, s.AddReads(ctx, &herald.ReadBatch{Readers: []herald.ReaderKey{{ArticleID: a1.ID, Day: old, Key: 42}}}))
		must(t, s.AddReads(ctx, &herald.ReadBatch{Readers: []herald.ReaderKey{{ArticleID: a1.ID, Day: old, Key: 42}}}))
		readersOn := func(day string) int {
			d, _ := herald.ParseDay(day)
			rs, err := s.ReadersByDay(ctx, herald.ReadFilter{From: d, Until: d, ArticleIDs: []int64{a1.ID}})
			must(t, err)
			return rs[0].Readers
		}
		if n := readersOn(old); n != 1 {
			t.Fatalf("%d readers before the key expired, want 1", n)
		}
		_, later := cstDay(12)
		salt(later, "salt-of-day-twelve-0123456789")
		if salt(today, "a-new-salt-for-day-ten-01234") == first {
			t.Fatal("the salt of day 10 was kept past two days")
		}
		must(t, s.AddReads(ctx, &herald.ReadBatch{Readers: []herald.ReaderKey{{ArticleID: a1.ID, Day: old, Key: 42}}}))
		if n := readersOn(old); n != 2 {
			t.Fatalf("%d readers after the key expired, want 2 (the key was forgotten)", n)
		}
		_, someday := cstDay(20)
		if _, err := s.ReaderSalt(ctx, someday, func() ([]byte, error) { return []byte("short"), nil }); err == nil {
			t.Fatal("a short salt was taken")
		}
	})
}

// benchAnalytics measures the readership queries on a year of a province's
// reads: 2,000 articles, about 5 million reads on seven channels, with
// referrers and distinct readers. Seeding takes a while; it is done once.
func benchAnalytics(b *testing.B, open Opener) {
	ctx := context.Background()
	s := open(b)
	w := NewWorld(b, s)
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, herald.CST)
	rng := rand.New(rand.NewPCG(2026, 11))
	start := time.Now()
	const articles = 2000
	channels := []string{"web", "mobile", "feed", "microblog", "mail", "wechat", "static"}
	shares := []float64{0.30, 0.40, 0.05, 0.05, 0.05, 0.14, 0.01}
	hosts := []string{"www.baidu.com", "weibo.com", "mp.weixin.qq.com", "news.hebei.gov.cn", "www.so.com", "cn.bing.com", "www.sogou.com", "m.toutiao.com"}
	cols := []*herald.Column{w.News, w.Local}
	units := []*herald.Unit{w.City, w.County, w.Center}
	var batch herald.ReadBatch
	flush := func() {
		must(b, s.AddReads(ctx, &batch))
		batch = herald.ReadBatch{}
	}
	totalReads := 0
	for i := range articles {
		at := year.Add(time.Duration(i) * (365 * 24 * time.Hour / articles))
		c := Content(cols[i%2], fmt.Sprintf("基准 %d", i))
		if i%5 == 0 {
			c.ThemeIDs = []int64{w.Theme.ID}
		}
		a := &herald.Article{ArticleContent: c, UnitID: units[i%3].ID, Status: herald.StatusPublished, CreatedBy: w.Writer.ID, PublishedAt: &at}
		must(b, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
		appeal := 300 + rng.Float64()*1500
		for age := 0; age < 60; age++ {
			dayStart := herald.CSTDay(at).AddDate(0, 0, age)
			if dayStart.Year() > 2026 {
				break
			}
			reads := int(appeal / (1 + float64(age*age)/2) * (0.6 + 0.8*rng.Float64()))
			if reads == 0 {
				continue
			}
			totalReads += reads
			day := dayStart.Format(time.DateOnly)
			for k, ch := range channels {
				if n := int(float64(reads)*shares[k] + rng.Float64()); n > 0 {
					batch.Views = append(batch.Views, herald.ViewCount{ArticleID: a.ID, Hour: dayStart.Add(time.Duration(8+k) * time.Hour), Channel: ch, Views: n})
				}
			}
			for k, h := range hosts[:1+rng.IntN(len(hosts))] {
				if n := reads / (5 << k); n > 0 {
					batch.Referrers = append(batch.Referrers, herald.ReferrerCount{ArticleID: a.ID, Day: day, Host: h, Views: n})
				}
			}
			batch.ReaderCounts = append(batch.ReaderCounts, herald.ReaderCount{ArticleID: a.ID, Day: day, Readers: reads * 4 / 5})
		}
		if len(batch.Views) > 5000 {
			flush()
		}
	}
	var site []herald.ReaderCount
	for d := year; d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		site = append(site, herald.ReaderCount{Day: d.Format(time.DateOnly), Readers: 3000 + rng.IntN(2000)})
	}
	batch.ReaderCounts = append(batch.ReaderCounts, site...)
	flush()
	b.Logf("%s: seeded %d articles, %d reads in %s", s.Engine(), articles, totalReads, time.Since(start).Round(time.Second))
	if db, ok := s.(sqlDB); ok {
		for _, table := range []string{"article_views", "article_reads", "article_referrers", "article_readers"} {
			var n int
			must(b, db.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n))
			b.Logf("%s: %d rows", table, n)
		}
	}
	if db, ok := s.(sqlDB); ok && s.Engine() == "postgres" {
		// the state autovacuum keeps a table in: statistics, and the visibility
		// map that lets index-only scans skip the heap
		for _, table := range []string{"article_reads", "article_referrers", "article_readers", "site_readers", "articles"} {
			if _, err := db.DB().ExecContext(ctx, `VACUUM ANALYZE `+table); err != nil {
				b.Fatal(err)
			}
		}
	}

	yearSpan := herald.ReadFilter{From: year, Until: year.AddDate(1, 0, -1)}
	month := herald.ReadFilter{From: year.AddDate(0, 10, 0), Until: year.AddDate(0, 11, -1)}
	fortnight := herald.ReadFilter{From: year.AddDate(0, 11, 10), Until: year.AddDate(0, 11, 23)}
	byColumn := yearSpan
	byColumn.ColumnID = w.News.ID
	byUnit := yearSpan
	byUnit.UnitIDs = []int64{w.County.ID}
	oneArticle := yearSpan
	oneArticle.ArticleIDs = []int64{1000}
	if got, err := s.TopReadArticles(ctx, month, 3); err != nil || len(got) == 0 {
		b.Fatalf("top articles of the month: %v %v", got, err)
	}
	if got, err := s.ArticleReadsByDay(ctx, fortnight); err != nil || len(got) == 0 {
		b.Fatalf("a fortnight's reads: %v", err)
	}
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				must(b, fn())
			}
		})
	}
	run("ReadsByDayYear", func() error { _, err := s.ReadsByDay(ctx, yearSpan, false); return err })
	run("ReadsByDayYearByChannel", func() error { _, err := s.ReadsByDay(ctx, yearSpan, true); return err })
	run("ReadsByDayYearColumn", func() error { _, err := s.ReadsByDay(ctx, byColumn, false); return err })
	run("ReadsByDayYearUnit", func() error { _, err := s.ReadsByDay(ctx, byUnit, true); return err })
	run("ReadsByDayYearArticle", func() error { _, err := s.ReadsByDay(ctx, oneArticle, true); return err })
	run("ReadsByChannelYear", func() error { _, err := s.ReadsByChannel(ctx, yearSpan); return err })
	run("TopArticlesMonth", func() error { _, err := s.TopReadArticles(ctx, month, 20); return err })
	run("TopArticlesYear", func() error { _, err := s.TopReadArticles(ctx, yearSpan, 20); return err })
	run("TopReferrersYear", func() error { _, err := s.TopReferrers(ctx, yearSpan, 20); return err })
	run("ReadersByDayYearSite", func() error { _, err := s.ReadersByDay(ctx, yearSpan); return err })
	run("ReadersByDayYearColumn", func() error { _, err := s.ReadersByDay(ctx, byColumn); return err })
	run("ArticleReadsByDayFortnight", func() error { _, err := s.ArticleReadsByDay(ctx, fortnight); return err })
	// A flush of a busy second: 200 hour counts, 50 referrers, 400 reader keys.
	n := int64(0)
	run("AddReadsFlush", func() error {
		var fb herald.ReadBatch
		day := year.AddDate(0, 11, 20)
		for i := range 200 {
			fb.Views = append(fb.Views, herald.ViewCount{ArticleID: int64(1 + i*7%articles), Hour: day.Add(10 * time.Hour), Channel: channels[i%len(channels)], Views: 1 + i%3})
		}
		for i := range 50 {
			fb.Referrers = append(fb.Referrers, herald.ReferrerCount{ArticleID: int64(1 + i*13%articles), Day: day.Format(time.DateOnly), Host: hosts[i%len(hosts)], Views: 1})
		}
		for i := range 400 {
			n++
			fb.Readers = append(fb.Readers, herald.ReaderKey{ArticleID: int64(i % 3 * 500), Day: day.Format(time.DateOnly), Key: n})
		}
		return s.AddReads(ctx, &fb)
	})
}
