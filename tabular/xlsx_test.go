package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// ranking is a second sheet, without a title, with a long Latin name.
func ranking() Table {
	return Table{
		Name:    "Ranking of municipal bureaus of justice, November",
		Columns: []Column{{Header: "单位", Kind: Text}, {Header: "得分", Kind: Float, Decimals: 1}},
		Rows:    [][]any{{"石家庄市司法局", 96.5}, {"河北省石家庄市长安区司法局人民调解委员会", -3.0}},
	}
}

func writeXLSX(t *testing.T, b Workbook) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXRoundTrip writes two tables and reads them back: sheet names,
// merged title, frozen header, numbers stored and formatted as numbers,
// Chinese intact.
func TestXLSXRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, shanghai)
	data := writeXLSX(t, Workbook{Title: "十一月阅读报告", Time: at, Tables: []Table{reads(), ranking()}})

	sheets, err := ReadXLSX(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	const second = "Ranking of municipal bureaus of"
	want := map[string][][]string{
		"各渠道阅读量": {
			{"2026年11月各渠道阅读量"},
			{"日期", "渠道", "阅读量", "平均阅读时长（秒）", "占比"},
			{"2026-11-26", "网站", "48,210", "73.3", "26.6%"},
			{"2026-11-26", "手机", "91,377", "41.0", "50.4%"},
			{"2026-11-27", `=HYPERLINK("http://evil.example","点击")`, "5,120", "12.5", "2.8%"},
			{"2026-11-27", `微博, "热搜"`, "-1,234", "-0.5", "-1.0%"},
			{"", "公众号\n（服务号）"},
		},
		second: {
			{"单位", "得分"},
			{"石家庄市司法局", "96.5"},
			{"河北省石家庄市长安区司法局人民调解委员会", "-3.0"},
		},
	}
	if len(sheets) != len(want) {
		t.Errorf("sheets %v", keys(sheets))
	}
	for name, rows := range want {
		got, ok := sheets[name]
		if !ok {
			t.Errorf("no sheet %q in %q", name, keys(sheets))
			continue
		}
		if len(got) != len(rows) {
			t.Errorf("%s: %d rows, want %d: %q", name, len(got), len(rows), got)
			continue
		}
		for i := range rows {
			if strings.Join(got[i], "|") != strings.Join(rows[i], "|") {
				t.Errorf("%s row %d = %q, want %q", name, i+1, got[i], rows[i])
			}
		}
	}

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if list := f.GetSheetList(); strings.Join(list, "|") != "各渠道阅读量|"+second {
		t.Errorf("sheet order %q", list)
	}
	const sheet = "各渠道阅读量"
	// Numbers are numbers (no t attribute, or t="n") in their formats; text
	// is a string, the formula-looking one included.
	for _, c := range []struct {
		cell, raw, numFmt string
	}{
		{"A3", "46352", "yyyy-mm-dd"},
		{"C3", "48210", "#,##0"},
		{"C6", "-1234", "#,##0"},
		{"D3", "73.26", "#,##0.0"},
		{"E3", "0.2657", "0.0%"},
	} {
		typ, err := f.GetCellType(sheet, c.cell)
		if err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
			t.Errorf("%s is of type %v, not a number: %v", c.cell, typ, err)
		}
		raw, _ := f.GetCellValue(sheet, c.cell, excelize.Options{RawCellValue: true})
		if raw != c.raw {
			t.Errorf("%s holds %q, want %q", c.cell, raw, c.raw)
		}
		id, _ := f.GetCellStyle(sheet, c.cell)
		style, err := f.GetStyle(id)
		if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != c.numFmt {
			t.Errorf("%s is formatted %+v, want %q (%v)", c.cell, style, c.numFmt, err)
		}
	}
	for _, cell := range []string{"B3", "B5", "B7"} {
		if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%s is of type %v, not text", cell, typ)
		}
		if f, _ := f.GetCellFormula(sheet, cell); f != "" {
			t.Errorf("%s holds the formula %q", cell, f)
		}
	}
	// The date is the day it was where it happened: 46352 is 2026-11-26.
	if d, _ := excelize.ExcelDateToTime(46352, false); d.Format(time.DateOnly) != "2026-11-26" {
		t.Errorf("46352 is %v", d)
	}

	merged, err := f.GetMergeCells(sheet)
	if err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "E1" {
		t.Errorf("merged cells %v, %v", merged, err)
	}
	if m, _ := f.GetMergeCells(second); len(m) != 0 {
		t.Errorf("a sheet without a title has merged cells %v", m)
	}
	for name, row := range map[string]int{sheet: 2, second: 1} {
		panes, err := f.GetPanes(name)
		if err != nil || !panes.Freeze || panes.YSplit != row || panes.TopLeftCell != "A"+strconv.Itoa(row+1) {
			t.Errorf("%s: panes %+v, want the header row %d frozen (%v)", name, panes, row, err)
		}
	}
	for _, c := range []struct{ sheet, cell string }{{sheet, "B2"}, {sheet, "E2"}, {second, "A1"}} {
		id, _ := f.GetCellStyle(c.sheet, c.cell)
		if style, _ := f.GetStyle(id); style == nil || style.Font == nil || !style.Font.Bold {
			t.Errorf("%s!%s, a header, is not bold", c.sheet, c.cell)
		}
	}

	// Widths fit the widest cell, CJK counted double: 日期 < 渠道's formula <
	// the header 平均阅读时长（秒）; the long unit name needs more than 40.
	widths := map[string]float64{}
	for _, c := range []struct{ sheet, col string }{{sheet, "A"}, {sheet, "B"}, {sheet, "D"}, {second, "A"}} {
		widths[c.sheet+c.col], _ = f.GetColWidth(c.sheet, c.col)
	}
	if !(widths[sheet+"A"] == 12 && widths[sheet+"D"] == 21 && widths[sheet+"B"] == 42 && widths[second+"A"] == 42) {
		t.Errorf("column widths %v", widths)
	}

	// Excel repairs a sheet whose columns are out of order.
	for _, part := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} {
		xml := zipPart(t, data, part)
		cols := regexp.MustCompile(`<col min="(\d+)"`).FindAllStringSubmatch(xml, -1)
		for i, c := range cols {
			if c[1] != strconv.Itoa(i+1) {
				t.Errorf("%s: columns in the order %q", part, cols)
				break
			}
		}
	}

	props, err := f.GetDocProps()
	if err != nil || props.Title != "十一月阅读报告" || props.Creator != "Herald" || props.Created != "2026-11-26T01:30:00Z" || props.Modified != props.Created {
		t.Errorf("document properties %+v, %v", props, err)
	}
}

// zipPart returns a part of an XLSX file.
func zipPart(t *testing.T, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func keys(m map[string][][]string) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}

// TestXLSXDeterministic writes the same tables twice.
func TestXLSXDeterministic(t *testing.T) {
	a := writeXLSX(t, Workbook{Tables: []Table{reads(), ranking()}})
	b := writeXLSX(t, Workbook{Tables: []Table{reads(), ranking()}})
	if !bytes.Equal(a, b) {
		t.Error("the same tables gave different files")
	}
	props := func(data []byte) *excelize.DocProperties {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, _ := f.GetDocProps()
		return p
	}
	if p := props(a); p.Created != "1980-01-01T00:00:00Z" || p.Title != "2026年11月各渠道阅读量" {
		t.Errorf("without a time or title: %+v", p)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, ranking()); err != nil {
		t.Fatal(err)
	}
	if p := props(buf.Bytes()); p.Title != ranking().Name {
		t.Errorf("without any title: %q", p.Title)
	}
}

func TestSheetNames(t *testing.T) {
	long := strings.Repeat("司法", 20)
	for _, c := range []struct {
		name  string
		names []string
		want  []string
	}{
		{"kept", []string{"阅读量", "Reads"}, []string{"阅读量", "Reads"}},
		{"forbidden characters", []string{"2026/11: [全省]*?\\"}, []string{"2026_11_ _全省____"}},
		{"too long", []string{long}, []string{long[:31*3]}}, // 31 CJK characters of 3 bytes
		{"collision", []string{"阅读量", "阅读量", "阅读量"}, []string{"阅读量", "阅读量 (2)", "阅读量 (3)"}},
		{"collision ignoring case", []string{"Reads", "READS"}, []string{"Reads", "READS (2)"}},
		{"long collision", []string{long, long}, []string{long[:31*3], long[:27*3] + " (2)"}},
		{"empty", []string{"", "'  '", ""}, []string{"Sheet1", "Sheet2", "Sheet3"}},
		{"apostrophes at the ends", []string{"'引用'", "Bureau's"}, []string{"引用", "Bureau's"}},
		{"reserved", []string{"History"}, []string{"History (2)"}},
		{"numbered clash", []string{"表 (2)", "表", "表"}, []string{"表 (2)", "表", "表 (3)"}},
		{"astral characters count twice", []string{strings.Repeat("𠀀", 20)}, []string{strings.Repeat("𠀀", 15)}},
	} {
		tables := make([]Table, len(c.names))
		for i, n := range c.names {
			tables[i] = Table{Name: n}
		}
		got := SheetNames(tables)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestXLSXSheetNames writes tables whose names collide or are too long and
// reads the sheets back by the names SheetNames gives.
func TestXLSXSheetNames(t *testing.T) {
	long := reads()
	long.Name = "各市、县（市、区）司法局十一月各渠道阅读量统计表（含网站、手机、订阅源）"
	tables := []Table{reads(), reads(), long}
	sheets, err := ReadXLSX(bytes.NewReader(writeXLSX(t, Workbook{Tables: tables})))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range SheetNames(tables) {
		if rows := sheets[name]; len(rows) != 7 || rows[1][2] != "阅读量" {
			t.Errorf("sheet %q: %q", name, rows)
		}
	}
	if len(sheets) != 3 {
		t.Errorf("sheets %q", keys(sheets))
	}
}

// TestXLSXRefusesBadRows names the table and the row, and writes nothing.
func TestXLSXRefusesBadRows(t *testing.T) {
	bad := ranking()
	bad.Rows = append(bad.Rows, []any{"唐山市司法局"})
	var buf bytes.Buffer
	err := Workbook{Tables: []Table{reads(), bad}}.WriteXLSX(&buf)
	if !errors.Is(err, ErrInvalidTable) || !strings.Contains(err.Error(), `table "Ranking of municipal bureaus of justice, November" row 3 has 1 cells for 2 columns`) {
		t.Errorf("error %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
	if err := WriteXLSX(&buf); err == nil {
		t.Error("a workbook without tables")
	}
}
