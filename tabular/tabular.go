// Package tabular writes tables as CSV and XLSX for people who take the
// newsroom's figures into Excel or WPS: reads by channel, rankings, audit
// lists. Cells are typed by their column, so that numbers and dates stay
// numbers and dates in a spreadsheet, and are checked before anything is
// written, so that a malformed table gives an error and no half-written file.
package tabular

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a column's cells: what Go values they take and how
// they are written.
type Kind int

// The kinds of column. Every kind takes nil for an empty cell.
const (
	// Text cells take a string or a fmt.Stringer.
	Text Kind = iota
	// Int cells take any Go integer type and are written with thousands
	// separators in XLSX (1,234), plainly in CSV (1234).
	Int
	// Float cells take a float or an integer and are written with the
	// column's Decimals.
	Float
	// Date cells take a time.Time (the zero time is an empty cell); its date
	// in its own location is written: a real date in XLSX, 2006-01-02 in CSV.
	Date
	// Percent cells take a fraction, as a float or an integer (0.125 is
	// 12.5%), written with the column's Decimals after the point of the
	// percentage.
	Percent
)

var kindNames = [...]string{Text: "text", Int: "int", Float: "float", Date: "date", Percent: "percent"}

// String names the kind in errors: "text", "int", "float", "date", "percent".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Column is a column of a table.
type Column struct {
	Header string
	Kind   Kind
	// Decimals is the number of digits after the point of Float and
	// Percent cells.
	Decimals int
}

// Table is a titled grid of typed cells.
type Table struct {
	// Name names the table's sheet in an XLSX file (made valid and unique
	// there) and the table in errors.
	Name string
	// Title, if set, is the first row of the table's sheet, across all
	// columns. CSV files leave it out, so that their first row is the
	// header that tools expect.
	Title   string
	Columns []Column
	// Rows hold one value per column, of the type the column's Kind takes.
	Rows [][]any
}

// ErrInvalidTable is wrapped by the errors about a table whose rows do not
// fit its columns.
var ErrInvalidTable = errors.New("tabular: invalid table")

// cell is a checked value: the field of its kind holds it.
type cell struct {
	empty bool
	text  string
	int   int64
	float float64
	date  time.Time // midnight UTC of the date
}

// Formatted returns the table's cells written as a spreadsheet shows them
// (1,234; 12.5%; 2026-11-25), for a page that shows the table it offers as
// a download.
func (t Table) Formatted() ([][]string, error) {
	rows, err := t.cells()
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(rows))
	for r, row := range rows {
		out[r] = make([]string, len(row))
		for c, v := range row {
			out[r][c] = v.format(t.Columns[c], true)
		}
	}
	return out, nil
}

// cells checks every row against the columns and returns the values typed.
func (t Table) cells() ([][]cell, error) {
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("%w: table %q has no columns", ErrInvalidTable, t.Name)
	}
	for i, c := range t.Columns {
		if c.Kind < Text || c.Kind > Percent {
			return nil, fmt.Errorf("%w: table %q column %d (%q) has an unknown kind %v", ErrInvalidTable, t.Name, i+1, c.Header, c.Kind)
		}
	}
	rows := make([][]cell, len(t.Rows))
	for r, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return nil, fmt.Errorf("%w: table %q row %d has %d cells for %d columns", ErrInvalidTable, t.Name, r+1, len(row), len(t.Columns))
		}
		rows[r] = make([]cell, len(row))
		for c, v := range row {
			var err error
			if rows[r][c], err = typed(t.Columns[c].Kind, v); err != nil {
				return nil, fmt.Errorf("%w: table %q row %d column %q: %v", ErrInvalidTable, t.Name, r+1, t.Columns[c].Header, err)
			}
		}
	}
	return rows, nil
}

// typed checks that v fits a column of kind k.
func typed(k Kind, v any) (cell, error) {
	if v == nil {
		return cell{empty: true}, nil
	}
	switch k {
	case Text:
		switch v := v.(type) {
		case string:
			return cell{text: v}, nil
		case fmt.Stringer:
			return cell{text: v.String()}, nil
		}
	case Int:
		if i, ok := integer(v); ok {
			return cell{int: i}, nil
		}
	case Float, Percent:
		f, ok := v.(float64)
		if f32, is32 := v.(float32); is32 {
			f, ok = float64(f32), true
		} else if i, isInt := integer(v); isInt {
			f, ok = float64(i), true
		}
		if !ok {
			break
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return cell{}, fmt.Errorf("%v is not a number a spreadsheet can hold", f)
		}
		return cell{float: f}, nil
	case Date:
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				return cell{empty: true}, nil
			}
			y, m, d := t.Date()
			return cell{date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}, nil
		}
	}
	return cell{}, fmt.Errorf("%v column does not take %T %.40q", k, v, fmt.Sprint(v))
}

// integer converts any Go integer to an int64.
func integer(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint:
		return int64(v), v <= math.MaxInt64
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return int64(v), v <= math.MaxInt64
	}
	return 0, false
}

// format writes a cell as text: plainly for CSV, with thousands separators
// as a spreadsheet shows it (for fitting column widths) if grouped.
func (c cell) format(col Column, grouped bool) string {
	if c.empty {
		return ""
	}
	switch col.Kind {
	case Int:
		return group(strconv.FormatInt(c.int, 10), grouped)
	case Float:
		return group(strconv.FormatFloat(c.float, 'f', max(col.Decimals, 0), 64), grouped)
	case Percent:
		return strconv.FormatFloat(c.float*100, 'f', max(col.Decimals, 0), 64) + "%"
	case Date:
		return c.date.Format(time.DateOnly)
	}
	return c.text
}

// group puts commas between the thousands of a formatted number.
func group(s string, grouped bool) string {
	if !grouped {
		return s
	}
	sign, digits := "", s
	if strings.HasPrefix(s, "-") {
		sign, digits = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(digits, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
