package newsroom

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/charts"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/tabular"
)

// The dashboard (数据看板): readership and output over a span of days —
// reads and readers by day, followers and subscribers, reads by channel,
// the most read pieces and the sites that sent readers, what each unit and
// member produced and how long review took — with this month's unit
// ranking. Every signed-in member sees it (the figures are circulated like
// the rankings); every table downloads as CSV and XLSX, the same tables the
// page shows, so that a leader's spreadsheet and the page never disagree.

// Dashboard sizes: the rows the page shows of the long tables (downloads
// have every row), and the span past which the trend charts sum reads by
// week, as a year of daily points is mostly weekday rhythm.
const (
	dashboardTopArticles = 20
	dashboardTopHosts    = 15
	dashboardTopStaff    = 30
	dashboardDailyDays   = 92
	dashboardDefaultDays = 365
)

// dashboardTables names the tables in the order the page and the workbook
// show them; each downloads as /newsroom/dashboard/NAME.csv or NAME.xlsx.
var dashboardTables = []string{"reads", "audience", "channels", "articles", "referrers", "units", "staff"}

// dashboardFilter is what the dashboard counts.
type dashboardFilter struct {
	From, Until            time.Time
	Unit, Theme, Column    int64
	Channel                string
	FromText, UntilText    string
	UnitIDs                []int64 // the unit and the units under it; nil: all
	Problems               map[string]string
	ThemeName, ColumnName  string
	UnitName, ChannelLabel string
	// the choices the form offers, read once with the filter
	units     []*herald.Unit
	unitNames map[int64]string
	themes    []*herald.Theme
	columns   []*herald.Column
}

// query is the filter as a URL query, for links to downloads and presets.
func (f *dashboardFilter) query() url.Values {
	q := url.Values{"from": {herald.DayString(f.From)}, "until": {herald.DayString(f.Until)}}
	for name, id := range map[string]int64{"unit": f.Unit, "theme": f.Theme, "column": f.Column} {
		if id != 0 {
			q.Set(name, strconv.FormatInt(id, 10))
		}
	}
	if f.Channel != "" {
		q.Set("channel", f.Channel)
	}
	return q
}

// readFilter is the filter as the readership queries take it.
func (f *dashboardFilter) readFilter() herald.ReadFilter {
	rf := herald.ReadFilter{From: f.From, Until: f.Until, UnitIDs: f.UnitIDs, ThemeID: f.Theme, ColumnID: f.Column}
	if f.Channel != "" {
		rf.Channels = []string{f.Channel}
	}
	return rf
}

// dashboardView is what the dashboard's template gets.
type dashboardView struct {
	Filter   *dashboardFilter
	Query    template.URL // the filter as a URL query, for downloads
	Presets  []dashboardPreset
	Units    []dashboardOption
	Themes   []*herald.Theme
	Columns  []*herald.Column
	Channels []dashboardOption
	Figures  []dashboardFigure
	// Weekly says the trend charts sum reads by week.
	Weekly                                  bool
	ReadsChart, AudienceChart, ChannelChart template.HTML
	OutputChart, RankingChart               template.HTML
	Tables                                  map[string]*dashboardTable
	Ranking                                 periodLink
	Notices                                 []periodLink // last month's, then this month's
	Spikes                                  int
	CanReviewSpikes                         bool
}

// dashboardPreset links to a common span.
type dashboardPreset struct {
	Label   string
	Query   template.URL
	Current bool
}

// dashboardOption is an option of a select.
type dashboardOption struct {
	Value, Label string
}

// dashboardFigure is one of the headline numbers.
type dashboardFigure struct {
	Label, Value, Note string
	Up, Down           bool
}

// dashboardTable is a table as the page shows it: its cells written as a
// spreadsheet shows them, the first text column linked to Links[row] when
// there are links.
type dashboardTable struct {
	Name, Title string
	Headers     []string
	Numeric     []bool
	Rows        [][]string
	Links       []string
	LinkColumn  int // -1: none
	Total       int // rows in the download; more than Rows when the page shows the top
}

// dashboardData is everything the dashboard computes: its tables (what the
// downloads hold) and what the charts draw.
type dashboardData struct {
	tables    map[string]tabular.Table
	links     map[string][]string // per table, a URL for each row's first cell
	reads     []herald.DayReads
	readers   []herald.DayReaders
	followers []herald.FollowerCount
	audience  []herald.SubscriberCount
	channels  []herald.ChannelReads
	units     []scoring.Output
}

// parseDashboardFilter reads the filter from the query: the last year up to
// today without one. Problems are by field, in the reader's language; the
// filter then holds the defaults for what was wrong.
func (s *Server) parseDashboardFilter(ctx context.Context, r *http.Request, req *request) (*dashboardFilter, error) {
	q := r.URL.Query()
	today := herald.CSTDay(s.Auth.Clock.Now())
	f := &dashboardFilter{Until: today, From: today.AddDate(0, 0, 1-dashboardDefaultDays), Problems: map[string]string{},
		FromText: strings.TrimSpace(q.Get("from")), UntilText: strings.TrimSpace(q.Get("until"))}
	for _, d := range []struct {
		field string
		text  string
		dst   *time.Time
	}{{"from", f.FromText, &f.From}, {"until", f.UntilText, &f.Until}} {
		if d.text == "" {
			continue
		}
		t, err := herald.ParseDay(d.text)
		if err != nil {
			f.Problems[d.field] = s.msgs.T(req.lang, "dashboard.problem.day", d.text)
			continue
		}
		*d.dst = t
	}
	switch {
	case f.Until.After(today):
		f.Problems["until"] = s.msgs.T(req.lang, "dashboard.problem.future")
		f.Until = today
	case f.Until.Before(f.From):
		f.Problems["until"] = s.msgs.T(req.lang, "dashboard.problem.order")
		f.From = f.Until.AddDate(0, 0, 1-dashboardDefaultDays)
	case f.Until.Sub(f.From) >= herald.MaxReadDays*24*time.Hour:
		f.Problems["from"] = s.msgs.T(req.lang, "dashboard.problem.span", herald.MaxReadDays/366)
		f.From = f.Until.AddDate(0, 0, 1-dashboardDefaultDays)
	}
	if f.FromText == "" || f.Problems["from"] != "" {
		f.FromText = herald.DayString(f.From)
	}
	if f.UntilText == "" || f.Problems["until"] != "" {
		f.UntilText = herald.DayString(f.Until)
	}

	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, err
	}
	themes, err := s.Store.FindThemes(ctx)
	if err != nil {
		return nil, err
	}
	columns, err := s.Store.FindColumns(ctx)
	if err != nil {
		return nil, err
	}
	f.units, f.themes, f.columns = units, themes, columns
	pick := func(field string, dst *int64, name *string, names map[int64]string) {
		text := strings.TrimSpace(q.Get(field))
		if text == "" {
			return
		}
		id, err := strconv.ParseInt(text, 10, 64)
		if err != nil || names[id] == "" {
			f.Problems[field] = s.msgs.T(req.lang, "dashboard.problem."+field)
			return
		}
		*dst, *name = id, names[id]
	}
	f.unitNames = map[int64]string{}
	unitNames, themeNames, columnNames := f.unitNames, map[int64]string{}, map[int64]string{}
	for _, u := range units {
		unitNames[u.ID] = u.Name
	}
	for _, t := range themes {
		themeNames[t.ID] = t.Name
	}
	for _, c := range columns {
		columnNames[c.ID] = c.Name
	}
	pick("unit", &f.Unit, &f.UnitName, unitNames)
	pick("theme", &f.Theme, &f.ThemeName, themeNames)
	pick("column", &f.Column, &f.ColumnName, columnNames)
	if f.Unit != 0 {
		f.UnitIDs = herald.NewUnitTree(units).Subtree(f.Unit)
	}
	if ch := strings.TrimSpace(q.Get("channel")); ch != "" {
		if herald.ValidReadChannel(ch) {
			f.Channel, f.ChannelLabel = ch, s.msgs.T(req.lang, "dashboard.channel."+ch)
		} else {
			f.Problems["channel"] = s.msgs.T(req.lang, "dashboard.problem.channel")
		}
	}
	return f, nil
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	f, err := s.parseDashboardFilter(ctx, r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	data, err := s.dashboardData(ctx, req.lang, f)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	v := &dashboardView{Filter: f, Query: template.URL(f.query().Encode()), Tables: map[string]*dashboardTable{},
		Weekly: f.Until.Sub(f.From) >= dashboardDailyDays*24*time.Hour, CanReviewSpikes: scoring.MayReviewSpikes(req.staff),
		Themes: f.themes, Columns: f.columns}
	for _, u := range unitsInTreeOrder(f.units) { // indented by depth, as select options can only be
		v.Units = append(v.Units, dashboardOption{Value: strconv.FormatInt(u.unit.ID, 10), Label: strings.Repeat("　", u.depth) + u.unit.Name})
	}
	for _, ch := range herald.ReadChannels {
		v.Channels = append(v.Channels, dashboardOption{Value: ch, Label: s.msgs.T(req.lang, "dashboard.channel."+ch)})
	}
	v.Presets = s.dashboardPresets(req.lang, f)
	for name, t := range data.tables {
		v.Tables[name] = pageTable(name, t, data.links[name])
	}
	v.Figures = s.dashboardFigures(req.lang, f, data)
	s.dashboardCharts(req.lang, f, data, v)
	if err := s.dashboardRanking(ctx, req, v); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if v.Spikes, err = s.flaggedSpikes(ctx); err != nil {
		s.fail(w, r, req, err)
		return
	}
	status := http.StatusOK
	if len(f.Problems) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "dashboard", req, s.msgs.T(req.lang, "dashboard.title"), v)
}

// dashboardPresets are the common spans, ending today.
func (s *Server) dashboardPresets(lang string, f *dashboardFilter) []dashboardPreset {
	today := herald.CSTDay(s.Auth.Clock.Now())
	month := scoring.MonthPeriod(today).Start
	spans := []struct {
		key        string
		from, till time.Time
	}{
		{"7", today.AddDate(0, 0, -6), today},
		{"30", today.AddDate(0, 0, -29), today},
		{"90", today.AddDate(0, 0, -89), today},
		{"365", today.AddDate(0, 0, 1-dashboardDefaultDays), today},
		{"month", month, today},
		{"last_month", month.AddDate(0, -1, 0), month.AddDate(0, 0, -1)},
	}
	var out []dashboardPreset
	for _, sp := range spans {
		g := *f
		g.From, g.Until = sp.from, sp.till
		out = append(out, dashboardPreset{Label: s.msgs.T(lang, "dashboard.preset."+sp.key), Query: template.URL(g.query().Encode()),
			Current: f.From.Equal(sp.from) && f.Until.Equal(sp.till)})
	}
	return out
}

// dashboardData runs the dashboard's queries and builds its tables.
func (s *Server) dashboardData(ctx context.Context, lang string, f *dashboardFilter) (*dashboardData, error) {
	d := &dashboardData{tables: map[string]tabular.Table{}, links: map[string][]string{}}
	rf := f.readFilter()
	var err error
	if d.reads, err = s.Store.ReadsByDay(ctx, rf, true); err != nil {
		return nil, err
	}
	if d.channels, err = s.Store.ReadsByChannel(ctx, rf); err != nil {
		return nil, err
	}
	top, err := s.Store.TopReadArticles(ctx, rf, 0)
	if err != nil {
		return nil, err
	}
	unchannelled := rf
	unchannelled.Channels = nil
	if f.Channel == "" { // readers and referrers are not counted by channel
		if d.readers, err = s.Store.ReadersByDay(ctx, unchannelled); err != nil {
			return nil, err
		}
	}
	var hosts []herald.HostReads
	if f.Channel == "" {
		if hosts, err = s.Store.TopReferrers(ctx, unchannelled, 0); err != nil {
			return nil, err
		}
	}
	if d.followers, err = s.Store.CountFollowersByDay(ctx, herald.SiteActor, f.From, f.Until); err != nil {
		return nil, err
	}
	if d.audience, err = s.Store.CountSubscribersByDay(ctx, f.From, f.Until); err != nil {
		return nil, err
	}
	var staff []scoring.Output
	if d.units, staff, err = s.scoringService().Output(ctx, scoring.OutputFilter{From: f.From, Until: f.Until, UnitIDs: f.UnitIDs,
		ThemeID: f.Theme, ColumnID: f.Column}); err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return s.msgs.T(lang, key, args...) }
	int64Col := func(key string) tabular.Column { return tabular.Column{Header: t(key), Kind: tabular.Int} }
	textCol := func(key string) tabular.Column { return tabular.Column{Header: t(key)} }
	dateCol := func(key string) tabular.Column { return tabular.Column{Header: t(key), Kind: tabular.Date} }
	shareCol := tabular.Column{Header: t("dashboard.col.share"), Kind: tabular.Percent, Decimals: 1}
	span := fmt.Sprintf("%s – %s", herald.DayString(f.From), herald.DayString(f.Until))
	day := func(s string) time.Time { d, _ := herald.ParseDay(s); return d }

	// reads by day, with readers and each channel that had reads
	reads := tabular.Table{Name: t("dashboard.table.reads"), Title: t("dashboard.table.reads") + " " + span,
		Columns: []tabular.Column{dateCol("dashboard.col.day"), int64Col("dashboard.col.reads")}}
	if f.Channel == "" {
		reads.Columns = append(reads.Columns, int64Col("dashboard.col.readers"))
	}
	var channels []string
	for _, ch := range herald.ReadChannels {
		for _, c := range d.channels {
			if c.Channel == ch {
				channels = append(channels, ch)
				reads.Columns = append(reads.Columns, tabular.Column{Header: t("dashboard.channel." + ch), Kind: tabular.Int})
			}
		}
	}
	for i, r := range d.reads {
		row := []any{day(r.Day), r.Reads}
		if f.Channel == "" {
			row = append(row, d.readers[i].Readers)
		}
		for _, ch := range channels {
			row = append(row, r.Channels[ch])
		}
		reads.Rows = append(reads.Rows, row)
	}
	d.tables["reads"] = reads

	audience := tabular.Table{Name: t("dashboard.table.audience"), Title: t("dashboard.table.audience") + " " + span,
		Columns: []tabular.Column{dateCol("dashboard.col.day"), int64Col("dashboard.col.followers"), int64Col("dashboard.col.subscribers"),
			int64Col("dashboard.col.confirmed"), int64Col("dashboard.col.left")}}
	for i, fc := range d.followers {
		sc := d.audience[i]
		audience.Rows = append(audience.Rows, []any{day(fc.Day), fc.Count, sc.Active, sc.Confirmed, sc.Left})
	}
	d.tables["audience"] = audience

	total := 0
	for _, c := range d.channels {
		total += c.Reads
	}
	byChannel := tabular.Table{Name: t("dashboard.table.channels"), Title: t("dashboard.table.channels") + " " + span,
		Columns: []tabular.Column{textCol("dashboard.col.channel"), int64Col("dashboard.col.reads"), shareCol}}
	for _, c := range d.channels {
		byChannel.Rows = append(byChannel.Rows, []any{t("dashboard.channel." + c.Channel), c.Reads, share(c.Reads, total)})
	}
	d.tables["channels"] = byChannel

	articles, err := s.articleTitles(ctx, top)
	if err != nil {
		return nil, err
	}
	pieces := tabular.Table{Name: t("dashboard.table.articles"), Title: t("dashboard.table.articles") + " " + span,
		Columns: []tabular.Column{int64Col("dashboard.col.rank"), textCol("dashboard.col.title"), textCol("dashboard.col.unit"),
			dateCol("dashboard.col.published"), int64Col("dashboard.col.reads"), int64Col("dashboard.col.readers")}}
	for i, ar := range top {
		a := articles[ar.ArticleID]
		title, unit, published := fmt.Sprintf("#%d", ar.ArticleID), "", time.Time{}
		if a != nil {
			title, unit = a.Title, f.unitNames[a.UnitID]
			if a.PublishedAt != nil {
				published = a.PublishedAt.In(herald.CST)
			}
		}
		pieces.Rows = append(pieces.Rows, []any{i + 1, title, unit, published, ar.Reads, ar.Readers})
		d.links["articles"] = append(d.links["articles"], "/newsroom/articles/"+strconv.FormatInt(ar.ArticleID, 10))
	}
	d.tables["articles"] = pieces

	if f.Channel == "" {
		referred := 0
		for _, h := range hosts {
			referred += h.Reads
		}
		referrers := tabular.Table{Name: t("dashboard.table.referrers"), Title: t("dashboard.table.referrers") + " " + span,
			Columns: []tabular.Column{textCol("dashboard.col.host"), int64Col("dashboard.col.reads"), shareCol}}
		for _, h := range hosts {
			name := h.Host
			if name == herald.ReferrerOther {
				name = t("dashboard.other_sites")
			}
			referrers.Rows = append(referrers.Rows, []any{name, h.Reads, share(h.Reads, referred)})
		}
		d.tables["referrers"] = referrers
	}

	d.tables["units"] = s.outputTable(lang, "units", span, d.units)
	d.tables["staff"] = s.outputTable(lang, "staff", span, staff)
	return d, nil
}

// share is part over whole as a fraction; 0 of nothing is 0.
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// articleTitles loads the ranked articles (titles, units, days) by ID.
func (s *Server) articleTitles(ctx context.Context, top []herald.ArticleReads) (map[int64]*herald.Article, error) {
	ids := make([]int64, len(top))
	for i, ar := range top {
		ids[i] = ar.ArticleID
	}
	found, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*herald.Article, len(found))
	for _, a := range found {
		out[a.ID] = a
	}
	return out, nil
}

// outputTable is the units' or the staff's output: pieces submitted and
// adopted, adopted pieces by channel, verified placements by outlet level,
// and the median time from submission to publication.
func (s *Server) outputTable(lang, name, span string, rows []scoring.Output) tabular.Table {
	t := func(key string) string { return s.msgs.T(lang, key) }
	tb := tabular.Table{Name: t("dashboard.table." + name), Title: t("dashboard.table."+name) + " " + span}
	if name == "staff" {
		tb.Columns = append(tb.Columns, tabular.Column{Header: t("dashboard.col.name")})
	}
	tb.Columns = append(tb.Columns, tabular.Column{Header: t("dashboard.col.unit")},
		tabular.Column{Header: t("dashboard.col.submitted"), Kind: tabular.Int}, tabular.Column{Header: t("dashboard.col.adopted"), Kind: tabular.Int})
	for _, c := range herald.Channels {
		tb.Columns = append(tb.Columns, tabular.Column{Header: t("dashboard.adopted_on." + string(c)), Kind: tabular.Int})
	}
	for _, l := range herald.OutletLevels {
		tb.Columns = append(tb.Columns, tabular.Column{Header: t("dashboard.placed_at." + string(l)), Kind: tabular.Int})
	}
	tb.Columns = append(tb.Columns, tabular.Column{Header: t("dashboard.col.turnaround"), Kind: tabular.Float, Decimals: 1})
	for _, o := range rows {
		var cells []any
		if name == "staff" {
			cells = append(cells, o.Name, o.Unit)
		} else {
			cells = append(cells, o.Name)
		}
		cells = append(cells, o.Submitted, o.Adopted)
		for _, c := range herald.Channels {
			cells = append(cells, o.ByChannel[c])
		}
		for _, l := range herald.OutletLevels {
			cells = append(cells, o.Placements[l])
		}
		if m, ok := o.MedianTurnaround(); ok {
			cells = append(cells, m.Hours())
		} else {
			cells = append(cells, nil)
		}
		tb.Rows = append(tb.Rows, cells)
	}
	return tb
}

// pageTable is a table as the page shows it: the top rows of the long ones.
func pageTable(name string, t tabular.Table, links []string) *dashboardTable {
	cells, err := t.Formatted()
	if err != nil { // the tables are built above; a bad one is a bug, shown as such
		cells = [][]string{{err.Error()}}
	}
	pt := &dashboardTable{Name: name, Title: t.Name, Total: len(cells), Links: links, LinkColumn: -1}
	for i, c := range t.Columns {
		pt.Headers = append(pt.Headers, c.Header)
		pt.Numeric = append(pt.Numeric, c.Kind != tabular.Text && c.Kind != tabular.Date)
		if links != nil && pt.LinkColumn < 0 && c.Kind == tabular.Text {
			pt.LinkColumn = i
		}
	}
	limit := map[string]int{"articles": dashboardTopArticles, "referrers": dashboardTopHosts, "staff": dashboardTopStaff}[name]
	if limit > 0 && len(cells) > limit {
		cells = cells[:limit]
	}
	pt.Rows = cells
	return pt
}

// dashboardFigures are the headline numbers: reads and readers in the span
// against the span before, followers and subscribers now against its
// start, and the pieces adopted.
func (s *Server) dashboardFigures(lang string, f *dashboardFilter, d *dashboardData) []dashboardFigure {
	t := func(key string, args ...any) string { return s.msgs.T(lang, key, args...) }
	sum := func(rs []herald.DayReads) int {
		n := 0
		for _, r := range rs {
			n += r.Reads
		}
		return n
	}
	reads := sum(d.reads)
	var figures []dashboardFigure
	figures = append(figures, dashboardFigure{Label: t("dashboard.fig.reads"), Value: grouped(reads)})
	if f.Channel == "" && len(d.readers) > 0 {
		n := 0
		for _, r := range d.readers {
			n += r.Readers
		}
		figures = append(figures, dashboardFigure{Label: t("dashboard.fig.readers"), Value: grouped(n / len(d.readers))})
	}
	change := func(label string, first, last int) dashboardFigure {
		fig := dashboardFigure{Label: label, Value: grouped(last)}
		switch delta := last - first; {
		case delta > 0:
			fig.Note, fig.Up = t("dashboard.fig.up", grouped(delta)), true
		case delta < 0:
			fig.Note, fig.Down = t("dashboard.fig.down", grouped(-delta)), true
		default:
			fig.Note = t("dashboard.fig.same")
		}
		return fig
	}
	if n := len(d.followers); n > 0 {
		figures = append(figures, change(t("dashboard.fig.followers"), d.followers[0].Count, d.followers[n-1].Count))
	}
	if n := len(d.audience); n > 0 {
		figures = append(figures, change(t("dashboard.fig.subscribers"), d.audience[0].Active, d.audience[n-1].Active))
	}
	adopted, submitted := 0, 0
	for _, o := range d.units {
		adopted += o.Adopted
		submitted += o.Submitted
	}
	figures = append(figures, dashboardFigure{Label: t("dashboard.fig.adopted"), Value: grouped(adopted), Note: t("dashboard.fig.submitted", grouped(submitted))})
	return figures
}

// grouped writes a count with thousands separators: 12,345.
func grouped(n int) string {
	cells, _ := tabular.Table{Columns: []tabular.Column{{Kind: tabular.Int}}, Rows: [][]any{{n}}}.Formatted()
	return cells[0][0]
}

// dashboardCharts draws the trends, the channels and the units' output.
func (s *Server) dashboardCharts(lang string, f *dashboardFilter, d *dashboardData, v *dashboardView) {
	t := func(key string, args ...any) string { return s.msgs.T(lang, key, args...) }
	noData := t("dashboard.no_data")
	span := fmt.Sprintf("%s – %s", herald.DayString(f.From), herald.DayString(f.Until))
	bucket := func(day string) time.Time {
		at, _ := herald.ParseDay(day)
		if v.Weekly { // weeks start on Monday
			at = at.AddDate(0, 0, -((int(at.Weekday()) + 6) % 7))
		}
		return at
	}
	// sum adds values into their buckets, in order; a week's readers are
	// summed too (a reader of two days counts twice, as per day).
	sum := func(points []charts.Point, day string, n int) []charts.Point {
		at := bucket(day)
		if k := len(points); k > 0 && points[k-1].At.Equal(at) {
			points[k-1].Value += float64(n)
			return points
		}
		return append(points, charts.Point{At: at, Value: float64(n)})
	}
	readsSeries := charts.Series{Name: t("dashboard.series.reads")}
	for _, r := range d.reads {
		readsSeries.Points = sum(readsSeries.Points, r.Day, r.Reads)
	}
	series := []charts.Series{readsSeries}
	if len(d.readers) > 0 {
		readers := charts.Series{Name: t("dashboard.series.readers")}
		for _, r := range d.readers {
			readers.Points = sum(readers.Points, r.Day, r.Readers)
		}
		series = append(series, readers)
	}
	title := "dashboard.chart.reads_daily"
	if v.Weekly {
		title = "dashboard.chart.reads_weekly"
		series = trimPartialWeeks(series, f)
	}
	v.ReadsChart = charts.Line(charts.Options{Title: t(title), Desc: t("dashboard.chart.reads_desc", span), NoData: noData, ID: "reads-chart"}, series...)

	followers := charts.Series{Name: t("dashboard.series.followers")}
	for _, fc := range d.followers {
		at, _ := herald.ParseDay(fc.Day)
		followers.Points = append(followers.Points, charts.Point{At: at, Value: float64(fc.Count)})
	}
	subscribers := charts.Series{Name: t("dashboard.series.subscribers")}
	for _, sc := range d.audience {
		at, _ := herald.ParseDay(sc.Day)
		subscribers.Points = append(subscribers.Points, charts.Point{At: at, Value: float64(sc.Active)})
	}
	v.AudienceChart = charts.Line(charts.Options{Title: t("dashboard.chart.audience"), Desc: t("dashboard.chart.audience_desc", span), NoData: noData,
		ID: "audience-chart"}, followers, subscribers)

	var labels []string
	values := charts.BarSeries{Name: t("dashboard.series.reads")}
	for _, c := range d.channels {
		labels = append(labels, t("dashboard.channel_short."+c.Channel))
		values.Values = append(values.Values, float64(c.Reads))
	}
	v.ChannelChart = charts.Bars(charts.Options{Title: t("dashboard.chart.channels"), Desc: t("dashboard.chart.channels_desc", span), NoData: noData,
		ID: "channel-chart"}, labels, values)

	var rows []charts.Row
	for _, o := range d.units {
		if o.Adopted > 0 {
			rows = append(rows, charts.Row{Label: o.Name, Value: float64(o.Adopted)})
		}
	}
	v.OutputChart = charts.Ranking(charts.Options{Title: t("dashboard.chart.output"), Desc: t("dashboard.chart.output_desc", span), NoData: noData,
		ID: "output-chart"}, rows)
}

// trimPartialWeeks drops a weekly series' first and last weeks when the span
// covers only part of them, so that the line does not dip at its ends for
// want of days.
func trimPartialWeeks(series []charts.Series, f *dashboardFilter) []charts.Series {
	firstFull := f.From.Weekday() == time.Monday
	lastFull := f.Until.Weekday() == time.Sunday
	for i := range series {
		p := series[i].Points
		if !firstFull && len(p) > 2 {
			p = p[1:]
		}
		if !lastFull && len(p) > 2 {
			p = p[:len(p)-1]
		}
		series[i].Points = p
	}
	return series
}

// dashboardRanking draws this month's unit ranking, the viewer's unit
// highlighted.
func (s *Server) dashboardRanking(ctx context.Context, req *request, v *dashboardView) error {
	p := scoring.MonthPeriod(s.Auth.Clock.Now())
	units, _, err := s.scoringService().Rankings(ctx, p)
	if err != nil {
		return err
	}
	label := periodLabel(req.lang, p)
	v.Ranking = periodLink{Period: p.String(), Label: label}
	last := shiftPeriod(p, -1) // the notice usually circulated: the month that has ended
	v.Notices = []periodLink{{Period: last.String(), Label: periodLabel(req.lang, last)}, v.Ranking}
	var rows []charts.Row
	for _, row := range units.Rows {
		rows = append(rows, charts.Row{Label: row.Name, Value: row.Points.Float(),
			Highlight: row.Beneficiary.ID == req.staff.UnitID})
	}
	v.RankingChart = charts.Ranking(charts.Options{Title: s.msgs.T(req.lang, "rankings.chart", label), Desc: s.msgs.T(req.lang, "rankings.chart_desc"),
		NoData: s.msgs.T(req.lang, "rankings.no_points"), Decimals: 2, ID: "month-ranking"}, rows)
	return nil
}

// dashboardFile sends one of the dashboard's tables as CSV or XLSX, or all
// of them as one workbook (dashboard.xlsx), for the filter in the query.
func (s *Server) dashboardFile(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	file := r.PathValue("file")
	name, ext, _ := strings.Cut(file, ".")
	if ext != "csv" && ext != "xlsx" || name != "dashboard" && !slices.Contains(dashboardTables, name) || name == "dashboard" && ext != "xlsx" {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "dashboard.no_file")))
		return
	}
	f, err := s.parseDashboardFilter(ctx, r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	for _, field := range []string{"from", "until", "unit", "theme", "column", "channel"} {
		if msg := f.Problems[field]; msg != "" {
			s.fail(w, r, req, herald.Invalid(field, "%s", msg))
			return
		}
	}
	data, err := s.dashboardData(ctx, req.lang, f)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	var tables []tabular.Table
	for _, n := range dashboardTables {
		if t, ok := data.tables[n]; ok && (name == "dashboard" || n == name) {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 { // referrers, when reads are narrowed to a channel
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "dashboard.no_referrers")))
		return
	}
	span := herald.DayString(f.From) + "_" + herald.DayString(f.Until)
	ascii := fmt.Sprintf("herald-%s-%s.%s", name, span, ext)
	local := fmt.Sprintf("%s-%s.%s", s.msgs.T(req.lang, "dashboard.file."+name), span, ext)
	var buf bytes.Buffer
	if ext == "csv" {
		if err := tabular.WriteCSV(&buf, tables[0]); err != nil {
			s.fail(w, r, req, err)
			return
		}
		s.download(w, "text/csv; charset=utf-8", ascii, local, buf.Bytes())
		return
	}
	title := s.msgs.T(req.lang, "dashboard.title")
	if name != "dashboard" {
		title = tables[0].Name
	}
	if err := (tabular.Workbook{Title: title, Time: s.Auth.Clock.Now(), Tables: tables}).WriteXLSX(&buf); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.download(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ascii, local, buf.Bytes())
}
