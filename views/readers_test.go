package views

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
)

// Two Counters writing to one sink are two replicas behind a load balancer:
// a reader whose requests reach both is one distinct reader of the day.
func TestDistinctReadersAcrossReplicas(t *testing.T) {
	fc := &fakeClock{now: t0}
	sink := newFakeSink()
	a, b := New(sink, fc.clock(), nil), New(sink, fc.clock(), nil)
	ctx := context.Background()
	alice := req("203.0.113.7", chromeUA, "zh-CN")
	bob := req("203.0.113.8", iphoneUA, "zh-CN")
	if !a.Record(alice, 1, ChannelWeb) || !b.Record(alice, 1, ChannelWeb) || !b.Record(bob, 1, ChannelMobile) || !a.Record(alice, 2, ChannelWeb) {
		t.Fatal("views not counted")
	}
	must(t, a.Flush(ctx))
	must(t, b.Flush(ctx))
	if got := sink.total(1, hour9, "web") + sink.total(1, hour9, "mobile"); got != 3 {
		t.Fatalf("article 1: %d reads, want 3 (each replica dedups on its own)", got)
	}
	day := "2026-03-14"
	if got := sink.readersOf(1, day); got != 2 {
		t.Fatalf("article 1: %d readers, want 2", got)
	}
	if got := sink.readersOf(2, day); got != 1 {
		t.Fatalf("article 2: %d readers, want 1", got)
	}
	if got := sink.readersOf(0, day); got != 2 {
		t.Fatalf("site: %d readers, want 2 (alice read two articles)", got)
	}
	// After the dedup window, the same reader reads again: another read, not
	// another reader.
	fc.add(40 * time.Minute)
	if !a.Record(alice, 1, ChannelWeb) {
		t.Fatal("a read after the window not counted")
	}
	must(t, a.Flush(ctx))
	if got := sink.readersOf(1, day); got != 2 {
		t.Fatalf("article 1 after a re-read: %d readers, want 2", got)
	}
	// The next CST day (16:00 UTC is midnight in China) has a salt of its own;
	// alice counts again there.
	fc.mu.Lock()
	fc.now = time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC)
	fc.mu.Unlock()
	if !b.Record(alice, 1, ChannelWeb) {
		t.Fatal("the next day's read not counted")
	}
	must(t, b.Flush(ctx))
	if got := sink.readersOf(1, "2026-03-15"); got != 1 {
		t.Fatalf("next day: %d readers, want 1", got)
	}
	if len(sink.salts) != 2 || string(sink.salts["2026-03-14"]) == string(sink.salts["2026-03-15"]) {
		t.Fatalf("salts %v: want one per day", sink.salts)
	}
}

func TestSaltFailureKeepsEverything(t *testing.T) {
	c, sink, _ := newTest(t)
	ctx := context.Background()
	c.Record(req("203.0.113.30", chromeUA, "en"), 5, ChannelWeb)
	sink.mu.Lock()
	sink.failSalt = true
	sink.mu.Unlock()
	if err := c.Flush(ctx); err == nil {
		t.Fatal("flush succeeded without the day's salt")
	}
	if c.Pending() != 1 || sink.numCalls() != 0 {
		t.Fatalf("pending %d, calls %d", c.Pending(), sink.numCalls())
	}
	sink.mu.Lock()
	sink.failSalt = false
	sink.mu.Unlock()
	must(t, c.Flush(ctx))
	if c.Pending() != 0 || sink.total(5, hour9, "web") != 1 || sink.readersOf(5, "2026-03-14") != 1 {
		t.Fatalf("after recovery: pending %d, reads %d, readers %d", c.Pending(), sink.total(5, hour9, "web"), sink.readersOf(5, "2026-03-14"))
	}
}

func TestSinkFailureKeepsReadersAndReferrers(t *testing.T) {
	c, sink, _ := newTest(t)
	ctx := context.Background()
	r := req("203.0.113.31", chromeUA, "en")
	r.Header.Set("Referer", "https://weibo.com/")
	c.Record(r, 6, ChannelWeb)
	sink.setFail(true)
	if err := c.Flush(ctx); err == nil {
		t.Fatal("flush succeeded")
	}
	sink.setFail(false)
	must(t, c.Flush(ctx))
	must(t, c.Flush(ctx))
	if sink.readersOf(6, "2026-03-14") != 1 || sink.readersOf(0, "2026-03-14") != 1 || sink.referrals(6, "2026-03-14", "weibo.com") != 1 {
		t.Fatalf("readers %v referrers %v", sink.readers, sink.refs)
	}
}

// On real stores: two Counters (two replicas, each with its own connection
// pool on PostgreSQL) count one reader once, and the day's reads, readers and
// referrers come back from the store's queries.
func TestReplicasOnStores(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
		must(t, err)
		t.Cleanup(func() { s.Close() })
		testReplicas(t, s, s)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.SchemaDSN(t)
		ctx := context.Background()
		a, err := postgres.Open(ctx, dsn)
		must(t, err)
		t.Cleanup(func() { a.Close() })
		b, err := postgres.Open(ctx, dsn)
		must(t, err)
		t.Cleanup(func() { b.Close() })
		testReplicas(t, a, b)
	})
}

func testReplicas(t *testing.T, sa, sb herald.Store) {
	ctx := context.Background()
	w := storetest.NewWorld(t, sa)
	at := t0.Add(-time.Hour)
	art := &herald.Article{ArticleContent: storetest.Content(w.News, "两地读者"), UnitID: w.City.ID, Status: herald.StatusPublished, CreatedBy: w.Writer.ID, PublishedAt: &at}
	must(t, sa.CreateArticle(ctx, art, herald.Event{At: at}))
	fc := &fakeClock{now: t0}
	a, b := New(sa, fc.clock(), nil), New(sb, fc.clock(), nil)
	// 20 readers, each reaching both replicas (some twice, from the feed and
	// from Weibo), flushed concurrently.
	for i := range 20 {
		r := req(fmt.Sprintf("198.51.100.%d", i), chromeUA, "zh-CN")
		if i%2 == 0 {
			r.URL.RawQuery = "from=feed"
			r.Header.Set("Referer", "https://weibo.com/u/1")
		}
		if !a.Record(r, art.ID, ChannelWeb) || !b.Record(r, art.ID, ChannelWeb) {
			t.Fatalf("reader %d not counted", i)
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- a.Flush(ctx) }()
	go func() { errs <- b.Flush(ctx) }()
	must(t, <-errs)
	must(t, <-errs)
	f := herald.ReadFilter{From: t0, Until: t0}
	readers, err := sa.ReadersByDay(ctx, f)
	must(t, err)
	if len(readers) != 1 || readers[0].Readers != 20 {
		t.Fatalf("site readers %+v, want 20", readers)
	}
	f.ArticleIDs = []int64{art.ID}
	readers, err = sb.ReadersByDay(ctx, f)
	must(t, err)
	if readers[0].Readers != 20 {
		t.Fatalf("article readers %+v, want 20", readers)
	}
	byChannel, err := sa.ReadsByChannel(ctx, f)
	must(t, err)
	if fmt.Sprint(byChannel) != "[{feed 20} {web 20}]" {
		t.Fatalf("reads by channel %v", byChannel)
	}
	top, err := sa.TopReferrers(ctx, f, 10)
	must(t, err)
	if fmt.Sprint(top) != "[{weibo.com 20}]" {
		t.Fatalf("referrers %v", top)
	}
	// A restart: a new Counter on the same store gets the same salt, so the
	// same reader is still one reader of the day.
	c := New(sb, fc.clock(), nil)
	fc.add(time.Hour)
	c.Record(req("198.51.100.0", chromeUA, "zh-CN"), art.ID, ChannelWeb)
	must(t, c.Flush(ctx))
	readers, _ = sa.ReadersByDay(ctx, f)
	if readers[0].Readers != 20 {
		t.Fatalf("after a restart: %d readers, want 20", readers[0].Readers)
	}
}
