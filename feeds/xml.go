package feeds

import (
	"bytes"
	"encoding/xml"
	"io"
)

// Namespaces used by the XML outputs.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsXHTML   = "http://www.w3.org/1999/xhtml"
	nsNews    = "http://www.google.com/schemas/sitemap-news/0.9"
)

// encodeXML renders v as an indented UTF-8 XML document and writes it to w
// in one piece.
func encodeXML(w io.Writer, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return writeOut(w, &buf)
}

// cdata is element text written as a CDATA section. encoding/xml splits any
// "]]>" in the text across two sections, so content can never end the section
// early; clean removes the characters XML forbids, which CDATA cannot escape.
type cdata struct {
	Text string `xml:",cdata"`
}
