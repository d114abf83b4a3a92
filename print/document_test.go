package print

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// noticeUnits are the units ranked by the sample notice: cities, offices of
// the department and county bureaus, one with a long name.
var noticeUnits = []string{
	"石家庄市司法局", "唐山市司法局", "秦皇岛市司法局", "邯郸市司法局", "邢台市司法局",
	"保定市司法局", "张家口市司法局", "承德市司法局", "沧州市司法局", "廊坊市司法局",
	"衡水市司法局", "定州市司法局", "辛集市司法局", "雄安新区公共服务局", "省司法厅办公室",
	"省司法厅法治调研处", "省司法厅普法与依法治理处", "省司法厅公共法律服务管理处", "省司法厅律师工作处", "省司法厅人民参与和促进法治处",
	"省监狱管理局", "省戒毒管理局", "省法律援助中心", "河北司法警官职业学院", "正定县司法局",
	"栾城区司法局", "迁安市司法局", "遵化市司法局", "北戴河区司法局", "武安市司法局",
	"涉县司法局", "南宫市司法局", "涿州市司法局", "蔚县司法局", "围场满族蒙古族自治县司法局",
	"任丘市司法局", "黄骅市司法局", "三河市司法局", "固安县司法局", "枣强县司法局",
}

var (
	noticeSurnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
	noticeGiven    = []string{"建国", "丽娟", "志强", "海燕", "文博", "静怡", "晓东"}
	noticeRemarks  = []string{
		"采写的普法稿件被《法治日报》头版采用",
		"策划“法律明白人”系列短视频，累计播放量超过12.6万次，获评月度优秀作品",
		"报送信息及时准确",
		"参与全省公共法律服务体系建设专题报道，撰写的调研文章被司法部网站转载，并在全省司法行政宣传工作会议上作经验交流",
		"在“美丽乡村·法治同行”主题活动中完成现场直播3场",
	}
)

// unitHeader and staffHeader are the header rows of the notice's two tables.
var (
	unitHeader  = []string{"排名", "单位", "报送稿件", "采用稿件", "采用率", "积分", "环比"}
	staffHeader = []string{"排名", "姓名", "单位", "积分", "备注"}
)

// noticeRows returns the rows of the unit and the staff tables.
func noticeRows(units, staff int) (u, s [][]string) {
	for i := range units {
		sent := 160 - i*3
		used := sent*5/8 - i%3
		change := fmt.Sprintf("%+.1f%%", float64((i*37)%41-15)/2)
		u = append(u, []string{fmt.Sprint(i + 1), noticeUnits[i%len(noticeUnits)], fmt.Sprint(sent), fmt.Sprint(used),
			fmt.Sprintf("%.1f%%", float64(used)*100/float64(sent)), fmt.Sprintf("%.2f", 986.5-float64(i)*17.25), change})
	}
	for i := range staff {
		name := string(noticeSurnames[i%len(noticeSurnames)]) + noticeGiven[i%len(noticeGiven)]
		remark := noticeRemarks[i%len(noticeRemarks)] + fmt.Sprintf("（积分编号J2026-%03d）", i+1)
		s = append(s, []string{fmt.Sprint(i + 1), name, noticeUnits[(i*7)%len(noticeUnits)], fmt.Sprintf("%.1f", 312.4-float64(i)*4.3), remark})
	}
	return u, s
}

func htmlTable(header []string, rows [][]string) string {
	var sb strings.Builder
	sb.WriteString("<table><thead><tr>")
	for _, h := range header {
		sb.WriteString("<th>" + h + "</th>")
	}
	sb.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		sb.WriteString("<tr>")
		for _, c := range r {
			sb.WriteString("<td>" + c + "</td>")
		}
		sb.WriteString("</tr>\n")
	}
	sb.WriteString("</tbody></table>")
	return sb.String()
}

// sampleNotice is a monthly ranking notice with a table of units and a table
// of staff, long enough to run over several pages.
func sampleNotice(units, staff int) Document {
	u, s := noticeRows(units, staff)
	body := `<p class="salutation">各市（含定州、辛集市）司法局，厅机关各处室：</p>
<p>为深入贯彻落实全省司法行政宣传工作会议精神，充分调动各地各单位做好宣传工作的积极性，根据《河北省司法行政宣传工作激励办法（试行）》，现将2026年11月全省司法行政系统宣传工作积分情况通报如下。</p>
<h2>一、单位积分排名</h2>
<p>11月，全省各单位共报送稿件<strong>4,386</strong>篇，被采用2,741篇，采用率62.5%，较上月提高3.2个百分点。</p>` +
		htmlTable(unitHeader, u) +
		`<h2>二、个人积分排名</h2><p>个人积分前60名如下，积分相同的按采用稿件数排列。</p>` +
		htmlTable(staffHeader, s) +
		`<h2>三、有关要求</h2><ol><li>各单位要对照排名查找差距，进一步健全宣传信息报送机制。</li><li>积分情况将作为年度宣传工作考核和评先评优的重要依据，请于12月15日前将意见反馈至省司法厅宣传中心。</li></ol>`
	return Document{
		Title:  "关于2026年11月全省司法行政宣传工作积分情况的通报",
		Number: "冀司宣〔2026〕12号",
		Issuer: "河北省司法厅宣传中心",
		Date:   time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		Body:   body,
	}
}

// pdfPages renders d, checks pdfinfo's page count, size and fonts, and
// returns the text of each page as pdftotext -layout reads it.
func pdfPages(t *testing.T, d Document) (Result, []string) {
	t.Helper()
	needTool(t, "pdftotext")
	res, err := RenderDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	_, pages := checkPDF(t, res)
	return res, pages
}

// lineIndex returns the index of the first line of page whose text, without
// spaces, is want or starts with it; -1 if none.
func lineIndex(page, want string, prefix bool) int {
	for i, l := range strings.Split(page, "\n") {
		if s := squash(l); s == want || prefix && strings.HasPrefix(s, want) {
			return i
		}
	}
	return -1
}

func TestRenderNotice(t *testing.T) {
	d := sampleNotice(40, 60)
	res, pages := pdfPages(t, d)
	if res.Pages < 4 {
		t.Fatalf("%d pages: the two tables should run over several", res.Pages)
	}

	title, number := squash(d.Title), squash(d.Number)
	for i, text := range pages {
		n, flat := i+1, squash(text)
		if (n == 1) != strings.Contains(flat, title) {
			t.Errorf("page %d: the title block belongs to page 1 only", n)
		}
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^\s*—\s*%d\s*—\s*$`, n)).MatchString(text) {
			t.Errorf("page %d: no page number — %d — on a line of its own", n, n)
		}
		if !strings.Contains(flat, squash(d.Issuer)) || !strings.Contains(flat, number) {
			t.Errorf("page %d: the foot lacks the issuer or the number", n)
		}
	}
	first := strings.Split(strings.TrimLeft(pages[0], " \n"), "\n")
	if got := squash(first[0] + first[1]); got != title {
		t.Errorf("page 1 should open with the title on two lines, got %q", got)
	}
	if i := strings.Index(squash(pages[0]), number); i < 0 || i > len(title)+len(number) {
		t.Errorf("the number should follow the title on page 1")
	}
	last := squash(pages[len(pages)-1])
	if !strings.HasSuffix(strings.TrimSuffix(last, fmt.Sprintf("%s%s—%d—", squash(d.Issuer), number, len(pages))), squash(d.Issuer)+"2026年12月3日") {
		t.Errorf("the last page should end with the issuer and the date, then the foot: %q", last[max(0, len(last)-120):])
	}

	// The addressees start at the margin; a paragraph two characters in.
	indent := func(start string) int {
		t.Helper()
		for _, l := range strings.Split(pages[0], "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), start) {
				return len(l) - len(strings.TrimLeft(l, " "))
			}
		}
		t.Fatalf("page 1 has no line starting %q", start)
		return 0
	}
	if to, para := indent("各市"), indent("为深入"); to >= para {
		t.Errorf("the addressees are indented like a paragraph (%d and %d columns)", to, para)
	}

	units, staff := noticeRows(40, 60)
	// Every row of the unit table is one line, all its cells in order, on one
	// page; the header row heads the table on every page it runs on.
	checkTable := func(name string, header []string, rows [][]string, key func(r []string) string) {
		t.Helper()
		head := squash(strings.Join(header, ""))
		spans := map[int]int{} // page → first row line
		for _, r := range rows {
			found := -1
			for p, text := range pages {
				if i := lineIndex(text, key(r), true); i >= 0 {
					if found >= 0 {
						t.Errorf("%s row %s on pages %d and %d", name, r[0], found+1, p+1)
					}
					found = p
					if _, ok := spans[p]; !ok {
						spans[p] = i
					}
				}
			}
			if found < 0 {
				t.Errorf("%s row %q not found on one line", name, key(r))
			}
		}
		if len(spans) < 2 {
			t.Errorf("%s table spans %d page(s): it should break", name, len(spans))
		}
		for p, rowLine := range spans {
			h := lineIndex(pages[p], head, false)
			if h < 0 || h > rowLine {
				t.Errorf("%s table on page %d: header row %q not above its rows", name, p+1, head)
			}
			if n := strings.Count(squash(pages[p]), head); n != 1 {
				t.Errorf("%s table on page %d: header row printed %d times", name, p+1, n)
			}
		}
	}
	checkTable("unit", unitHeader, units, func(r []string) string { return squash(strings.Join(r, "")) })
	checkTable("staff", staffHeader, staff, func(r []string) string { return squash(strings.Join(r[:4], "")) })

	// A staff row's remark wraps; its end is on the page of its start.
	wrapped := 0
	for _, r := range staff {
		key, end := squash(strings.Join(r[:4], "")), r[4][strings.Index(r[4], "J2026"):]
		for _, text := range pages {
			if i := lineIndex(text, key, true); i >= 0 {
				if !strings.Contains(squash(text), end) {
					t.Errorf("staff row %s is split across pages: %q is not on the page of its start", r[0], end)
				}
				if !strings.Contains(strings.Split(text, "\n")[i], end[:5]) {
					wrapped++
				}
			}
		}
	}
	if wrapped < len(staff)/2 {
		t.Errorf("only %d remarks wrap: the test wants rows several lines high", wrapped)
	}
	all := squash(strings.Join(pages, ""))
	for _, s := range []string{"4,386篇", "采用率62.5%", "1.各单位要对照排名查找差距", "2.积分情况将作为年度宣传工作考核"} {
		if !strings.Contains(all, s) {
			t.Errorf("text not found: %s", s)
		}
	}
}

// cellOp is a line of a table cell as laid out.
type cellOp struct {
	col  int
	x, w float64
	y    float64
	text string
	head bool
}

// tableOps returns the text lines set in the table cells of page p, with
// the column each falls in.
func tableOps(l *documentLayout, p *page, t *grid) []cellOp {
	var out []cellOp
	for _, o := range p.ops {
		if o.kind != opText || o.st != docTable && o.st != docTableHead {
			continue
		}
		w := l.fc.width(o.text, o.st.size)
		col, x := -1, l.g.left
		for i, cw := range t.widths {
			if o.x+w/2 >= x && o.x+w/2 < x+cw {
				col = i
			}
			x += cw
		}
		out = append(out, cellOp{col: col, x: o.x, w: w, y: o.y, text: o.text, head: o.st == docTableHead})
	}
	return out
}

func startsCell(rows [][]string, text string) bool {
	for _, r := range rows {
		for _, c := range r {
			if strings.HasPrefix(c, text) {
				return true
			}
		}
	}
	return false
}

// Cells of Chinese, Latin and numbers wrap inside their columns by the
// kinsoku rules, numbers line up on the right, text on the left.
func TestDocumentTableCells(t *testing.T) {
	rows := [][]string{
		{"石家庄市司法局", "联合Legal Aid Foundation开展“法律明白人”培训，覆盖4.9万个村（社区），群众可拨打12348热线咨询，详见https://www.hebeisf.gov.cn/xwzx/2026/0801.html。", "1,234", "+12.25%"},
		{"唐山市司法局法律援助中心", "COVID-19期间推行远程视频公证（每周一至周五），办理公证事项2019件。", "-3.5", "0.5%"},
		{"定州", "完成。", "7", "−0.75"},
		{"辛集", "—", "—", "0"},
	}
	d := Document{Title: "测试", Issuer: "河北省司法厅宣传中心", Date: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		Body: htmlTable([]string{"单位", "情况说明", "数量", "占比"}, rows)}
	fc, err := loadFace()
	if err != nil {
		t.Fatal(err)
	}
	l, err := layoutDocument(fc, d)
	if err != nil {
		t.Fatal(err)
	}
	blocks, _ := parseBody(d.Body)
	tg := l.tableGrid(blocks[0])
	if got := sum(tg.widths); math.Abs(got-l.g.textW) > 1e-6 {
		t.Errorf("the table is %.2f mm wide, the measure %.2f", got, l.g.textW)
	}
	if len(l.pages) != 1 {
		t.Fatalf("%d pages, want 1", len(l.pages))
	}
	ops := tableOps(l, l.pages[0], tg)
	left := []float64{l.g.left}
	for _, w := range tg.widths {
		left = append(left, left[len(left)-1]+w)
	}
	const eps = 0.01
	perCol := map[int][]cellOp{}
	for _, o := range ops {
		if o.col < 0 {
			t.Fatalf("%q is outside the table", o.text)
		}
		lo, hi := left[o.col]+tg.pad, left[o.col+1]-tg.pad
		if o.x < lo-eps || o.x+o.w > hi+eps {
			t.Errorf("%q (%.1f–%.1f mm) overflows its cell (%.1f–%.1f mm)", o.text, o.x, o.x+o.w, lo, hi)
		}
		// No closing punctuation starts a line (but the first of a cell,
		// such as a lone dash), no opening punctuation ends one.
		rs := []rune(o.text)
		if isClosing(rs[0]) && !startsCell(rows, o.text) || isOpening(rs[len(rs)-1]) {
			t.Errorf("line %q breaks the kinsoku rules", o.text)
		}
		switch {
		case o.head:
			if mid := (lo + hi) / 2; math.Abs(o.x+o.w/2-mid) > eps {
				t.Errorf("header %q is not centred", o.text)
			}
		case isNumeric(o.text), o.col >= 2 && isPlaceholder(o.text):
			if math.Abs(o.x+o.w-hi) > eps {
				t.Errorf("number %q is not right-aligned", o.text)
			}
		default:
			if math.Abs(o.x-lo) > eps {
				t.Errorf("text %q is not left-aligned", o.text)
			}
			perCol[o.col] = append(perCol[o.col], o)
		}
	}
	// Read back, column by column, the text cells are the cells.
	for col := range 2 {
		cs := perCol[col]
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].y < cs[j].y })
		var got, want strings.Builder
		for _, o := range cs {
			got.WriteString(o.text)
		}
		for _, r := range rows {
			want.WriteString(r[col])
		}
		if squash(got.String()) != squash(want.String()) {
			t.Errorf("column %d reads %q, want %q", col, got.String(), want.String())
		}
		if col == 1 && len(cs) < 6 {
			t.Errorf("the long cells should wrap: %d lines", len(cs))
		}
	}
	// The short first column is not squeezed by the long second one.
	if len(perCol[0]) != len(rows) {
		t.Errorf("unit names wrapped: %d lines for %d rows", len(perCol[0]), len(rows))
	}

	// And the PDF reads back line by line.
	_, pages := pdfPages(t, d)
	flat := squash(pages[0])
	for _, o := range ops {
		if !strings.Contains(flat, squash(o.text)) {
			t.Errorf("line %q not in the PDF text", o.text)
		}
	}
}

// A row taller than a page is cut between lines; everything else keeps.
func TestDocumentRowTallerThanPage(t *testing.T) {
	var long []string
	for i := range 150 {
		long = append(long, fmt.Sprintf("第%d项工作已按要求完成。", i+1))
	}
	d := sampleNotice(1, 0)
	d.Body = htmlTable([]string{"事项", "说明"}, [][]string{{"汇总", strings.Join(long, "<br>")}, {"合计", "150"}})
	_, pages := pdfPages(t, d)
	if len(pages) < 3 {
		t.Fatalf("%d pages, want the row over at least 3", len(pages))
	}
	all := squash(strings.Join(pages, ""))
	for i := range 150 {
		if !strings.Contains(all, fmt.Sprintf("第%d项工作已按要求完成。", i+1)) {
			t.Errorf("line %d lost", i+1)
		}
	}
	for p, text := range pages[1:] {
		if lineIndex(text, "事项说明", false) < 0 {
			t.Errorf("page %d: the header row is not repeated", p+2)
		}
	}
}

func TestRenderDocumentRejects(t *testing.T) {
	good := func() Document {
		return Document{Title: "关于积分情况的通报", Issuer: "河北省司法厅宣传中心",
			Date: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), Body: "<p>正文。</p>"}
	}
	tests := []struct {
		name   string
		change func(*Document)
		field  string
		says   string
	}{
		{"empty body", func(d *Document) { d.Body = "" }, "body", "the body is empty"},
		{"blank body", func(d *Document) { d.Body = " <p> \n </p><ul><li> </li></ul>" }, "body", "the body is empty"},
		{"table of empty cells", func(d *Document) { d.Body = "<table><tr><td> </td></tr></table>" }, "body", "the body is empty"},
		{"glyph missing in a cell", func(d *Document) {
			d.Body = "<table><tr><th>单位</th></tr><tr><td>藏文ཀ</td></tr></table>"
		}, "body", `"ཀ" (U+0F40)`},
		{"character outside the BMP", func(d *Document) { d.Body = "<p>表情😀</p>" }, "body", "U+1F600"},
		{"glyph missing in the title", func(d *Document) { d.Title += "ཀ" }, "title", "U+0F40"},
		{"no title", func(d *Document) { d.Title = " " }, "title", "needs a title"},
		{"no issuer", func(d *Document) { d.Issuer = "" }, "issuer", "issuer"},
		{"no date", func(d *Document) { d.Date = time.Time{} }, "date", "date"},
		{"a picture", func(d *Document) { d.Body += `<img src="/media/x.png">` }, "body", "no pictures"},
		{"unknown page size", func(d *Document) { d.PageSize = "A0" }, "page_size", "A0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.change(&d)
			_, err := RenderDocument(d)
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.EINVALID {
				t.Fatalf("want an EINVALID error, got %v", err)
			}
			for _, f := range he.Fields {
				if f.Field == tt.field && strings.Contains(f.Message, tt.says) {
					return
				}
			}
			t.Errorf("no field %s saying %q in %+v", tt.field, tt.says, he.Fields)
		})
	}
	// The same message as for an issue.
	_, err := RenderDocument(Document{Title: "通报", Issuer: "中心", Date: time.Now(), Body: "<p>ཀ</p>"})
	if err == nil || !strings.Contains(err.Error(), `body: the print font has no glyph for "ཀ" (U+0F40)`) {
		t.Errorf("got %v", err)
	}
}

func TestIsNumeric(t *testing.T) {
	for s, want := range map[string]bool{
		"12": true, "-3.5": true, "+0.25": true, "1,234.5": true, "98.6%": true, "12‰": true, "−0.75": true,
		".5": true, "62.5 %": true, "0": true,
		"": false, "—": false, "12人": false, "第1名": false, "1,23": false, "1.2.3": false, "COVID-19": false, "2026-12-03": false,
	} {
		if got := isNumeric(s); got != want {
			t.Errorf("isNumeric(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestAutoWidths(t *testing.T) {
	fc, err := loadFace()
	if err != nil {
		t.Fatal(err)
	}
	c := &composer{fc: fc}
	long := strings.Repeat("参与全省公共法律服务体系建设专题报道", 4)
	tests := []struct {
		name  string
		rows  [][]string
		width float64
		check func(t *testing.T, w []float64)
	}{
		{"all fit: filled in proportion", [][]string{{"排名", "单位"}, {"1", "石家庄市司法局"}}, 150, func(t *testing.T, w []float64) {
			if w[1] <= w[0] {
				t.Errorf("widths %v: the longer column should be wider", w)
			}
		}},
		{"short columns whole", [][]string{{"排名", "姓名", "备注"}, {"12", "王建国", long}}, 150, func(t *testing.T, w []float64) {
			if most := fc.width("王建国", docTable.size) + 3.2; w[1] < most-1e-6 {
				t.Errorf("widths %v: the name column (%.1f) should not wrap", w, most)
			}
		}},
		{"nothing fits: shrink", [][]string{{long, long, long}}, 20, func(t *testing.T, w []float64) {
			if math.Abs(w[0]-w[1]) > 1e-6 {
				t.Errorf("widths %v: equal columns should stay equal", w)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := c.autoWidths(tt.rows, docTable, docTableHead, 1, 1.6, tt.width)
			if math.Abs(sum(w)-tt.width) > 1e-6 {
				t.Errorf("widths %v add up to %.3f, not %.3f", w, sum(w), tt.width)
			}
			tt.check(t, w)
		})
	}
}

// BenchmarkRenderDocument typesets notices of 100 and of 400 table rows.
func BenchmarkRenderDocument(b *testing.B) {
	for _, n := range []int{100, 400} {
		d := sampleNotice(n/2, n/2)
		b.Run(fmt.Sprintf("%d rows", n), func(b *testing.B) {
			var pages int
			for b.Loop() {
				res, err := RenderDocument(d)
				if err != nil {
					b.Fatal(err)
				}
				pages = res.Pages
			}
			b.ReportMetric(float64(pages), "pages")
		})
	}
}
