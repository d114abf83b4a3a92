package tabular

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestCSVGolden compares the channel report with testdata/reads.csv (go test
// -update rewrites it).
func TestCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, reads()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "reads.csv")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the CSV differs from %s:\n%s", path, b.Bytes())
	}
}

func TestCSVForm(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, reads()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\xEF\xBB\xBF日期,") {
		t.Errorf("no BOM before the header: %q", out[:min(len(out), 20)])
	}
	if strings.Count(out, "\r\n") != 7 || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Errorf("not CRLF throughout (7 line ends, one inside a quoted cell): %q", out)
	}
	if strings.Contains(out, "2026年11月") {
		t.Error("the title is in the CSV")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, bom)))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"日期", "渠道", "阅读量", "平均阅读时长（秒）", "占比"},
		{"2026-11-26", "网站", "48210", "73.3", "26.6%"},
		{"2026-11-26", "手机", "91377", "41.0", "50.4%"},
		{"2026-11-27", `'=HYPERLINK("http://evil.example","点击")`, "5120", "12.5", "2.8%"},
		{"2026-11-27", `微博, "热搜"`, "-1234", "-0.5", "-1.0%"},
		{"", "公众号\n（服务号）", "", "", ""},
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d", len(records), len(want))
	}
	for i := range want {
		if strings.Join(records[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, records[i], want[i])
		}
	}
}

// TestCSVInjection checks OWASP's list: text that a spreadsheet would run
// starts with an apostrophe; numbers, also negative ones, stay numbers.
func TestCSVInjection(t *testing.T) {
	for _, c := range []struct {
		kind  Kind
		value any
		want  string
	}{
		{Text, "=1+1", "'=1+1"},
		{Text, `=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{Text, "+86 311 1234", "'+86 311 1234"},
		{Text, "-2+3", "'-2+3"},
		{Text, "@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{Text, "\t=1", "'\t=1"},
		{Text, "\r=1", "'=1"}, // CSV with CRLF line ends drops a lone CR
		{Text, "3-2", "3-2"},
		{Text, "石家庄市司法局", "石家庄市司法局"},
		{Text, "", ""}, // as "", not as an empty line that readers skip
		{Text, nil, ""},
		{Text, "＝1+1", "＝1+1"}, // a fullwidth equals sign is not a formula
		{Int, -5, "-5"},
		{Float, -0.5, "-0.50"},
		{Percent, -0.25, "-25.00%"},
	} {
		var b bytes.Buffer
		table := Table{Name: "t", Columns: []Column{{Header: "=header", Kind: c.kind, Decimals: 2}}, Rows: [][]any{{c.value}}}
		if err := WriteCSV(&b, table); err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if records[0][0] != "'=header" {
			t.Errorf("header %q", records[0][0])
		}
		if got := records[1][0]; got != c.want {
			t.Errorf("%v %q is written %q, want %q", c.kind, c.value, got, c.want)
		}
	}
}

// TestCSVRefusesBadRows writes nothing for a table with a bad row.
func TestCSVRefusesBadRows(t *testing.T) {
	table := reads()
	table.Rows = append(table.Rows, []any{day(28), "网站", 1})
	var b bytes.Buffer
	err := WriteCSV(&b, table)
	if err == nil || err.Error() != `tabular: invalid table: table "各渠道阅读量" row 6 has 3 cells for 5 columns` {
		t.Errorf("error %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %d bytes before refusing", b.Len())
	}
}
