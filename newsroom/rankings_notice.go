package newsroom

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/tabular"
)

// A ranking notice (通报) goes out three ways — the page, the PDF and the
// spreadsheet — and all three are made here from the one scoring.Notice, by
// two conversions: noticeBody (the document's HTML, which the page shows and
// the PDF typesets) and noticeTables (the sheets). Each cell is read by
// noticeCell, so a number is the same number everywhere.

// noticeCell reads a cell of a notice table: its text as the document
// prints it, and its kind and value for a spreadsheet. Points are decimals
// with two places, counts whole numbers, and "85%" a percentage (0.85).
func noticeCell(v any) (text string, kind tabular.Kind, value any) {
	switch v := v.(type) {
	case herald.Points:
		return v.String(), tabular.Float, v.Float()
	case int:
		return strconv.Itoa(v), tabular.Int, v
	case int64:
		return strconv.FormatInt(v, 10), tabular.Int, v
	case string:
		if n, ok := strings.CutSuffix(v, "%"); ok {
			if f, err := strconv.ParseFloat(n, 64); err == nil {
				return v, tabular.Percent, f / 100
			}
		}
		return v, tabular.Text, v
	case nil:
		return "", tabular.Text, nil
	}
	return fmt.Sprint(v), tabular.Text, fmt.Sprint(v)
}

// noticeColumn is the spreadsheet column of a notice table's column i: the
// kind its cells share, or text when they differ (or there are none and the
// column is not numeric).
func noticeColumn(t scoring.NoticeTable, i int) tabular.Column {
	col := tabular.Column{Header: t.Columns[i].Header, Kind: tabular.Text}
	if t.Columns[i].Numeric {
		col.Kind = tabular.Int
	}
	for r, row := range t.Rows {
		_, kind, _ := noticeCell(row[i])
		if r == 0 {
			col.Kind = kind
		} else if kind != col.Kind {
			col.Kind = tabular.Text
			break
		}
	}
	if col.Kind == tabular.Float {
		col.Decimals = 2
	}
	return col
}

// noticeTables are the notice's tables as the sheets of its spreadsheet,
// one each, titled with their headings.
func noticeTables(n *scoring.Notice) []tabular.Table {
	out := make([]tabular.Table, len(n.Tables))
	for ti, t := range n.Tables {
		tt := tabular.Table{Name: t.Name, Title: t.Heading, Columns: make([]tabular.Column, len(t.Columns)), Rows: make([][]any, len(t.Rows))}
		for i := range t.Columns {
			tt.Columns[i] = noticeColumn(t, i)
		}
		for r, row := range t.Rows {
			cells := make([]any, len(row))
			for i, v := range row {
				text, kind, value := noticeCell(v)
				if kind != tt.Columns[i].Kind { // a column of mixed cells is text
					value = text
				}
				cells[i] = value
			}
			tt.Rows[r] = cells
		}
		out[ti] = tt
	}
	return out
}

// noticeBody is the notice's text as the HTML of a one-column document:
// the salutation, the paragraphs, each table under its heading, and the
// closing. The title, the issuer and the date are the document's own
// fields, set around it. Every text is escaped.
func noticeBody(n *scoring.Notice) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	if n.Salutation != "" {
		fmt.Fprintf(&b, "<p class=\"salutation\">%s</p>\n", esc(n.Salutation))
	}
	for _, p := range n.Paragraphs {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
	}
	for i, t := range n.Tables {
		id := fmt.Sprintf("notice-table-%d", i+1)
		fmt.Fprintf(&b, "<h2 id=\"%s\">%s</h2>\n", id, esc(t.Heading))
		if len(t.Rows) == 0 {
			b.WriteString("<p>（本期无。）</p>\n")
			continue
		}
		fmt.Fprintf(&b, "<table aria-labelledby=\"%s\">\n<thead><tr>", id)
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "<th scope=\"col\"%s>%s</th>", numClass(c.Numeric), esc(c.Header))
		}
		b.WriteString("</tr></thead>\n<tbody>\n")
		for _, row := range t.Rows {
			b.WriteString("<tr>")
			for i, v := range row {
				text, _, _ := noticeCell(v)
				fmt.Fprintf(&b, "<td%s>%s</td>", numClass(i < len(t.Columns) && t.Columns[i].Numeric), esc(text))
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</tbody>\n</table>\n")
	}
	for _, p := range n.Closing {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
	}
	return template.HTML(b.String())
}

func numClass(numeric bool) string {
	if numeric {
		return ` class="num"`
	}
	return ""
}
