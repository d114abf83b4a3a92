package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// AddReads writes a view counter's batch in one transaction: the hours and
// their days, the referrers, and the reader keys, each new key adding one to
// its day's distinct readers. Rows go in multi-row statements, in one order
// (table by table, keys sorted), so that replicas writing at once wait for
// each other rather than deadlock.
func (s *Store) AddReads(ctx context.Context, b *herald.ReadBatch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if len(b.Views)+len(b.DayViews)+len(b.Referrers)+len(b.Readers)+len(b.ReaderCounts) == 0 {
		return nil
	}
	type hourKey struct {
		article int64
		hour    int64
		channel string
	}
	type dayKey struct {
		article int64
		day     string
		key     string // the channel, the host
	}
	hours, days, referrers := map[hourKey]int{}, map[dayKey]int{}, map[dayKey]int{}
	for _, v := range b.Views {
		hours[hourKey{v.ArticleID, v.Hour.Truncate(time.Hour).Unix(), v.Channel}] += v.Views
		days[dayKey{v.ArticleID, herald.DayString(v.Hour), v.Channel}] += v.Views
	}
	for _, v := range b.DayViews {
		days[dayKey{v.ArticleID, v.Day, v.Channel}] += v.Views
	}
	for _, r := range b.Referrers {
		referrers[dayKey{r.ArticleID, r.Day, r.Host}] += r.Views
	}
	byDay := func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.article, b.article), cmp.Compare(a.day, b.day), cmp.Compare(a.key, b.key))
	}
	var hourRows, dayRows, refRows, keyRows [][]any
	for _, k := range sortedKeys(hours, func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.article, b.article), cmp.Compare(a.hour, b.hour), cmp.Compare(a.channel, b.channel))
	}) {
		hourRows = append(hourRows, []any{k.article, s.t(time.Unix(k.hour, 0)), k.channel, hours[k]})
	}
	for _, k := range sortedKeys(days, byDay) {
		dayRows = append(dayRows, []any{k.article, k.day, k.key, days[k]})
	}
	for _, k := range sortedKeys(referrers, byDay) {
		refRows = append(refRows, []any{k.article, k.day, k.key, referrers[k]})
	}
	keys := slices.Clone(b.Readers)
	slices.SortFunc(keys, func(a, b herald.ReaderKey) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.ArticleID, b.ArticleID), cmp.Compare(a.Key, b.Key))
	})
	keys = slices.Compact(keys)
	for _, k := range keys {
		keyRows = append(keyRows, []any{k.Day, k.ArticleID, k.Key})
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.insertRows(`INSERT INTO article_views (article_id, hour, channel, views)`,
			`ON CONFLICT (article_id, hour, channel) DO UPDATE SET views = article_views.views + excluded.views`, hourRows, nil); err != nil {
			return err
		}
		if err := tx.insertRows(`INSERT INTO article_reads (article_id, day, channel, views)`,
			`ON CONFLICT (article_id, day, channel) DO UPDATE SET views = article_reads.views + excluded.views`, dayRows, nil); err != nil {
			return err
		}
		if err := tx.insertRows(`INSERT INTO article_referrers (article_id, day, host, views)`,
			`ON CONFLICT (article_id, day, host) DO UPDATE SET views = article_referrers.views + excluded.views`, refRows, nil); err != nil {
			return err
		}
		type readerDay struct {
			article int64
			day     string
		}
		readers := map[readerDay]int{}
		// The keys not kept before come back, each adding a reader.
		err := tx.insertRows(`INSERT INTO reader_keys (day, article_id, reader)`, `ON CONFLICT DO NOTHING RETURNING article_id, day`, keyRows,
			func(rows *sql.Rows) error {
				var k readerDay
				err := rows.Scan(&k.article, &k.day)
				readers[k]++
				return err
			})
		if err != nil {
			return err
		}
		for _, c := range b.ReaderCounts {
			readers[readerDay{c.ArticleID, c.Day}] += c.Readers
		}
		var siteRows, articleRows [][]any
		for _, k := range sortedKeys(readers, func(a, b readerDay) int {
			return cmp.Or(cmp.Compare(a.article, b.article), cmp.Compare(a.day, b.day))
		}) {
			if k.article == 0 {
				siteRows = append(siteRows, []any{k.day, readers[k]})
			} else {
				articleRows = append(articleRows, []any{k.article, k.day, readers[k]})
			}
		}
		if err := tx.insertRows(`INSERT INTO site_readers (day, readers)`,
			`ON CONFLICT (day) DO UPDATE SET readers = site_readers.readers + excluded.readers`, siteRows, nil); err != nil {
			return err
		}
		return tx.insertRows(`INSERT INTO article_readers (article_id, day, readers)`,
			`ON CONFLICT (article_id, day) DO UPDATE SET readers = article_readers.readers + excluded.readers`, articleRows, nil)
	})
}

// rowsPerInsert bounds the rows of one multi-row INSERT (and so its
// parameters, well below both engines' limits).
const rowsPerInsert = 100

// insertRows runs head VALUES (…), (…) … tail for rows, which must all have
// the same width and, for an upsert, distinct keys, in statements of up to
// rowsPerInsert rows. With each set, the statements return rows (tail has a
// RETURNING clause) and each is called with every one. The statement for a
// full chunk is prepared once: SQLite spends its time parsing, PostgreSQL in
// round trips.
func (tx *Tx) insertRows(head, tail string, rows [][]any, each func(*sql.Rows) error) error {
	if len(rows) == 0 {
		return nil
	}
	one := "(" + placeholders(len(rows[0])) + ")"
	statement := func(n int) string {
		return tx.s.rebind(head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + " " + tail)
	}
	var full *sql.Stmt
	if len(rows) >= 2*rowsPerInsert {
		var err error
		if full, err = tx.PrepareContext(tx.ctx, statement(rowsPerInsert)); err != nil {
			return err
		}
		defer full.Close()
	}
	for chunk := range slices.Chunk(rows, rowsPerInsert) {
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		var err error
		switch {
		case full != nil && len(chunk) == rowsPerInsert && each == nil:
			_, err = full.ExecContext(tx.ctx, args...)
		case full != nil && len(chunk) == rowsPerInsert:
			err = scanAll(full.QueryContext(tx.ctx, args...))(each)
		case each == nil:
			_, err = tx.ExecContext(tx.ctx, statement(len(chunk)), args...)
		default:
			err = scanAll(tx.QueryContext(tx.ctx, statement(len(chunk)), args...))(each)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// scanAll calls fn on each row of a query's result and closes it.
func scanAll(rows *sql.Rows, err error) func(fn func(*sql.Rows) error) error {
	return func(fn func(*sql.Rows) error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

func sortedKeys[K comparable, V any](m map[K]V, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	return keys
}

// ReaderSalt returns the day's salt, storing newSalt's when it has none, and
// deletes the salts and keys of older days when it stores one.
func (s *Store) ReaderSalt(ctx context.Context, day time.Time, newSalt func() ([]byte, error)) ([]byte, error) {
	d := herald.DayString(day)
	var stored string
	err := s.read(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT salt FROM reader_salts WHERE day = ?`, d).Scan(&stored)
	})
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	if err == nil {
		return hex.DecodeString(stored)
	}
	fresh, err := newSalt()
	if err != nil {
		return nil, err
	}
	if len(fresh) < 16 {
		return nil, errors.New("reader salt: fewer than 16 bytes")
	}
	oldest := herald.DayString(herald.CSTDay(day).AddDate(0, 0, 1-herald.ReaderKeyDays))
	err = s.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`INSERT INTO reader_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING`, d, hex.EncodeToString(fresh)); err != nil {
			return err
		}
		if err := tx.queryRow(`SELECT salt FROM reader_salts WHERE day = ?`, d).Scan(&stored); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM reader_salts WHERE day < ?`, oldest); err != nil {
			return err
		}
		_, err := tx.exec(`DELETE FROM reader_keys WHERE day < ?`, oldest)
		return err
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(stored)
}

// readConds are the conditions a filter puts on a table of daily rows
// aliased r (article_id, day and, when channels is set, channel).
func readConds(f herald.ReadFilter, channels bool) conds {
	var c conds
	c.add(true, "r.day >= ? AND r.day <= ?", herald.DayString(f.From), herald.DayString(f.Until))
	if f.ArticleIDs != nil {
		if len(f.ArticleIDs) == 0 {
			c.add(true, "1 = 0")
		} else {
			c.add(true, "r.article_id IN ("+placeholders(len(f.ArticleIDs))+")", anyArgs(f.ArticleIDs)...)
		}
	}
	var a conds // on the articles
	if f.UnitIDs != nil {
		if len(f.UnitIDs) == 0 {
			a.add(true, "1 = 0")
		} else {
			a.add(true, "unit_id IN ("+placeholders(len(f.UnitIDs))+")", anyArgs(f.UnitIDs)...)
		}
	}
	a.add(f.ColumnID != 0, "column_id = ?", f.ColumnID)
	a.add(f.ThemeID != 0, "id IN (SELECT article_id FROM article_themes WHERE theme_id = ?)", f.ThemeID)
	if len(a.where) > 0 {
		c.add(true, "r.article_id IN (SELECT id FROM articles"+a.clause()+")", a.args...)
	}
	if channels && len(f.Channels) > 0 {
		c.add(true, "r.channel IN ("+placeholders(len(f.Channels))+")", anyArgs(f.Channels)...)
	}
	return c
}

// checkReadFilter validates f; byChannel says whether the query counts by
// channel (else Channels must be empty).
func checkReadFilter(f herald.ReadFilter, byChannel bool) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if !byChannel && len(f.Channels) > 0 {
		return herald.Invalid("channels", "must be empty: these counts are not kept by channel")
	}
	return nil
}

// eachDay calls fn with every CST day of the filter's span, in order.
func eachDay(f herald.ReadFilter, fn func(day string)) {
	for d, end := herald.CSTDay(f.From), herald.CSTDay(f.Until); !d.After(end); d = d.AddDate(0, 0, 1) {
		fn(d.Format(time.DateOnly))
	}
}

// ReadsByDay counts the reads of each day of the span.
func (s *Store) ReadsByDay(ctx context.Context, f herald.ReadFilter, byChannel bool) ([]herald.DayReads, error) {
	if err := checkReadFilter(f, true); err != nil {
		return nil, err
	}
	c := readConds(f, true)
	reads := map[string]int{}
	byDay := map[string]map[string]int{}
	err := s.read(ctx, func(tx *Tx) error {
		if !byChannel {
			rows, err := tx.query(`SELECT r.day, SUM(r.views) FROM article_reads r`+c.clause()+` GROUP BY r.day`, c.args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var day string
				var n int
				if err := rows.Scan(&day, &n); err != nil {
					return err
				}
				reads[day] = n
			}
			return rows.Err()
		}
		rows, err := tx.query(`SELECT r.day, r.channel, SUM(r.views) FROM article_reads r`+c.clause()+` GROUP BY r.day, r.channel`, c.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day, ch string
			var n int
			if err := rows.Scan(&day, &ch, &n); err != nil {
				return err
			}
			reads[day] += n
			if byDay[day] == nil {
				byDay[day] = map[string]int{}
			}
			byDay[day][ch] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]herald.DayReads, 0, f.Days())
	eachDay(f, func(day string) {
		r := herald.DayReads{Day: day, Reads: reads[day]}
		if byChannel {
			r.Channels = byDay[day]
			if r.Channels == nil {
				r.Channels = map[string]int{}
			}
		}
		out = append(out, r)
	})
	return out, nil
}

// ReadsByChannel totals the span's reads by channel.
func (s *Store) ReadsByChannel(ctx context.Context, f herald.ReadFilter) ([]herald.ChannelReads, error) {
	if err := checkReadFilter(f, true); err != nil {
		return nil, err
	}
	c := readConds(f, true)
	reads := map[string]int{}
	err := s.read(ctx, func(tx *Tx) error {
		// Grouped by day too, the rows come in the day index's order and
		// need no sort (half the time on SQLite); the days are summed here.
		return tx.scanRows(`SELECT r.channel, SUM(r.views) FROM article_reads r`+c.clause()+` GROUP BY r.day, r.channel`, c.args,
			func(rows *sql.Rows) error {
				var ch string
				var n int
				err := rows.Scan(&ch, &n)
				reads[ch] += n
				return err
			})
	})
	if err != nil {
		return nil, err
	}
	out := make([]herald.ChannelReads, 0, len(reads))
	for ch, n := range reads {
		out = append(out, herald.ChannelReads{Channel: ch, Reads: n})
	}
	slices.SortFunc(out, func(a, b herald.ChannelReads) int {
		return cmp.Or(cmp.Compare(b.Reads, a.Reads), cmp.Compare(a.Channel, b.Channel))
	})
	return out, nil
}

// TopReadArticles ranks articles by the span's reads, with their readers.
func (s *Store) TopReadArticles(ctx context.Context, f herald.ReadFilter, limit int) ([]herald.ArticleReads, error) {
	if err := checkReadFilter(f, true); err != nil {
		return nil, err
	}
	c := readConds(f, true)
	var out []herald.ArticleReads
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT r.article_id, SUM(r.views) AS reads FROM article_reads r`+c.clause()+
			` GROUP BY r.article_id ORDER BY reads DESC, r.article_id DESC`+limitClause(limit, 0), c.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		at := map[int64]int{}
		var ids []int64
		for rows.Next() {
			var r herald.ArticleReads
			if err := rows.Scan(&r.ArticleID, &r.Reads); err != nil {
				return err
			}
			at[r.ArticleID] = len(out)
			out, ids = append(out, r), append(ids, r.ArticleID)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		rows.Close()
		// The readers of the ranked articles only; in batches, as engines
		// bound the parameters of one statement.
		for chunk := range slices.Chunk(ids, 500) {
			args := append([]any{herald.DayString(f.From), herald.DayString(f.Until)}, anyArgs(chunk)...)
			err := tx.scanRows(`SELECT r.article_id, SUM(r.readers) FROM article_readers r WHERE r.day >= ? AND r.day <= ? AND r.article_id IN (`+
				placeholders(len(chunk))+`) GROUP BY r.article_id`, args, func(rows *sql.Rows) error {
				var id int64
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				out[at[id]].Readers = n
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// TopReferrers ranks referring sites by the span's reads.
func (s *Store) TopReferrers(ctx context.Context, f herald.ReadFilter, limit int) ([]herald.HostReads, error) {
	if err := checkReadFilter(f, false); err != nil {
		return nil, err
	}
	c := readConds(f, false)
	var out []herald.HostReads
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT r.host, SUM(r.views) AS reads FROM article_referrers r`+c.clause()+
			` GROUP BY r.host ORDER BY reads DESC, r.host`+limitClause(limit, 0), c.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h herald.HostReads
			if err := rows.Scan(&h.Host, &h.Reads); err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// ReadersByDay counts the distinct readers of each day of the span: the
// site's, or the sum of the selected articles'.
func (s *Store) ReadersByDay(ctx context.Context, f herald.ReadFilter) ([]herald.DayReaders, error) {
	if err := checkReadFilter(f, false); err != nil {
		return nil, err
	}
	q, args := `SELECT r.day, r.readers FROM site_readers r WHERE r.day >= ? AND r.day <= ?`, []any{herald.DayString(f.From), herald.DayString(f.Until)}
	if f.SelectsArticles() {
		c := readConds(f, false)
		q, args = `SELECT r.day, SUM(r.readers) FROM article_readers r`+c.clause()+` GROUP BY r.day`, c.args
	}
	readers := map[string]int{}
	err := s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(q, args, func(rows *sql.Rows) error {
			var day string
			var n int
			err := rows.Scan(&day, &n)
			readers[day] = n
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	out := make([]herald.DayReaders, 0, f.Days())
	eachDay(f, func(day string) { out = append(out, herald.DayReaders{Day: day, Readers: readers[day]}) })
	return out, nil
}

// ArticleReadsByDay lists each article's reads on the days it was read.
func (s *Store) ArticleReadsByDay(ctx context.Context, f herald.ReadFilter) ([]herald.ArticleDayReads, error) {
	if err := checkReadFilter(f, true); err != nil {
		return nil, err
	}
	c := readConds(f, true)
	var out []herald.ArticleDayReads
	err := s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(`SELECT r.article_id, r.day, SUM(r.views) FROM article_reads r`+c.clause()+
			` GROUP BY r.article_id, r.day ORDER BY r.article_id, r.day`, c.args, func(rows *sql.Rows) error {
			var a herald.ArticleDayReads
			err := rows.Scan(&a.ArticleID, &a.Day, &a.Reads)
			out = append(out, a)
			return err
		})
	})
	return out, err
}

// scanRows runs a query and calls fn on each of its rows.
func (tx *Tx) scanRows(q string, args []any, fn func(rows *sql.Rows) error) error {
	return scanAll(tx.query(q, args...))(fn)
}
