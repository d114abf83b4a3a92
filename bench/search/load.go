package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/sqlstore"
)

// opened is a store of the bench's own and how to get rid of it.
type opened struct {
	*sqlstore.Store
	where   string // the file or schema, for messages
	cleanup func() error
}

// openStore opens a new, empty, migrated store called name: a file in dir
// for SQLite, a schema of its own for PostgreSQL, dropped by cleanup.
func openStore(ctx context.Context, engine, dsn, dir, name string) (*opened, error) {
	switch engine {
	case "sqlite":
		path := filepath.Join(dir, name+".db")
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		return &opened{Store: s, where: path, cleanup: s.Close}, nil
	case "postgres":
		if dsn == "" {
			return nil, errors.New("-engine postgres needs -dsn")
		}
		b := make([]byte, 4)
		rand.Read(b)
		schema := "herald_bench_" + name + "_" + hex.EncodeToString(b)
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			admin.Close()
			return nil, fmt.Errorf("create schema: %w", err)
		}
		drop := func() error {
			// not ctx: the schema goes even when the run was interrupted
			_, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			return errors.Join(err, admin.Close())
		}
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, errors.Join(err, drop())
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s, err := postgres.Open(ctx, u.String())
		if err != nil {
			return nil, errors.Join(err, drop())
		}
		return &opened{Store: s, where: "schema " + schema, cleanup: func() error { return errors.Join(s.Close(), drop()) }}, nil
	}
	return nil, fmt.Errorf("unknown engine %q: sqlite or postgres", engine)
}

// seedProvince creates the demo province (units, staff, columns, themes)
// through the store's own API.
func seedProvince(ctx context.Context, s herald.Store, at time.Time) error {
	c, err := demo.LoadCorpus()
	if err != nil {
		return err
	}
	ev := herald.Event{At: at}
	units := map[string]*herald.Unit{}
	for _, spec := range c.Units {
		u := &herald.Unit{Code: spec.Code, Name: spec.Name, NameEn: spec.NameEn, Type: herald.UnitType(spec.Type)}
		if spec.Parent != "" {
			u.ParentID = units[spec.Parent].ID
		}
		if err := s.CreateUnit(ctx, u, ev); err != nil {
			return fmt.Errorf("unit %s: %w", spec.Code, err)
		}
		units[spec.Code] = u
	}
	for _, spec := range c.Staff {
		st := &herald.Staff{Username: spec.Username, Name: spec.Name, NameEn: spec.NameEn, StaffCode: spec.StaffCode,
			UnitID: units[spec.Unit].ID, Skills: spec.Skills}
		for _, r := range spec.Roles {
			st.Roles = append(st.Roles, herald.Role(r))
		}
		if err := s.CreateStaff(ctx, st, ev); err != nil {
			return fmt.Errorf("staff %s: %w", spec.Username, err)
		}
	}
	for _, spec := range c.Columns {
		col := &herald.Column{Slug: spec.Slug, Name: spec.Name, NameEn: spec.NameEn, ReviewLevels: spec.ReviewLevels, Position: spec.Position, Checklist: spec.Checklist}
		if err := s.CreateColumn(ctx, col, ev); err != nil {
			return fmt.Errorf("column %s: %w", spec.Slug, err)
		}
	}
	for _, spec := range c.Themes {
		th := &herald.Theme{Slug: spec.Slug, Name: spec.Name, NameEn: spec.NameEn, Description: spec.Description}
		if err := s.CreateTheme(ctx, th, ev); err != nil {
			return fmt.Errorf("theme %s: %w", spec.Slug, err)
		}
	}
	return nil
}

// produce makes articles 0..n-1 on workers goroutines and delivers them in
// order.
func produce(ctx context.Context, n, workers int, w *world) <-chan *herald.Article {
	type chunk struct {
		from, to int
		done     chan []*herald.Article
	}
	out := make(chan *herald.Article, 1024)
	queue := make(chan chunk, 4*workers)
	jobs := make(chan chunk, 4*workers)
	go func() {
		defer close(jobs)
		defer close(queue)
		for from := 0; from < n; from += 256 {
			c := chunk{from, min(from+256, n), make(chan []*herald.Article, 1)}
			select {
			case queue <- c:
			case <-ctx.Done():
				return
			}
			jobs <- c
		}
	}()
	for range workers {
		go func() {
			for c := range jobs {
				arts := make([]*herald.Article, 0, c.to-c.from)
				for i := c.from; i < c.to; i++ {
					a, _ := w.article(i)
					arts = append(arts, a)
				}
				c.done <- arts
			}
		}()
	}
	go func() {
		defer close(out)
		for c := range queue {
			for _, a := range <-c.done {
				select {
				case out <- a:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// loadByAPI creates the articles one CreateArticle (one transaction) each,
// on writers goroutines: the slow, obviously correct way, kept to check the
// fast one against.
func loadByAPI(ctx context.Context, w *world, s herald.Store, n, workers, writers int, progress func(int)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	arts := produce(ctx, n, workers, w)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		done  int
	)
	for range writers {
		wg.Go(func() {
			for a := range arts {
				ev := herald.Event{At: a.CreatedAt, ActorID: a.CreatedBy, Action: "import"}
				a.ID = 0
				err := s.CreateArticle(ctx, a, ev)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				done++
				if done%10000 == 0 && progress != nil {
					progress(done)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// dumpSection is a table's opening line in a backup (sqlstore's format), or
// with End set the closing line.
type dumpSection struct {
	Table   string   `json:"table,omitempty"`
	Columns []string `json:"columns,omitempty"`
	Rows    int      `json:"rows"`
	End     bool     `json:"end,omitempty"`
}

type seedTable struct {
	dumpSection
	rows [][]byte // raw JSON lines
}

// parseDump reads a backup into its header line and its tables.
func parseDump(b []byte) (header []byte, tables []seedTable, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReaderSize(zr, 1<<20)
	line := func() ([]byte, error) {
		l, err := r.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("seed dump: %w", err)
		}
		return l, nil
	}
	if header, err = line(); err != nil {
		return nil, nil, err
	}
	for {
		l, err := line()
		if err != nil {
			return nil, nil, err
		}
		var t seedTable
		if err := json.Unmarshal(l, &t.dumpSection); err != nil {
			return nil, nil, err
		}
		if t.End {
			return header, tables, nil
		}
		for range t.Rows {
			row, err := line()
			if err != nil {
				return nil, nil, err
			}
			t.rows = append(t.rows, row)
		}
		tables = append(tables, t)
	}
}

const timeLayout = "2006-01-02T15:04:05.000000Z" // sqlstore's

func ts(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

func nts(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func nid(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// jsonText is how sqlstore writes JSON columns.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Columns of the generated tables, by name, as CreateArticle writes them.
var (
	articleCols = map[string]func(a *herald.Article) any{
		"id": func(a *herald.Article) any { return a.ID }, "title": func(a *herald.Article) any { return a.Title },
		"subtitle": func(a *herald.Article) any { return a.Subtitle }, "summary": func(a *herald.Article) any { return a.Summary },
		"body": func(a *herald.Article) any { return a.Body }, "cover_image": func(a *herald.Article) any { return a.CoverImage },
		"source": func(a *herald.Article) any { return a.Source }, "language": func(a *herald.Article) any { return a.Language },
		"channels": func(a *herald.Article) any { return jsonText(a.Channels) }, "column_id": func(a *herald.Article) any { return a.ColumnID },
		"editor_id": func(a *herald.Article) any { return nid(a.EditorID) }, "unit_id": func(a *herald.Article) any { return a.UnitID },
		"status": func(a *herald.Article) any { return string(a.Status) }, "review_level": func(a *herald.Article) any { return a.ReviewLevel },
		"reviewers": func(a *herald.Article) any { return jsonText(a.Reviewers) }, "correction_note": func(a *herald.Article) any { return a.CorrectionNote },
		"created_by": func(a *herald.Article) any { return a.CreatedBy }, "version": func(a *herald.Article) any { return a.Version },
		"created_at": func(a *herald.Article) any { return ts(a.CreatedAt) }, "updated_at": func(a *herald.Article) any { return ts(a.UpdatedAt) },
		"scheduled_at": func(a *herald.Article) any { return nts(a.ScheduledAt) }, "published_at": func(a *herald.Article) any { return nts(a.PublishedAt) },
		"corrected_at": func(a *herald.Article) any { return nts(a.CorrectedAt) }, "retracted_at": func(a *herald.Article) any { return nts(a.RetractedAt) },
		"translation_of": func(a *herald.Article) any { return nid(a.TranslationOf) }, "source_revision": func(a *herald.Article) any { return a.SourceRevision },
	}
	authorCols = map[string]func(a *herald.Article, pos int) any{
		"article_id": func(a *herald.Article, _ int) any { return a.ID }, "position": func(_ *herald.Article, pos int) any { return pos },
		"staff_id": func(a *herald.Article, pos int) any { return nid(a.Authors[pos].StaffID) },
		"name":     func(a *herald.Article, pos int) any { return a.Authors[pos].Name },
	}
	themeCols = map[string]func(a *herald.Article, k int) any{
		"article_id": func(a *herald.Article, _ int) any { return a.ID }, "theme_id": func(a *herald.Article, k int) any { return a.ThemeIDs[k] },
	}
	tagCols = map[string]func(a *herald.Article, k int) any{
		"article_id": func(a *herald.Article, _ int) any { return a.ID }, "tag": func(a *herald.Article, k int) any { return a.Tags[k] },
	}
	revisionCols = map[string]func(a *herald.Article, ev *herald.Event) any{
		"article_id": func(a *herald.Article, _ *herald.Event) any { return a.ID }, "number": func(*herald.Article, *herald.Event) any { return 1 },
		"content":  func(a *herald.Article, _ *herald.Event) any { return jsonText(a.ArticleContent) },
		"saved_by": func(_ *herald.Article, ev *herald.Event) any { return nid(ev.ActorID) }, "note": func(*herald.Article, *herald.Event) any { return "" },
		"created_at": func(_ *herald.Article, ev *herald.Event) any { return ts(ev.At) },
	}
	eventCols = map[string]func(ev *herald.Event) any{
		"id": func(ev *herald.Event) any { return ev.ID }, "at": func(ev *herald.Event) any { return ts(ev.At) },
		"actor_id": func(ev *herald.Event) any { return nid(ev.ActorID) }, "entity": func(ev *herald.Event) any { return ev.Entity },
		"entity_id": func(ev *herald.Event) any { return ev.EntityID }, "action": func(ev *herald.Event) any { return ev.Action },
		"from_status": func(ev *herald.Event) any { return ev.FromStatus }, "to_status": func(ev *herald.Event) any { return ev.ToStatus },
		"level": func(ev *herald.Event) any { return ev.Level }, "comment": func(ev *herald.Event) any { return ev.Comment },
	}
)

// getters orders a table's column functions as the dump lists the columns; a
// column the bench does not know is an error, not a silent default.
func getters[F any](table string, cols []string, m map[string]F) ([]F, error) {
	out := make([]F, len(cols))
	for i, c := range cols {
		f, ok := m[c]
		if !ok {
			return nil, fmt.Errorf("bench/search does not know column %s.%s: teach it (load.go)", table, c)
		}
		out[i] = f
	}
	return out, nil
}

// loadByDump fills target in one Load: it dumps seed (the province, made
// through the API), streams that dump back with n generated articles, their
// authors, themes, tags, first revision and import event added, exactly the
// rows CreateArticle would write, and restores it into target. It returns
// how many rows were loaded.
func loadByDump(ctx context.Context, w *world, seed, target *sqlstore.Store, n, workers int) (int, error) {
	var buf bytes.Buffer
	if err := seed.Dump(ctx, &buf); err != nil {
		return 0, err
	}
	header, tables, err := parseDump(buf.Bytes())
	if err != nil {
		return 0, err
	}
	metas := make([]*herald.Article, n)
	for i := range n {
		a := w.meta(i)
		a.ID = int64(i + 1)
		a.Normalize()
		metas[i] = a
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	rows := 0
	var writeErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		rows, writeErr = writeDump(ctx, pw, header, tables, w, metas, workers)
		pw.CloseWithError(writeErr)
	}()
	err = target.Load(ctx, pr)
	if err == nil {
		// Load stops reading at the closing line: let the writer finish
		_, err = io.Copy(io.Discard, pr)
	}
	pr.CloseWithError(errors.New("load ended"))
	cancel()
	<-done
	if writeErr != nil && err == nil {
		err = writeErr
	}
	return rows, err
}

func writeDump(ctx context.Context, out io.Writer, header []byte, tables []seedTable, w *world, metas []*herald.Article, workers int) (int, error) {
	bw := bufio.NewWriterSize(out, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.NoCompression) // Load wants gzip; compressing would only cost time
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if _, err := zw.Write(header); err != nil {
		return 0, err
	}
	total := 0
	open := func(t seedTable, rows int) error {
		total += rows
		return enc.Encode(dumpSection{Table: t.Table, Columns: t.Columns, Rows: rows})
	}
	row := func(vals []any) error { return enc.Encode(vals) }
	n := len(metas)
	for _, t := range tables {
		generated := true
		switch t.Table {
		case "articles", "article_authors", "article_themes", "article_tags", "revisions":
			if t.Rows != 0 {
				return 0, fmt.Errorf("the seed store has %d rows in %s", t.Rows, t.Table)
			}
		default:
			generated = t.Table == "events"
		}
		if !generated {
			if err := open(t, len(t.rows)); err != nil {
				return 0, err
			}
			for _, r := range t.rows {
				if _, err := zw.Write(r); err != nil {
					return 0, err
				}
			}
			continue
		}
		var err error
		switch t.Table {
		case "articles", "revisions":
			err = writeArticles(ctx, t, open, row, w, n, workers)
		case "article_authors":
			err = writeLists(t, open, row, metas, authorCols, func(a *herald.Article) int { return len(a.Authors) })
		case "article_themes":
			err = writeLists(t, open, row, metas, themeCols, func(a *herald.Article) int { return len(a.ThemeIDs) })
		case "article_tags":
			err = writeLists(t, open, row, metas, tagCols, func(a *herald.Article) int { return len(a.Tags) })
		case "events":
			err = writeEvents(t, open, row, zw, w, metas)
		}
		if err != nil {
			return 0, err
		}
	}
	if err := enc.Encode(dumpSection{End: true, Rows: total}); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return total, bw.Flush()
}

func writeArticles(ctx context.Context, t seedTable, open func(seedTable, int) error, row func([]any) error, w *world, n, workers int) error {
	var fa []func(*herald.Article) any
	var fr []func(*herald.Article, *herald.Event) any
	var err error
	if t.Table == "articles" {
		fa, err = getters(t.Table, t.Columns, articleCols)
	} else {
		fr, err = getters(t.Table, t.Columns, revisionCols)
	}
	if err != nil {
		return err
	}
	if err := open(t, n); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	vals := make([]any, len(t.Columns))
	for a := range produce(ctx, n, workers, w) {
		if fa != nil {
			for i, f := range fa {
				vals[i] = f(a)
			}
		} else {
			ev := w.event(a)
			for i, f := range fr {
				vals[i] = f(a, &ev)
			}
		}
		if err := row(vals); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func writeLists[F ~func(*herald.Article, int) any](t seedTable, open func(seedTable, int) error, row func([]any) error,
	metas []*herald.Article, cols map[string]F, count func(*herald.Article) int) error {
	fs, err := getters(t.Table, t.Columns, cols)
	if err != nil {
		return err
	}
	rows := 0
	for _, a := range metas {
		rows += count(a)
	}
	if err := open(t, rows); err != nil {
		return err
	}
	vals := make([]any, len(fs))
	for _, a := range metas {
		for k := range count(a) {
			for i, f := range fs {
				vals[i] = f(a, k)
			}
			if err := row(vals); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeEvents keeps the seed's events and adds one import event per article
// after them.
func writeEvents(t seedTable, open func(seedTable, int) error, row func([]any) error, raw io.Writer, w *world, metas []*herald.Article) error {
	fs, err := getters(t.Table, t.Columns, eventCols)
	if err != nil {
		return err
	}
	idCol := -1
	for i, c := range t.Columns {
		if c == "id" {
			idCol = i
		}
	}
	var last int64
	for _, r := range t.rows {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		var vals []any
		if err := dec.Decode(&vals); err != nil {
			return err
		}
		id, err := vals[idCol].(json.Number).Int64()
		if err != nil {
			return err
		}
		last = max(last, id)
	}
	if err := open(t, len(t.rows)+len(metas)); err != nil {
		return err
	}
	for _, r := range t.rows {
		if _, err := raw.Write(r); err != nil {
			return err
		}
	}
	vals := make([]any, len(fs))
	for i, a := range metas {
		ev := w.event(a)
		ev.ID = last + int64(i) + 1
		for k, f := range fs {
			vals[k] = f(&ev)
		}
		if err := row(vals); err != nil {
			return err
		}
	}
	return nil
}

// verify checks the loaded store against the generator: the number of
// articles, and a few articles, their revision and their event, field by field.
func verify(ctx context.Context, w *world, s herald.Store, n int, byID bool) error {
	_, total, err := s.FindArticles(ctx, herald.ArticleFilter{Limit: 1})
	if err != nil {
		return err
	}
	if total != n {
		return fmt.Errorf("the store holds %d articles, not %d", total, n)
	}
	if !byID {
		return nil
	}
	for _, i := range []int{0, 1, n / 3, n / 2, n - 1} {
		want, ev := w.article(i)
		got, err := s.FindArticleByID(ctx, want.ID)
		if err != nil {
			return err
		}
		same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
		if !got.ArticleContent.Equal(&want.ArticleContent) || got.Status != want.Status || got.UnitID != want.UnitID ||
			got.CreatedBy != want.CreatedBy || got.ReviewLevel != want.ReviewLevel || !got.UpdatedAt.Equal(want.UpdatedAt) ||
			!same(got.PublishedAt, want.PublishedAt) || !same(got.ScheduledAt, want.ScheduledAt) || !same(got.RetractedAt, want.RetractedAt) ||
			!same(got.CorrectedAt, want.CorrectedAt) || got.Version != 1 || jsonText(got.Reviewers) != jsonText(want.Reviewers) {
			return fmt.Errorf("article %d differs from the generator's:\n got %+v\nwant %+v", want.ID, got, want)
		}
		revs, err := s.FindRevisions(ctx, want.ID)
		if err != nil {
			return err
		}
		if len(revs) != 1 || !revs[0].Content.Equal(&want.ArticleContent) || revs[0].SavedBy != ev.ActorID {
			return fmt.Errorf("article %d: revisions differ", want.ID)
		}
		evs, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: want.ID})
		if err != nil {
			return err
		}
		if len(evs) != 1 || evs[0].Action != "import" || evs[0].ToStatus != string(want.Status) || !evs[0].At.Equal(ev.At) {
			return fmt.Errorf("article %d: events differ: %+v", want.ID, evs)
		}
	}
	return nil
}
