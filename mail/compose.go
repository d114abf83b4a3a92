package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// Line limits. RFC 2047 caps lines holding encoded-words at 76 characters,
// tighter than RFC 5322's recommended 78, so every header is folded at 76.
// Only an unbreakable word (a long URL) may pass 78, and nothing may pass
// RFC 5322's hard limit of 998.
const (
	foldAt         = 76
	softLine       = 78
	maxLine        = 998
	maxEncodedWord = 75
)

// Compose returns m as RFC 5322 bytes with CRLF line endings, ready for SMTP
// DATA. now is the Date when m.Date is zero. The same message and date always
// give the same bytes, so a retried job sends what the first attempt sent.
// Invalid fields give herald.EINVALID naming each field.
func Compose(m *Message, now time.Time) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	date := m.Date
	if date.IsZero() {
		date = now
	}
	messageID, _ := normalizeMessageID(m.MessageID)

	var b bytes.Buffer
	var p herald.Problems
	put := func(field string, f *folder) {
		if f.tooLong {
			p.Add(field, "is too long for a header line")
			return
		}
		b.WriteString(f.String())
	}
	// Readers see times in the province's zone; clients convert anyway.
	put("date", plainField("Date", date.In(herald.CST).Format(time.RFC1123Z)))
	put("from", addressField("From", []Address{m.From}))
	if len(m.ReplyTo) > 0 {
		put("reply_to", addressField("Reply-To", m.ReplyTo))
	}
	put("to", addressField("To", m.To))
	put("subject", textField("Subject", m.Subject))
	put("message_id", plainField("Message-ID", messageID))
	b.WriteString("MIME-Version: 1.0\r\n")
	if unsub := unsubscribeField(m); unsub != nil {
		put("unsubscribe_url", unsub)
		if m.UnsubscribeURL != "" {
			// RFC 8058: the receiver may POST to the https URL without a
			// confirmation page, which mailbox providers now expect.
			b.WriteString("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
		}
	}
	for _, h := range m.Headers {
		put("headers["+h.Name+"]", textField(h.Name, h.Value))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}

	text, html := canonicalText(m.Text), canonicalText(m.HTML)
	switch {
	case text != "" && html != "":
		boundary := boundaryFor(messageID, text, html)
		ct := newFolder("Content-Type")
		ct.word("multipart/alternative;")
		ct.word(strings.TrimPrefix(mime.FormatMediaType("x/x", map[string]string{"boundary": boundary}), "x/x; "))
		b.WriteString(ct.String())
		b.WriteString("\r\n")
		// The preamble is for readers without MIME; it costs nothing.
		b.WriteString("This is a multi-part message in MIME format.\r\n")
		writePart(&b, boundary, "text/plain", text)
		writePart(&b, boundary, "text/html", html)
		b.WriteString("\r\n--" + boundary + "--\r\n")
	case text != "":
		writeBody(&b, "text/plain", text)
	default:
		writeBody(&b, "text/html", html)
	}
	return b.Bytes(), nil
}

// boundaryFor derives the boundary from the content so that composing is
// deterministic. "=_" cannot occur in quoted-printable or base64 output, so
// the boundary cannot collide with a body line whatever the content.
func boundaryFor(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "=_herald_" + hex.EncodeToString(h.Sum(nil)[:12])
}

func writePart(b *bytes.Buffer, boundary, mediaType, body string) {
	b.WriteString("\r\n--" + boundary + "\r\n")
	writeBody(b, mediaType, body)
}

// writeBody writes the Content-Type and Content-Transfer-Encoding fields, a
// blank line and the encoded body, ending without a line break (the caller
// adds the CRLF that belongs to the next boundary delimiter).
func writeBody(b *bytes.Buffer, mediaType, body string) {
	b.WriteString("Content-Type: " + mediaType + "; charset=UTF-8\r\n")
	if preferQuotedPrintable(body) {
		b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
		w := quotedprintable.NewWriter(b)
		w.Write([]byte(body))
		w.Close()
		return
	}
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > foldAt {
		b.WriteString(enc[:foldAt] + "\r\n")
		enc = enc[foldAt:]
	}
	b.WriteString(enc)
}

// preferQuotedPrintable picks the shorter encoding: quoted-printable keeps
// mostly-ASCII text readable, while Chinese text (three bytes a character,
// each tripled by quoted-printable) is far shorter in base64.
func preferQuotedPrintable(s string) bool {
	high := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			high++
		}
	}
	return len(s)+2*high <= len(s)*4/3
}

// canonicalText turns every line break into CRLF, the canonical form of
// text/* bodies (RFC 2046 4.1.1) that base64 must encode and that
// quoted-printable's hard line breaks stand for.
func canonicalText(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// folder writes one header field, folding between words so that no line is
// longer than foldAt unless a single word is.
type folder struct {
	b        strings.Builder
	line     int  // length of the current line
	words    bool // whether the current line has a word after the field name
	overlong bool // a line passed softLine
	tooLong  bool // a line passed maxLine
}

func newFolder(name string) *folder {
	f := &folder{}
	f.b.WriteString(name + ":")
	f.line = len(name) + 1
	return f
}

func (f *folder) String() string { return f.b.String() + "\r\n" }

// word adds an unbreakable word, preceded by a space or a fold.
func (f *folder) word(w string) {
	if f.words && f.line+1+len(w) > foldAt {
		f.b.WriteString("\r\n")
		f.line = 0
	}
	f.b.WriteString(" " + w)
	f.line += 1 + len(w)
	f.words = true
	f.overlong = f.overlong || f.line > softLine
	f.tooLong = f.tooLong || f.line > maxLine
}

// encoded adds s as RFC 2047 B-encoded UTF-8 words, each filling what is left
// of its line and split only between characters, so that each word decodes
// on its own (RFC 2047 section 5 forbids splitting a character).
func (f *folder) encoded(s string) {
	const overhead = len("=?UTF-8?B?") + len("?=")
	for s != "" {
		room := min(foldAt-f.line-1, maxEncodedWord)
		maxBytes := (room - overhead) / 4 * 3
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxBytes {
				break
			}
			n += size
		}
		if n == 0 {
			if f.words {
				f.b.WriteString("\r\n")
				f.line = 0
				continue
			}
			_, n = utf8.DecodeRuneInString(s) // cannot happen with foldAt 76
		}
		f.word("=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s[:n])) + "?=")
		s = s[n:]
	}
}

// plainField writes a value that needs no encoding (dates, IDs, URIs).
func plainField(name, value string) *folder {
	f := newFolder(name)
	f.word(value)
	return f
}

// textField writes unstructured text (Subject, extra headers). Text that
// survives folding and unfolding unchanged and folds into short lines is
// written as is; anything else (non-ASCII, control characters, runs of
// spaces, a literal "=?", a word too long for a line) is encoded, so that the
// decoded value equals the input exactly and every line stays short.
func textField(name, value string) *folder {
	if value == "" {
		f := newFolder(name)
		return f
	}
	if rawSafe(value) {
		f := newFolder(name)
		for _, w := range strings.Split(value, " ") {
			f.word(w)
		}
		if !f.overlong {
			return f
		}
	}
	f := newFolder(name)
	f.encoded(value)
	return f
}

// rawSafe reports whether s can be written unencoded: printable ASCII,
// single spaces between words and nothing a decoder would take for an
// encoded-word.
func rawSafe(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") || strings.Contains(s, "=?") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// addressField writes a list of mailboxes: a display name as atoms, a
// quoted-string or encoded-words (RFC 2047 section 5 allows them in a
// phrase), then the address in angle brackets.
func addressField(name string, list []Address) *folder {
	f := newFolder(name)
	for i, a := range list {
		angle := "<" + a.Address + ">"
		if i < len(list)-1 {
			angle += ","
		}
		switch n := a.Name; {
		case n == "":
		case isAtomPhrase(n):
			for _, w := range strings.Split(n, " ") {
				f.word(w)
			}
		case isQuotable(n):
			f.word(quote(n))
		default:
			f.encoded(n)
		}
		f.word(angle)
	}
	return f
}

// isAtomPhrase reports whether name is atoms separated by single spaces.
func isAtomPhrase(name string) bool {
	if strings.Contains(name, "=?") {
		return false
	}
	for _, w := range strings.Split(name, " ") {
		if w == "" {
			return false
		}
		for i := 0; i < len(w); i++ {
			if !isAtext(w[i]) {
				return false
			}
		}
	}
	return true
}

// isQuotable reports whether name fits a quoted-string unencoded: printable
// ASCII. Decoders leave encoded-word look-alikes inside quotes alone.
func isQuotable(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return false
		}
	}
	return true
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// unsubscribeField writes List-Unsubscribe (RFC 2369) with the https URL
// first, as RFC 8058 one-click receivers look for it, or nil without one.
func unsubscribeField(m *Message) *folder {
	var uris []string
	if m.UnsubscribeURL != "" {
		u, _ := unsubscribeURL(m.UnsubscribeURL)
		uris = append(uris, u)
	}
	if m.UnsubscribeMailto != "" {
		u, _ := unsubscribeMailto(m.UnsubscribeMailto)
		uris = append(uris, u)
	}
	if len(uris) == 0 {
		return nil
	}
	f := newFolder("List-Unsubscribe")
	for i, u := range uris {
		w := "<" + u + ">"
		if i < len(uris)-1 {
			w += ","
		}
		f.word(w)
	}
	return f
}
