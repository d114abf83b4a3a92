package print

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// ptPerMM converts layout lengths to PDF user-space units for raw operators.
const ptPerMM = 72 / 25.4

// runningHead returns the head of page n (1-based): none on the cover, the
// periodical and issue on even (left-hand) pages, the article on odd ones.
func (d *doc) runningHead(n int, p *page) (text string, a align) {
	switch {
	case n == 1:
		return "", alignLeft
	case n%2 == 0:
		return d.issue.Title + "　" + issueLabel(d.issue), alignLeft
	default:
		return p.head, alignRight
	}
}

// furniture adds running heads and folios to every page but the cover.
func (d *doc) furniture() {
	g := d.g
	for i, p := range d.pages {
		n := i + 1
		if n == 1 {
			continue
		}
		if text, a := d.runningHead(n, p); text != "" {
			l := d.fitLine(text, stHead, g.textW)
			p.add(d.textOp(l, stHead, g.left, g.headY-stHead.lead, g.textW, a))
			p.add(op{kind: opRule, x: g.left, y: g.headY + 1, x2: g.left + g.textW, y2: g.headY + 1, color: grey, lineW: 0.25})
		}
		folio := "— " + strconv.Itoa(n) + " —"
		st := style{size: 9, lead: 5, color: ink}
		p.add(d.textOp(line{text: folio, width: d.fc.width(folio, st.size)}, st, g.left, g.folioY-st.lead/2, g.textW, alignCenter))
	}
}

func (d *doc) output(in *prepared) ([]byte, error) {
	d.furniture()
	return d.writePDF(pdfInfo{title: d.issue.Title + " " + issueLabel(d.issue), date: d.issue.Date}, in.images)
}

// pdfInfo is what the PDF says about itself.
type pdfInfo struct {
	title  string
	author string // optional
	date   time.Time
}

// writePDF writes the composed pages, with the fonts and images they draw.
func (c *composer) writePDF(info pdfInfo, images [][]pic) ([]byte, error) {
	g := c.g
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: g.pw, Ht: g.ph}})
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(info.date)
	pdf.SetModificationDate(info.date)
	pdf.SetTitle(info.title, true)
	pdf.SetCreator("Herald", true)
	if info.author != "" {
		pdf.SetAuthor(info.author, true)
	}
	for _, spec := range fontSpecs {
		pdf.AddUTF8FontFromBytes(spec.family, "", spec.ttf)
	}
	pdf.SetFont(fontSpecs[fontCJK].family, "", 10)
	for _, pics := range images {
		for _, pc := range pics {
			pdf.RegisterImageOptionsReader(pc.name, fpdf.ImageOptions{ImageType: pc.typ}, bytes.NewReader(pc.data))
		}
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("print: load font or images: %w", err)
	}
	for _, p := range c.pages {
		pdf.AddPage()
		for _, o := range p.ops {
			drawOp(pdf, c.fc, o)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("print: write pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func drawOp(pdf *fpdf.Fpdf, fc *face, o op) {
	switch o.kind {
	case opText:
		if o.text == "" {
			return
		}
		c := o.st.color
		pdf.SetTextColor(c[0], c[1], c[2])
		if o.st.bold {
			// One face has no bold: stroke the glyph outline as well.
			pdf.SetDrawColor(c[0], c[1], c[2])
			pdf.SetLineWidth(o.st.size * mmPerPt * 0.035)
			pdf.SetTextRenderingMode(2)
		}
		if o.spacing > 0 {
			pdf.RawWriteStr(fmt.Sprintf("%.4f Tc", o.spacing*ptPerMM))
		}
		// Each run of runes from one font is its own text object, advanced
		// by its measured width plus the justification added to each glyph.
		x := o.x
		for _, r := range fc.runs(o.text) {
			pdf.SetFont(fontSpecs[r.font].family, "", o.st.size)
			if o.wordSpacing == 0 {
				pdf.Text(x, o.y, r.text)
				x += r.em*o.st.size*mmPerPt + float64(r.n)*o.spacing
				continue
			}
			for _, w := range strings.SplitAfter(r.text, " ") {
				if w == "" {
					continue
				}
				pdf.Text(x, o.y, w)
				x += fc.width(w, o.st.size) + float64(utf8.RuneCountInString(w))*o.spacing
				if strings.HasSuffix(w, " ") {
					x += o.wordSpacing
				}
			}
		}
		if o.spacing > 0 {
			pdf.RawWriteStr("0 Tc")
		}
		if o.st.bold {
			pdf.SetTextRenderingMode(0)
		}
	case opRule:
		pdf.SetDrawColor(o.color[0], o.color[1], o.color[2])
		pdf.SetLineWidth(o.lineW)
		pdf.Line(o.x, o.y, o.x2, o.y2)
	case opFill:
		pdf.SetFillColor(o.color[0], o.color[1], o.color[2])
		pdf.Rect(o.x, o.y, o.w, o.h, "F")
	case opImage:
		pdf.ImageOptions(o.img, o.x, o.y, o.w, o.h, false, fpdf.ImageOptions{}, 0, "")
	}
}
