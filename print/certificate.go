package print

import (
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Certificate is a completion certificate (结业证书) of a training course:
// one A4 landscape page with a double red frame, the holder's name and
// unit, what they completed, and the issuer's signature and date.
type Certificate struct {
	Number   string    // 证书编号, e.g. PX2019-001-007; required
	Name     string    // the holder; required
	Unit     string    // the holder's unit; required
	Course   string    // the course's title; required
	From, To time.Time // the course's first and last days (CST); required
	Hours    string    // attended, e.g. "12" or "10.5"; required
	Issuer   string    // the organising unit, signs the certificate; required
	Date     time.Time // of issue; required
}

// The certificate's styles.
var (
	certTitle  = style{size: 34, lead: 18, color: red, bold: true}
	certName   = style{size: 22, lead: 13, color: black, bold: true}
	certBody   = style{size: 15, lead: 10, color: ink}
	certSign   = style{size: 14, lead: 8.5, color: ink}
	certNumber = style{size: 10.5, lead: 6, color: grey}
)

// RenderCertificate typesets a certificate and returns its one-page PDF.
// Missing fields and text the print fonts cannot draw give a
// herald.EINVALID error naming each.
func RenderCertificate(c Certificate) ([]byte, error) {
	fc, err := loadFace()
	if err != nil {
		return nil, err
	}
	var p herald.Problems
	for _, f := range [][2]string{{"number", c.Number}, {"name", c.Name}, {"unit", c.Unit}, {"course", c.Course}, {"hours", c.Hours}, {"issuer", c.Issuer}} {
		field, v := f[0], f[1]
		if strings.TrimSpace(v) == "" {
			p.Add(field, "the certificate needs it")
		}
		checkGlyphs(&p, fc, field, v)
	}
	if c.From.IsZero() || c.To.IsZero() || c.Date.IsZero() {
		p.Add("date", "the certificate needs the course's days and the date of issue")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	size := pageSizes["A4"]
	g := geom{pw: size[1], ph: size[0]} // landscape
	g.left, g.textW = 45, g.pw-90
	cc := &composer{fc: fc, g: g}
	pg := cc.newPage("")

	// the frame: a thick red rule inside a thin one
	frame := func(inset, width float64) {
		x0, y0, x1, y1 := inset, inset, g.pw-inset, g.ph-inset
		for _, r := range [][4]float64{{x0, y0, x1, y0}, {x1, y0, x1, y1}, {x1, y1, x0, y1}, {x0, y1, x0, y0}} {
			pg.add(op{kind: opRule, x: r[0], y: r[1], x2: r[2], y2: r[3], color: red, lineW: width})
		}
	}
	frame(10, 1.6)
	frame(14, 0.35)

	y := 34.0
	centred := func(text string, st style) {
		for _, l := range cc.lines(text, st, g.textW, 0) {
			pg.add(cc.textOp(l, st, g.left, y, g.textW, alignCenter))
			y += st.lead
		}
	}
	centred("结业证书", certTitle)
	y += 2
	centred("证书编号："+c.Number, certNumber)
	y += 14
	centred(c.Name, certName)
	centred(c.Unit, certBody)
	y += 8
	period := chineseDate(c.From.In(herald.CST))
	if to := c.To.In(herald.CST); !herald.CSTDay(to).Equal(herald.CSTDay(c.From)) {
		period += "至" + chineseDate(to)
	}
	body := "该同志于" + period + "参加" + c.Issuer + "举办的“" + c.Course + "”，学时" + c.Hours + "小时，完成全部学习任务，考核合格，准予结业。"
	em := certBody.size * mmPerPt
	for i, l := range cc.lines(body, certBody, g.textW-4*em, 2*em) {
		x, width := g.left+2*em, g.textW-4*em
		if i == 0 { // the paragraph's two-character indent
			x, width = x+2*em, width-2*em
		}
		pg.add(cc.textOp(l, certBody, x, y, width, alignJustify))
		y += certBody.lead
	}
	// the signature block, right-aligned at the foot
	signW := g.textW * 0.45
	sy := g.ph - 52
	for _, text := range []string{c.Issuer, chineseDate(c.Date.In(herald.CST))} {
		l := cc.fitLine(text, certSign, signW)
		pg.add(cc.textOp(l, certSign, g.left+g.textW-signW, sy, signW, alignCenter))
		sy += certSign.lead
	}
	return cc.writePDF(pdfInfo{title: "结业证书 " + c.Number, author: c.Issuer, date: c.Date}, nil)
}
