// Package wechat produces the "WeChat rendition" of an article: HTML that an
// editor copies from the newsroom and pastes into the WeChat official-account
// editor (mp.weixin.qq.com), plus the digest and the cover image that go with it.
//
// That editor keeps only inline style attributes: it drops <style> elements,
// class and id attributes, scripts, iframes, forms and links to outside pages.
// So everything here is styled inline, element by element, and nothing else is
// emitted that the editor would throw away or that would look different once
// it had.
//
// Decisions about the layout, so that editors find what they expect:
//
//   - The title is not repeated in the body. WeChat has its own title field
//     and shows it above the body; a second copy looks like a mistake. The
//     body starts with a header block: the subtitle (bold, grey) and one line
//     "来源：…　作者：…　编辑：…", each part left out when empty and the block
//     left out when all are. The title appears only in the closing lines, as
//     the name of the original.
//   - Links become their text followed by a numbered marker "[n]" in WeChat's
//     link colour; the URLs are listed under "参考链接" at the end, one number
//     per distinct URL, so a reader can still find them. Links to places in the
//     same page and to schemes a reader cannot follow (anything other than
//     http, https and mailto) keep their text and get no number.
//   - The closing lines name the original ("原文：《title》") and print its URL,
//     because "阅读原文" is set in the editor and is lost when the post is
//     copied elsewhere.
//   - Body text is 16px, line-height 1.75, justified, #333, with 20px between
//     paragraphs and no first-line indent: spacing separates paragraphs on a
//     phone better than indents do, and justified text with indents looks
//     ragged in narrow columns of mixed Chinese and Latin text.
//   - Block margins are bottom-only and the last block inside a quote, list
//     item, cell or figure loses its margin, so that spacing never doubles.
//   - Elements WeChat cannot show or that do nothing there (scripts, frames,
//     forms, media, image maps) are dropped with their content; unknown
//     elements are replaced by their content; every element written carries a
//     style attribute except br and the table's row groups and rows, which
//     have nothing to style.
package wechat

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/htmlsafe"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Article is what Render needs of an article. The names are plain strings so
// that the caller resolves staff IDs once, with whatever store it has.
type Article struct {
	Title    string
	Subtitle string
	Source   string   // e.g. "河北省司法厅"
	Authors  []string // bylines as printed, e.g. "通讯员 李明"
	Editor   string   // the responsible editor
	Body     string   // sanitized HTML, as stored (see package htmlsafe)
	// URL is the article's public address, printed in the closing lines and
	// used to resolve relative URLs when BaseURL is empty.
	URL string
	// BaseURL is what relative image and link URLs in Body are relative to,
	// usually the site's root.
	BaseURL string
}

// Styles. Colours: #333 body text, #888 secondary text, #576b95 WeChat's own
// link colour for the reference markers.
const (
	textStyle       = "font-size:16px;line-height:1.75;color:#333;text-align:justify;"
	rootStyle       = textStyle + "word-wrap:break-word;"
	paragraphMargin = "0 0 20px"
	smallGrey       = "font-size:14px;line-height:1.6;color:#888;"
	monoFonts       = "Menlo,Consolas,'Courier New',monospace"
	markerStyle     = "font-size:12px;line-height:0;vertical-align:super;color:#576b95;"
)

// blockStyles are the elements kept under their own name, with their style.
// Paragraph-like elements get "margin" set separately by blockMargin.
var blockStyles = map[atom.Atom]string{
	atom.P:          textStyle,
	atom.H1:         "font-size:20px;line-height:1.4;font-weight:bold;color:#222;text-align:left;",
	atom.H2:         "font-size:18px;line-height:1.4;font-weight:bold;color:#222;text-align:left;",
	atom.H3:         "font-size:17px;line-height:1.4;font-weight:bold;color:#222;text-align:left;",
	atom.H4:         "font-size:16px;line-height:1.4;font-weight:bold;color:#222;text-align:left;",
	atom.H5:         "font-size:16px;line-height:1.4;font-weight:bold;color:#444;text-align:left;",
	atom.H6:         "font-size:16px;line-height:1.4;font-weight:bold;color:#666;text-align:left;",
	atom.Blockquote: "padding:10px 14px;border-left:4px solid #d9d9d9;background-color:#f7f7f7;color:#666;font-size:15px;line-height:1.75;",
	atom.Ul:         "padding:0 0 0 2em;list-style-type:disc;",
	atom.Ol:         "padding:0 0 0 2em;list-style-type:decimal;",
	atom.Li:         textStyle,
	atom.Dl:         "padding:0;",
	atom.Dt:         textStyle + "font-weight:bold;",
	atom.Dd:         textStyle + "padding:0 0 0 2em;",
	atom.Figure:     "padding:0;text-align:center;",
	atom.Figcaption: "margin:8px 0 0;" + smallGrey + "text-align:center;",
	atom.Caption:    "caption-side:top;padding:0 0 6px;" + smallGrey + "text-align:center;",
	atom.Table:      "width:100%;border-collapse:collapse;border:1px solid #ddd;margin:0;font-size:14px;line-height:1.6;",
	atom.Th:         "border:1px solid #ddd;padding:6px 8px;font-size:14px;line-height:1.6;color:#333;vertical-align:top;text-align:left;font-weight:bold;background-color:#f5f5f5;",
	atom.Td:         "border:1px solid #ddd;padding:6px 8px;font-size:14px;line-height:1.6;color:#333;vertical-align:top;text-align:left;",
	atom.Pre:        "padding:12px;background-color:#f6f8fa;color:#333;font-size:13px;line-height:1.6;font-family:" + monoFonts + ";white-space:pre-wrap;word-break:break-all;overflow-x:auto;text-align:left;",
	atom.Hr:         "margin:24px 0;height:0;border:0;border-top:1px solid #e5e5e5;",
	atom.Img:        "display:block;max-width:100%;height:auto;margin:0 auto;",
	atom.Section:    "padding:0;",
	atom.Sup:        "font-size:12px;line-height:0;vertical-align:super;",
	atom.Sub:        "font-size:12px;line-height:0;vertical-align:sub;",
	atom.Code:       "font-family:" + monoFonts + ";font-size:14px;background-color:#f3f3f3;padding:1px 4px;border-radius:3px;",
	atom.Strong:     "font-weight:bold;",
	atom.Em:         "font-style:italic;",
}

// blockMargin is the bottom margin of the blocks that stack in the flow; the
// last one in a container loses it (see trimLastMargin).
var blockMargin = map[atom.Atom]string{
	atom.P: paragraphMargin, atom.Li: "0 0 8px", atom.Dt: "0", atom.Dd: "0 0 8px",
	atom.Blockquote: paragraphMargin, atom.Ul: paragraphMargin, atom.Ol: paragraphMargin,
	atom.Dl: paragraphMargin, atom.Figure: paragraphMargin, atom.Pre: paragraphMargin,
	atom.Section: "0",
	atom.H1:      "28px 0 14px", atom.H2: "28px 0 14px", atom.H3: "24px 0 12px",
	atom.H4: "20px 0 10px", atom.H5: "20px 0 10px", atom.H6: "20px 0 10px",
}

// renamed maps elements to the one written in their place with its style:
// WeChat's editor reliably keeps section, span, strong and em, while it turns
// some of the others into plain text or into markup of its own.
var renamed = map[atom.Atom]struct {
	to    atom.Atom
	style string
}{
	atom.Div: {atom.Section, ""}, atom.Article: {atom.Section, ""}, atom.Aside: {atom.Section, ""},
	atom.Header: {atom.Section, ""}, atom.Footer: {atom.Section, ""}, atom.Main: {atom.Section, ""},
	atom.Nav: {atom.Section, ""}, atom.Hgroup: {atom.Section, ""}, atom.Details: {atom.Section, ""},
	atom.Summary: {atom.P, "font-weight:bold;"},
	atom.B:       {atom.Strong, ""},
	atom.I:       {atom.Em, ""}, atom.Cite: {atom.Em, ""}, atom.Dfn: {atom.Em, ""}, atom.Var: {atom.Em, ""},
	atom.U: {atom.Span, "text-decoration:underline;"}, atom.Ins: {atom.Span, "text-decoration:underline;"},
	atom.S: {atom.Span, "text-decoration:line-through;"}, atom.Strike: {atom.Span, "text-decoration:line-through;"},
	atom.Del:   {atom.Span, "text-decoration:line-through;"},
	atom.Mark:  {atom.Span, "background-color:#fff3b0;"},
	atom.Small: {atom.Span, "font-size:14px;"},
	atom.Big:   {atom.Span, "font-size:18px;"},
	atom.Tt:    {atom.Code, ""}, atom.Samp: {atom.Code, ""}, atom.Kbd: {atom.Code, ""},
}

// structural elements are kept without a style: rows and row groups take
// theirs from the table and the cells.
var structural = map[atom.Atom]bool{atom.Br: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true}

// dropped elements go with their content: WeChat cannot show them, or they are
// interactive and would be dead there.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Frame: true, atom.Frameset: true, atom.Object: true, atom.Embed: true,
	atom.Applet: true, atom.Form: true, atom.Input: true, atom.Button: true, atom.Select: true,
	atom.Textarea: true, atom.Label: true, atom.Option: true, atom.Optgroup: true, atom.Datalist: true,
	atom.Output: true, atom.Meter: true, atom.Progress: true, atom.Dialog: true,
	atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Video: true, atom.Audio: true,
	atom.Source: true, atom.Track: true, atom.Picture: true, atom.Map: true, atom.Area: true,
	atom.Col: true, atom.Colgroup: true, atom.Wbr: true,
	atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true, atom.Base: true,
}

// alignPattern is the one style htmlsafe lets through; it is checked again
// here rather than trusted, since Render must not emit anything else.
var alignPattern = regexp.MustCompile(`^\s*text-align:\s*(left|right|center|justify)\s*;?\s*$`)

var digits = regexp.MustCompile(`^[0-9]{1,3}$`)

// Render returns the WeChat rendition of a: one <section> whose every element
// is styled inline. It returns an EINVALID error when a's URL (or BaseURL,
// when given) is not an absolute http or https URL, since the images and
// references would otherwise point nowhere.
func Render(a Article) (string, error) {
	var p herald.Problems
	page, err := absoluteURL(a.URL)
	if err != nil {
		p.Add("url", "must be an absolute http or https URL")
	}
	base := page
	if strings.TrimSpace(a.BaseURL) != "" {
		if base, err = absoluteURL(a.BaseURL); err != nil {
			p.Add("base_url", "must be an absolute http or https URL")
		}
	}
	if err := p.Err(); err != nil {
		return "", err
	}
	body, err := html.ParseFragment(strings.NewReader(a.Body), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return "", herald.Invalid("body", "is not readable HTML")
	}

	r := &renderer{base: base, styles: map[*html.Node]*style{}, refIndex: map[string]int{}}
	root := r.element(atom.Section, rootStyle)
	if h := r.header(a); h != nil {
		appendBlock(root, h)
	}
	content := r.element(atom.Section, "padding:0;")
	r.setMargin(content, "0")
	src := &html.Node{Type: html.DocumentNode}
	for _, n := range body {
		src.AppendChild(n)
	}
	r.convertChildren(content, src, context{})
	trimLastMargin(r, content)
	appendBlock(root, content)
	appendBlock(root, r.footer(a, page))
	root.AppendChild(text("\n"))

	r.applyStyles(root)
	var out strings.Builder
	if err := html.Render(&out, root); err != nil {
		return "", err
	}
	return out.String(), nil
}

// absoluteURL parses s and requires an http or https URL with a host.
func absoluteURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("not absolute")
	}
	return u, nil
}

// style is an ordered list of declarations, so that the output is stable and
// a later value replaces an earlier one instead of being appended after it.
type style struct{ keys, values []string }

func parseStyle(s string) *style {
	st := &style{}
	for decl := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(decl, ":")
		if ok {
			st.set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return st
}

func (s *style) set(k, v string) {
	for i := range s.keys {
		if s.keys[i] == k {
			s.values[i] = v
			return
		}
	}
	s.keys = append(s.keys, k)
	s.values = append(s.values, v)
}

func (s *style) get(k string) string {
	for i := range s.keys {
		if s.keys[i] == k {
			return s.values[i]
		}
	}
	return ""
}

func (s *style) String() string {
	var b strings.Builder
	for i := range s.keys {
		b.WriteString(s.keys[i] + ":" + s.values[i] + ";")
	}
	return b.String()
}

// context is what an element's style depends on besides its own name.
type context struct {
	pre   bool // inside <pre>: whitespace matters and code is not boxed
	quote bool // inside a blockquote: quieter text
	cell  bool // inside a table cell: smaller text
}

type renderer struct {
	base     *url.URL
	styles   map[*html.Node]*style
	refs     []reference
	refIndex map[string]int // URL → number
}

type reference struct{ url, text string }

func (r *renderer) element(a atom.Atom, st string) *html.Node {
	n := &html.Node{Type: html.ElementNode, DataAtom: a, Data: a.String()}
	if !structural[a] {
		r.styles[n] = parseStyle(st)
	}
	return n
}

func (r *renderer) setMargin(n *html.Node, margin string) {
	if st := r.styles[n]; st != nil {
		st.set("margin", margin)
	}
}

func text(s string) *html.Node { return &html.Node{Type: html.TextNode, Data: s} }

// appendBlock adds a top-level block on a line of its own, which keeps the
// golden files readable and is whitespace that WeChat ignores between blocks.
func appendBlock(parent, child *html.Node) {
	parent.AppendChild(text("\n"))
	parent.AppendChild(child)
}

func (r *renderer) para(st, content string) *html.Node {
	p := r.element(atom.P, st)
	r.setMargin(p, "0")
	p.AppendChild(text(content))
	return p
}

func (r *renderer) header(a Article) *html.Node {
	var meta []string
	if s := strings.TrimSpace(a.Source); s != "" {
		meta = append(meta, "来源："+s)
	}
	var authors []string
	for _, n := range a.Authors {
		if n = strings.TrimSpace(n); n != "" {
			authors = append(authors, n)
		}
	}
	if len(authors) > 0 {
		meta = append(meta, "作者："+strings.Join(authors, "、"))
	}
	if s := strings.TrimSpace(a.Editor); s != "" {
		meta = append(meta, "编辑："+s)
	}
	subtitle := strings.TrimSpace(a.Subtitle)
	if subtitle == "" && len(meta) == 0 {
		return nil
	}
	h := r.element(atom.Section, "padding:0 0 12px;border-bottom:1px solid #eee;")
	r.setMargin(h, "0 0 24px")
	if subtitle != "" {
		p := r.para("font-size:17px;line-height:1.6;font-weight:bold;color:#555;text-align:left;", subtitle)
		if len(meta) > 0 {
			r.setMargin(p, "0 0 8px")
		}
		h.AppendChild(p)
	}
	if len(meta) > 0 {
		h.AppendChild(r.para(smallGrey+"text-align:left;", strings.Join(meta, "　")))
	}
	return h
}

func (r *renderer) footer(a Article, page *url.URL) *html.Node {
	f := r.element(atom.Section, "padding:16px 0 0;border-top:1px solid #eee;")
	r.setMargin(f, "32px 0 0")
	line := smallGrey + "text-align:left;word-break:break-all;"
	if len(r.refs) > 0 {
		h := r.para("font-size:15px;line-height:1.6;font-weight:bold;color:#555;text-align:left;", "参考链接")
		r.setMargin(h, "0 0 8px")
		f.AppendChild(h)
		for i, ref := range r.refs {
			label := "[" + strconv.Itoa(i+1) + "] "
			if ref.text != "" && ref.text != ref.url {
				label += ref.text + "："
			}
			p := r.para(line, label+ref.url)
			r.setMargin(p, "0 0 6px")
			f.AppendChild(p)
		}
		r.setMargin(f.LastChild, "0 0 16px")
	}
	if t := strings.TrimSpace(a.Title); t != "" {
		f.AppendChild(r.para(line, "原文：《"+t+"》"))
	}
	f.AppendChild(r.para(line, "原文链接："+page.String()))
	return f
}

func (r *renderer) convertChildren(dst, src *html.Node, ctx context) {
	for c := src.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			dst.AppendChild(text(c.Data))
		case html.ElementNode:
			r.convertElement(dst, c, ctx)
		}
	}
}

func (r *renderer) convertElement(dst, src *html.Node, ctx context) {
	a := src.DataAtom
	switch {
	case src.Namespace != "" || dropped[a]:
		return
	case a == atom.A:
		r.link(dst, src, ctx)
		return
	case a == atom.Img:
		r.image(dst, src)
		return
	case a == atom.Table:
		r.table(dst, src, ctx)
		return
	case a == atom.Q:
		dst.AppendChild(text("“"))
		r.convertChildren(dst, src, ctx)
		dst.AppendChild(text("”"))
		return
	case structural[a]:
		n := r.element(a, "")
		r.convertChildren(n, src, ctx)
		dst.AppendChild(n)
		return
	}

	to, extra := a, ""
	if rn, ok := renamed[a]; ok {
		to, extra = rn.to, rn.style
	}
	base, known := blockStyles[to]
	if !known {
		// Unknown or pointless here (span, abbr, time, ruby…): keep the text.
		r.convertChildren(dst, src, ctx)
		return
	}
	n := r.element(to, base+extra)
	if m, ok := blockMargin[to]; ok {
		r.setMargin(n, m)
	}
	r.contextStyle(n, to, ctx)
	if align := alignOf(src); align != "" && to != atom.Img && to != atom.Hr {
		r.styles[n].set("text-align", align)
	}
	switch to {
	case atom.Pre:
		ctx.pre = true
	case atom.Blockquote:
		ctx.quote = true
	case atom.Ol:
		if s := htmlsafe.Attr(src, "start"); digits.MatchString(s) {
			n.Attr = append(n.Attr, html.Attribute{Key: "start", Val: s})
		}
	case atom.Th, atom.Td:
		ctx.cell = true
		for _, k := range []string{"colspan", "rowspan"} {
			if s := htmlsafe.Attr(src, k); digits.MatchString(s) {
				n.Attr = append(n.Attr, html.Attribute{Key: k, Val: s})
			}
		}
	}
	if to != atom.Hr {
		r.convertChildren(n, src, ctx)
	}
	switch to {
	case atom.Blockquote, atom.Li, atom.Dd, atom.Th, atom.Td, atom.Figure, atom.Section:
		trimLastMargin(r, n)
	}
	dst.AppendChild(n)
}

// contextStyle adjusts an element for where it stands: text in quotes and
// cells keeps the container's colour and size instead of the body's.
func (r *renderer) contextStyle(n *html.Node, a atom.Atom, ctx context) {
	st := r.styles[n]
	switch {
	case ctx.pre && a == atom.Code:
		st.set("font-family", "inherit")
		st.set("font-size", "inherit")
		st.set("background-color", "transparent")
		st.set("padding", "0")
	case (ctx.quote || ctx.cell) && (a == atom.P || a == atom.Li || a == atom.Dt || a == atom.Dd):
		if ctx.cell {
			st.set("font-size", "14px")
			st.set("line-height", "1.6")
			st.set("text-align", "left")
			st.set("margin", "0 0 6px")
		} else {
			st.set("font-size", "15px")
			st.set("color", "#666")
			st.set("margin", "0 0 10px")
		}
	}
}

// trimLastMargin removes the bottom margin of the last block in n, which
// would otherwise add to n's own padding or margin.
func trimLastMargin(r *renderer, n *html.Node) {
	for c := n.LastChild; c != nil; c = c.PrevSibling {
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
			continue
		}
		if _, stacks := blockMargin[c.DataAtom]; stacks && c.Type == html.ElementNode {
			if st := r.styles[c]; st != nil {
				st.set("margin", topMargin(st.get("margin")))
			}
		}
		return
	}
}

// topMargin keeps the top of a "top right bottom" margin and zeroes the rest.
func topMargin(m string) string {
	if top, _, ok := strings.Cut(m, " "); ok && top != "0" {
		return top + " 0 0"
	}
	return "0"
}

func (r *renderer) table(dst, src *html.Node, ctx context) {
	// Wide tables scroll sideways instead of squeezing every column to a
	// few characters on a phone.
	wrap := r.element(atom.Section, "overflow-x:auto;padding:0;")
	r.setMargin(wrap, paragraphMargin)
	t := r.element(atom.Table, blockStyles[atom.Table])
	r.convertChildren(t, src, ctx)
	wrap.AppendChild(t)
	dst.AppendChild(wrap)
}

func (r *renderer) image(dst, src *html.Node) {
	u, ok := r.resolve(htmlsafe.Attr(src, "src"), false)
	if !ok {
		return // an image WeChat cannot fetch would show as a broken box
	}
	img := r.element(atom.Img, blockStyles[atom.Img])
	img.Attr = append(img.Attr, html.Attribute{Key: "src", Val: u})
	if alt := strings.TrimSpace(htmlsafe.Attr(src, "alt")); alt != "" {
		img.Attr = append(img.Attr, html.Attribute{Key: "alt", Val: alt})
	}
	dst.AppendChild(img)
}

func (r *renderer) link(dst, src *html.Node, ctx context) {
	r.convertChildren(dst, src, ctx)
	href := strings.TrimSpace(htmlsafe.Attr(src, "href"))
	if href == "" || strings.HasPrefix(href, "#") {
		return
	}
	u, ok := r.resolve(href, true)
	if !ok {
		return
	}
	num, seen := r.refIndex[u]
	if !seen {
		r.refs = append(r.refs, reference{url: u, text: collapse(htmlsafe.Text(src))})
		num = len(r.refs)
		r.refIndex[u] = num
	}
	sup := r.element(atom.Sup, markerStyle)
	sup.AppendChild(text("[" + strconv.Itoa(num) + "]"))
	dst.AppendChild(sup)
}

// resolve makes ref absolute against the base URL and reports whether the
// result is something a reader (or WeChat's image fetcher) can follow.
func (r *renderer) resolve(ref string, mailto bool) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", false
	}
	u = r.base.ResolveReference(u)
	switch u.Scheme {
	case "http", "https":
		return u.String(), u.Host != ""
	case "mailto":
		return u.String(), mailto && u.Opaque != ""
	}
	return "", false
}

func alignOf(n *html.Node) string {
	if m := alignPattern.FindStringSubmatch(htmlsafe.Attr(n, "style")); m != nil {
		return m[1]
	}
	return ""
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// applyStyles writes the collected styles as the only attribute besides the
// few kept on purpose (src, alt, start, colspan, rowspan).
func (r *renderer) applyStyles(n *html.Node) {
	if st := r.styles[n]; st != nil {
		n.Attr = append([]html.Attribute{{Key: "style", Val: st.String()}}, n.Attr...)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.applyStyles(c)
	}
}
