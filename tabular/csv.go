package tabular

import (
	"encoding/csv"
	"io"
	"strings"
)

// bom starts every CSV file: without it Excel and WPS on Chinese Windows
// read UTF-8 as the local code page (GBK) and show the Chinese garbled.
const bom = "\uFEFF"

// WriteCSV writes the table as RFC 4180 CSV: UTF-8 after a byte order mark,
// lines ended by CRLF, the header first (the title is left out). Numbers are
// written plainly (1234, 0.50, 12.5%, -3), dates as 2006-01-02. Text that a
// spreadsheet would take for a formula (starting with =, +, -, @, a tab or a
// carriage return) gets a leading apostrophe, so that opening an export
// never runs what a user typed (OWASP's CSV injection). The table is checked
// before anything is written.
func WriteCSV(w io.Writer, t Table) error {
	rows, err := t.cells()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	write := func(record []string) error {
		if len(record) == 1 && record[0] == "" {
			// encoding/csv writes a lone empty cell as an empty line, which
			// readers skip: the row would be lost.
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			_, err := io.WriteString(w, "\"\"\r\n")
			return err
		}
		return cw.Write(record)
	}
	record := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		record[i] = defuse(c.Header)
	}
	if err := write(record); err != nil {
		return err
	}
	for _, row := range rows {
		for i, c := range row {
			record[i] = c.format(t.Columns[i], false)
			if t.Columns[i].Kind == Text {
				record[i] = defuse(record[i])
			}
		}
		if err := write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse prefixes text that a spreadsheet would evaluate with an apostrophe,
// which makes it show as the text it is.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
