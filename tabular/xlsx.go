package tabular

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
	eaw "golang.org/x/text/width"
)

// Workbook is tables written together as one XLSX file, a sheet each.
type Workbook struct {
	// Title is the document's title in its properties; empty: the first
	// table's Title, or its Name.
	Title string
	// Time is when the document was created and modified, from the caller's
	// clock. Zero: 1980-01-01 UTC (the ZIP format's first day), so that the
	// same tables always give the same bytes.
	Time   time.Time
	Tables []Table
}

// zeroTime stands in for a Workbook's zero Time.
var zeroTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteXLSX writes the tables as one XLSX file, a sheet each: it is
// Workbook{Tables: tables}.WriteXLSX(w), whose fixed time suits tests and
// downloads alike.
func WriteXLSX(w io.Writer, tables ...Table) error {
	return Workbook{Tables: tables}.WriteXLSX(w)
}

// WriteXLSX writes the workbook as an XLSX file. Each table becomes a sheet
// named after it (see SheetNames), with its title across the first row if it
// has one, then a bold header row that stays in view when scrolling, then
// the rows: numbers as numbers with thousands separators or their decimals,
// percentages and dates as such, so that they can be summed and sorted.
// Columns are as wide as their widest cell (CJK characters count double).
// The document's creator is Herald. All tables are checked before anything
// is written.
func (b Workbook) WriteXLSX(w io.Writer) error {
	if len(b.Tables) == 0 {
		return errors.New("tabular: a workbook needs at least one table")
	}
	cells := make([][][]cell, len(b.Tables))
	for i, t := range b.Tables {
		var err error
		if cells[i], err = t.cells(); err != nil {
			return err
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newSortedZip(w) })
	st := styles{f: f, ids: map[string]int{}}
	names := SheetNames(b.Tables)
	for i, t := range b.Tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", names[0]); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(names[i]); err != nil {
			return err
		}
		if err := writeSheet(f, &st, names[i], t, cells[i]); err != nil {
			return fmt.Errorf("tabular: sheet %q: %w", names[i], err)
		}
		if st.err != nil {
			return fmt.Errorf("tabular: sheet %q: %w", names[i], st.err)
		}
	}

	title := b.Title
	if title == "" {
		title = b.Tables[0].Title
	}
	if title == "" {
		title = b.Tables[0].Name
	}
	at := b.Time
	if at.IsZero() {
		at = zeroTime
	}
	stamp := at.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: title, Creator: "Herald", LastModifiedBy: "Herald", Created: stamp, Modified: stamp,
	}); err != nil {
		return err
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "Herald"}); err != nil {
		return err
	}
	return f.Write(w)
}

// writeSheet streams one table into its sheet: the column widths and the
// frozen header go first, as a stream writer requires.
func writeSheet(f *excelize.File, st *styles, sheet string, t Table, rows [][]cell) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	// Last column first: the stream writer puts each column before those
	// set earlier, and Excel wants them in order.
	widths := columnWidths(t, rows)
	for i := len(widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return err
		}
	}
	row := 1 // the header's
	if t.Title != "" {
		row = 2
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: row, TopLeftCell: fmt.Sprintf("A%d", row+1), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(len(t.Columns))
	if err != nil {
		return err
	}
	if t.Title != "" {
		if last != "A" {
			if err := sw.MergeCell("A1", last+"1"); err != nil {
				return err
			}
		}
		title := excelize.Cell{StyleID: st.get("title", &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}), Value: t.Title}
		if err := sw.SetRow("A1", []any{title}, excelize.RowOpts{Height: 24}); err != nil {
			return err
		}
	}
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{StyleID: st.header(c.Kind != Text), Value: c.Header}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", row), header); err != nil {
		return err
	}
	values := make([]any, len(t.Columns))
	for _, r := range rows {
		row++
		for i, c := range r {
			values[i] = st.value(t.Columns[i], c)
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", row), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// styles makes each cell style once per file.
type styles struct {
	f   *excelize.File
	ids map[string]int
	err error
}

func (s *styles) get(key string, style *excelize.Style) int {
	if id, ok := s.ids[key]; ok {
		return id
	}
	id, err := s.f.NewStyle(style)
	if err != nil && s.err == nil {
		s.err = err
	}
	s.ids[key] = id
	return id
}

// header is the style of a header cell: bold on grey above a rule, right
// aligned over numbers as the numbers are.
func (s *styles) header(numeric bool) int {
	align := "left"
	if numeric {
		align = "right"
	}
	return s.get("header-"+align, &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F3F4F6"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "6B7280", Style: 1}},
		Alignment: &excelize.Alignment{Horizontal: align, Vertical: "center"},
	})
}

// value is what the stream writer writes for one cell: numbers as numbers in
// their column's number format.
func (s *styles) value(col Column, c cell) any {
	if c.empty {
		return nil
	}
	numFmt := ""
	var v any
	switch col.Kind {
	case Text:
		return c.text // a string is never a formula here: no need to defuse
	case Int:
		numFmt, v = "#,##0", c.int
	case Float:
		numFmt, v = "#,##0"+decimals(col.Decimals), c.float
	case Percent:
		numFmt, v = "0"+decimals(col.Decimals)+"%", c.float
	case Date:
		// Days since 1899-12-30, Excel's day zero for dates after February 1900.
		numFmt, v = "yyyy-mm-dd", (c.date.Unix()-excelDayZero)/(24*60*60)
	}
	return excelize.Cell{StyleID: s.get(numFmt, &excelize.Style{CustomNumFmt: &numFmt}), Value: v}
}

// excelDayZero is 1899-12-30 UTC in Unix seconds.
var excelDayZero = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()

func decimals(n int) string {
	if n <= 0 {
		return ""
	}
	return "." + strings.Repeat("0", n)
}

// columnWidths fits each column to its widest cell as a spreadsheet shows
// it, in widths of the digit 0, where CJK characters take two; the title,
// which spans the columns, does not count.
func columnWidths(t Table, rows [][]cell) []float64 {
	widths := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		w := displayWidth(c.Header) + 1 // bold
		for _, r := range rows {
			w = max(w, displayWidth(r[i].format(c, true)))
		}
		widths[i] = min(max(w+2, 8), 60)
	}
	return widths
}

// displayWidth counts the widest line of s in character cells: two for
// East Asian wide and fullwidth characters, one for the rest.
func displayWidth(s string) float64 {
	widest := 0.0
	for line := range strings.SplitSeq(s, "\n") {
		w := 0.0
		for _, r := range line {
			switch eaw.LookupRune(r).Kind() {
			case eaw.EastAsianWide, eaw.EastAsianFullwidth:
				w += 2
			default:
				w++
			}
		}
		widest = max(widest, w)
	}
	return widest
}

// maxSheetName is Excel's limit, in UTF-16 code units.
const maxSheetName = 31

// SheetNames returns the names WriteXLSX gives the tables' sheets: each
// table's Name with the characters Excel forbids ([ ] : * ? / \ and control
// characters) replaced by _, without apostrophes or spaces at its ends, cut
// to Excel's 31 characters, "Sheet<n>" if that leaves nothing, and numbered
// " (2)", " (3)"… where it would repeat an earlier name, as Excel compares
// them ignoring case.
func SheetNames(tables []Table) []string {
	names := make([]string, len(tables))
	taken := map[string]bool{"history": true} // Excel reserves History for change tracking
	for i, t := range tables {
		base := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`[]:*?/\`, r) || unicode.IsControl(r) {
				return '_'
			}
			return r
		}, t.Name)
		base = strings.Trim(cutUTF16(strings.Trim(base, "' "), maxSheetName), "' ")
		if base == "" {
			base = fmt.Sprintf("Sheet%d", i+1)
		}
		name := base
		for n := 2; taken[strings.ToLower(name)]; n++ {
			suffix := fmt.Sprintf(" (%d)", n)
			name = strings.TrimRight(cutUTF16(base, maxSheetName-len(suffix)), " ") + suffix
		}
		taken[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// cutUTF16 shortens s to at most n UTF-16 code units, by whole characters.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}
