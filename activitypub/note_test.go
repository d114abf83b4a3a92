package activitypub_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
)

const base = "https://sft.example.gov.cn"

func noteOptions() activitypub.NoteOptions {
	return activitypub.NoteOptions{
		ID:        base + "/articles/7?v=2",
		ActorID:   base + "/ap/actors/site",
		Followers: base + "/ap/actors/site/followers",
		URL:       base + "/articles/7",
		BaseURL:   base,
		TagURL:    func(tag string) string { return base + "/tags/" + tag },
	}
}

func TestNoteOfLongChineseText(t *testing.T) {
	published := time.Date(2026, 4, 2, 1, 2, 3, 456, time.UTC)
	a := &herald.Article{PublishedAt: &published, ArticleContent: herald.ArticleContent{
		Title:    "关于进一步加强基层公共法律服务体系建设的实施意见（征求意见稿）公开征求意见的公告",
		Summary:  strings.Repeat("为深入贯彻落实全面依法治国战略部署，推进公共法律服务均衡发展。", 60), // about 1,900 characters
		Language: "zh-CN",
		Tags:     []string{"公共法律服务", "法治宣传", "基层治理", "法律援助", "人民调解", "普法", "依法治省", "司法行政", "律师", "公证"},
	}}
	n, err := activitypub.NoteOf(a, noteOptions())
	if err != nil {
		t.Fatal(err)
	}
	text := activitypub.NoteText(n.Content)
	if got := utf8.RuneCountInString(text); got > activitypub.MaxNoteRunes {
		t.Fatalf("the note's text has %d characters, more than %d:\n%s", got, activitypub.MaxNoteRunes, text)
	}
	paras := strings.Split(text, "\n\n")
	if len(paras) != 4 {
		t.Fatalf("want title, summary, link and hashtags; got %d paragraphs:\n%s", len(paras), text)
	}
	if paras[0] != a.Title {
		t.Errorf("title %q, want it whole", paras[0])
	}
	if !strings.HasSuffix(paras[1], "…") || !strings.HasPrefix(a.Summary, strings.TrimSuffix(paras[1], "…")) {
		t.Errorf("summary %q is not the start of the summary ending in …", paras[1])
	}
	if utf8.RuneCountInString(paras[1]) < 120 {
		t.Errorf("the summary was cut to %d characters; the hashtags must leave it room", utf8.RuneCountInString(paras[1]))
	}
	if paras[2] != noteOptions().URL {
		t.Errorf("link paragraph %q, want %q", paras[2], noteOptions().URL)
	}
	if len(n.Tag) == 0 || !strings.HasPrefix(paras[3], "#公共法律服务 #法治宣传") {
		t.Errorf("hashtags %q (%d tags)", paras[3], len(n.Tag))
	}
	if !n.Published.Equal(published.Truncate(time.Second)) || !n.Updated.IsZero() {
		t.Errorf("published %v updated %v", n.Published, n.Updated)
	}
	if n.ContentMap["zh-CN"] != n.Content || n.To[0] != activitypub.Public || n.Cc[0] != noteOptions().Followers {
		t.Errorf("contentMap %v, to %v, cc %v", n.ContentMap, n.To, n.Cc)
	}
}

func TestNoteOfFitsEveryLength(t *testing.T) {
	// Whatever the lengths, the text stays within the limit and keeps the link.
	for _, titleLen := range []int{1, 50, 200} {
		for _, summaryLen := range []int{0, 10, 300, 2000} {
			a := &herald.Article{ArticleContent: herald.ArticleContent{
				Title:   strings.Repeat("法", titleLen),
				Summary: strings.Repeat("治", summaryLen),
				Tags:    []string{strings.Repeat("标签", 20), "普法"},
			}}
			o := noteOptions()
			o.URL = base + "/articles/" + strings.Repeat("x", 200)
			n, err := activitypub.NoteOf(a, o)
			if err != nil {
				t.Fatal(err)
			}
			text := activitypub.NoteText(n.Content)
			if got := utf8.RuneCountInString(text); got > activitypub.MaxNoteRunes || !strings.Contains(text, o.URL) {
				t.Errorf("title %d, summary %d: %d characters, link kept: %v", titleLen, summaryLen, got, strings.Contains(text, o.URL))
			}
		}
	}
}

func TestNoteOfHashtags(t *testing.T) {
	a := &herald.Article{ArticleContent: herald.ArticleContent{
		Title: "标题",
		Tags:  []string{"法治 宣传", "2026", "法治宣传", "Rule-of-Law", "民法典"},
	}}
	n, err := activitypub.NoteOf(a, noteOptions())
	if err != nil {
		t.Fatal(err)
	}
	var names, hrefs []string
	for _, tag := range n.Tag {
		if tag.Type != "Hashtag" {
			t.Errorf("tag type %q", tag.Type)
		}
		names = append(names, tag.Name)
		hrefs = append(hrefs, tag.Href)
	}
	// Spaces and hyphens go, digits-only tags are no hashtags, duplicates
	// (after that) go; the link is to the tag as the site knows it.
	if got, want := strings.Join(names, " "), "#法治宣传 #RuleofLaw #民法典"; got != want {
		t.Errorf("hashtags %q, want %q", got, want)
	}
	if hrefs[0] != base+"/tags/法治 宣传" {
		t.Errorf("href %q", hrefs[0])
	}
	if !strings.Contains(n.Content, `class="mention hashtag" rel="tag">#<span>民法典</span></a>`) {
		t.Errorf("content %s lacks Mastodon's hashtag markup", n.Content)
	}
}

func TestNoteOfEscapesAndAttaches(t *testing.T) {
	published := time.Date(2026, 4, 2, 1, 0, 0, 0, time.UTC)
	corrected := published.Add(2 * time.Hour)
	a := &herald.Article{PublishedAt: &published, CorrectedAt: &corrected, ArticleContent: herald.ArticleContent{
		Title:      `<script>alert("x")</script> & 通知`,
		Body:       `<p>第一段 &amp; <strong>重点</strong></p><p>第二段</p><script>evil()</script>`,
		CoverImage: "/media/2026/cover.PNG",
	}}
	n, err := activitypub.NoteOf(a, noteOptions())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(n.Content, "<script>") || !strings.Contains(n.Content, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 通知") {
		t.Errorf("content not escaped: %s", n.Content)
	}
	text := activitypub.NoteText(n.Content)
	if !strings.HasPrefix(text, a.Title+"\n\n第一段 & 重点 第二段\n\n") || strings.Contains(text, "evil") {
		t.Errorf("text %q: want the title, then the body's text without scripts", text)
	}
	if len(n.Attachment) != 1 || n.Attachment[0].URL != base+"/media/2026/cover.PNG" || n.Attachment[0].MediaType != "image/png" ||
		n.Attachment[0].Type != "Document" || n.Attachment[0].Name != a.Title {
		t.Errorf("attachment %+v", n.Attachment)
	}
	if !n.Updated.Equal(corrected) {
		t.Errorf("updated %v, want %v", n.Updated, corrected)
	}
	up := activitypub.NewUpdate(n.ID+"#u1", n)
	if up.Type != "Update" || up.Actor != n.AttributedTo || !up.Published.Equal(corrected) || up.Object.(*activitypub.Note).Context != nil {
		t.Errorf("update %+v", up)
	}
}

func TestNoteOfRefusesRelativeIDs(t *testing.T) {
	o := noteOptions()
	o.ID = "/articles/7"
	_, err := activitypub.NoteOf(&herald.Article{ArticleContent: herald.ArticleContent{Title: "t"}}, o)
	if herald.ErrorCode(err) != herald.EINVALID || herald.ErrorFields(err)[0].Field != "id" {
		t.Fatalf("err = %v, want invalid id", err)
	}
}
