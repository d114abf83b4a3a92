package activitypub

import (
	"html"
	"mime"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	xhtml "golang.org/x/net/html"
)

// MaxNoteRunes is the most characters a note's text has, counted as Mastodon
// counts its default limit but with every character of the link counted, so
// that a note fits on any server.
const MaxNoteRunes = 500

// minSummaryRunes is how much of the budget hashtags leave to the summary:
// a sentence of it says more than the tenth tag.
const minSummaryRunes = 120

// NoteOptions is what NoteOf needs beyond the article: its identity and
// addresses on the fediverse.
type NoteOptions struct {
	// ID is the note's ID, deterministic so that a retried delivery and a
	// later Update or Delete name the same note: for example the article's
	// URL with its version.
	ID string
	// ActorID is the actor the note is attributed to (the site or a column).
	ActorID string
	// Followers is that actor's followers collection, the note's cc.
	Followers string
	// URL is the article's absolute URL.
	URL string
	// BaseURL makes a cover image given as a path ("/media/…") absolute.
	BaseURL string
	// TagURL returns the absolute URL of a tag's page, escaped as a URL
	// (tags may hold spaces); nil leaves out the hashtags.
	TagURL func(tag string) string
}

// NoteOf builds the note for an article: its title, its summary (or the
// start of its body) shortened with "…" to fit, a link to the article and
// hashtags from its tags, at most MaxNoteRunes characters in all; the cover
// image, when there is one, as an attachment. The note is public and cc'd to
// the actor's followers; it carries the article's publication time, and its
// correction time as updated, which Mastodon needs to apply an Update.
func NoteOf(a *herald.Article, o NoteOptions) (*Note, error) {
	var p herald.Problems
	for _, f := range []struct{ name, v string }{{"id", o.ID}, {"actor_id", o.ActorID}, {"followers", o.Followers}, {"url", o.URL}} {
		if !isHTTPURL(f.v) {
			p.Add(f.name, "must be an absolute http(s) URL")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	title := collapseSpace(a.Title)
	link := o.URL
	linkRunes := utf8.RuneCountInString(link)
	if linkRunes > MaxNoteRunes/2 {
		return nil, herald.Invalid("url", "must be at most %d characters to fit in a note", MaxNoteRunes/2)
	}
	const sep = 2 // the blank line between paragraphs of the plain text
	budget := MaxNoteRunes - linkRunes - sep
	title = shorten(title, budget)
	budget -= utf8.RuneCountInString(title)

	summary := collapseSpace(a.Summary)
	if summary == "" {
		summary = collapseSpace(bodyText(a.Body))
	}
	reserve := min(utf8.RuneCountInString(summary)+sep, minSummaryRunes)

	var tags []Hashtag
	if o.TagURL != nil {
		tagsRunes := 0
		seen := map[string]bool{}
		for _, tag := range a.Tags {
			name := hashtagName(tag)
			if name == "" || seen[strings.ToLower(name)] {
				continue
			}
			cost := utf8.RuneCountInString(name) + 1 // "#"
			if tagsRunes == 0 {
				cost += sep
			} else {
				cost++ // the space between tags
			}
			if tagsRunes+cost > budget-reserve {
				continue // a shorter tag further on may still fit
			}
			seen[strings.ToLower(name)] = true
			tagsRunes += cost
			tags = append(tags, Hashtag{Type: TypeHashtag, Href: o.TagURL(tag), Name: "#" + name})
		}
		budget -= tagsRunes
	}
	if summary != "" {
		if budget-sep >= 2 {
			summary = shorten(summary, budget-sep)
		} else {
			summary = ""
		}
	}

	var b strings.Builder
	b.WriteString("<p>" + html.EscapeString(title) + "</p>")
	if summary != "" {
		b.WriteString("<p>" + html.EscapeString(summary) + "</p>")
	}
	b.WriteString(`<p><a href="` + html.EscapeString(link) + `" rel="nofollow noopener" target="_blank">` + html.EscapeString(link) + "</a></p>")
	if len(tags) > 0 {
		b.WriteString("<p>")
		for i, t := range tags {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(`<a href="` + html.EscapeString(t.Href) + `" class="mention hashtag" rel="tag">#<span>` +
				html.EscapeString(strings.TrimPrefix(t.Name, "#")) + "</span></a>")
		}
		b.WriteString("</p>")
	}
	content := b.String()

	n := &Note{
		Context:      DefaultContext(),
		ID:           o.ID,
		Type:         TypeNote,
		AttributedTo: o.ActorID,
		Content:      content,
		URL:          link,
		To:           []string{Public},
		Cc:           []string{o.Followers},
		Tag:          tags,
	}
	if a.Language != "" {
		n.ContentMap = map[string]string{a.Language: content}
	}
	if a.PublishedAt != nil {
		n.Published = a.PublishedAt.UTC().Truncate(time.Second)
	}
	if a.CorrectedAt != nil && (a.PublishedAt == nil || a.CorrectedAt.After(*a.PublishedAt)) {
		n.Updated = a.CorrectedAt.UTC().Truncate(time.Second)
	}
	if a.CoverImage != "" {
		cover := a.CoverImage
		if strings.HasPrefix(cover, "/") {
			cover = strings.TrimSuffix(o.BaseURL, "/") + cover
		}
		if !isHTTPURL(cover) {
			return nil, herald.Invalid("cover_image", "needs BaseURL to become an absolute URL")
		}
		doc := Document{Type: TypeDocument, URL: cover, Name: title}
		if u, err := url.Parse(cover); err == nil {
			if mt, _, err := mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(path.Ext(u.Path)))); err == nil {
				doc.MediaType = mt
			}
		}
		n.Attachment = []Document{doc}
	}
	return n, nil
}

// NoteText returns the plain text a reader sees of a note's HTML content:
// paragraphs separated by a blank line, entities decoded. NoteOf keeps it
// within MaxNoteRunes.
func NoteText(content string) string {
	var paras []string
	var cur strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(content))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if cur.Len() > 0 {
				paras = append(paras, cur.String())
			}
			return strings.Join(paras, "\n\n")
		case xhtml.TextToken:
			cur.Write(z.Text())
		case xhtml.EndTagToken:
			if name, _ := z.TagName(); string(name) == "p" {
				paras = append(paras, cur.String())
				cur.Reset()
			}
		case xhtml.SelfClosingTagToken, xhtml.StartTagToken:
			if name, _ := z.TagName(); string(name) == "br" {
				cur.WriteString("\n")
			}
		}
	}
}

// hashtagName turns a tag into a name Mastodon links as a hashtag: letters,
// digits and underscores only ("扫黑 除恶" becomes "扫黑除恶"); a name without a
// letter is no hashtag there and is left out.
func hashtagName(tag string) string {
	var b strings.Builder
	letter := false
	for _, r := range tag {
		switch {
		case unicode.IsLetter(r):
			letter = true
			b.WriteRune(r)
		case unicode.IsDigit(r), unicode.Is(unicode.Mn, r), r == '_':
			b.WriteRune(r)
		}
	}
	if !letter {
		return ""
	}
	return b.String()
}

// shorten cuts s to at most n runes, ending it with "…" when it was cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)[:n-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// collapseSpace trims s and turns each run of white space into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// bodyText returns the text of sanitized article HTML, with a space where a
// block ends so that paragraphs do not run together.
func bodyText(body string) string {
	var b strings.Builder
	skip := 0
	z := xhtml.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "script", "style", "figcaption":
				skip++
			case "br":
				b.WriteByte(' ')
			}
		case xhtml.EndTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "script", "style", "figcaption":
				if skip > 0 {
					skip--
				}
			case "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr":
				b.WriteByte(' ')
			}
		}
	}
}
