// Package mail composes Herald's e-mail (story alerts, digests, editors'
// notifications) as RFC 5322 / MIME bytes and sends it over SMTP.
//
// Everything that goes into a header is checked before a byte is written: a
// CR or LF anywhere is refused with herald.EINVALID naming the field, so no
// subscriber-supplied name or title can add headers or recipients. The
// composed bytes are 7-bit clean (quoted-printable or base64 bodies, RFC 2047
// encoded-words in headers), so any relay carries them unchanged.
//
// The job queue owns retries; this package tells it what can be retried
// (Temporary) and keeps the server's code and text for the delivery log.
package mail

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// Address is a mailbox with an optional display name ("司法厅新闻中心").
type Address struct {
	Name    string
	Address string
}

// Header is an extra header field the caller adds, such as List-Id or
// Auto-Submitted. The fields the composer writes itself cannot be overridden.
type Header struct {
	Name  string
	Value string
}

// Message is one e-mail to compose and send.
type Message struct {
	From    Address
	To      []Address
	ReplyTo []Address
	Subject string
	// Text and HTML are the two alternatives; at least one is required. When
	// both are given the message is multipart/alternative.
	Text string
	HTML string
	// MessageID ("<local@domain>" or "local@domain") is chosen by the caller,
	// typically from the job's ID, so that a retried job sends the same ID
	// and receivers can drop the duplicate.
	MessageID string
	// Date is when the message was written; zero means the time of composing.
	Date time.Time
	// UnsubscribeURL (https; http only on loopback for local demos) adds
	// List-Unsubscribe with RFC 8058 one-click unsubscription.
	UnsubscribeURL string
	// UnsubscribeMailto ("mailto:…" or a bare address) is offered next to the
	// URL for clients that only unsubscribe by mail.
	UnsubscribeMailto string
	// Headers follow the composer's own fields, in this order.
	Headers []Header
}

// Limits that keep composed headers within RFC 5321/5322 limits.
const (
	maxAddressLen = 254  // RFC 5321 path limit less the brackets
	maxURLLen     = 2000 // well under the 998-octet line limit once folded alone
	maxNameRunes  = 200
)

// composerHeaders are written by the composer; a caller's Header with one of
// these names would duplicate or contradict it.
var composerHeaders = []string{
	"Date", "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Message-Id",
	"Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Return-Path", "Received",
}

// validate checks every field, reporting all problems at once.
func (m *Message) validate() error {
	var p herald.Problems
	checkAddress(&p, "from", m.From)
	if len(m.To) == 0 {
		p.Add("to", "at least one recipient is required")
	}
	for i, a := range m.To {
		checkAddress(&p, indexed("to", i), a)
	}
	for i, a := range m.ReplyTo {
		checkAddress(&p, indexed("reply_to", i), a)
	}
	checkText(&p, "subject", m.Subject)
	if m.Text == "" && m.HTML == "" {
		p.Add("text", "a text or HTML body is required")
	}
	if !utf8.ValidString(m.Text) {
		p.Add("text", "is not valid UTF-8")
	}
	if !utf8.ValidString(m.HTML) {
		p.Add("html", "is not valid UTF-8")
	}
	if m.MessageID == "" {
		p.Add("message_id", "is required, so that a retried job sends the same ID")
	} else if _, err := normalizeMessageID(m.MessageID); err != "" {
		p.Add("message_id", "%s", err)
	}
	if m.UnsubscribeURL != "" {
		if _, err := unsubscribeURL(m.UnsubscribeURL); err != "" {
			p.Add("unsubscribe_url", "%s", err)
		}
	}
	if m.UnsubscribeMailto != "" {
		if _, err := unsubscribeMailto(m.UnsubscribeMailto); err != "" {
			p.Add("unsubscribe_mailto", "%s", err)
		}
	}
	for _, h := range m.Headers {
		field := "headers[" + printable(h.Name) + "]"
		switch {
		case h.Name == "" || len(h.Name) > 76:
			p.Add(field, "a header name has 1 to 76 characters")
		case hasLineBreak(h.Name):
			p.Add(field, "must not contain line breaks")
		case !isFieldName(h.Name):
			p.Add(field, "a header name is printable ASCII without colons or spaces")
		case isComposerHeader(h.Name):
			p.Add(field, "is written by the composer and cannot be set")
		default:
			checkText(&p, field, h.Value)
		}
	}
	return p.Err()
}

func indexed(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// printable makes a caller's header name safe to echo inside an error message.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func hasLineBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

// checkText checks a value that goes into a header as unstructured text.
func checkText(p *herald.Problems, field, s string) {
	switch {
	case hasLineBreak(s):
		p.Add(field, "must not contain line breaks")
	case !utf8.ValidString(s):
		p.Add(field, "is not valid UTF-8")
	case len(s) > 4000:
		p.Add(field, "is too long")
	}
}

func checkAddress(p *herald.Problems, field string, a Address) {
	if hasLineBreak(a.Name) {
		p.Add(field+".name", "must not contain line breaks")
	} else if !utf8.ValidString(a.Name) {
		p.Add(field+".name", "is not valid UTF-8")
	} else if utf8.RuneCountInString(a.Name) > maxNameRunes {
		p.Add(field+".name", "is longer than %d characters", maxNameRunes)
	}
	if msg := addressProblem(a.Address); msg != "" {
		p.Add(field+".address", "%s", msg)
	}
}

// addressProblem accepts plain ASCII addr-specs only: quoted local parts and
// internationalized addresses would need SMTPUTF8 end to end, which the
// province's relays do not promise.
func addressProblem(addr string) string {
	switch {
	case addr == "":
		return "is required"
	case hasLineBreak(addr):
		return "must not contain line breaks"
	case len(addr) > maxAddressLen:
		return "is too long"
	case strings.ContainsAny(addr, " \t\"\\<>()[],;:"):
		return "is not a valid e-mail address"
	}
	for i := 0; i < len(addr); i++ {
		if addr[i] < 0x21 || addr[i] > 0x7e {
			return "must be a plain ASCII e-mail address"
		}
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || parsed.Name != "" {
		return "is not a valid e-mail address"
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || !isDotAtom(addr[:at]) || !isDotAtom(addr[at+1:]) {
		return "is not a valid e-mail address"
	}
	return ""
}

// normalizeMessageID returns "<left@right>" or a problem description.
func normalizeMessageID(id string) (string, string) {
	if hasLineBreak(id) {
		return "", "must not contain line breaks"
	}
	s := strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	at := strings.LastIndexByte(s, '@')
	if len(s) > 250 || at <= 0 || !isDotAtom(s[:at]) || !isDotAtom(s[at+1:]) {
		return "", "must look like local@domain in dot-atom characters"
	}
	return "<" + s + ">", ""
}

// unsubscribeURL returns the URL as it goes between angle brackets.
func unsubscribeURL(raw string) (string, string) {
	if hasLineBreak(raw) {
		return "", "must not contain line breaks"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return "", "must be an absolute https URL"
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	default:
		return "", "must be an https URL (RFC 8058)"
	}
	s := u.String()
	if len(s) > maxURLLen {
		return "", "is too long"
	}
	if msg := plainURI(s); msg != "" {
		return "", msg
	}
	return s, ""
}

func unsubscribeMailto(raw string) (string, string) {
	if hasLineBreak(raw) {
		return "", "must not contain line breaks"
	}
	if !strings.HasPrefix(strings.ToLower(raw), "mailto:") {
		if msg := addressProblem(raw); msg != "" {
			return "", msg
		}
		return "mailto:" + raw, ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque == "" {
		return "", "must be mailto:address"
	}
	addr := u.Opaque
	if msg := addressProblem(addr); msg != "" {
		return "", msg
	}
	s := u.String()
	if len(s) > maxURLLen {
		return "", "is too long"
	}
	if msg := plainURI(s); msg != "" {
		return "", msg
	}
	return s, ""
}

// plainURI refuses what could end the angle-bracketed URI or be taken for
// the comma between the alternatives of List-Unsubscribe (RFC 2369).
func plainURI(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' {
			return "must be a plain ASCII URI without commas"
		}
	}
	return ""
}

func isLoopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isDotAtom reports whether s is RFC 5322 dot-atom-text.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// isFieldName reports whether s is an RFC 5322 field-name.
func isFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

func isComposerHeader(name string) bool {
	for _, h := range composerHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}
