package newsroom

import (
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldnews/herald/htmlsafe"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// keepBlock is the kind of a body block that is not translated as text (a
// figure, a table, a rule): the translation carries it as it is.
const keepBlock = "keep"

// textBlocks are the elements translated as plain text, one block each; a
// list's items are its lines.
var textBlocks = []string{"p", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol"}

// block is one top-level block of an article body.
type block struct {
	kind string // an element of textBlocks, or keepBlock
	text string // the words, markup left out; a list's items one a line
	html string // the block as stored
}

// bodyBlocks splits a sanitized body into its top-level blocks; loose text
// between blocks is a paragraph of its own.
func bodyBlocks(body string) []block {
	nodes, err := xhtml.ParseFragment(strings.NewReader(body), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return nil
	}
	var out []block
	for _, n := range nodes {
		var b strings.Builder
		if xhtml.Render(&b, n) != nil {
			continue
		}
		bl := block{html: b.String()}
		switch {
		case n.Type == xhtml.TextNode:
			if bl.text = strings.TrimSpace(n.Data); bl.text == "" {
				continue
			}
			bl.kind = "p"
		case n.Type != xhtml.ElementNode:
			continue
		case n.Data == "ul" || n.Data == "ol":
			bl.kind = n.Data
			var items []string
			for li := n.FirstChild; li != nil; li = li.NextSibling {
				if li.Type == xhtml.ElementNode && li.Data == "li" {
					items = append(items, oneLine(htmlsafe.Text(li)))
				}
			}
			bl.text = strings.Join(items, "\n")
		case slices.Contains(textBlocks, n.Data):
			bl.kind, bl.text = n.Data, strings.TrimSpace(textWithBreaks(n))
		default:
			bl.kind = keepBlock
		}
		out = append(out, bl)
	}
	return out
}

// textWithBreaks is a node's text with its line breaks kept as newlines.
func textWithBreaks(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch {
		case n.Type == xhtml.TextNode:
			b.WriteString(n.Data)
		case n.Type == xhtml.ElementNode && n.Data == "br":
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// renderBlock writes text as a block of kind: a list item per line of a
// list, line breaks kept in the others.
func renderBlock(kind, text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	var b strings.Builder
	b.WriteString("<" + kind + ">")
	if kind == "ul" || kind == "ol" {
		for _, line := range strings.Split(text, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				b.WriteString("<li>" + html.EscapeString(line) + "</li>")
			}
		}
	} else {
		lines := strings.Split(text, "\n")
		for i, line := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(line))
		}
		b.WriteString(strings.Join(lines, "<br>"))
	}
	b.WriteString("</" + kind + ">")
	return b.String()
}

// bodyFromForm rebuilds a translation's body from the side-by-side form: its
// blocks in order, each of the kind the form showed. A block whose text is
// what the stored translation has at that place keeps its stored markup
// (links, emphasis); a kept block is posted as HTML. The workflow sanitizes
// the result as it does every body.
func bodyFromForm(r *http.Request, stored string) string {
	n, _ := strconv.Atoi(r.PostFormValue("blocks"))
	n = min(max(n, 0), 2000)
	old := bodyBlocks(stored)
	var b strings.Builder
	for i := range n {
		kind, text := r.PostFormValue("kind-"+strconv.Itoa(i)), r.PostFormValue("block-"+strconv.Itoa(i))
		switch {
		case kind == keepBlock:
			b.WriteString(text)
		case !slices.Contains(textBlocks, kind):
			continue
		case i < len(old) && old[i].kind == kind && normalize(old[i].text) == normalize(text):
			b.WriteString(old[i].html)
		default:
			b.WriteString(renderBlock(kind, text))
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}

// normalize makes texts that differ only in line endings and spacing at
// their ends compare equal.
func normalize(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
