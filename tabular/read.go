package tabular

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads every sheet of an XLSX file as text, by sheet name: each
// cell as the spreadsheet shows it (1,234 · 12.5% · 2026-11-26), rows and
// cells without trailing empty ones. It is for tests and for reconciling an
// export with its source, not for importing data.
func ReadXLSX(r io.Reader) (map[string][][]string, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			return nil, err
		}
		sheets[name] = rows
	}
	return sheets, nil
}
