// Package qrsvg draws QR codes as inline SVG: crisp at any size, no image
// request, and printable.
package qrsvg

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/skip2/go-qrcode"
)

// Code is an encoded QR code, drawable at any size.
type Code struct {
	n    int
	path string
}

// New encodes text.
func New(text string) (*Code, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bits := q.Bitmap() // includes the quiet zone
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			// Dark modules of a row run are merged into one rectangle.
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	return &Code{n: len(bits), path: path.String()}, nil
}

// SVG draws the code size pixels wide, labelled for screen readers with label.
func (c *Code) SVG(label string, size int) template.HTML {
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		c.n, c.n, size, size, template.HTMLEscapeString(label), c.n, c.n, c.path))
}

// SVG returns an SVG QR code of text, size pixels wide, labelled with label.
func SVG(text, label string, size int) (template.HTML, error) {
	c, err := New(text)
	if err != nil {
		return "", err
	}
	return c.SVG(label, size), nil
}
