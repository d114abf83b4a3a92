package newsroom_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/tabular"
)

// incentiveSeed is what seedIncentive put in a store: June 2025's ledger,
// a month before the demo's history, whose units rank 石家庄市司法局 12.50,
// 宣传中心 8.00, 唐山市司法局 4.00, and its staff 高峰 11.00, 陈静 8.00,
// 董伟 5.00.
type incentiveSeed struct {
	sjz, ts, center *herald.Unit
	gaofeng         *herald.Staff
}

// seedPeriod is the month seedIncentive fills; the demo's history starts
// after it, so the month holds only these entries.
const seedPeriod = "2025-06"

// seedIncentive gives a demo store ledger entries and quotas in June 2025,
// as scoring would have made them.
func seedIncentive(t *testing.T, store herald.Store) incentiveSeed {
	t.Helper()
	ctx := context.Background()
	unit := func(code string) *herald.Unit {
		us, _, err := store.FindUnits(ctx, herald.UnitFilter{Code: code})
		if err != nil || len(us) != 1 {
			t.Fatalf("unit %s: %v", code, err)
		}
		return us[0]
	}
	member := func(username string) *herald.Staff {
		st, _, err := store.FindStaff(ctx, herald.StaffFilter{Username: username})
		if err != nil || len(st) != 1 {
			t.Fatalf("staff %s: %v", username, err)
		}
		return st[0]
	}
	s := incentiveSeed{sjz: unit("SJZ"), ts: unit("TS"), center: unit("HEB-XC"), gaofeng: member("gaofeng")}
	dongwei, chenjing, chief := member("dongwei"), member("chenjing"), member("wangyalan")
	day := time.Date(2025, 6, 10, 0, 0, 0, 0, herald.CST)
	june := time.Date(2025, 6, 1, 0, 0, 0, 0, herald.CST)
	if had, _, err := store.FindLedger(ctx, herald.LedgerFilter{From: june, To: june.AddDate(0, 1, 0), Limit: 1}); err != nil || len(had) > 0 {
		t.Fatalf("June 2025 has entries already (%v): the demo's history reaches further back than the test expects", err)
	}
	unitOf := func(u *herald.Unit) herald.Beneficiary { return herald.Beneficiary{Kind: herald.ForUnit, ID: u.ID} }
	staffOf := func(st *herald.Staff) herald.Beneficiary { return herald.Beneficiary{Kind: herald.ForStaff, ID: st.ID} }
	var entries []*herald.LedgerEntry
	add := func(b herald.Beneficiary, points herald.Points, source string, article int64) {
		entries = append(entries, &herald.LedgerEntry{Key: fmt.Sprintf("seed/%d/%s/%d", len(entries), source, article), Beneficiary: b, Points: points,
			RuleVersion: 1, Source: source, SourceID: article, ArticleID: article, Day: day})
	}
	// 石家庄: two pieces adopted, one placed, read; 高峰 wrote both.
	add(unitOf(s.sjz), 300, herald.SourceAdoption, 9001)
	add(unitOf(s.sjz), 300, herald.SourceAdoption, 9002)
	add(unitOf(s.sjz), 500, herald.SourcePlacement, 9001)
	add(unitOf(s.sjz), 150, herald.SourceReads, 9002)
	add(staffOf(s.gaofeng), 300, herald.SourceAdoption, 9001)
	add(staffOf(s.gaofeng), 300, herald.SourceAdoption, 9002)
	add(staffOf(s.gaofeng), 500, herald.SourcePlacement, 9001)
	// 唐山: one piece on another channel, and a deduction.
	add(unitOf(s.ts), 300, herald.SourceAdoption, 9003)
	add(unitOf(s.ts), 200, herald.SourceChannel, 9003)
	add(unitOf(s.ts), -100, herald.SourceQuota, 0)
	add(staffOf(dongwei), 300, herald.SourceAdoption, 9003)
	add(staffOf(dongwei), 200, herald.SourceChannel, 9003)
	// 宣传中心: a piece a leader endorsed.
	add(unitOf(s.center), 300, herald.SourceAdoption, 9004)
	add(unitOf(s.center), 500, herald.SourceRecognition, 9004)
	add(staffOf(chenjing), 300, herald.SourceAdoption, 9004)
	add(staffOf(chenjing), 500, herald.SourceRecognition, 9004)
	if _, err := store.AppendLedger(ctx, entries, herald.Event{At: day, Comment: "scoring"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []*herald.Quota{{UnitID: s.sjz.ID, Month: seedPeriod, Target: 4}, {UnitID: s.ts.ID, Month: seedPeriod, Target: 2}} {
		if err := store.SetQuota(ctx, q, herald.Event{At: day, ActorID: chief.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// getRaw fetches a path and returns the whole response, body read.
func (b *browser) getRaw(path string) (*http.Response, []byte) {
	b.t.Helper()
	res, err := b.c.Get(b.f.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, body
}

// pageSection is the part of a page from the element with id to the end of
// its section.
func pageSection(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

var (
	rankingRow = regexp.MustCompile(`(?s)<tr( class="[^"]*")?>\s*<td class="num rank"[^>]*>(\d+)</td>\s*<th scope="row" class="who">([^<]+)(.*?)</tr>`)
	totalCell  = regexp.MustCompile(`<td class="num total[^"]*"[^>]*>([^<]+)</td>`)
)

// rankedRows reads a ranking table of the page: "rank name total", with
// ` class="mine"` after the viewer's own row.
func rankedRows(t *testing.T, part string) []string {
	t.Helper()
	var got []string
	for _, m := range rankingRow.FindAllStringSubmatch(part, -1) {
		total := totalCell.FindStringSubmatch(m[4])
		if total == nil {
			t.Fatalf("a row without a total: %s", m[0])
		}
		got = append(got, fmt.Sprintf("%s %s %s%s", m[2], strings.TrimSpace(m[3]), total[1], m[1]))
	}
	return got
}

// TestRankings covers the rankings page, its CSV files and the notice's
// page, spreadsheet and PDF, on one seeded demo.
func TestRankings(t *testing.T) {
	f := newFixtureWithHistory(t)
	seed := seedIncentive(t, f.store)
	ctx := context.Background()
	b := f.browser(t)
	b.login("gaofeng") // a correspondent of 石家庄市司法局
	q := "?period=" + seedPeriod

	t.Run("Page", func(t *testing.T) {
		_, desk := b.get("/newsroom/")
		if !strings.Contains(desk, `<a href="/newsroom/rankings">积分排名</a>`) {
			t.Error("a correspondent's navigation has no 积分排名")
		}
		if strings.Contains(desk, `href="/newsroom/rules"`) {
			t.Error("a correspondent's navigation offers the rules")
		}
		code, page := b.get("/newsroom/rankings" + q)
		if code != http.StatusOK {
			t.Fatalf("the rankings: %d\n%.2000s", code, page)
		}
		units := pageSection(page, "units-h")
		want := []string{`1 石家庄市司法局 12.50 class="mine"`, "2 河北省司法厅宣传中心 8.00", "3 唐山市司法局 4.00"}
		if got := rankedRows(t, units); !slices.Equal(got, want) {
			t.Errorf("the units' ranking:\n got %q\nwant %q", got, want)
		}
		for _, want := range []string{
			`<th scope="col" class="num">采用</th>`, `<th scope="col" class="num">见报</th>`, `<th scope="col" class="num">任务扣分</th>`,
			`<td class="num" data-label="采用稿件">2</td>`, `<span class="badge you">本单位</span>`, `<td class="num" data-label="任务扣分">-1.00</td>`,
			`<g class="row highlight"><title>石家庄市司法局: 12.50</title>`, // the chart
		} {
			if !strings.Contains(units, want) {
				t.Errorf("the units' section lacks %s", want)
			}
		}
		if strings.Contains(units, `<th scope="col" class="num">报送</th>`) {
			t.Error("the units' table has a column for a source that earned nothing")
		}
		staff := pageSection(page, "staff-h")
		if got, want := rankedRows(t, staff), []string{"1 " + seed.gaofeng.Name + ` 11.00 class="mine"`, "2 陈静 8.00", "3 董伟 5.00"}; !slices.Equal(got, want) {
			t.Errorf("the staff ranking: got %q, want %q", got, want)
		}
		for _, want := range []string{`<span class="period-label">2025年6月</span>`, "本期积分已确定，不再变动。",
			`href="/newsroom/rankings/notice?period=2025-06"`, `href="/newsroom/rankings/notice.pdf?period=2025-06"`,
			`href="/newsroom/rankings/notice.xlsx?period=2025-06"`, `href="/newsroom/rankings/units.csv?period=2025-06"`,
			`href="/newsroom/rankings/staff.csv?period=2025-06"`, `<a href="/newsroom/rankings?period=2025-05" rel="prev">`,
			`<a href="/newsroom/rankings?period=2025-07" rel="next">`,
			`<a href="/newsroom/rankings?period=2025-Q2">季度</a>`, `<a href="/newsroom/rankings?period=2025-06" aria-current="page">月</a>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the rankings page lacks %s", want)
			}
		}
		// The quarter holds June; the year, the demo's history too.
		_, page = b.get("/newsroom/rankings?period=2025-Q2")
		if got := rankedRows(t, pageSection(page, "units-h")); !slices.Equal(got, want) {
			t.Errorf("2025-Q2 ranks %q", got)
		}
		_, page = b.get("/newsroom/rankings?period=2025")
		if !strings.Contains(page, `<span class="period-label">2025年度</span>`) || len(rankedRows(t, pageSection(page, "units-h"))) <= 3 {
			t.Error("the year 2025 is not shown with the demo's units")
		}
		// This month is the default, still open, with no month after it.
		_, page = b.get("/newsroom/rankings")
		for _, want := range []string{`<span class="period-label">2026年11月</span>`, "本期尚未结束或仍在补录期内，积分还可能变化，2026-12-06 起确定。"} {
			if !strings.Contains(page, want) {
				t.Errorf("this month's rankings lack %s", want)
			}
		}
		if strings.Contains(page, `rel="next"`) {
			t.Error("the current month offers a next month")
		}
		if _, page := b.get("/newsroom/rankings?period=2025-05"); !strings.Contains(page, "本期暂无积分。") {
			t.Error("May 2025 is not shown empty")
		}
	})

	t.Run("BadPeriod", func(t *testing.T) {
		for _, bad := range []string{"2026-13", "2026-Q5", "11/2026", "1999"} {
			code, page := b.get("/newsroom/rankings?period=" + url.QueryEscape(bad))
			want := `<p class="field-error" id="period-error" role="alert">“` + html.EscapeString(bad) + `”不是有效的期间：请写月份（如 2026-11）、季度（如 2026-Q4）或年份（如 2026）。</p>`
			if code != http.StatusBadRequest || !strings.Contains(page, want) || !strings.Contains(page, `value="`+html.EscapeString(bad)+`"`) {
				t.Errorf("period %q: %d, message shown: %v", bad, code, strings.Contains(page, want))
			}
		}
		for _, path := range []string{"/newsroom/rankings/units.csv?period=2026-13", "/newsroom/rankings/notice.xlsx?period=x",
			"/newsroom/rankings/notice?period=2026-00", "/newsroom/rankings/notice.pdf?period=2026-Q0"} {
			if code, page := b.get(path); code != http.StatusBadRequest || !strings.Contains(page, "不是有效的期间") {
				t.Errorf("%s: %d", path, code)
			}
		}
		if code, _ := b.get("/newsroom/rankings/everyone.csv" + q); code != http.StatusNotFound {
			t.Errorf("an unknown CSV: %d", code)
		}
	})

	t.Run("CSV", func(t *testing.T) {
		res, body := b.getRaw("/newsroom/rankings/units.csv" + q)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("units.csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="rankings-units-2025-06.csv"; filename*=UTF-8''%E7%A7%AF%E5%88%86%E6%8E%92%E5%90%8D-%E5%8D%95%E4%BD%8D-2025-06.csv` {
			t.Errorf("Content-Disposition %s", cd)
		}
		text := string(body)
		lines := strings.Split(strings.TrimPrefix(text, "\uFEFF"), "\r\n")
		if !strings.HasPrefix(text, "\uFEFF") || lines[0] != "名次,单位,采用稿件,报送,采用,渠道,见报,奖励,阅读,任务扣分,总积分" {
			t.Errorf("units.csv starts %q", text[:min(len(text), 120)])
		}
		if len(lines) < 4 || lines[1] != "1,石家庄市司法局,2,0.00,6.00,0.00,5.00,0.00,1.50,0.00,12.50" || lines[3] != "3,唐山市司法局,1,0.00,3.00,2.00,0.00,0.00,0.00,-1.00,4.00" {
			t.Errorf("units.csv rows: %q", lines)
		}
		res, body = b.getRaw("/newsroom/rankings/staff.csv?period=2025-Q2")
		lines = strings.Split(strings.TrimPrefix(string(body), "\uFEFF"), "\r\n")
		if res.StatusCode != http.StatusOK || lines[0] != "名次,姓名,单位,采用稿件,报送,采用,渠道,见报,奖励,阅读,任务扣分,总积分" ||
			len(lines) < 2 || lines[1] != "1,高峰,石家庄市司法局,2,0.00,6.00,0.00,5.00,0.00,0.00,0.00,11.00" {
			t.Errorf("staff.csv: %d %q", res.StatusCode, lines)
		}
	})

	period, err := scoring.ParsePeriod(seedPeriod)
	if err != nil {
		t.Fatal(err)
	}
	notice, err := scoring.New(f.store, func() time.Time { return *f.now }, nil).Notice(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	const title = "关于2025年6月全省司法行政宣传工作积分情况的通报"
	if notice.Title != title || len(notice.Tables) != 3 {
		t.Fatalf("the notice: %q with %d tables", notice.Title, len(notice.Tables))
	}
	leader := f.browser(t)
	leader.login("hanzhigang") // a viewer at the department

	t.Run("NoticePage", func(t *testing.T) {
		code, page := leader.get("/newsroom/rankings/notice" + q)
		if code != http.StatusOK {
			t.Fatalf("the notice page: %d", code)
		}
		for _, want := range []string{`<h1 id="notice-title" class="notice-title">` + title + `</h1>`,
			`<p class="notice-issuer">河北省司法厅</p>`, `<time datetime="2026-11-25">2026年11月25日</time>`,
			`<p class="salutation">` + notice.Salutation + `</p>`, `<h2 id="notice-table-1">一、单位积分排名</h2>`,
			`<th scope="col" class="num">总积分</th>`,
			`<td class="num">1</td><td>石家庄市司法局</td><td class="num">2</td><td class="num">5.00</td><td class="num">1.50</td><td class="num">0.00</td><td class="num">12.50</td>`,
			`<td>唐山市司法局</td><td class="num">2</td>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the notice page lacks %s", want)
			}
		}
	})

	t.Run("XLSX", func(t *testing.T) {
		res, body := leader.getRaw("/newsroom/rankings/notice.xlsx" + q)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("notice.xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="rankings-notice-2025-06.xlsx"; filename*=UTF-8''%E7%A7%AF%E5%88%86%E9%80%9A%E6%8A%A5-2025-06.xlsx` {
			t.Errorf("Content-Disposition %s", cd)
		}
		sheets, err := tabular.ReadXLSX(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		checkSheets(t, sheets, notice)
		// The ledger's entries, summed by the ranking, are the cells.
		if units := sheets["单位排名"]; len(units) != 5 || fmt.Sprint(units[2]) != "[1 石家庄市司法局 2 5.00 1.50 0.00 12.50]" ||
			fmt.Sprint(units[4]) != "[3 唐山市司法局 1 0.00 0.00 -1.00 4.00]" {
			t.Errorf("the units' sheet: %q", units)
		}
		if quotas := sheets["任务完成"]; len(quotas) != 4 || fmt.Sprint(quotas[1]) != "[单位 任务数 采用数 完成率]" {
			t.Errorf("the quotas' sheet: %q", quotas)
		}
	})

	t.Run("PDF", func(t *testing.T) {
		res, body := leader.getRaw("/newsroom/rankings/notice.pdf" + q)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("notice.pdf: %d %s %.200q", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="rankings-notice-2025-06.pdf"; filename*=UTF-8''%E7%A7%AF%E5%88%86%E9%80%9A%E6%8A%A5-2025-06.pdf` {
			t.Errorf("Content-Disposition %s", cd)
		}
		text := pdfText(t, body)
		for _, want := range []string{title, "石家庄市司法局", "12.50", "河北省司法厅", "2025年6月"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF's text lacks %s:\n%s", want, text)
			}
		}
		if i, j := strings.Index(text, "石家庄市司法局"), strings.Index(text, "唐山市司法局"); i < 0 || j < i {
			t.Error("the PDF does not rank 石家庄 before 唐山")
		}
	})
}

// checkSheets compares a notice's spreadsheet, read back, with the notice:
// each table a sheet of its heading, its header and its rows, each cell as
// the notice prints it.
func checkSheets(t *testing.T, sheets map[string][][]string, notice *scoring.Notice) {
	t.Helper()
	if len(sheets) != len(notice.Tables) {
		t.Errorf("%d sheets for %d tables", len(sheets), len(notice.Tables))
	}
	for _, table := range notice.Tables {
		rows, ok := sheets[table.Name]
		if !ok {
			t.Errorf("no sheet %s", table.Name)
			continue
		}
		want := [][]string{{table.Heading}, {}}
		for _, c := range table.Columns {
			want[1] = append(want[1], c.Header)
		}
		for _, row := range table.Rows {
			var cells []string
			for _, v := range row {
				switch v := v.(type) {
				case herald.Points:
					cells = append(cells, grouped(v.String()))
				case int:
					cells = append(cells, grouped(strconv.Itoa(v)))
				default:
					cells = append(cells, fmt.Sprint(v))
				}
			}
			want = append(want, cells)
		}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("sheet %s:\n got %q\nwant %q", table.Name, rows, want)
		}
	}
}

// grouped puts thousands separators in a number, as a spreadsheet shows it.
func grouped(n string) string {
	sign, digits := "", n
	if strings.HasPrefix(n, "-") {
		sign, digits = "-", n[1:]
	}
	whole, frac, hasFrac := strings.Cut(digits, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if hasFrac {
		whole += "." + frac
	}
	return sign + whole
}

// pdfText is a PDF's text without spaces or line breaks, by pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	file := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// TestNoticeReconcilesWithTheDemoLedger is the test of done on the
// demo's own year: this month's notice, downloaded as a spreadsheet, has
// each unit's points and adopted pieces as the ledger sums them.
func TestNoticeReconcilesWithTheDemoLedger(t *testing.T) {
	f := newFixtureWithHistory(t) // with the year of history
	ctx := context.Background()
	leader := f.browser(t)
	leader.login("hanzhigang")
	month := "2026-11"
	res, body := leader.getRaw("/newsroom/rankings/notice.xlsx?period=" + month)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("notice.xlsx: %d", res.StatusCode)
	}
	sheets, err := tabular.ReadXLSX(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := scoring.ParsePeriod(month)
	notice, err := scoring.New(f.store, func() time.Time { return *f.now }, nil).Notice(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	checkSheets(t, sheets, notice)

	// The ledger, summed here without the ranking's code.
	entries, _, err := f.store.FindLedger(ctx, herald.LedgerFilter{From: p.Start, To: p.End})
	if err != nil {
		t.Fatal(err)
	}
	units, _, err := f.store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	totals, adopted := map[string]herald.Points{}, map[string]map[int64]bool{}
	for _, e := range entries {
		if e.Beneficiary.Kind != herald.ForUnit {
			continue
		}
		name := names[e.Beneficiary.ID]
		totals[name] += e.Points
		if adopted[name] == nil {
			adopted[name] = map[int64]bool{}
		}
		if e.Source == herald.SourceAdoption && e.Reverses == 0 {
			adopted[name][e.ArticleID] = true
		}
	}
	if len(totals) == 0 {
		t.Fatal("the demo has no unit points this month")
	}
	rows := sheets["单位排名"]
	if len(rows) != 2+len(totals) {
		t.Fatalf("the units' sheet has %d rows for %d units with points", len(rows)-2, len(totals))
	}
	var sum herald.Points
	for _, row := range rows[2:] {
		name := row[1]
		if want := grouped(totals[name].String()); row[len(row)-1] != want {
			t.Errorf("%s: the sheet says %s points, the ledger %s", name, row[len(row)-1], want)
		}
		if want := strconv.Itoa(len(adopted[name])); row[2] != want {
			t.Errorf("%s: the sheet says %s adopted, the ledger %s", name, row[2], want)
		}
		sum += totals[name]
	}
	if want := fmt.Sprintf("合计%s分", sum); !strings.Contains(strings.Join(notice.Paragraphs, ""), want) {
		t.Errorf("the notice's paragraphs do not say %s", want)
	}
	// The rankings page shows the same first unit with the same total.
	_, page := leader.get("/newsroom/rankings?period=" + month)
	if got := rankedRows(t, pageSection(page, "units-h")); len(got) == 0 || !strings.HasPrefix(got[0], "1 "+rows[2][1]+" "+rows[2][len(rows[2])-1]) {
		t.Errorf("the page ranks first %q; the sheet %q", got, rows[2])
	}
}
