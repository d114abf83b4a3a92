package newsroom_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/tabular"
)

// figure reads a headline number of the dashboard by its label.
func figure(t *testing.T, page, label string) int {
	t.Helper()
	m := regexp.MustCompile(`<span class="figure-label">` + regexp.QuoteMeta(label) + `</span> <strong class="figure-value">([\d,]+)</strong>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the dashboard has no figure %s", label)
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// csvRows fetches one of the dashboard's CSV files and parses it.
func (b *browser) csvRows(path string) [][]string {
	b.t.Helper()
	res, body := b.getRaw(path)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		b.t.Fatalf("%s: %d %s\n%.300s", path, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		b.t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// sumColumn adds up a CSV column's numbers, header row left out.
func sumColumn(t *testing.T, rows [][]string, col int) int {
	t.Helper()
	sum := 0
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[col])
		if err != nil {
			t.Fatalf("cell %q of %v: %v", row[col], row, err)
		}
		sum += n
	}
	return sum
}

// The dashboard on the demo's year of history, as a leader sees it: the
// figures agree with the store and with the downloads, the filters narrow
// the numbers, bad filters are refused by field, and every table downloads.
func TestDashboard(t *testing.T) {
	f := newFixtureWithHistory(t)
	ctx := context.Background()
	b := f.browser(t)
	b.login("hanzhigang") // a leader: a viewer
	today := herald.CSTDay(*f.now)
	year := herald.ReadFilter{From: today.AddDate(0, 0, -364), Until: today}
	readsIn := func(rf herald.ReadFilter) int {
		t.Helper()
		days, err := f.store.ReadsByDay(ctx, rf, false)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range days {
			n += d.Reads
		}
		return n
	}

	code, page := b.get("/newsroom/dashboard")
	if code != http.StatusOK {
		t.Fatalf("the dashboard: %d\n%.2000s", code, page)
	}
	for _, want := range []string{`<a href="/newsroom/dashboard">数据看板</a>`, `id="reads-chart-title"`, `id="audience-chart-title"`,
		`id="channel-chart-title"`, `id="output-chart-title"`, `id="month-ranking-title"`, `id="articles-table"`, `id="referrers-table"`,
		`id="units-table"`, `id="staff-table"`, "每周阅读量与读者", `href="/newsroom/rankings/notice.pdf?period=2026-11"`, `href="/newsroom/rankings/notice.xlsx?period=2026-10"`,
		`href="/newsroom/dashboard/dashboard.xlsx?from=2025-11-26&amp;until=2026-11-25"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	total := figure(t, page, "阅读量")
	if want := readsIn(year); total != want || total == 0 {
		t.Errorf("the reads figure = %d, the store counts %d over the year", total, want)
	}
	if got := sumColumn(t, b.csvRows("/newsroom/dashboard/reads.csv"), 1); got != total {
		t.Errorf("reads.csv sums to %d, the page says %d", got, total)
	}
	if got := sumColumn(t, b.csvRows("/newsroom/dashboard/channels.csv"), 1); got != total {
		t.Errorf("channels.csv sums to %d, the page says %d", got, total)
	}

	// this month's output agrees with the quotas' count
	month := scoring.MonthPeriod(*f.now)
	q := "?from=" + herald.DayString(month.Start) + "&until=" + herald.DayString(today)
	adopted, err := scoring.New(f.store, nil, nil).AdoptedByUnit(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	units := b.csvRows("/newsroom/dashboard/units.csv" + q)
	if units[0][0] != "单位" || units[0][2] != "采用" {
		t.Fatalf("units.csv's header = %q", units[0])
	}
	names := map[string]int64{}
	all, _, _ := f.store.FindUnits(ctx, herald.UnitFilter{})
	for _, u := range all {
		names[u.Name] = u.ID
	}
	sum := 0
	for _, row := range units[1:] {
		n, _ := strconv.Atoi(row[2])
		if n != adopted[names[row[0]]] {
			t.Errorf("%s adopted %d on the dashboard, %d by the quotas' count", row[0], n, adopted[names[row[0]]])
		}
		sum += n
	}
	if code, page := b.get("/newsroom/dashboard" + q); code != http.StatusOK || figure(t, page, "采用稿件") != sum || sum == 0 {
		t.Errorf("this month's adopted pieces: %d on the page, %d in units.csv", figure(t, page, "采用稿件"), sum)
	}

	// narrowed to a city and its counties
	sjz := names["石家庄市司法局"]
	code, page = b.get("/newsroom/dashboard?unit=" + strconv.FormatInt(sjz, 10))
	narrowed := year
	narrowed.UnitIDs = unitSubtree(t, f, sjz)
	if got, want := figure(t, page, "阅读量"), readsIn(narrowed); code != http.StatusOK || got != want || got >= total {
		t.Errorf("narrowed to 石家庄: %d reads on the page (%d), the store counts %d of %d", got, code, want, total)
	}
	if !strings.Contains(page, "关注者和订阅者是全站的数字") {
		t.Error("a narrowed dashboard does not say the audience is the whole site's")
	}

	// narrowed to a channel: no readers, no referrers
	code, page = b.get("/newsroom/dashboard?channel=wechat")
	if code != http.StatusOK || strings.Contains(page, `id="referrers-table"`) || strings.Contains(page, "日均读者") {
		t.Errorf("narrowed to WeChat: %d, with referrers or readers", code)
	}
	wechat := year
	wechat.Channels = []string{herald.ReadWeChat}
	if got, want := figure(t, page, "阅读量"), readsIn(wechat); got != want {
		t.Errorf("WeChat reads = %d, the store counts %d", got, want)
	}
	if res, _ := b.getRaw("/newsroom/dashboard/referrers.csv?channel=wechat"); res.StatusCode != http.StatusNotFound {
		t.Errorf("referrers by channel: %d", res.StatusCode)
	}

	// bad filters: refused by field, nothing else shown wrong
	for _, c := range []struct{ query, field, message string }{
		{"from=2026-13-01", "from", "“2026-13-01”不是有效的日期"},
		{"until=2099-01-01", "until", "截止日期不能晚于今天"},
		{"from=2026-11-20&until=2026-11-01", "until", "截止日期不能早于起始日期"},
		{"unit=abc", "unit", "请从列表中选择单位"},
		{"theme=99999", "theme", "请从列表中选择主题"},
		{"channel=fax", "channel", "请从列表中选择阅读渠道"},
	} {
		code, page := b.get("/newsroom/dashboard?" + c.query)
		if code != http.StatusBadRequest || !strings.Contains(page, `<p class="field-error" id="`+c.field+`-error" role="alert">`+c.message) ||
			!strings.Contains(page, `aria-describedby="`+c.field+`-error"`) {
			t.Errorf("%s: %d, without the error under %s", c.query, code, c.field)
		}
		if res, _ := b.getRaw("/newsroom/dashboard/reads.csv?" + c.query); res.StatusCode != http.StatusBadRequest {
			t.Errorf("reads.csv?%s: %d, want 400", c.query, res.StatusCode)
		}
	}

	// every table as CSV and XLSX, and all in one workbook
	for _, name := range []string{"reads", "audience", "channels", "articles", "referrers", "units", "staff"} {
		if rows := b.csvRows("/newsroom/dashboard/" + name + ".csv"); len(rows) < 2 {
			t.Errorf("%s.csv has no rows", name)
		}
		res, body := b.getRaw("/newsroom/dashboard/" + name + ".xlsx")
		if sheets, err := tabular.ReadXLSX(bytes.NewReader(body)); res.StatusCode != http.StatusOK || err != nil || len(sheets) != 1 {
			t.Errorf("%s.xlsx: %d, %d sheets, %v", name, res.StatusCode, len(sheets), err)
		}
	}
	res, body := b.getRaw("/newsroom/dashboard/dashboard.xlsx")
	sheets, err := tabular.ReadXLSX(bytes.NewReader(body))
	if err != nil || res.StatusCode != http.StatusOK || len(sheets) != 7 {
		t.Fatalf("dashboard.xlsx: %d, %d sheets, %v", res.StatusCode, len(sheets), err)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="herald-dashboard-2025-11-26_2026-11-25.xlsx"`) {
		t.Errorf("Content-Disposition = %s", cd)
	}
	if res, _ := b.getRaw("/newsroom/dashboard/secrets.csv"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown table: %d", res.StatusCode)
	}
}

// unitSubtree is a unit's ID and its sub-units'.
func unitSubtree(t *testing.T, f *fixture, id int64) []int64 {
	t.Helper()
	units, _, err := f.store.FindUnits(context.Background(), herald.UnitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return herald.NewUnitTree(units).Subtree(id)
}
