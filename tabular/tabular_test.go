package tabular

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var shanghai = time.FixedZone("CST", 8*3600)

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, shanghai) }

// reads is a channel report with a cell of every kind, a title, a formula a
// user typed as a channel name, negative numbers and empty cells.
func reads() Table {
	return Table{
		Name:  "各渠道阅读量",
		Title: "2026年11月各渠道阅读量",
		Columns: []Column{
			{Header: "日期", Kind: Date},
			{Header: "渠道", Kind: Text},
			{Header: "阅读量", Kind: Int},
			{Header: "平均阅读时长（秒）", Kind: Float, Decimals: 1},
			{Header: "占比", Kind: Percent, Decimals: 1},
		},
		Rows: [][]any{
			{day(26), "网站", 48210, 73.26, 0.2657},
			{day(26), "手机", int64(91377), 41.0, 0.5036},
			{day(27), `=HYPERLINK("http://evil.example","点击")`, uint16(5120), float32(12.5), 0.0282},
			{day(27), "微博, \"热搜\"", -1234, -0.54, -0.01},
			{time.Time{}, "公众号\n（服务号）", nil, nil, nil},
		},
	}
}

type label string

func (l label) String() string { return "渠道:" + string(l) }

func TestCells(t *testing.T) {
	cols := []Column{{Header: "渠道", Kind: Text}, {Header: "阅读量", Kind: Int}, {Header: "时长", Kind: Float}, {Header: "日期", Kind: Date}, {Header: "占比", Kind: Percent}}
	for _, c := range []struct {
		name string
		row  []any
		want string // in the error; "" for none
	}{
		{"every kind", []any{"网站", 1, 1.5, day(1), 0.5}, ""},
		{"integers for floats", []any{label("网站"), uint8(1), int32(2), day(1), 1}, ""},
		{"all empty", []any{nil, nil, nil, nil, nil}, ""},
		{"too few cells", []any{"网站", 1}, `table "阅读" row 1 has 2 cells for 5 columns`},
		{"too many cells", []any{"网站", 1, 1.5, day(1), 0.5, "x"}, `table "阅读" row 1 has 6 cells for 5 columns`},
		{"a string for an int", []any{"网站", "1,234", 1.5, day(1), 0.5}, `table "阅读" row 1 column "阅读量": int column does not take string "1,234"`},
		{"a float for an int", []any{"网站", 1.5, 1.5, day(1), 0.5}, `column "阅读量": int column does not take float64`},
		{"a number for text", []any{1, 1, 1.5, day(1), 0.5}, `column "渠道": text column does not take int`},
		{"a string for a date", []any{"网站", 1, 1.5, "2026-11-26", 0.5}, `column "日期": date column does not take string`},
		{"NaN", []any{"网站", 1, math.NaN(), day(1), 0.5}, `column "时长": NaN is not a number`},
		{"infinity", []any{"网站", 1, 1.5, day(1), math.Inf(1)}, `column "占比": +Inf is not a number`},
		{"a huge uint", []any{"网站", uint64(math.MaxUint64), 1.5, day(1), 0.5}, `column "阅读量": int column does not take uint64`},
	} {
		// The bad row comes second, so that the error must count rows.
		table := Table{Name: "阅读", Columns: cols, Rows: [][]any{{"ok", 1, 1.0, day(2), 0.1}, c.row}}
		_, err := table.cells()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !errors.Is(err, ErrInvalidTable) || !strings.Contains(err.Error(), strings.Replace(c.want, "row 1", "row 2", 1))):
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
	if _, err := (Table{Name: "空"}).cells(); err == nil || !strings.Contains(err.Error(), `table "空" has no columns`) {
		t.Errorf("no columns: %v", err)
	}
	if _, err := (Table{Name: "x", Columns: []Column{{Header: "a", Kind: Kind(9)}}}).cells(); err == nil || !strings.Contains(err.Error(), "unknown kind Kind(9)") {
		t.Errorf("an unknown kind: %v", err)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		col     Column
		value   any
		plain   string
		grouped string
	}{
		{Column{Kind: Int}, 1234567, "1234567", "1,234,567"},
		{Column{Kind: Int}, -1234, "-1234", "-1,234"},
		{Column{Kind: Int}, 0, "0", "0"},
		{Column{Kind: Float, Decimals: 2}, 1234.5, "1234.50", "1,234.50"},
		{Column{Kind: Float}, 92.5, "92", "92"}, // no decimals: rounded half to even
		{Column{Kind: Percent, Decimals: 1}, 0.12345, "12.3%", "12.3%"},
		{Column{Kind: Percent}, 1, "100%", "100%"},
		{Column{Kind: Date}, time.Date(2026, 11, 26, 23, 30, 0, 0, shanghai), "2026-11-26", "2026-11-26"}, // the date where it is
		{Column{Kind: Text}, "石家庄", "石家庄", "石家庄"},
		{Column{Kind: Text}, nil, "", ""},
	} {
		cl, err := typed(c.col.Kind, c.value)
		if err != nil {
			t.Fatal(err)
		}
		if got := cl.format(c.col, false); got != c.plain {
			t.Errorf("%v %v plainly: %q, want %q", c.col.Kind, c.value, got, c.plain)
		}
		if got := cl.format(c.col, true); got != c.grouped {
			t.Errorf("%v %v grouped: %q, want %q", c.col.Kind, c.value, got, c.grouped)
		}
	}
}

// A page shows a table as a spreadsheet would: grouped numbers, the
// columns' decimals, percentages and dates; a bad row is an error, not a
// page with a hole.
func TestFormatted(t *testing.T) {
	cells, err := reads().Formatted()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"2026-11-26", "网站", "48,210", "73.3", "26.6%"},
		{"2026-11-26", "手机", "91,377", "41.0", "50.4%"},
	}
	for i, row := range want {
		if strings.Join(cells[i], "|") != strings.Join(row, "|") {
			t.Errorf("row %d = %q, want %q", i+1, cells[i], row)
		}
	}
	if last := cells[len(cells)-1]; last[0] != "" || last[2] != "" {
		t.Errorf("empty cells = %q", last)
	}
	bad := reads()
	bad.Rows = append(bad.Rows, []any{day(28), "网站", "many", 1.0, 0.1})
	if _, err := bad.Formatted(); !errors.Is(err, ErrInvalidTable) {
		t.Errorf("a text in a number column: %v", err)
	}
}
