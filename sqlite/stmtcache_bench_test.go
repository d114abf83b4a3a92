package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/storetest"
)

// BenchmarkStmtCache compares the store without and with the statement
// cache: a bare insert and select, and the writes the demo's seed repeats
// most (a new subscriber, an article), with commits unsynced as the seed
// makes them, so that the statements' own cost shows and not the disk's.
// Besides the wall time, each reports the process's CPU time per operation
// (cpu-ns/op), steadier on a busy machine.
//
//	go test -run XXX -bench StmtCache -benchmem ./sqlite
func BenchmarkStmtCache(b *testing.B) {
	for _, size := range []int{0, 256} {
		name := fmt.Sprintf("cache=%d", size)
		b.Run("InsertSelect/"+name, func(b *testing.B) { benchInsertSelect(b, size) })
		b.Run("Subscribe/"+name, func(b *testing.B) { benchStore(b, size, benchSubscribe) })
		b.Run("CreateArticle/"+name, func(b *testing.B) { benchStore(b, size, benchCreateArticle) })
	}
}

// benchInsertSelect inserts a row and reads it back, on one connection.
func benchInsertSelect(b *testing.B, size int) {
	ctx := context.Background()
	c, err := newConnector(testDSN(b)+"&_pragma=synchronous(OFF)", size)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec(b, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, at TEXT NOT NULL, n INTEGER NOT NULL, body BLOB)`)
	at := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).Format(timeLayout)
	b.ReportAllocs()
	defer reportCPU(b)()
	for i := range b.N {
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO t (name, at, n, body) VALUES (?, ?, ?, ?) RETURNING id`,
			"读者", at, i, []byte("正文")).Scan(&id); err != nil {
			b.Fatal(err)
		}
		var name, at2 string
		var n int
		var body []byte
		if err := db.QueryRowContext(ctx, `SELECT name, at, n, body FROM t WHERE id = ?`, id).Scan(&name, &at2, &n, &body); err != nil || n != i {
			b.Fatal(n, err)
		}
	}
}

// reportCPU resets the benchmark's timer and returns the function that
// reports the CPU time per operation since.
func reportCPU(b *testing.B) func() {
	b.ResetTimer()
	start, ok := cpuTime()
	return func() {
		if end, ok2 := cpuTime(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// timeLayout is sqlstore's.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// benchStore runs op b.N times on a store opened with a cache of size,
// commits unsynced.
func benchStore(b *testing.B, size int, op func(b *testing.B, s herald.Store, w *storetest.World, i int)) {
	ctx := context.Background()
	defer func(was int) { stmtCacheSize = was }(stmtCacheSize)
	stmtCacheSize = size
	s, err := Open(ctx, filepath.Join(b.TempDir(), "herald.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	w := storetest.NewWorld(b, s)
	b.ReportAllocs()
	defer reportCPU(b)()
	if err := Unsynced(ctx, s, func() error {
		for i := range b.N {
			op(b, s, w, i)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
}

// benchSubscribe is the demo's subscription: a new address asks for a
// newsletter.
func benchSubscribe(b *testing.B, s herald.Store, w *storetest.World, i int) {
	at := storetest.T0.Add(time.Duration(i) * time.Minute)
	if _, err := s.UpdateSubscriberByEmail(context.Background(), fmt.Sprintf("reader%d@example.com", i), func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
		sub.SubscriptionPrefs = herald.SubscriptionPrefs{Frequency: herald.FrequencyDaily, Language: herald.DefaultLanguage, ColumnIDs: []int64{w.News.ID}}
		sub.Status, sub.RequestedAt, sub.ConfirmationsSent = herald.SubscriberPending, &at, []time.Time{at}
		return herald.SubscriberChange{Event: herald.Event{At: at, Action: "subscribe"}}, nil
	}); err != nil {
		b.Fatal(err)
	}
}

// benchCreateArticle is storetest's CreateArticle benchmark, unsynced.
func benchCreateArticle(b *testing.B, s herald.Store, w *storetest.World, i int) {
	a := &herald.Article{ArticleContent: storetest.Content(w.Local, fmt.Sprintf("基准稿件 %d", i)), UnitID: w.City.ID,
		Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	if err := s.CreateArticle(context.Background(), a, herald.Event{At: storetest.T0, ActorID: w.Writer.ID}); err != nil {
		b.Fatal(err)
	}
}
