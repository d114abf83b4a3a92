package checklist

import (
	"strings"

	"golang.org/x/net/html"
)

// blockTags separate blocks of text: a word is found across inline elements
// (再接<b>再励</b>) but not across paragraphs, cells or line breaks.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true, "caption": true,
	"dd": true, "details": true, "div": true, "dl": true, "dt": true, "figcaption": true, "figure": true,
	"footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hr": true, "li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true, "section": true,
	"summary": true, "table": true, "tbody": true, "td": true, "tfoot": true, "th": true, "thead": true,
	"tr": true, "ul": true,
}

// rawTags are the elements whose content the tokenizer reads as raw text; none
// of it is shown as text, so none of it is screened or marked.
var rawTags = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

// token is one token of the body as Highlight copies it.
type token struct {
	raw  string // the token's bytes as written
	text string // for a text token outside raw elements: its text, entities decoded
	mark bool   // text may be marked
}

// image is an <img> of the body.
type image struct{ src, alt string }

// bodyScan is what the checks need from the body.
type bodyScan struct {
	blocks []block
	images []image
	links  []string // every <a href> and <img src>, in order, repeats included
	tokens []token  // only when asked for
}

// scanBody tokenizes sanitized body HTML into blocks of text, images and links;
// keep keeps the tokens, for Highlight.
func scanBody(body string, keep bool) *bodyScan {
	s := &bodyScan{}
	cur := block{pos: keep}
	flush := func() {
		cur.trim()
		if len(cur.orig) > 0 {
			s.blocks = append(s.blocks, cur)
		}
		cur = block{pos: keep}
	}
	z := html.NewTokenizer(strings.NewReader(body))
	raw := "" // inside this raw-text element
	consumed := 0
	for i := 0; ; i++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		var t token
		if keep {
			t.raw = string(z.Raw()) // before Text and TagAttr, which decode in place
			consumed += len(t.raw)
		}
		switch tt {
		case html.TextToken:
			if raw == "" {
				t.text, t.mark = string(z.Text()), true
				cur.add(t.text, i)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			tag := string(name)
			if blockTags[tag] {
				flush()
			}
			if rawTags[tag] {
				raw = tag
			}
			var src, alt, href string
			var hasHref bool
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "src":
					src = strings.TrimSpace(string(v))
				case "alt":
					alt = string(v)
				case "href":
					href, hasHref = strings.TrimSpace(string(v)), true
				}
			}
			switch {
			case tag == "img":
				s.images = append(s.images, image{src, alt})
				if src != "" {
					s.links = append(s.links, src)
				}
			case tag == "a" && hasHref:
				s.links = append(s.links, href)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == raw {
				raw = ""
			}
			if blockTags[tag] {
				flush()
			}
		}
		if keep {
			s.tokens = append(s.tokens, t)
		}
	}
	flush()
	if keep && consumed < len(body) {
		// An unfinished tag at the end: keep it, as text.
		s.tokens = append(s.tokens, token{raw: html.EscapeString(body[consumed:])})
	}
	return s
}

// span is a part of a text token to mark.
type span struct {
	start, end int // bytes of the token's text
	pat        int32
}

// Highlight wraps each occurrence of words in sanitized body HTML in
// <mark class="hit hit-KIND" title="SUGGESTION or NOTE">…</mark>. Only text is
// marked, never tags or attribute values, nor the content of <script> and
// <style>; a word split across inline elements (再接<b>再励</b>) is marked in each
// of its parts. Everything but the marked text nodes is kept byte for byte;
// those are escaped anew.
func Highlight(bodyHTML string, words []Word) string {
	m := compile(words)
	if len(m.pats) == 0 {
		return bodyHTML
	}
	s := scanBody(bodyHTML, true)
	spans := map[int32][]span{}
	for bi := range s.blocks {
		b := &s.blocks[bi]
		for _, x := range m.matches(b.fold) {
			for j := x.start; j < x.end; j++ {
				tok := b.tok[j]
				ss := spans[tok]
				if j > x.start && b.tok[j-1] == tok {
					ss[len(ss)-1].end = int(b.end[j])
					continue
				}
				spans[tok] = append(ss, span{int(b.off[j]), int(b.end[j]), x.pat})
			}
		}
	}
	if len(spans) == 0 {
		return bodyHTML
	}
	var sb strings.Builder
	sb.Grow(len(bodyHTML) + 64*len(spans))
	for i, t := range s.tokens {
		ss := spans[int32(i)]
		if len(ss) == 0 {
			sb.WriteString(t.raw)
			continue
		}
		pos := 0
		for _, sp := range ss {
			sb.WriteString(html.EscapeString(t.text[pos:sp.start]))
			w := m.pats[sp.pat].word
			sb.WriteString(`<mark class="hit hit-`)
			sb.WriteString(className(string(w.Kind)))
			sb.WriteString(`"`)
			if title := strings.TrimSpace(w.Suggestion); title != "" || strings.TrimSpace(w.Note) != "" {
				if title == "" {
					title = strings.TrimSpace(w.Note)
				}
				sb.WriteString(` title="`)
				sb.WriteString(html.EscapeString(title))
				sb.WriteString(`"`)
			}
			sb.WriteString(">")
			sb.WriteString(html.EscapeString(t.text[sp.start:sp.end]))
			sb.WriteString("</mark>")
			pos = sp.end
		}
		sb.WriteString(html.EscapeString(t.text[pos:]))
	}
	return sb.String()
}

// className keeps the letters, digits, '-' and '_' of s.
func className(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, s)
}
