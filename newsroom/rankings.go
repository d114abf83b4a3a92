package newsroom

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/charts"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/print"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/tabular"
)

// The rankings pages (积分排名): the units' and the staff's points of a
// month, quarter or year from the ledger, and the period's notice (通报) as
// a page, a PDF and a spreadsheet. Every signed-in member sees them: the
// rankings are circulated to all units.

// rankingStaffShown is how many staff the page ranks; the CSV has them all.
const rankingStaffShown = 50

// rankingSources are the sources of points in the order the tables show them.
var rankingSources = []string{herald.SourceSubmission, herald.SourceAdoption, herald.SourceChannel, herald.SourcePlacement,
	herald.SourceRecognition, herald.SourceReads, herald.SourceQuota}

// rankingsView is what the rankings page's template gets.
type rankingsView struct {
	Period, Label string
	// Input is the period field's value, Problem what is wrong with it (then
	// nothing else is shown).
	Input, Problem string
	Kinds          []periodLink
	Prev, Next     *periodLink
	Final          bool
	FinalOn        string // the day the period's numbers become final
	Chart          template.HTML
	Units          rankingTable
	Staff          rankingTable
	StaffTotal     int
	// You is the viewer's row when the staff table does not reach it.
	You                *rankingRow
	CanQuotas, CanRule bool
}

// periodLink links to a period.
type periodLink struct {
	Period, Label string
	Current       bool
}

// rankingTable is a ranking as the page shows it.
type rankingTable struct {
	Sources []string // the columns of points by source, in the reader's language
	Rows    []rankingRow
}

// rankingRow is one place of a ranking.
type rankingRow struct {
	Rank       int
	Name, Unit string
	Adopted    int
	BySource   []string
	Total      string
	Mine       bool
	Negative   bool
}

// rankingPeriod reads the period a request asks for: this month without one.
func (s *Server) rankingPeriod(r *http.Request, req *request) (scoring.Period, string, error) {
	text := strings.TrimSpace(r.URL.Query().Get("period"))
	if text == "" {
		return scoring.MonthPeriod(s.Auth.Clock.Now()), "", nil
	}
	p, err := scoring.ParsePeriod(text)
	if err != nil {
		return p, text, herald.Errorf(herald.EINVALID, "%s", s.msgs.T(req.lang, "rankings.problem.period", text))
	}
	return p, text, nil
}

// periodLabel names a period in lang: 2026年11月, November 2026.
func periodLabel(lang string, p scoring.Period) string {
	if lang != "en" {
		return p.Label()
	}
	switch p.Kind {
	case scoring.Quarter:
		return fmt.Sprintf("Q%d %d", (int(p.Start.Month())+2)/3, p.Start.Year())
	case scoring.Year:
		return strconv.Itoa(p.Start.Year())
	}
	return p.Start.Format("January 2006")
}

// shiftPeriod is the period n periods of the same length after p.
func shiftPeriod(p scoring.Period, n int) scoring.Period {
	months := map[scoring.PeriodKind]int{scoring.Month: 1, scoring.Quarter: 3, scoring.Year: 12}[p.Kind]
	start := p.Start.AddDate(0, n*months, 0)
	return scoring.Period{Kind: p.Kind, Start: start, End: start.AddDate(0, months, 0)}
}

// periodAround is the period of kind that holds p's start.
func periodAround(p scoring.Period, kind scoring.PeriodKind) scoring.Period {
	y, m := p.Start.Year(), p.Start.Month()
	switch kind {
	case scoring.Quarter:
		start := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, herald.CST)
		return scoring.Period{Kind: kind, Start: start, End: start.AddDate(0, 3, 0)}
	case scoring.Year:
		start := time.Date(y, 1, 1, 0, 0, 0, 0, herald.CST)
		return scoring.Period{Kind: kind, Start: start, End: start.AddDate(1, 0, 0)}
	}
	return scoring.MonthPeriod(p.Start)
}

func (s *Server) rankingsPage(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	p, text, err := s.rankingPeriod(r, req)
	d := &rankingsView{Input: text, CanQuotas: mayReadQuotas(req.staff), CanRule: mayReadRules(req.staff)}
	if err != nil {
		d.Problem = herald.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "rankings", req, s.msgs.T(req.lang, "rankings.title"), d)
		return
	}
	units, staff, err := s.scoringService().Rankings(ctx, p)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	now := s.Auth.Clock.Now()
	d.Period, d.Label, d.Final = p.String(), periodLabel(req.lang, p), units.Final
	if d.Input == "" {
		d.Input = d.Period
	}
	d.FinalOn = p.End.AddDate(0, 0, scoring.Grace).Format(time.DateOnly)
	for _, kind := range []scoring.PeriodKind{scoring.Month, scoring.Quarter, scoring.Year} {
		q := periodAround(p, kind)
		if !now.Before(p.Start) && now.Before(p.End) {
			q = periodAround(scoring.MonthPeriod(now), kind) // within the period, today's
		}
		d.Kinds = append(d.Kinds, periodLink{Period: q.String(), Label: s.msgs.T(req.lang, "rankings.kind."+string(kind)), Current: kind == p.Kind})
	}
	if prev := shiftPeriod(p, -1); prev.Start.Year() >= 2000 {
		d.Prev = &periodLink{Period: prev.String(), Label: periodLabel(req.lang, prev)}
	}
	if next := shiftPeriod(p, 1); !next.Start.After(now) && next.Start.Year() <= 2100 {
		d.Next = &periodLink{Period: next.String(), Label: periodLabel(req.lang, next)}
	}

	mine := func(b herald.Beneficiary) bool {
		return b.Kind == herald.ForUnit && b.ID == req.staff.UnitID || b.Kind == herald.ForStaff && b.ID == req.staff.ID
	}
	d.Units = s.rankingTable(req.lang, units.Rows, mine)
	var bars []charts.Row
	for _, row := range units.Rows {
		bars = append(bars, charts.Row{Label: row.Name, Value: row.Points.Float(), Highlight: mine(row.Beneficiary)})
	}
	d.Chart = charts.Ranking(charts.Options{Title: s.msgs.T(req.lang, "rankings.chart", d.Label), Desc: s.msgs.T(req.lang, "rankings.chart_desc"),
		NoData: s.msgs.T(req.lang, "rankings.no_points"), Decimals: 2, ID: "unit-ranking"}, bars)
	d.Staff = s.rankingTable(req.lang, staff.Rows, mine)
	d.StaffTotal = len(d.Staff.Rows)
	if len(d.Staff.Rows) > rankingStaffShown {
		for _, row := range d.Staff.Rows[rankingStaffShown:] {
			if row.Mine {
				d.You = &row
			}
		}
		d.Staff.Rows = d.Staff.Rows[:rankingStaffShown]
	}
	s.render(w, r, http.StatusOK, "rankings", req, s.msgs.T(req.lang, "rankings.title_of", d.Label), d)
}

// rankingTable describes a ranking's rows, with a column for each source
// that earned or took points in it.
func (s *Server) rankingTable(lang string, rows []scoring.Row, mine func(herald.Beneficiary) bool) rankingTable {
	var t rankingTable
	var sources []string
	for _, src := range rankingSources {
		for _, row := range rows {
			if row.BySource[src] != 0 {
				sources = append(sources, src)
				break
			}
		}
	}
	for _, src := range sources {
		t.Sources = append(t.Sources, s.msgs.T(lang, "rankings.source."+src))
	}
	for _, row := range rows {
		out := rankingRow{Rank: row.Rank, Name: row.Name, Unit: row.Unit, Adopted: row.Adopted, Total: row.Points.String(),
			Mine: mine(row.Beneficiary), Negative: row.Points < 0}
		for _, src := range sources {
			out.BySource = append(out.BySource, row.BySource[src].String())
		}
		t.Rows = append(t.Rows, out)
	}
	return t
}

// rankingCSV is a ranking as a table for CSV: every row, and a column for
// every source, so that the file's columns do not depend on the period.
func (s *Server) rankingCSV(lang string, rk *scoring.Ranking) tabular.Table {
	t := tabular.Table{Name: s.msgs.T(lang, "rankings."+string(rk.Kind))}
	t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "rankings.col.rank"), Kind: tabular.Int})
	if rk.Kind == herald.ForStaff {
		t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "rankings.col.name")},
			tabular.Column{Header: s.msgs.T(lang, "rankings.col.unit")})
	} else {
		t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "rankings.col.unit")})
	}
	t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "rankings.col.adopted"), Kind: tabular.Int})
	for _, src := range rankingSources {
		t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "rankings.source."+src), Kind: tabular.Float, Decimals: 2})
	}
	t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "rankings.col.total"), Kind: tabular.Float, Decimals: 2})
	for _, row := range rk.Rows {
		cells := []any{row.Rank, row.Name}
		if rk.Kind == herald.ForStaff {
			cells = append(cells, row.Unit)
		}
		cells = append(cells, row.Adopted)
		for _, src := range rankingSources {
			cells = append(cells, row.BySource[src].Float())
		}
		t.Rows = append(t.Rows, append(cells, row.Points.Float()))
	}
	return t
}

// rankingFile sends a ranking as CSV: units.csv or staff.csv.
func (s *Server) rankingFile(w http.ResponseWriter, r *http.Request, req *request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok || name != "units" && name != "staff" {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "rankings.no_file")))
		return
	}
	p, _, err := s.rankingPeriod(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	units, staff, err := s.scoringService().Rankings(r.Context(), p)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	rk := units
	if name == "staff" {
		rk = staff
	}
	var buf bytes.Buffer
	if err := tabular.WriteCSV(&buf, s.rankingCSV(req.lang, rk)); err != nil {
		s.fail(w, r, req, err)
		return
	}
	local := fmt.Sprintf("积分排名-%s-%s.csv", map[string]string{"units": "单位", "staff": "个人"}[name], p)
	s.download(w, "text/csv; charset=utf-8", fmt.Sprintf("rankings-%s-%s.csv", name, p), local, buf.Bytes())
}

// download sends a file as an attachment named local (RFC 6266 filename*,
// which browsers prefer) or, for older clients, ascii.
func (s *Server) download(w http.ResponseWriter, contentType, ascii, local string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(local)))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// rfc5987 percent-encodes a value for an extended header parameter: every
// byte but the attr-chars of RFC 5987.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// noticeView is what the notice page's template gets.
type noticeView struct {
	Notice *scoring.Notice
	Period string
	Label  string
	Body   template.HTML
	Date   string
}

// notice builds the notice of the period the request asks for.
func (s *Server) notice(r *http.Request, req *request) (*scoring.Notice, error) {
	p, _, err := s.rankingPeriod(r, req)
	if err != nil {
		return nil, err
	}
	return s.scoringService().Notice(r.Context(), p)
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request, req *request) {
	n, err := s.notice(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &noticeView{Notice: n, Period: n.Period.String(), Label: periodLabel(req.lang, n.Period), Body: noticeBody(n), Date: officialDate(n.Date)}
	s.render(w, r, http.StatusOK, "notice", req, n.Title, d)
}

// officialDate writes a day as documents sign it: 2026年11月25日.
func officialDate(t time.Time) string {
	t = t.In(herald.CST)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// noticeXLSX sends the notice's tables as a spreadsheet, a sheet each.
func (s *Server) noticeXLSX(w http.ResponseWriter, r *http.Request, req *request) {
	n, err := s.notice(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	var buf bytes.Buffer
	if err := (tabular.Workbook{Title: n.Title, Time: s.Auth.Clock.Now(), Tables: noticeTables(n)}).WriteXLSX(&buf); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.download(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		fmt.Sprintf("rankings-notice-%s.xlsx", n.Period), fmt.Sprintf("积分通报-%s.xlsx", n.Period), buf.Bytes())
}

// noticePDF sends the notice typeset as an A4 document.
func (s *Server) noticePDF(w http.ResponseWriter, r *http.Request, req *request) {
	n, err := s.notice(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	res, err := print.RenderDocument(print.Document{Title: n.Title, Issuer: n.Issuer, Date: n.Date, Body: string(noticeBody(n)), PageSize: "A4"})
	if err != nil {
		s.Log.Warn("notice pdf", "request_id", httpx.RequestID(r.Context()), "period", n.Period.String(), "error", err)
		s.fail(w, r, req, err)
		return
	}
	w.Header().Set("X-Pages", strconv.Itoa(res.Pages))
	s.download(w, "application/pdf", fmt.Sprintf("rankings-notice-%s.pdf", n.Period), fmt.Sprintf("积分通报-%s.pdf", n.Period), res.PDF)
}
