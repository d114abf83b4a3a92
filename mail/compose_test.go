package mail_test

import (
	"bytes"
	"encoding/base64"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var date = time.Date(2025, 3, 14, 9, 30, 0, 0, herald.CST)

// longSubject needs several encoded-words: 93 characters, 279 bytes.
const longSubject = "关于印发《全省司法行政系统深化“放管服”改革优化法治化营商环境若干措施》的通知暨二〇二五年第一季度全省公共法律服务体系建设工作推进情况通报（第三期）"

func alert() *mail.Message {
	return &mail.Message{
		From:    mail.Address{Name: "湖南省司法厅新闻中心", Address: "news@sft.example.gov.cn"},
		To:      []mail.Address{{Name: "李明（长沙市岳麓区人民调解委员会办公室主任兼法律援助中心联络员）", Address: "liming@example.cn"}},
		ReplyTo: []mail.Address{{Name: `Desk, "Herald"`, Address: "desk@sft.example.gov.cn"}},
		Subject: longSubject,
		Text: "尊敬的读者：\n\n" + strings.Repeat("全省司法行政系统认真贯彻落实党中央决策部署，", 8) +
			"\n.line that starts with a dot\nFrom the desk  \n阅读全文：https://sft.example.gov.cn/a/2025/0314/123.html\n",
		HTML: `<!doctype html><html lang="zh-CN"><body><h1>全省司法行政工作会议</h1>` +
			`<p>` + strings.Repeat("Provincial justice news in English, with a long line that must be wrapped. ", 6) + `</p>` +
			"\n.<p>a line that starts with a dot, which SMTP must stuff</p>\n<p>阅读全文</p>\n</body></html>\n",
		MessageID:         "job-42.alert@herald.example",
		Date:              date,
		UnsubscribeURL:    "https://sft.example.gov.cn/unsubscribe?token=abc123",
		UnsubscribeMailto: "unsubscribe@sft.example.gov.cn",
		Headers:           []mail.Header{{Name: "X-Herald-Job", Value: "42"}, {Name: "Auto-Submitted", Value: "auto-generated"}},
	}
}

func compose(t *testing.T, m *mail.Message) []byte {
	t.Helper()
	raw, err := mail.Compose(m, date)
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	checkWireFormat(t, raw)
	return raw
}

// checkWireFormat checks what every composed message must satisfy: 7-bit
// ASCII, CRLF line endings only, header lines within the 76 characters RFC
// 2047 allows lines with encoded-words, body lines within 78.
func checkWireFormat(t *testing.T, raw []byte) {
	t.Helper()
	for i, c := range raw {
		if c >= 0x80 || c == 0 {
			t.Fatalf("byte %d is %#x: the message is not 7-bit", i, c)
		}
		if c == '\n' && (i == 0 || raw[i-1] != '\r') || c == '\r' && (i+1 == len(raw) || raw[i+1] != '\n') {
			t.Fatalf("bare CR or LF at byte %d", i)
		}
	}
	inHeader := true
	for i, line := range strings.Split(string(raw), "\r\n") {
		if line == "" {
			inHeader = false
		}
		limit := 78
		if inHeader {
			limit = 76
		}
		if len(line) > limit {
			t.Errorf("line %d has %d characters (limit %d): %q", i+1, len(line), limit, line)
		}
	}
}

func parse(t *testing.T, raw []byte) *netmail.Message {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	return msg
}

func decodeHeader(t *testing.T, s string) string {
	t.Helper()
	got, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return got
}

// rawHeader returns a header field as written, folds included.
func rawHeader(t *testing.T, raw []byte, name string) string {
	t.Helper()
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	var field []string
	for _, line := range strings.Split(head, "\r\n") {
		switch {
		case strings.HasPrefix(line, name+":"):
			field = append(field, line)
		case len(field) > 0 && (line[0] == ' ' || line[0] == '\t'):
			field = append(field, line)
		case len(field) > 0:
			return strings.Join(field, "\r\n")
		}
	}
	return strings.Join(field, "\r\n")
}

func canonical(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

type part struct {
	contentType string
	encoding    string
	body        string
}

// parts reads the alternatives without multipart's transparent
// quoted-printable decoding, so that the encoding is checked too.
func parts(t *testing.T, msg *netmail.Message) []part {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var out []part
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("read part %d: %v", len(out)+1, err)
		}
		out = append(out, part{p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), decodeBody(t, p.Header.Get("Content-Transfer-Encoding"), p)})
	}
}

func decodeBody(t *testing.T, encoding string, r io.Reader) string {
	t.Helper()
	switch encoding {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	default:
		t.Fatalf("Content-Transfer-Encoding %q", encoding)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", encoding, err)
	}
	if !utf8.Valid(b) {
		t.Fatalf("decoded %s body is not UTF-8", encoding)
	}
	return string(b)
}

func TestComposeRoundTrip(t *testing.T) {
	m := alert()
	raw := compose(t, m)
	msg := parse(t, raw)

	if got := decodeHeader(t, msg.Header.Get("Subject")); got != m.Subject {
		t.Errorf("Subject decodes to %q, want %q", got, m.Subject)
	}
	for _, h := range []struct {
		name string
		want []mail.Address
	}{{"From", []mail.Address{m.From}}, {"To", m.To}, {"Reply-To", m.ReplyTo}} {
		list, err := msg.Header.AddressList(h.name)
		if err != nil || len(list) != len(h.want) {
			t.Fatalf("%s: %v %v", h.name, list, err)
		}
		for i, a := range list {
			if a.Name != h.want[i].Name || a.Address != h.want[i].Address {
				t.Errorf("%s[%d] = %q <%s>, want %q <%s>", h.name, i, a.Name, a.Address, h.want[i].Name, h.want[i].Address)
			}
		}
	}
	if got := msg.Header.Get("Message-ID"); got != "<job-42.alert@herald.example>" {
		t.Errorf("Message-ID = %q", got)
	}
	if got, err := msg.Header.Date(); err != nil || !got.Equal(date) {
		t.Errorf("Date = %v (%v), want %v", got, err, date)
	}
	if got := msg.Header.Get("MIME-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe"); got != "<https://sft.example.gov.cn/unsubscribe?token=abc123>, <mailto:unsubscribe@sft.example.gov.cn>" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	if got := msg.Header.Get("X-Herald-Job"); got != "42" {
		t.Errorf("X-Herald-Job = %q", got)
	}
	for name, values := range msg.Header {
		if len(values) != 1 {
			t.Errorf("%s appears %d times", name, len(values))
		}
	}

	got := parts(t, msg)
	if len(got) != 2 {
		t.Fatalf("%d parts, want text and HTML", len(got))
	}
	want := []part{
		// Mostly Chinese: base64 is shorter. Mostly ASCII: quoted-printable.
		{"text/plain; charset=UTF-8", "base64", canonical(m.Text)},
		{"text/html; charset=UTF-8", "quoted-printable", canonical(m.HTML)},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("part %d = %q %q\n%q\nwant %q %q\n%q", i+1, got[i].contentType, got[i].encoding, got[i].body, want[i].contentType, want[i].encoding, want[i].body)
		}
	}
}

func TestComposeSubjects(t *testing.T) {
	for _, tt := range []struct {
		name, subject string
		encoded       bool
		minLines      int
	}{
		{"short chinese", "省司法厅召开全省法治政府建设工作推进会", true, 1},
		{"long chinese", longSubject, true, 4},
		{"mixed with emoji", "关于《行政复议法》修订 — Q&A 📢 2025 第1期", true, 1},
		{"long ascii folds at spaces", strings.Repeat("Weekly digest of the provincial justice department news ", 5) + "end", false, 4},
		{"ascii word too long for a line is encoded", "See https://sft.example.gov.cn/" + strings.Repeat("a", 100) + " now", true, 2},
		{"leading space", "  indented", true, 1},
		{"double space", "two  spaces", true, 1},
		{"tab", "tab\there", true, 1},
		{"encoded-word look-alike", "=?UTF-8?B?5L2g?= is literal", true, 1},
		{"4-byte characters across words", strings.Repeat("𠮷", 40), true, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := alert()
			m.Subject = tt.subject
			raw := compose(t, m)
			if got := decodeHeader(t, parse(t, raw).Header.Get("Subject")); got != tt.subject {
				t.Errorf("Subject decodes to %q, want %q", got, tt.subject)
			}
			field := rawHeader(t, raw, "Subject")
			if encoded := strings.Contains(field, "=?UTF-8?B?"); encoded != tt.encoded {
				t.Errorf("encoded = %v, want %v:\n%s", encoded, tt.encoded, field)
			}
			lines := strings.Split(field, "\r\n")
			if len(lines) < tt.minLines {
				t.Errorf("%d lines, want at least %d:\n%s", len(lines), tt.minLines, field)
			}
			// Each encoded-word must stand alone: no character split
			// between two of them (RFC 2047 section 5).
			for _, w := range strings.Fields(strings.TrimPrefix(field, "Subject:")) {
				if !strings.HasPrefix(w, "=?") {
					continue
				}
				dec, err := new(mime.WordDecoder).Decode(w)
				if err != nil || !utf8.ValidString(dec) || len(w) > 75 {
					t.Errorf("encoded-word %q decodes to %q (%v), valid UTF-8 %v, length %d", w, dec, err, utf8.ValidString(dec), len(w))
				}
			}
		})
	}
}

func TestComposeLongAddressList(t *testing.T) {
	m := alert()
	m.To = nil
	for i, name := range []string{"王芳", "Zhang Wei", "张伟（湖南省长沙市中级人民法院新闻宣传处）", "O'Brien, Pat", ""} {
		m.To = append(m.To, mail.Address{Name: name, Address: "reader" + string(rune('a'+i)) + "@example.cn"})
	}
	raw := compose(t, m)
	list, err := parse(t, raw).Header.AddressList("To")
	if err != nil || len(list) != len(m.To) {
		t.Fatalf("To = %v (%v)", list, err)
	}
	for i, a := range list {
		if a.Name != m.To[i].Name || a.Address != m.To[i].Address {
			t.Errorf("To[%d] = %q <%s>, want %q <%s>", i, a.Name, a.Address, m.To[i].Name, m.To[i].Address)
		}
	}
	if field := rawHeader(t, raw, "To"); strings.Count(field, "\r\n") < 2 {
		t.Errorf("five recipients fit on %d lines:\n%s", strings.Count(field, "\r\n")+1, field)
	}
}

func TestComposeSinglePart(t *testing.T) {
	m := alert()
	m.HTML = ""
	msg := parse(t, compose(t, m))
	if got := msg.Header.Get("Content-Type"); got != "text/plain; charset=UTF-8" {
		t.Fatalf("Content-Type = %q", got)
	}
	if got := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body); got != canonical(m.Text) {
		t.Errorf("body = %q", got)
	}
}

func TestComposeUnsubscribeHeaders(t *testing.T) {
	for _, tt := range []struct {
		name, url, mailto string
		header, post      string
	}{
		{"none", "", "", "", ""},
		{"url only", "https://herald.example/u/tok", "", "<https://herald.example/u/tok>", "List-Unsubscribe=One-Click"},
		{"mailto only: no one-click", "", "mailto:leave@herald.example?subject=unsubscribe", "<mailto:leave@herald.example?subject=unsubscribe>", ""},
		{"chinese path is escaped", "https://herald.example/退订/tok", "", "<https://herald.example/%E9%80%80%E8%AE%A2/tok>", "List-Unsubscribe=One-Click"},
		{"http on loopback for demos", "http://localhost:8080/u/tok", "", "<http://localhost:8080/u/tok>", "List-Unsubscribe=One-Click"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := alert()
			m.UnsubscribeURL, m.UnsubscribeMailto = tt.url, tt.mailto
			msg := parse(t, compose(t, m))
			if got := msg.Header.Get("List-Unsubscribe"); got != tt.header {
				t.Errorf("List-Unsubscribe = %q, want %q", got, tt.header)
			}
			if got := msg.Header.Get("List-Unsubscribe-Post"); got != tt.post {
				t.Errorf("List-Unsubscribe-Post = %q, want %q", got, tt.post)
			}
		})
	}
}

func TestComposeIsDeterministic(t *testing.T) {
	a, b := compose(t, alert()), compose(t, alert())
	if !bytes.Equal(a, b) {
		t.Fatal("composing the same message twice gave different bytes")
	}
	m := alert()
	m.Date = time.Time{}
	later := date.Add(time.Hour)
	raw, err := mail.Compose(m, later)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := parse(t, raw).Header.Date(); !got.Equal(later) {
		t.Errorf("a message without Date is dated %v, want the composing time %v", got, later)
	}
}

// TestComposeGolden keeps the whole wire format reviewable; run with
// -update after a deliberate change.
func TestComposeGolden(t *testing.T) {
	raw := compose(t, alert())
	golden := filepath.Join("testdata", "alert.eml")
	if *update {
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(raw, want) {
		t.Errorf("composed message differs from %s (run go test -update if intended):\n%s", golden, raw)
	}
}

func TestComposeRefusesInvalidFields(t *testing.T) {
	for _, tt := range []struct {
		field  string
		change func(m *mail.Message)
	}{
		// Header injection: a CR or LF anywhere is refused.
		{"subject", func(m *mail.Message) { m.Subject = "Hello\r\nBcc: victim@example.cn" }},
		{"subject", func(m *mail.Message) { m.Subject = "Hello\nBcc: victim@example.cn" }},
		{"from.name", func(m *mail.Message) { m.From.Name = "Desk\r\nBcc: victim@example.cn" }},
		{"from.address", func(m *mail.Message) { m.From.Address = "desk@example.cn\r\nBcc: victim@example.cn" }},
		{"to[0].name", func(m *mail.Message) { m.To[0].Name = "李明\r" }},
		{"to[0].address", func(m *mail.Message) { m.To[0].Address = "liming@example.cn\nBcc: x@example.cn" }},
		{"reply_to[0].address", func(m *mail.Message) { m.ReplyTo[0].Address = "a@example.cn\r\n" }},
		{"message_id", func(m *mail.Message) { m.MessageID = "<a@b>\r\nBcc: x@example.cn" }},
		{"unsubscribe_url", func(m *mail.Message) { m.UnsubscribeURL = "https://herald.example/u\r\nBcc: x@example.cn" }},
		{"unsubscribe_mailto", func(m *mail.Message) { m.UnsubscribeMailto = "mailto:u@herald.example\nBcc: x@example.cn" }},
		{"headers[X-Herald-Job]", func(m *mail.Message) { m.Headers[0].Value = "42\r\nBcc: x@example.cn" }},
		{"headers[X-Evil??Bcc]", func(m *mail.Message) { m.Headers[0].Name = "X-Evil\r\nBcc" }},
		// Other invalid input.
		{"headers[Subject]", func(m *mail.Message) { m.Headers[0].Name = "Subject" }},
		{"headers[Bad Name]", func(m *mail.Message) { m.Headers[0].Name = "Bad Name" }},
		{"to", func(m *mail.Message) { m.To = nil }},
		{"to[0].address", func(m *mail.Message) { m.To[0].Address = "李明 <liming@example.cn>" }},
		{"to[0].address", func(m *mail.Message) { m.To[0].Address = "李明@example.cn" }},
		{"from.address", func(m *mail.Message) { m.From.Address = "" }},
		{"subject", func(m *mail.Message) { m.Subject = "bad \xff utf-8" }},
		{"text", func(m *mail.Message) { m.Text, m.HTML = "", "" }},
		{"message_id", func(m *mail.Message) { m.MessageID = "" }},
		{"message_id", func(m *mail.Message) { m.MessageID = "no-at-sign" }},
		{"unsubscribe_url", func(m *mail.Message) { m.UnsubscribeURL = "http://herald.example/u/tok" }},
		{"unsubscribe_url", func(m *mail.Message) { m.UnsubscribeURL = "/u/tok" }},
		{"unsubscribe_url", func(m *mail.Message) { m.UnsubscribeURL = "https://herald.example/u?a=1,2" }},
	} {
		m := alert()
		tt.change(m)
		raw, err := mail.Compose(m, date)
		if herald.ErrorCode(err) != herald.EINVALID || raw != nil {
			t.Errorf("%s: err = %v, want EINVALID and no bytes", tt.field, err)
			continue
		}
		var fields []string
		for _, f := range herald.ErrorFields(err) {
			fields = append(fields, f.Field)
		}
		if !slices.Contains(fields, tt.field) {
			t.Errorf("%s: the error names %v", tt.field, fields)
		}
	}
}
