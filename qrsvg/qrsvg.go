// Package qrsvg draws QR codes as inline SVG: crisp at any size, no image
// request, and printable.
package qrsvg

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/skip2/go-qrcode"
)

// SVG returns an SVG QR code of text, size pixels wide, labelled for screen
// readers with label. Dark modules are merged into one path per row run.
func SVG(text, label string, size int) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", err
	}
	bits := q.Bitmap() // includes the quiet zone
	n := len(bits)
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < n; {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < n && row[x] {
				x++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, size, size, template.HTMLEscapeString(label), n, n, path.String())
	return template.HTML(svg), nil
}
