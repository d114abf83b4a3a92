package iptc

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/iptctest"
	"github.com/heraldnews/herald/internal/testenv"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var shanghai = time.FixedZone("CST", 8*3600)

const base = "https://news.example.gov.cn"

// trickyTitle carries everything XML and HTML escaping must survive.
const trickyTitle = `警惕"以案说法"骗局 <script>alert('x')</script> & ]]> 更多`

func at(h int) *time.Time {
	t := time.Date(2026, 3, 5, h, 0, 0, 0, shanghai)
	return &t
}

func testOptions() Options {
	return Options{
		BaseURL:  base + "/",
		Provider: "河北省司法厅",
		StaffName: func(id int64) string {
			return map[int64]string{7: "王亚兰", 8: "Li\tMing\n"}[id]
		},
		ThemeName: func(id int64) string { return map[int64]string{3: "法治宣传", 4: "公共法律服务"}[id] },
		Renditions: func(src string) []Rendition {
			if src != "/media/12-0123456789abcdef/large.jpg" {
				return nil
			}
			return []Rendition{
				{Name: "large", Href: src, ContentType: "image/jpeg", Width: 1600, Height: 900},
				{Name: "thumb", Href: "/media/12-0123456789abcdef/thumb.jpg", ContentType: "image/jpeg", Width: 320, Height: 180},
			}
		},
	}
}

// testArticles are demo-like articles: Chinese with a cover and body images
// and tricky text, a plain English one without images, and a retracted one.
func testArticles() map[string]*herald.Article {
	chinese := &herald.Article{
		ID: 101, Status: herald.StatusPublished, Version: 4,
		ArticleContent: herald.ArticleContent{
			Title:      trickyTitle,
			Subtitle:   "全省开展“八五”普法 & 依法治理",
			Summary:    "会议总结2025年工作，部署2026年重点任务。<b>不是标签</b>",
			Body:       `<p>3月5日，全省司法行政工作会议在石家庄召开。</p><figure><img src="/media/12-0123456789abcdef/large.jpg" alt="会议现场" width="1600" height="900"><figcaption>会议现场 &amp; 代表</figcaption></figure><p>会议强调<br>要坚持“枫桥经验”&lt;新时代&gt;。<a href="/articles/99.html">相关报道</a></p><p><img src="https://cdn.example.org/photos/abc.png?x=1&amp;y=2" alt=""><img src="data:image/png;base64,AAAA"></p>`,
			CoverImage: "/media/12-0123456789abcdef/large.jpg",
			Source:     "河北日报",
			Language:   "zh-CN",
			Authors:    []herald.Author{{StaffID: 7}, {StaffID: 8}, {Name: "通讯员 李明"}, {StaffID: 9}},
			ThemeIDs:   []int64{3, 4, 5},
			Tags:       []string{"法治建设", "A&B <c>"},
		},
		CreatedAt: *at(8), UpdatedAt: *at(11), PublishedAt: at(10),
	}
	english := &herald.Article{
		ID: 102, Status: herald.StatusPublished, Version: 1,
		ArticleContent: herald.ArticleContent{
			Title:    "Provincial justice work conference held",
			Body:     "<p>The conference was held on 5 March.</p>\n<p>It set the priorities for 2026.</p>",
			Language: "en",
		},
		CreatedAt: *at(9), UpdatedAt: *at(9), PublishedAt: at(9),
	}
	retracted := &herald.Article{
		ID: 103, Status: herald.StatusRetracted, Version: 6, CorrectionNote: "数据有误，已撤稿",
		ArticleContent: herald.ArticleContent{
			Title:      "已撤回的稿件",
			Summary:    "不应再分发的摘要",
			Body:       `<p>不应再分发的正文</p><img src="/media/13-fedcba9876543210/large.jpg">`,
			CoverImage: "/media/13-fedcba9876543210/large.jpg",
			Language:   "zh-CN",
		},
		CreatedAt: *at(7), UpdatedAt: *at(8), PublishedAt: at(8), RetractedAt: at(12),
	}
	return map[string]*herald.Article{"chinese": chinese, "english": english, "retracted": retracted}
}

func compileNINJSSchema(t *testing.T) *jsonschema.Schema { return iptctest.NINJSSchema(t) }

func TestNINJSValidatesAgainstSchema(t *testing.T) {
	sch := compileNINJSSchema(t)
	for name, a := range testArticles() {
		t.Run(name, func(t *testing.T) {
			out, err := NINJS(a, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
	// The validator must be able to fail, or the test above proves nothing.
	bad := map[string]any{"uri": "https://x.example/1", "type": "article", "pubstatus": "gone"}
	if sch.Validate(bad) == nil {
		t.Fatal("schema accepted an invalid document")
	}
}

func TestNewsMLValidatesAgainstXSD(t *testing.T) {
	xmllint := testenv.Tool(t, "xmllint", "apt-get install libxml2-utils")
	dir := t.TempDir()
	var files []string
	for name, a := range testArticles() {
		out, err := NewsML(a, testOptions())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(f, out, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// all three in one message, as partners pull them
	arts := testArticles()
	all, err := NewsMessage([]*herald.Article{arts["chinese"], arts["english"], arts["retracted"]}, testOptions(), *at(13))
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "message.xml")
	if err := os.WriteFile(f, all, 0o600); err != nil {
		t.Fatal(err)
	}
	files = append(files, f)
	slices.Sort(files)
	// A document the schema must refuse proves the validator is really on.
	invalid := filepath.Join(dir, "invalid.xml")
	os.WriteFile(invalid, []byte(`<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" standard="NewsML-G2" standardversion="2.35"><itemMeta/></newsItem>`), 0o600)
	iptctest.ValidateNewsML(t, files...)
	if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", iptctest.XSD(), invalid).CombinedOutput(); err == nil {
		t.Fatalf("xmllint accepted an invalid item:\n%s", out)
	}
}

// ninjsDoc is the part of a NINJS document the round-trip checks read.
type ninjsDoc struct {
	URI       string `json:"uri"`
	Version   string `json:"version"`
	PubStatus string `json:"pubstatus"`
	By        string `json:"by"`
	EdNote    string `json:"ednote"`
	Headlines []struct {
		Role, Value string
	} `json:"headlines"`
	Bodies []struct {
		ContentType string `json:"contenttype"`
		Value       string `json:"value"`
	} `json:"bodies"`
	Subjects     []struct{ Name, Rel string } `json:"subjects"`
	Associations []struct {
		Name       string `json:"name"`
		URI        string `json:"uri"`
		Renditions []struct {
			Name, Href, ContentType string
			Width, Height           int
		} `json:"renditions"`
	} `json:"associations"`
}

func TestNINJSRoundTrip(t *testing.T) {
	arts := testArticles()
	out, err := NINJS(arts["chinese"], testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var d ninjsDoc
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if d.URI != base+"/articles/101.html" || d.Version != "4" || d.PubStatus != "usable" {
		t.Errorf("uri, version, pubstatus = %q %q %q", d.URI, d.Version, d.PubStatus)
	}
	if len(d.Headlines) != 2 || d.Headlines[0].Value != trickyTitle || d.Headlines[1].Value != arts["chinese"].Subtitle {
		t.Errorf("headlines = %+v", d.Headlines)
	}
	if d.By != "王亚兰、Li Ming、通讯员 李明" {
		t.Errorf("by = %q (staff 9 has no name and is left out)", d.By)
	}
	wantText := "3月5日，全省司法行政工作会议在石家庄召开。\n\n会议现场 & 代表\n\n会议强调\n要坚持“枫桥经验”<新时代>。相关报道"
	var html, text string
	for _, b := range d.Bodies {
		switch b.ContentType {
		case "text/html":
			html = b.Value
		case "text/plain":
			text = b.Value
		}
	}
	if text != wantText {
		t.Errorf("plain body =\n%q\nwant\n%q", text, wantText)
	}
	if !strings.Contains(html, `src="`+base+`/media/12-0123456789abcdef/large.jpg"`) || !strings.Contains(html, `href="`+base+`/articles/99.html"`) {
		t.Errorf("html body links not absolute: %s", html)
	}
	var subjects []string
	for _, s := range d.Subjects {
		subjects = append(subjects, s.Rel+":"+s.Name)
	}
	if want := []string{"theme:法治宣传", "theme:公共法律服务", "tag:法治建设", "tag:A&B <c>"}; !slices.Equal(subjects, want) {
		t.Errorf("subjects = %v, want %v", subjects, want)
	}
	// The cover (also the body's first image) once, then the other http(s)
	// image; the data: URL is no href a partner can fetch.
	if len(d.Associations) != 2 {
		t.Fatalf("associations = %+v", d.Associations)
	}
	cover, other := d.Associations[0], d.Associations[1]
	if cover.Name != "cover" || cover.URI != base+"/media/12-0123456789abcdef/large.jpg" || len(cover.Renditions) != 2 ||
		cover.Renditions[0].Href != cover.URI || cover.Renditions[0].Width != 1600 || cover.Renditions[1].Href != base+"/media/12-0123456789abcdef/thumb.jpg" {
		t.Errorf("cover = %+v", cover)
	}
	if r := other.Renditions; other.URI != "https://cdn.example.org/photos/abc.png?x=1&y=2" || len(r) != 1 || r[0].Href != other.URI || r[0].ContentType != "image/png" || r[0].Width != 0 {
		t.Errorf("body image = %+v", other)
	}
}

func TestRetractedIsCanceled(t *testing.T) {
	a := testArticles()["retracted"]
	out, err := NINJS(a, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var d ninjsDoc
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if d.PubStatus != "canceled" || d.EdNote != a.CorrectionNote || len(d.Bodies) != 0 || len(d.Associations) != 0 {
		t.Errorf("retracted NINJS = %s", out)
	}
	if bytes.Contains(out, []byte("不应再分发")) {
		t.Errorf("retracted item still carries its content: %s", out)
	}
	g2, err := NewsML(a, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	m := parseG2(t, g2)
	if len(m.Items) != 1 || m.Items[0].PubStatus.QCode != "stat:canceled" || m.Items[0].ContentSet != nil || m.Package != nil {
		t.Errorf("retracted NewsML = %s", g2)
	}
	if bytes.Contains(g2, []byte("不应再分发")) {
		t.Errorf("retracted item still carries its content: %s", g2)
	}
}

// g2Doc is the part of a NewsML-G2 message the round-trip checks read.
type g2Doc struct {
	Package *struct {
		Refs []struct {
			ResidRef string `xml:"residref,attr"`
		} `xml:"groupSet>group>itemRef"`
	} `xml:"itemSet>packageItem"`
	Items []struct {
		GUID      string  `xml:"guid,attr"`
		Class     g2QCode `xml:"itemMeta>itemClass"`
		PubStatus g2QCode `xml:"itemMeta>pubStatus"`
		Headlines []struct {
			Role string `xml:"role,attr"`
			Text string `xml:",chardata"`
		} `xml:"contentMeta>headline"`
		Description string   `xml:"contentMeta>description"`
		Creators    []string `xml:"contentMeta>creator>name"`
		Subjects    []string `xml:"contentMeta>subject>name"`
		ContentSet  *struct {
			InlineXML *struct {
				HTML struct {
					XMLName xml.Name
					Title   string `xml:"head>title"`
					Body    struct {
						Inner string `xml:",innerxml"`
					} `xml:"body"`
				} `xml:"html"`
			} `xml:"inlineXML"`
			Remote []struct {
				Href   string `xml:"href,attr"`
				Width  int    `xml:"width,attr"`
				Height int    `xml:"height,attr"`
			} `xml:"remoteContent"`
		} `xml:"contentSet"`
	} `xml:"itemSet>newsItem"`
}

func parseG2(t *testing.T, out []byte) g2Doc {
	t.Helper()
	var d g2Doc
	if err := xml.Unmarshal(out, &d); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, out)
	}
	return d
}

func TestNewsMLRoundTrip(t *testing.T) {
	a := testArticles()["chinese"]
	out, err := NewsML(a, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	d := parseG2(t, out)
	if len(d.Items) != 3 || d.Package == nil {
		t.Fatalf("want a package, the text and two pictures:\n%s", out)
	}
	text := d.Items[0]
	if text.GUID != base+"/articles/101.html" || text.Class.QCode != "ninat:text" || text.PubStatus.QCode != "stat:usable" {
		t.Errorf("text item = %+v", text)
	}
	if len(text.Headlines) != 2 || text.Headlines[0].Text != trickyTitle || text.Headlines[1].Text != a.Subtitle || text.Headlines[1].Role != "herald:subheadline" {
		t.Errorf("headlines = %+v", text.Headlines)
	}
	if text.Description != a.Summary {
		t.Errorf("description = %q", text.Description)
	}
	if want := []string{"王亚兰", "Li Ming", "通讯员 李明"}; !slices.Equal(text.Creators, want) {
		t.Errorf("creators = %q, want %q", text.Creators, want)
	}
	if want := []string{"法治宣传", "公共法律服务", "法治建设", "A&B <c>"}; !slices.Equal(text.Subjects, want) {
		t.Errorf("subjects = %q", text.Subjects)
	}
	x := text.ContentSet.InlineXML.HTML
	if x.XMLName.Space != nsXHTML || x.XMLName.Local != "html" || x.Title != trickyTitle {
		t.Errorf("inline XHTML root = %+v", x.XMLName)
	}
	// The XHTML body, read back as XML, holds the article's text.
	var plain strings.Builder
	dec := xml.NewDecoder(strings.NewReader("<b>" + x.Body.Inner + "</b>"))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if c, ok := tok.(xml.CharData); ok {
			plain.Write(c)
		}
	}
	if want := "3月5日，全省司法行政工作会议在石家庄召开。会议现场 & 代表会议强调要坚持“枫桥经验”<新时代>。相关报道"; plain.String() != want {
		t.Errorf("XHTML text = %q, want %q", plain.String(), want)
	}
	var refs []string
	for _, r := range d.Package.Refs {
		refs = append(refs, r.ResidRef)
	}
	cover := base + "/media/12-0123456789abcdef/large.jpg"
	png := "https://cdn.example.org/photos/abc.png?x=1&y=2"
	if want := []string{text.GUID, cover, png}; !slices.Equal(refs, want) {
		t.Errorf("package refs = %q, want %q", refs, want)
	}
	pic := d.Items[1]
	if pic.GUID != cover || pic.Class.QCode != "ninat:picture" || len(pic.ContentSet.Remote) != 2 ||
		pic.ContentSet.Remote[0].Href != cover || pic.ContentSet.Remote[0].Width != 1600 || pic.ContentSet.Remote[0].Height != 900 {
		t.Errorf("cover picture = %+v", pic)
	}
	if d.Items[2].GUID != png || d.Items[2].ContentSet.Remote[0].Href != png {
		t.Errorf("body picture = %+v", d.Items[2])
	}
	// Escaping: the raw document carries no unescaped markup from the text.
	if bytes.Contains(out, []byte("<script>")) || !bytes.Contains(out, []byte("&lt;script&gt;")) {
		t.Errorf("title not escaped:\n%s", out)
	}
}

func TestNewsMessageCarriesEveryArticle(t *testing.T) {
	arts := testArticles()
	out, err := NewsMessage([]*herald.Article{arts["chinese"], arts["english"], arts["retracted"]}, testOptions(), *at(13))
	if err != nil {
		t.Fatal(err)
	}
	d := parseG2(t, out)
	// the Chinese article's text and two pictures, the English text, the canceled text
	if len(d.Items) != 5 || d.Package == nil {
		t.Fatalf("items = %d, package %v", len(d.Items), d.Package != nil)
	}
	var canceled int
	for _, it := range d.Items {
		if it.PubStatus.QCode == "stat:canceled" {
			canceled++
		}
	}
	if canceled != 1 || !strings.Contains(string(out), "<sent>"+utc(*at(13))+"</sent>") {
		t.Fatalf("canceled items = %d; message:\n%s", canceled, out)
	}
	if _, err := NewsMessage(nil, testOptions(), *at(13)); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("an empty message: %v", err)
	}
}

func TestTextOnlyArticleHasNoPackage(t *testing.T) {
	out, err := NewsML(testArticles()["english"], testOptions())
	if err != nil {
		t.Fatal(err)
	}
	d := parseG2(t, out)
	if d.Package != nil || len(d.Items) != 1 {
		t.Errorf("text-only article:\n%s", out)
	}
}

func TestRefusals(t *testing.T) {
	published := testArticles()["english"]
	for _, tc := range []struct {
		name  string
		edit  func(a *herald.Article, o *Options)
		field string
	}{
		{"draft", func(a *herald.Article, o *Options) { a.Status = herald.StatusDraft }, "status"},
		{"approved", func(a *herald.Article, o *Options) { a.Status = herald.StatusApproved }, "status"},
		{"scheduled", func(a *herald.Article, o *Options) { a.Status = herald.StatusScheduled }, "status"},
		{"no base URL", func(a *herald.Article, o *Options) { o.BaseURL = "" }, "base_url"},
		{"relative base URL", func(a *herald.Article, o *Options) { o.BaseURL = "news.example.gov.cn" }, "base_url"},
		{"no title", func(a *herald.Article, o *Options) { a.Title = " " }, "title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, o := *published, testOptions()
			tc.edit(&a, &o)
			for format, render := range map[string]func(*herald.Article, Options) ([]byte, error){"ninjs": NINJS, "newsml": NewsML} {
				out, err := render(&a, o)
				var he *herald.Error
				if !errors.As(err, &he) || he.Code != herald.EINVALID || len(he.Fields) != 1 || he.Fields[0].Field != tc.field {
					t.Errorf("%s: err = %v, out = %s; want EINVALID on %s", format, err, out, tc.field)
				}
			}
		})
	}
	if _, err := NINJS(nil, testOptions()); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("nil article: %v", err)
	}
}
