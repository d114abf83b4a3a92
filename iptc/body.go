package iptc

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// body is the article's body parsed once and rendered three ways.
type body struct {
	nodes  []*html.Node
	images []bodyImage
}

type bodyImage struct {
	src           string // as the article holds it
	alt           string
	width, height int // from the attributes; 0 when absent
}

// urlAttrs are the attributes whose relative URLs are made absolute, so that a
// partner's copy of the body still finds the site's pages and images.
var urlAttrs = map[string]bool{"href": true, "src": true}

// parseBody parses the sanitized body HTML, collects its images and makes its
// links absolute with resolve (links resolve cannot make absolute are kept).
func parseBody(src string, resolve func(string) string) *body {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(src), ctx)
	if err != nil { // only a reader error, impossible for a string
		nodes = nil
	}
	b := &body{nodes: nodes}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.DataAtom == atom.Img {
				im := bodyImage{src: attr(n, "src"), alt: strings.TrimSpace(attr(n, "alt"))}
				im.width, _ = strconv.Atoi(attr(n, "width"))
				im.height, _ = strconv.Atoi(attr(n, "height"))
				if strings.TrimSpace(im.src) != "" {
					b.images = append(b.images, im)
				}
			}
			for i, a := range n.Attr {
				if a.Namespace == "" && urlAttrs[a.Key] {
					if abs := resolve(a.Val); abs != "" {
						n.Attr[i].Val = abs
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// HTML renders the body as HTML with absolute links.
func (b *body) HTML() string {
	var sb strings.Builder
	for _, n := range b.nodes {
		_ = html.Render(&sb, n) // writes to a strings.Builder never fail
	}
	return sb.String()
}

// blockElements end a line of plain text.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Li: true, atom.Blockquote: true, atom.Figure: true,
	atom.Figcaption: true, atom.Tr: true, atom.Pre: true, atom.Section: true, atom.Table: true,
	atom.Ul: true, atom.Ol: true, atom.Hr: true, atom.Caption: true,
}

var spaces = regexp.MustCompile(`[ \t\r\n\f]+`)

// Text renders the body as plain text: one paragraph a line, blank lines
// between paragraphs, white space collapsed outside <pre>.
func (b *body) Text() string {
	var paras []string
	var cur strings.Builder
	flush := func() {
		if p := strings.TrimSpace(cur.String()); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	var walk func(n *html.Node, pre bool)
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.TextNode:
			if pre {
				cur.WriteString(n.Data)
			} else {
				cur.WriteString(spaces.ReplaceAllString(n.Data, " "))
			}
			return
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Template {
				return
			}
			if n.DataAtom == atom.Br {
				cur.WriteString("\n")
				return
			}
			if blockElements[n.DataAtom] {
				flush()
				defer flush()
			}
			pre = pre || n.DataAtom == atom.Pre
		default:
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre)
		}
	}
	for _, n := range b.nodes {
		walk(n, false)
	}
	flush()
	for i, p := range paras { // a <br> leaves spaces around its line break
		lines := strings.Split(p, "\n")
		for j := range lines {
			lines[j] = strings.TrimSpace(lines[j])
		}
		paras[i] = strings.Join(lines, "\n")
	}
	return strings.Join(paras, "\n\n")
}

// voidElements are written as empty XML elements.
var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true, atom.Hr: true,
	atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true, atom.Source: true,
	atom.Track: true, atom.Wbr: true,
}

// xmlName matches the element and attribute names that are also well-formed,
// unprefixed XML names; HTML allows more ("a:b", "x@y"), and such markup
// cannot be in sanitized bodies anyway.
var xmlName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// XHTML renders the body as a complete XHTML document element in the XHTML
// namespace: well-formed, every name a valid XML name, text escaped, void
// elements closed. title becomes the head's title.
func (b *body) XHTML(title, lang string) string {
	var sb strings.Builder
	sb.WriteString(`<html xmlns="` + nsXHTML + `"`)
	if lang != "" {
		sb.WriteString(` xml:lang="` + escapeAttr(lang) + `" lang="` + escapeAttr(lang) + `"`)
	}
	sb.WriteString(`><head><title>` + escapeText(title) + `</title></head><body>`)
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			sb.WriteString(escapeText(n.Data))
			return
		case html.ElementNode:
		default: // comments, doctypes
			return
		}
		name := strings.ToLower(n.Data)
		if n.Namespace != "" || !xmlName.MatchString(name) || n.DataAtom == atom.Script || n.DataAtom == atom.Style {
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				return
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling { // keep the content, drop the tag
				walk(c)
			}
			return
		}
		sb.WriteString("<" + name)
		seen := map[string]bool{}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if a.Namespace != "" || !xmlName.MatchString(key) || strings.HasPrefix(key, "xml") || seen[key] {
				continue
			}
			seen[key] = true
			sb.WriteString(" " + key + `="` + escapeAttr(a.Val) + `"`)
		}
		if voidElements[n.DataAtom] {
			sb.WriteString("/>")
			return
		}
		sb.WriteString(">")
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		sb.WriteString("</" + name + ">")
	}
	for _, n := range b.nodes {
		walk(n)
	}
	sb.WriteString(`</body></html>`)
	return sb.String()
}

// escapeText escapes s as XML character data, after dropping what XML 1.0
// cannot carry at all.
func escapeText(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(clean(s)))
	return sb.String()
}

// escapeAttr escapes s for a double-quoted attribute value.
func escapeAttr(s string) string { return escapeText(s) }

// clean makes s safe for XML 1.0: invalid UTF-8 becomes U+FFFD and characters
// that XML forbids (most C0 controls, U+FFFE, U+FFFF) are dropped.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// charCount is the number of characters of plain text.
func charCount(s string) int { return utf8.RuneCountInString(s) }
