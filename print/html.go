package print

import (
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockKind is what a block of an article body is typeset as.
type blockKind int

const (
	blockPara  blockKind = iota
	blockFlush           // a paragraph set flush left: the addressees of a notice (主送机关)
	blockHeading
	blockQuote
	blockItem
	blockImage
	blockTable
)

// block is one typeset unit of an article body, in reading order.
type block struct {
	kind    blockKind
	text    string     // para, heading, quote, item (without the marker)
	level   int        // heading: 2..4
	marker  string     // item: "•" or "3."
	src     string     // image: the src attribute
	caption string     // image: the figcaption or alt text
	rows    [][]string // table
	header  bool       // table: first row is a header row
	// headRows is how many rows head a table: those in <thead>, else the
	// first if it is all <th>. A long table sets them again on each page.
	headRows int
}

// brMark stands for <br> while whitespace is collapsed.
const brMark = '\u2028'

// parseBody turns sanitized article HTML into blocks. Unknown elements are
// walked through, so text never disappears; text outside any block element
// becomes a paragraph.
func parseBody(body string) ([]block, error) {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(body), ctx)
	if err != nil {
		return nil, err
	}
	w := &walker{}
	for _, n := range nodes {
		w.node(n, blockPara)
	}
	w.flush(blockPara)
	return w.out, nil
}

type walker struct {
	out []block
	buf strings.Builder
}

func (w *walker) flush(kind blockKind) {
	t := collapse(w.buf.String())
	w.buf.Reset()
	if t != "" {
		w.out = append(w.out, block{kind: kind, text: t})
	}
}

func (w *walker) children(n *html.Node, kind blockKind) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c, kind)
	}
}

func (w *walker) node(n *html.Node, kind blockKind) {
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.buf.WriteRune(brMark)
	case atom.Script, atom.Style, atom.Template:
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Pre:
		w.flush(kind)
		inner := kind
		if kind == blockPara && n.DataAtom == atom.P && slices.Contains(strings.Fields(attr(n, "class")), "salutation") {
			inner = blockFlush
		}
		w.children(n, inner)
		w.flush(inner)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush(kind)
		level := int(n.Data[1] - '0')
		level = min(max(level, 2), 4)
		if t := collapse(textOf(n)); t != "" {
			w.out = append(w.out, block{kind: blockHeading, text: t, level: level})
		}
	case atom.Blockquote:
		w.flush(kind)
		w.children(n, blockQuote)
		w.flush(blockQuote)
	case atom.Ul, atom.Ol:
		w.flush(kind)
		i := 0
		for li := n.FirstChild; li != nil; li = li.NextSibling {
			if li.Type != html.ElementNode || li.DataAtom != atom.Li {
				continue
			}
			i++
			marker := "•"
			if n.DataAtom == atom.Ol {
				marker = strconv.Itoa(i) + "."
			}
			if t := collapse(textOf(li)); t != "" {
				w.out = append(w.out, block{kind: blockItem, text: t, marker: marker})
			}
		}
	case atom.Figure:
		w.flush(kind)
		var img *html.Node
		caption := ""
		walkAll(n, func(c *html.Node) {
			if c.DataAtom == atom.Img && img == nil {
				img = c
			}
			if c.DataAtom == atom.Figcaption {
				caption = collapse(textOf(c))
			}
		})
		if img != nil {
			w.out = append(w.out, block{kind: blockImage, src: attr(img, "src"), caption: caption})
		} else if caption != "" {
			w.out = append(w.out, block{kind: kind, text: caption})
		}
	case atom.Img:
		w.flush(kind)
		w.out = append(w.out, block{kind: blockImage, src: attr(n, "src"), caption: collapse(attr(n, "alt"))})
	case atom.Table:
		w.flush(kind)
		if b := tableBlock(n); len(b.rows) > 0 {
			w.out = append(w.out, b)
		}
	default: // inline: strong, em, a, span, sub, sup, code…
		w.children(n, kind)
	}
}

func tableBlock(t *html.Node) block {
	b := block{kind: blockTable}
	walkAll(t, func(n *html.Node) {
		if n.DataAtom != atom.Tr {
			return
		}
		var row []string
		allTH := true
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
				row = append(row, collapse(textOf(c)))
				allTH = allTH && c.DataAtom == atom.Th
			}
		}
		if len(row) > 0 {
			if len(b.rows) == 0 {
				b.header = allTH
			}
			if len(b.rows) == b.headRows && n.Parent != nil && n.Parent.DataAtom == atom.Thead {
				b.headRows++
			}
			b.rows = append(b.rows, row)
		}
	})
	if b.headRows == 0 && b.header {
		b.headRows = 1
	}
	return b
}

func walkAll(n *html.Node, fn func(*html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			fn(c)
		}
		walkAll(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns the text under n, with <br> as brMark and block-level
// children separated by a break.
func textOf(n *html.Node) string {
	var sb strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				sb.WriteString(c.Data)
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Br:
				sb.WriteRune(brMark)
			case c.DataAtom == atom.Script || c.DataAtom == atom.Style:
			case c.DataAtom == atom.P || c.DataAtom == atom.Li || c.DataAtom == atom.Div:
				sb.WriteRune(brMark)
				rec(c)
				sb.WriteRune(brMark)
			default:
				rec(c)
			}
		}
	}
	rec(n)
	return sb.String()
}

// collapse applies HTML whitespace rules the Chinese way: a run of whitespace
// becomes one space, except between two wide characters, where a source line
// break must not turn into a visible gap. brMark becomes '\n'; invisible
// format characters go.
func collapse(s string) string {
	var out []rune
	pendingSpace := false
	for _, r := range s {
		switch {
		case r == brMark:
			for len(out) > 0 && out[len(out)-1] == ' ' {
				out = out[:len(out)-1]
			}
			if len(out) > 0 && out[len(out)-1] != '\n' {
				out = append(out, '\n')
			}
			pendingSpace = false
		case isSpace(r) || r == '\f' || r == '\v':
			pendingSpace = len(out) > 0 && out[len(out)-1] != '\n'
		case isInvisible(r):
		default:
			if pendingSpace && !(isWide(out[len(out)-1]) && isWide(r)) {
				out = append(out, ' ')
			}
			pendingSpace = false
			out = append(out, r)
		}
	}
	return strings.TrimRight(string(out), "\n ")
}
