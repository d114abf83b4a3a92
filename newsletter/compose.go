package newsletter

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"slices"
	"strings"
	texttemplate "text/template"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/mail"
	"github.com/heraldnews/herald/wechat"
)

// mailView is what the mail templates get.
type mailView struct {
	Kind      herald.MailKind
	L         labels
	SiteName  string
	SiteURL   string
	Subject   string
	Preheader string // the preview line mail clients show after the subject
	// a story, or the story a notice is about
	Title, Released, Column, URL string
	Body                         htmltemplate.HTML // the article's inline-styled rendition
	Text                         string            // the article as plain text
	// notices and the confirmation
	Intro, Note string
	// digests
	Items []digestItem
	// the confirmation
	Prefs                       []string
	ConfirmURL, Expires, Ignore string
	// the footer
	Why, UnsubscribeURL string
}

// digestItem is one story of a digest.
type digestItem struct {
	Title, URL, Summary, Column, Released string
}

// compose builds the mail a job stands for, or returns a nil message when
// there is nothing to send any more: the subscriber left or changed what it
// wants, the story was retracted, a newer confirmation replaced this one. The
// mailing it returns is the log entry to fill in with the outcome.
func (s *Service) compose(ctx context.Context, p mailPayload, sub *herald.Subscriber) (*mail.Message, *herald.Mailing, error) {
	settings, err := s.store.FindSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	lang, name := sub.Language, sub.Name
	if p.Kind == herald.MailConfirmation && sub.Status == herald.SubscriberActive && sub.Pending != nil {
		lang, name = sub.Pending.Language, sub.Pending.Name
	}
	l := labelsFor(lang)
	site := settings.SiteName
	if l.Lang == "en" && settings.SiteNameEn != "" {
		site = settings.SiteNameEn
	}
	v := &mailView{Kind: p.Kind, L: l, SiteName: site, SiteURL: s.base + "/"}
	mailing := &herald.Mailing{SubscriberID: sub.ID, Kind: p.Kind, ArticleID: p.Article, Period: p.Period, ArticleIDs: []int64{}}
	var ok bool
	switch p.Kind {
	case herald.MailConfirmation:
		ok, err = s.composeConfirmation(ctx, v, p, sub)
	case herald.MailDigest:
		ok, err = s.composeDigest(ctx, v, p, sub, mailing)
	default:
		ok, err = s.composeArticle(ctx, v, p, sub)
	}
	if err != nil || !ok {
		return nil, nil, err
	}
	fromName := s.cfg.FromName
	if fromName == "" {
		fromName = site
	}
	msg := &mail.Message{
		From: mail.Address{Name: fromName, Address: s.cfg.FromAddress}, To: []mail.Address{{Name: name, Address: sub.Email}},
		Subject: v.Subject, Date: p.At,
		Headers: []mail.Header{{Name: "List-Id", Value: "<newsletter." + s.domain + ">"}},
	}
	if s.cfg.ReplyTo != "" {
		msg.ReplyTo = []mail.Address{{Name: fromName, Address: s.cfg.ReplyTo}}
	}
	if p.Kind != herald.MailConfirmation {
		tok, err := s.token(ctx, herald.LinkUnsubscribe, sub, p.At)
		if err != nil {
			return nil, nil, err
		}
		v.UnsubscribeURL = s.link("/unsubscribe", tok, l)
		v.Why = fmt.Sprintf(l.Why, site)
		msg.UnsubscribeURL = v.UnsubscribeURL
	}
	var html, text bytes.Buffer
	if err := htmlMail.Execute(&html, v); err != nil {
		return nil, nil, err
	}
	if err := textMail.Execute(&text, v); err != nil {
		return nil, nil, err
	}
	msg.HTML, msg.Text = html.String(), manyBreaks.ReplaceAllString(text.String(), "\n\n")
	return msg, mailing, nil
}

// link is an address on the site carrying a signed token.
func (s *Service) link(path, token string, l labels) string {
	u := s.base + path + "?token=" + url.QueryEscape(token)
	if l.Lang == "en" {
		u += "&lang=en"
	}
	return u
}

// articleURL is an article's page (decision 18: portal URLs are files), with
// from=mail so that the site counts the reads the mails bring.
func (s *Service) articleURL(id int64) string { return herald.ArticleLink(s.base, id, herald.ReadMail) }

// topics names a subscriber's columns and themes, or says "everything".
func (s *Service) topics(ctx context.Context, prefs herald.SubscriptionPrefs, l labels) (string, error) {
	if len(prefs.ColumnIDs) == 0 && len(prefs.ThemeIDs) == 0 {
		return l.AllTopics, nil
	}
	cols, err := s.store.FindColumns(ctx)
	if err != nil {
		return "", err
	}
	themes, err := s.store.FindThemes(ctx)
	if err != nil {
		return "", err
	}
	var names []string
	for _, c := range cols {
		if slices.Contains(prefs.ColumnIDs, c.ID) {
			names = append(names, pick(l, c.Name, c.NameEn))
		}
	}
	for _, t := range themes {
		if slices.Contains(prefs.ThemeIDs, t.ID) {
			names = append(names, pick(l, t.Name, t.NameEn))
		}
	}
	return strings.Join(names, l.ListSeparator), nil
}

// pick is a name in the labels' language.
func pick(l labels, zh, en string) string {
	if l.Lang == "en" && en != "" {
		return en
	}
	return zh
}

func (s *Service) composeConfirmation(ctx context.Context, v *mailView, p mailPayload, sub *herald.Subscriber) (bool, error) {
	prefs, change := sub.SubscriptionPrefs, false
	switch {
	case sub.Status == herald.SubscriberPending:
	case sub.Status == herald.SubscriberActive && sub.Pending != nil:
		prefs, change = *sub.Pending, true
	default:
		return false, nil // confirmed or cancelled meanwhile
	}
	if sub.RequestedAt == nil || sub.RequestedAt.Unix() != p.At.Unix() {
		return false, nil // a newer request has its own mail
	}
	l := v.L
	topics, err := s.topics(ctx, prefs, l)
	if err != nil {
		return false, err
	}
	tok, err := s.token(ctx, herald.LinkConfirm, sub, p.At)
	if err != nil {
		return false, err
	}
	v.Subject = fmt.Sprintf(l.ConfirmSubject, v.SiteName)
	v.Intro, v.Ignore = fmt.Sprintf(l.ConfirmIntro, v.SiteName), l.ConfirmIgnore
	if change {
		v.Intro, v.Ignore = fmt.Sprintf(l.ConfirmChangeIntro, v.SiteName), l.ConfirmChangeIgnore
	}
	v.Prefs = []string{l.FrequencyLabel + l.Frequencies[prefs.Frequency], l.TopicsLabel + topics}
	v.ConfirmURL = s.link("/subscribe/confirm", tok, l)
	v.Expires = fmt.Sprintf(l.ConfirmExpires, l.dateTime(p.At.Add(ConfirmLinkTTL)))
	v.Why = fmt.Sprintf(l.ConfirmWhy, v.SiteName)
	v.Preheader = v.Intro
	return true, nil
}

// composeArticle composes a story, a correction notice or a retraction
// notice.
func (s *Service) composeArticle(ctx context.Context, v *mailView, p mailPayload, sub *herald.Subscriber) (bool, error) {
	a, err := s.store.FindArticleByID(ctx, p.Article)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if sub.Status != herald.SubscriberActive {
		return false, nil
	}
	l := v.L
	v.Title, v.URL = a.Title, s.articleURL(a.ID)
	switch p.Kind {
	case herald.MailStory:
		if a.Status != herald.StatusPublished || sub.Frequency != herald.FrequencyEach || !sub.Wants(a) {
			return false, nil
		}
		if err := s.fillStory(ctx, v, a); err != nil {
			return false, err
		}
		v.Subject = a.Title
	case herald.MailCorrection:
		if a.Status != herald.StatusPublished {
			return false, nil // retracted since: its retraction notice follows
		}
		v.Subject = fmt.Sprintf(l.CorrectionSubject, a.Title)
		v.Intro, v.Note = fmt.Sprintf(l.CorrectionIntro, a.Title), a.CorrectionNote
		v.Preheader = v.Intro
	case herald.MailRetraction:
		if a.Status != herald.StatusRetracted {
			return false, nil
		}
		v.Subject = fmt.Sprintf(l.RetractionSubject, a.Title)
		v.Intro, v.URL = fmt.Sprintf(l.RetractionIntro, a.Title), ""
		v.Preheader = v.Intro
	default:
		return false, herald.Errorf(herald.EINVALID, "unknown mail kind %q", p.Kind)
	}
	return true, nil
}

// fillStory puts an article's rendition into the view: the inline-styled
// HTML the WeChat rendition makes (mail clients, like WeChat's editor, keep
// only inline styles) and its plain text.
func (s *Service) fillStory(ctx context.Context, v *mailView, a *herald.Article) error {
	wa := wechat.Article{Title: a.Title, Subtitle: a.Subtitle, Source: a.Source, Body: a.Body, URL: v.URL, BaseURL: s.base + "/"}
	for _, au := range a.Authors {
		if au.Name != "" {
			wa.Authors = append(wa.Authors, au.Name)
		} else if st, err := s.store.FindStaffByID(ctx, au.StaffID); err == nil {
			wa.Authors = append(wa.Authors, pick(v.L, st.Name, st.NameEn))
		}
	}
	if a.EditorID != 0 {
		if st, err := s.store.FindStaffByID(ctx, a.EditorID); err == nil {
			wa.Editor = pick(v.L, st.Name, st.NameEn)
		}
	}
	body, err := wechat.Render(wa)
	if err != nil {
		return err
	}
	v.Body = htmltemplate.HTML(body) // built by wechat.Render from the sanitized body
	v.Text = htmlText(a.Body, s.base)
	if a.PublishedAt != nil {
		v.Released = v.L.dateTime(*a.PublishedAt)
	}
	if c, err := s.column(ctx, a.ColumnID); err == nil && c != nil {
		v.Column = pick(v.L, c.Name, c.NameEn)
	}
	v.Preheader = a.Summary
	if v.Preheader == "" {
		v.Preheader = wechat.Summary(v.Text)
	}
	return nil
}

func (s *Service) column(ctx context.Context, id int64) (*herald.Column, error) {
	cols, err := s.store.FindColumns(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, nil
}

func (s *Service) composeDigest(ctx context.Context, v *mailView, p mailPayload, sub *herald.Subscriber, mailing *herald.Mailing) (bool, error) {
	freq, from, until, err := parsePeriod(p.Period)
	if err != nil {
		return false, err
	}
	if sub.Status != herald.SubscriberActive || sub.Frequency != freq || len(p.Articles) == 0 {
		return false, nil
	}
	as, _, err := s.store.FindArticles(ctx, herald.ArticleFilter{IDs: p.Articles, Statuses: []herald.Status{herald.StatusPublished},
		Order: herald.ByPublished, NoCount: true})
	if err != nil {
		return false, err
	}
	cols, err := s.store.FindColumns(ctx)
	if err != nil {
		return false, err
	}
	l := v.L
	for _, a := range as {
		if !sub.Wants(a) {
			continue
		}
		item := digestItem{Title: a.Title, URL: s.articleURL(a.ID), Summary: a.Summary}
		if item.Summary == "" {
			item.Summary = wechat.Summary(htmlText(a.Body, s.base))
		}
		if a.PublishedAt != nil {
			item.Released = l.dateTime(*a.PublishedAt)
		}
		if i := slices.IndexFunc(cols, func(c *herald.Column) bool { return c.ID == a.ColumnID }); i >= 0 {
			item.Column = pick(l, cols[i].Name, cols[i].NameEn)
		}
		v.Items = append(v.Items, item)
		mailing.ArticleIDs = append(mailing.ArticleIDs, a.ID)
	}
	if len(v.Items) == 0 {
		return false, nil // all retracted since
	}
	title := l.DigestDaily
	if freq == herald.FrequencyWeekly {
		title = l.DigestWeekly
	}
	v.Subject = fmt.Sprintf(title, v.SiteName, l.date(until))
	v.Intro = fmt.Sprintf(l.DigestIntro, l.dateTime(from), l.dateTime(until))
	v.Preheader = v.Items[0].Title
	return true, nil
}

// Styles of the mails, inline as mail clients want them; the colours are
// the portal's.
const (
	fontStack = `-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',sans-serif`
	accent    = "#a8141a"
	linkColor = "#12457a"
)

var htmlMail = htmltemplate.Must(htmltemplate.New("mail").Funcs(htmltemplate.FuncMap{
	"font": func() htmltemplate.CSS { return htmltemplate.CSS("font-family:" + fontStack + ";") },
}).Parse(`<!doctype html>
<html lang="{{.L.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#f3f3f3;">
<div style="display:none;max-height:0;overflow:hidden;">{{.Preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f3f3;"><tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;background:#ffffff;border-top:4px solid ` + accent + `;">
<tr><td style="{{font}}padding:20px 20px 8px;color:#333;font-size:16px;line-height:1.75;">
<p style="margin:0 0 16px;font-size:14px;font-weight:bold;"><a href="{{.SiteURL}}" style="color:` + accent + `;text-decoration:none;">{{.SiteName}}</a></p>
{{- if eq (print .Kind) "story"}}
<h1 style="margin:0 0 8px;font-size:22px;line-height:1.4;color:#1d1d1f;">{{.Title}}</h1>
<p style="margin:0 0 20px;font-size:13px;color:#888;">{{if .Released}}{{.L.Released}}{{.Released}}{{end}}{{if .Column}}　{{.Column}}{{end}}</p>
{{.Body}}
<p style="margin:24px 0 8px;"><a href="{{.URL}}" style="display:inline-block;padding:10px 20px;background:` + accent + `;color:#ffffff;text-decoration:none;border-radius:4px;">{{.L.ReadOnSite}}</a></p>
{{- else if eq (print .Kind) "digest"}}
<h1 style="margin:0 0 8px;font-size:22px;line-height:1.4;color:#1d1d1f;">{{.Subject}}</h1>
<p style="margin:0 0 20px;font-size:13px;color:#888;">{{.Intro}}</p>
{{range .Items}}<div style="margin:0 0 20px;">
<p style="margin:0;font-size:17px;line-height:1.5;font-weight:bold;"><a href="{{.URL}}" style="color:` + linkColor + `;text-decoration:none;">{{.Title}}</a></p>
{{if .Summary}}<p style="margin:4px 0 0;font-size:15px;color:#555;">{{.Summary}}</p>{{end}}
<p style="margin:2px 0 0;font-size:12px;color:#999;">{{.Column}}{{if and .Column .Released}}　{{end}}{{.Released}}</p>
</div>
{{end}}
{{- else if eq (print .Kind) "confirmation"}}
<h1 style="margin:0 0 12px;font-size:20px;line-height:1.4;color:#1d1d1f;">{{.Subject}}</h1>
<p style="margin:0 0 12px;">{{.Intro}}</p>
<ul style="margin:0 0 16px;padding-left:20px;">{{range .Prefs}}<li>{{.}}</li>{{end}}</ul>
<p style="margin:0 0 16px;"><a href="{{.ConfirmURL}}" style="display:inline-block;padding:12px 28px;background:` + accent + `;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold;">{{.L.ConfirmButton}}</a></p>
<p style="margin:0 0 8px;font-size:13px;color:#888;word-break:break-all;">{{.Expires}} {{.ConfirmURL}}</p>
<p style="margin:0 0 8px;font-size:13px;color:#888;">{{.Ignore}}</p>
{{- else}}
<h1 style="margin:0 0 12px;font-size:20px;line-height:1.4;color:#1d1d1f;">{{.Subject}}</h1>
<p style="margin:0 0 12px;">{{.Intro}}</p>
{{if .Note}}<p style="margin:0 0 12px;padding:8px 12px;border-left:4px solid ` + accent + `;background:#fff4f4;"><strong>{{.L.CorrectionNote}}</strong>{{.Note}}</p>{{end}}
{{if .URL}}<p style="margin:16px 0 8px;"><a href="{{.URL}}" style="color:` + linkColor + `;">{{.L.ReadCorrected}}</a></p>{{end}}
{{- end}}
</td></tr>
<tr><td style="{{font}}padding:16px 20px 20px;border-top:1px solid #eeeeee;font-size:12px;line-height:1.6;color:#888;">
<p style="margin:0;">{{.Why}}{{if .UnsubscribeURL}} <a href="{{.UnsubscribeURL}}" style="color:#888;">{{.L.Unsubscribe}}</a>{{end}}</p>
</td></tr></table>
</td></tr></table>
</body>
</html>
`))

var textMail = texttemplate.Must(texttemplate.New("mail").Parse(`{{.SiteName}}
{{if eq (print .Kind) "story"}}
{{.Title}}
{{if .Released}}{{.L.Released}}{{.Released}}{{end}}{{if .Column}}  {{.Column}}{{end}}

{{.Text}}

{{.L.ReadOnSite}}{{.L.Colon}}{{.URL}}
{{- else if eq (print .Kind) "digest"}}
{{.Subject}}
{{.Intro}}
{{range .Items}}
{{.Title}}
{{if .Summary}}{{.Summary}}
{{end}}{{.URL}}
{{end}}
{{- else if eq (print .Kind) "confirmation"}}
{{.Subject}}

{{.Intro}}
{{range .Prefs}}
  {{.}}{{end}}

{{.L.ConfirmButton}}{{.L.Colon}}{{.ConfirmURL}}

{{.Expires}}
{{.Ignore}}
{{- else}}
{{.Subject}}

{{.Intro}}
{{if .Note}}
{{.L.CorrectionNote}}{{.Note}}
{{end}}{{if .URL}}
{{.L.ReadCorrected}}{{.L.Colon}}{{.URL}}
{{end}}
{{- end}}

-- 
{{.Why}}
{{- if .UnsubscribeURL}}
{{.L.UnsubscribeHint}}{{.UnsubscribeURL}}
{{- end}}
`))
