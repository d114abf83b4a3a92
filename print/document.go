package print

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Document is a one-column official document: a notice (通报) ranking units
// and staff, and later a certificate or an attendance report. It is set the
// way Chinese government documents are: a centred title block on the first
// page, paragraphs indented by two characters, the issuer and the date at the
// end, and "— 1 —" page numbers.
type Document struct {
	Title    string    // e.g. 关于2026年11月全省司法行政宣传工作积分情况的通报; required, centred, may wrap
	Number   string    // 文号, e.g. 冀司宣〔2026〕12号; optional, centred under the title
	Issuer   string    // e.g. 河北省司法厅宣传中心; required, signs the end and runs in the foot
	Date     time.Time // 落款日期, printed 2026年12月3日; required
	Body     string    // sanitized HTML: p, h2, h3, ol/ul/li, table (thead/tbody/th/td), strong
	PageSize string    // "" or "A4" (default), "A3", "A5", "B5" (JIS) or "Letter"
}

// RenderDocument typesets d in portrait and returns the PDF with its page
// count (Result.ArticlePages stays empty). Invalid input, such as an empty
// body or text the print fonts cannot draw, gives a herald.EINVALID error
// naming each bad field.
//
// Tables fill the measure with columns as wide as their content asks for;
// a table that runs onto another page repeats its header rows there, a row
// is never cut across pages unless it is taller than a page, and cells
// holding a number, a percentage or a signed decimal are set right-aligned.
func RenderDocument(d Document) (Result, error) {
	fc, err := loadFace()
	if err != nil {
		return Result{}, err
	}
	l, err := layoutDocument(fc, d)
	if err != nil {
		return Result{}, err
	}
	pdf, err := l.writePDF(pdfInfo{title: strings.TrimSpace(d.Title), author: strings.TrimSpace(d.Issuer), date: d.Date}, nil)
	if err != nil {
		return Result{}, err
	}
	return Result{PDF: pdf, Pages: len(l.pages)}, nil
}

// layoutDocument checks d and builds its pages, furniture included.
func layoutDocument(fc *face, d Document) (*documentLayout, error) {
	size, blocks, err := prepareDocument(fc, d)
	if err != nil {
		return nil, err
	}
	l := &documentLayout{composer: composer{fc: fc, g: documentGeom(size)}, d: d}
	l.layout(blocks)
	l.furniture()
	return l, nil
}

func prepareDocument(fc *face, d Document) ([2]float64, []block, error) {
	var p herald.Problems
	size := pageSize(&p, d.PageSize)
	if strings.TrimSpace(d.Title) == "" {
		p.Add("title", "the document needs a title")
	}
	checkGlyphs(&p, fc, "title", d.Title)
	checkGlyphs(&p, fc, "number", d.Number)
	if strings.TrimSpace(d.Issuer) == "" {
		p.Add("issuer", "the document needs an issuer to sign it")
	}
	checkGlyphs(&p, fc, "issuer", d.Issuer)
	if d.Date.IsZero() {
		p.Add("date", "the document needs a date")
	}
	blocks, err := parseBody(d.Body)
	switch {
	case err != nil:
		p.Add("body", "the body is not readable HTML: %v", err)
	case strings.TrimSpace(strings.Join(blockTexts(blocks), "")) == "":
		p.Add("body", "the body is empty: a document needs text to print")
	}
	for _, b := range blocks {
		if b.kind == blockImage {
			// A document carries no image data: refuse rather than leave a hole.
			p.Add("body", "a document prints no pictures (found an image %q)", b.src)
			break
		}
	}
	checkGlyphs(&p, fc, "body", blockTexts(blocks)...)
	if err := p.Err(); err != nil {
		return size, nil, err
	}
	return size, blocks, nil
}

// The styles of a document: 12 pt body text, 18 pt title, 10.5 pt tables.
var (
	docTitle     = style{size: 18, lead: 10.5, color: black, bold: true}
	docNumber    = style{size: 12, lead: 7.5, color: ink}
	docBody      = style{size: 12, lead: 7.6, color: ink}
	docTable     = style{size: 10.5, lead: 5.4, color: ink}
	docTableHead = style{size: 10.5, lead: 5.4, color: black, bold: true}
	docFoot      = style{size: 8.5, lead: 4, color: grey}
	docFolio     = style{size: 9, lead: 5, color: ink}

	docText = textStyles{
		body:  docBody,
		quote: style{size: 11.5, lead: 7.2, color: grey},
		h2:    style{size: 13.5, lead: 8.6, color: black, bold: true},
		h3:    style{size: 12, lead: 7.6, color: black, bold: true},
		// Chinese documents separate paragraphs by their indent, not by space.
		paraGap: 0.6, headGap: 4, itemGap: 0.6,
	}
)

// documentGeom is the page of a document: generous margins (on A4 a text
// block of 156 mm by 232 mm, close to GB/T 9704's 156 by 225) and a foot
// below the text for the issuer and the page number.
func documentGeom(size [2]float64) geom {
	pw, ph := size[0], size[1]
	g := geom{pw: pw, ph: ph}
	margin := math.Round(pw*0.13*10) / 10
	g.left, g.textW = margin, pw-2*margin
	g.colW = g.textW
	g.top, g.bottom = ph*0.11, ph-ph*0.11
	g.folioY = ph - ph*0.05
	return g
}

// documentLayout is a document being laid out.
type documentLayout struct {
	composer
	d Document
}

// layout sets the title block, the body and the signature in one flow, so
// the title block is on the first page only and the signature never stands
// alone on the last.
func (l *documentLayout) layout(blocks []block) {
	g := l.g
	l.newPage("")
	var boxes []box
	title := l.balancedLines(strings.TrimSpace(l.d.Title), docTitle, g.textW)
	for _, ln := range title {
		boxes = append(boxes, box{h: docTitle.lead, keep: true, draw: func(p *page, x, y float64) {
			p.add(l.textOp(ln, docTitle, x, y, g.textW, alignCenter))
		}})
	}
	if num := strings.TrimSpace(l.d.Number); num != "" {
		bs := l.paraBoxes(num, docNumber, g.textW, 0, 0, alignCenter, 3, true)
		for i := range bs {
			bs[i].keep = true
		}
		boxes = append(boxes, bs...)
	}
	boxes = append(boxes, box{before: 3, h: 7, keep: true, draw: func(p *page, x, y float64) {
		p.add(op{kind: opRule, x: x, y: y + 2, x2: x + g.textW, y2: y + 2, color: red, lineW: 0.5})
	}})

	ts := docText
	ts.width = g.textW
	afterTable := false
	for _, b := range blocks {
		if b.kind == blockTable {
			boxes = append(boxes, l.tableBoxes(b, keptHeight(boxes))...)
			afterTable = true
			continue
		}
		bs := l.textBlockBoxes(b, ts)
		if afterTable && len(bs) > 0 {
			bs[0].before += 3
			afterTable = false
		}
		boxes = append(boxes, bs...)
	}
	boxes[len(boxes)-1].keep = true

	// The issuer and the date end the document, two characters in from the
	// right margin, after a blank line.
	em := docBody.size * mmPerPt
	sign := func(text string, before float64, keep bool) box {
		ln := line{text: text, width: l.fc.width(text, docBody.size)}
		return box{before: before, h: docBody.lead, keep: keep, draw: func(p *page, x, y float64) {
			p.add(l.textOp(ln, docBody, x, y, g.textW-2*em, alignRight))
		}}
	}
	boxes = append(boxes,
		sign(strings.TrimSpace(l.d.Issuer), 2*docBody.lead, true),
		sign(chineseDate(l.d.Date), 0, false))
	l.flow(boxes, 1, "")
}

// balancedLines breaks a title into as few lines as at full width, but with
// the lines as even as can be, so that a wrapped title does not end in a
// lone word or two.
func (l *documentLayout) balancedLines(text string, st style, width float64) []line {
	best := l.lines(text, st, width, 0)
	if len(best) < 2 {
		return best
	}
	lo, hi := width/float64(len(best)), width
	for range 24 {
		mid := (lo + hi) / 2
		if ls := l.lines(text, st, mid, 0); len(ls) <= len(best) {
			best, hi = ls, mid
		} else {
			lo = mid
		}
	}
	return best
}

// keptHeight is the height of the boxes at the end of boxes that are kept
// with what follows.
func keptHeight(boxes []box) float64 {
	h := 0.0
	for i := len(boxes) - 1; i >= 0 && boxes[i].keep; i-- {
		h += boxes[i].h + boxes[i].before
	}
	return h
}

// tableBoxes sets table b as a long table (see longTable) after boxes kept
// kept millimetres high.
func (l *documentLayout) tableBoxes(b block, kept float64) []box {
	g := l.g
	bs := l.longTable(b, l.tableGrid(b), g.bottom-g.top, kept+3)
	bs[0].before = 3
	return bs
}

// tableGrid is how a document sets table b: across the full measure, header
// rows bold on a shaded ground and centred, numbers right-aligned (with the
// dashes that stand for no value in their columns), other cells left.
func (l *documentLayout) tableGrid(b block) *grid {
	g, pad := l.g, 1.6
	numbers := map[int]bool{}
	for _, r := range b.rows[min(b.headRows, len(b.rows)):] {
		for i, cell := range r {
			numbers[i] = numbers[i] || isNumeric(cell)
		}
	}
	return &grid{
		widths: l.autoWidths(b.rows, docTable, docTableHead, b.headRows, pad, g.textW),
		width:  g.textW, pad: pad, body: docTable, head: docTableHead,
		align: func(col int, cell string, header bool) align {
			switch {
			case header:
				return alignCenter
			case isNumeric(cell), numbers[col] && isPlaceholder(cell):
				return alignRight
			}
			return alignLeft
		},
	}
}

// furniture adds the running foot to every page: a hairline, the issuer on
// the left and the document number on the right, and the page number centred
// below them.
func (l *documentLayout) furniture() {
	g := l.g
	footY := g.bottom + 6
	half := g.textW/2 - 4
	for i, p := range l.pages {
		p.add(op{kind: opRule, x: g.left, y: footY, x2: g.left + g.textW, y2: footY, color: grey, lineW: 0.25})
		if s := strings.TrimSpace(l.d.Issuer); s != "" {
			p.add(l.textOp(l.fitLine(s, docFoot, half), docFoot, g.left, footY+0.8, g.textW, alignLeft))
		}
		if s := strings.TrimSpace(l.d.Number); s != "" {
			p.add(l.textOp(l.fitLine(s, docFoot, half), docFoot, g.left, footY+0.8, g.textW, alignRight))
		}
		folio := "— " + strconv.Itoa(i+1) + " —"
		p.add(l.textOp(line{text: folio, width: l.fc.width(folio, docFolio.size)}, docFolio, g.left, g.folioY-docFolio.lead/2, g.textW, alignCenter))
	}
}
