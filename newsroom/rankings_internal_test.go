package newsroom

import (
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/tabular"
)

// TestNoticeConversions checks that the notice's HTML and its sheets read
// each cell alike: points with two decimals, counts as whole numbers,
// percentages as fractions, and a column of mixed cells as text.
func TestNoticeConversions(t *testing.T) {
	n := &scoring.Notice{Title: "通报", Salutation: "各单位：", Paragraphs: []string{"现通报如下 <b>&</b>。"}, Closing: []string{"特此通报。"},
		Tables: []scoring.NoticeTable{
			{Name: "单位排名", Heading: "一、单位", Columns: []scoring.NoticeColumn{{Header: "名次", Numeric: true}, {Header: "单位", Numeric: false}, {Header: "总积分", Numeric: true}, {Header: "完成率", Numeric: true}},
				Rows: [][]any{{1, "甲", herald.Points(1250), "85%"}, {2, "乙", herald.Points(-300), "100%"}}},
			{Name: "混合", Heading: "二、混合", Columns: []scoring.NoticeColumn{{Header: "值", Numeric: true}}, Rows: [][]any{{3}, {herald.Points(5)}}},
			{Name: "空", Heading: "三、空", Columns: []scoring.NoticeColumn{{Header: "名次", Numeric: true}}},
		}}
	tables := noticeTables(n)
	if len(tables) != 3 {
		t.Fatalf("%d tables", len(tables))
	}
	cols := tables[0].Columns
	if cols[0].Kind != tabular.Int || cols[1].Kind != tabular.Text || cols[2].Kind != tabular.Float || cols[2].Decimals != 2 || cols[3].Kind != tabular.Percent {
		t.Errorf("the columns: %+v", cols)
	}
	if row := tables[0].Rows[1]; row[0] != 2 || row[2] != -3.0 || row[3] != 1.0 || tables[0].Title != "一、单位" {
		t.Errorf("the second row: %#v", row)
	}
	if mixed := tables[1]; mixed.Columns[0].Kind != tabular.Text || mixed.Rows[0][0] != "3" || mixed.Rows[1][0] != "0.05" {
		t.Errorf("the mixed table: %+v", mixed)
	}
	if tables[2].Columns[0].Kind != tabular.Int || len(tables[2].Rows) != 0 {
		t.Errorf("the empty table: %+v", tables[2])
	}
	body := string(noticeBody(n))
	for _, want := range []string{`<p class="salutation">各单位：</p>`, `<p>现通报如下 &lt;b&gt;&amp;&lt;/b&gt;。</p>`,
		`<h2 id="notice-table-1">一、单位</h2>`, `<table aria-labelledby="notice-table-1">`,
		`<tr><td class="num">1</td><td>甲</td><td class="num">12.50</td><td class="num">85%</td></tr>`,
		`<td class="num">-3.00</td>`, `<h2 id="notice-table-3">三、空</h2>`, "<p>（本期无。）</p>", "<p>特此通报。</p>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %s:\n%s", want, body)
		}
	}
	if got := rfc5987("积分通报-2026-Q4.xlsx"); got != "%E7%A7%AF%E5%88%86%E9%80%9A%E6%8A%A5-2026-Q4.xlsx" {
		t.Errorf("rfc5987: %s", got)
	}
	if got := rfc5987(`a b"';%`); got != "a%20b%22%27%3B%25" {
		t.Errorf("rfc5987 of reserved bytes: %s", got)
	}
}
