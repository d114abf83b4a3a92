// Package print typesets one issue of a periodical (the monthly bulletin of
// the "newspapers and periodicals" channel) as a print-ready PDF: a cover, a
// table of contents whose page numbers agree with the pages, the editor's
// note, and the articles in two columns with running heads and folios. It
// also sets one-column official documents, such as the monthly ranking
// notice (通报), with long tables (see RenderDocument); both share the fonts,
// line breaking, HTML reading and page building (compose.go).
//
// It takes plain data and returns PDF bytes; it reads no store and no files.
// Chinese text is broken the Chinese way (see linebreak.go), with the Droid
// Sans Fallback font embedded in the binary, so no system font is needed.
package print

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // image formats an article may carry
	"image/jpeg"
	"image/png"
	"strings"
	"time"

	_ "golang.org/x/image/webp"

	"github.com/heraldnews/herald"
)

// Issue is one issue of a periodical, with its articles in printed order.
type Issue struct {
	Title       string    // periodical title, e.g. 河北司法行政宣传; required
	Publisher   string    // optional, printed at the foot of the cover, e.g. 河北省司法厅主办
	Volume      int       // optional (0: no volume printed)
	Number      int       // issue number, > 0
	Total       int       // optional running number across volumes (总第N期)
	Date        time.Time // issue date; required
	EditorsNote string    // plain text; each line is a paragraph; optional
	Articles    []Article // at least one
}

// Article is one article as it is printed.
type Article struct {
	Title    string // required
	Subtitle string
	Byline   string // e.g. 记者 陈静 通讯员 董伟
	Source   string // e.g. 河北省司法厅
	Date     time.Time
	Body     string // sanitized HTML: p, h2–h4, blockquote, ul/ol/li, figure/img/figcaption, table, strong/em, a, br
	Images   []Image
}

// Image is a picture of an article. A body <img src> equal to Src is printed
// where it stands; images no body element refers to follow the body.
type Image struct {
	Src     string
	Data    []byte  // JPEG, PNG, GIF or WebP
	Caption string  // printed under the picture; the figcaption or alt text if empty
	Width   float64 // share of the column width, in (0, 1]; 0 means the whole column
}

// Options are presentation choices that are not part of the issue.
type Options struct {
	PageSize string // "A4" (default), "A3", "A5", "B5" (JIS) or "Letter"
}

// Result is a rendered issue.
type Result struct {
	PDF          []byte
	Pages        int   // pages in PDF, the cover included
	ArticlePages []int // page on which each article starts (the cover is page 1), as the contents print it
}

var pageSizes = map[string][2]float64{
	"A3": {297, 420}, "A4": {210, 297}, "A5": {148, 210}, "B5": {182, 257}, "LETTER": {215.9, 279.4},
}

// Render typesets issue on A4 paper and returns the PDF. Invalid input gives
// a herald.EINVALID error naming each bad field.
func Render(issue Issue) ([]byte, error) {
	res, err := RenderWith(issue, Options{})
	if err != nil {
		return nil, err
	}
	return res.PDF, nil
}

// RenderWith typesets issue with opts and reports where each article starts.
func RenderWith(issue Issue, opts Options) (Result, error) {
	fc, err := loadFace()
	if err != nil {
		return Result{}, err
	}
	in, err := prepare(fc, issue, opts)
	if err != nil {
		return Result{}, err
	}
	d := newDoc(fc, in.size, issue)
	d.layout(in)
	pdf, err := d.output(in)
	if err != nil {
		return Result{}, err
	}
	return Result{PDF: pdf, Pages: len(d.pages), ArticlePages: d.articlePages}, nil
}

// prepared is an issue checked and parsed, ready for layout.
type prepared struct {
	size   [2]float64
	bodies [][]block
	images [][]pic // per article, in Images order
}

// pic is a decoded image in a form fpdf embeds reliably.
type pic struct {
	name    string
	src     string
	typ     string // "JPG" or "PNG"
	data    []byte
	w, h    int
	caption string
	scale   float64
	used    bool
}

func prepare(fc *face, issue Issue, opts Options) (*prepared, error) {
	var p herald.Problems
	in := &prepared{}
	in.size = pageSize(&p, opts.PageSize)
	glyphs := func(field string, texts ...string) { checkGlyphs(&p, fc, field, texts...) }
	if strings.TrimSpace(issue.Title) == "" {
		p.Add("title", "the periodical needs a title")
	}
	glyphs("title", issue.Title)
	glyphs("publisher", issue.Publisher)
	glyphs("editors_note", issue.EditorsNote)
	if issue.Number <= 0 {
		p.Add("number", "the issue number must be positive")
	}
	if issue.Volume < 0 {
		p.Add("volume", "the volume must not be negative")
	}
	if issue.Date.IsZero() {
		p.Add("date", "the issue needs a date")
	}
	if len(issue.Articles) == 0 {
		p.Add("articles", "an issue needs at least one article")
	}
	for i, a := range issue.Articles {
		field := fmt.Sprintf("articles[%d]", i)
		if strings.TrimSpace(a.Title) == "" {
			p.Add(field+".title", "the article needs a title")
		}
		glyphs(field+".title", a.Title)
		glyphs(field+".subtitle", a.Subtitle)
		glyphs(field+".byline", a.Byline)
		glyphs(field+".source", a.Source)
		blocks, err := parseBody(a.Body)
		if err != nil {
			p.Add(field+".body", "the body is not readable HTML: %v", err)
		}
		glyphs(field+".body", blockTexts(blocks)...)
		in.bodies = append(in.bodies, blocks)
		var pics []pic
		for j, img := range a.Images {
			f := fmt.Sprintf("%s.images[%d]", field, j)
			pc, err := decodeImage(img.Data)
			if err != nil {
				p.Add(f, "the image cannot be decoded: %v", err)
				continue
			}
			if img.Width < 0 || img.Width > 1 {
				p.Add(f+".width", "the width is a share of the column, between 0 and 1")
			}
			glyphs(f+".caption", img.Caption)
			pc.name, pc.src = fmt.Sprintf("a%d-i%d", i, j), strings.TrimSpace(img.Src)
			pc.caption, pc.scale = strings.TrimSpace(img.Caption), img.Width
			if pc.scale <= 0 || pc.scale > 1 {
				pc.scale = 1
			}
			pics = append(pics, pc)
		}
		in.images = append(in.images, pics)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// pageSize returns the paper called name ("" is A4), or records a problem.
func pageSize(p *herald.Problems, name string) [2]float64 {
	ps := strings.ToUpper(strings.TrimSpace(name))
	if ps == "" {
		ps = "A4"
	}
	sz, ok := pageSizes[ps]
	if !ok {
		p.Add("page_size", "unknown page size %q (use A4, A3, A5, B5 or Letter)", name)
	}
	return sz
}

// checkGlyphs records a problem with field when the print fonts cannot draw
// some character of texts, naming each one: such text is refused rather than
// printed as empty boxes.
func checkGlyphs(p *herald.Problems, fc *face, field string, texts ...string) {
	if miss := fc.missing(strings.Join(texts, "")); len(miss) > 0 {
		p.Add(field, "the print font has no glyph for %s", describeRunes(miss))
	}
}

// blockTexts is all the text of blocks that gets printed.
func blockTexts(blocks []block) []string {
	var texts []string
	for _, b := range blocks {
		texts = append(texts, b.text, b.caption)
		for _, r := range b.rows {
			texts = append(texts, r...)
		}
	}
	return texts
}

// decodeImage checks that data is a whole image and returns it as a JPEG
// (passed through) or an 8-bit PNG, the two forms fpdf embeds without surprises
// (it rejects 16-bit and interlaced PNGs, and knows neither GIF animation nor WebP).
func decodeImage(data []byte) (pic, error) {
	if len(data) == 0 {
		return pic{}, fmt.Errorf("no image data")
	}
	m, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return pic{}, err
	}
	b := m.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return pic{}, fmt.Errorf("the image is empty")
	}
	pc := pic{w: b.Dx(), h: b.Dy()}
	if format == "jpeg" {
		if _, ok := m.(*image.CMYK); !ok {
			pc.typ, pc.data = "JPG", data
			return pc, nil
		}
		var buf bytes.Buffer // CMYK JPEGs print inverted in some readers: convert
		rgba := image.NewRGBA(b)
		draw.Draw(rgba, b, m, b.Min, draw.Src)
		if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 92}); err != nil {
			return pic{}, err
		}
		pc.typ, pc.data = "JPG", buf.Bytes()
		return pc, nil
	}
	nrgba := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(nrgba, nrgba.Bounds(), m, b.Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, nrgba); err != nil {
		return pic{}, err
	}
	pc.typ, pc.data = "PNG", buf.Bytes()
	return pc, nil
}

// chineseDate formats t as 2026年8月4日.
func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// issueLabel is the issue's designation in the running head, e.g.
// 2026年第9期 or 第3卷第9期.
func issueLabel(is Issue) string {
	if is.Volume > 0 {
		return fmt.Sprintf("第%d卷第%d期", is.Volume, is.Number)
	}
	return fmt.Sprintf("%d年第%d期", is.Date.Year(), is.Number)
}
