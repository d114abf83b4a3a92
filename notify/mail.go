package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/mail"
)

// MailConfig is how notifications are mailed.
type MailConfig struct {
	// Sender sends over the relay (mail.NewSender checks its settings).
	Sender *mail.Sender
	// From is the mails' sender; an empty name means the site's name.
	From mail.Address
	// BaseURL is the site the newsroom is served at
	// ("https://news.example.gov.cn"); the mails link to its pages.
	BaseURL string
}

// Mailer mails notifications.
type Mailer struct {
	cfg    MailConfig
	base   string
	domain string // the right side of Message-IDs: the From address's domain
}

// NewMailer checks cfg and returns a mailer. Invalid settings give
// herald.EINVALID naming each field.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	var p herald.Problems
	if cfg.Sender == nil {
		p.Add("sender", "is required")
	}
	from, err := herald.NormalizeEmail(cfg.From.Address)
	if err != nil {
		p.Add("from_address", "must be an e-mail address")
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		p.Add("base_url", "must be an http(s) URL such as https://news.example.gov.cn")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return &Mailer{cfg: cfg, base: base, domain: from[strings.LastIndexByte(from, '@')+1:]}, nil
}

// runMail mails one notification. It is idempotent: a notification whose
// mail was recorded as sent is not mailed again, and one interrupted
// between sending and recording is sent again with the same Message-ID,
// which receivers recognise. Temporary SMTP failures are returned for the
// queue to retry with back-off; permanent ones fail the job with the
// server's reason.
func (s *Service) runMail(ctx context.Context, j *herald.Job) error {
	var p mailPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Notification <= 0 {
		return herald.Errorf(herald.EINVALID, "notify mail job %d: bad payload %s", j.ID, j.Payload)
	}
	if s.Mailer == nil {
		return jobs.Permanent(errors.New("no SMTP relay is configured (--smtp-addr)"))
	}
	n, err := s.Store.FindNotificationByID(ctx, p.Notification)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if n.MailedAt != nil {
		return nil
	}
	st, err := s.Store.FindStaffByID(ctx, n.StaffID)
	if err != nil {
		return err
	}
	if st.Email == "" || !st.Active() {
		s.Log.Info("notification not mailed", "notification", n.ID, "staff", st.ID, "reason", "no address or account disabled")
		return nil
	}
	msg, err := s.Mailer.compose(ctx, s.Store, n, st)
	if err != nil {
		return err
	}
	if _, err := s.Mailer.cfg.Sender.Send(ctx, msg); err != nil {
		if mail.Temporary(err) {
			return err
		}
		return jobs.Permanent(err)
	}
	s.Log.Info("notification mailed", "notification", n.ID, "staff", st.ID, "job", j.ID)
	return s.Store.MarkNotificationMailed(ctx, n.ID, s.Clock.Now())
}

// mailHTML is the HTML alternative of a notification mail: one short
// message, inline styles only, as mail clients want.
var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:16px;font-family:sans-serif;font-size:16px;line-height:1.6;color:#1a1a1a;background:#ffffff">
<p>{{.Greeting}}</p>
<p style="font-size:18px;font-weight:bold">{{.Subject}}</p>
{{if .Body}}<p style="white-space:pre-wrap;border-left:3px solid #b00020;padding-left:12px">{{.BodyLabel}}{{.Body}}</p>{{end}}
<p><a href="{{.Link}}" style="color:#0b5394">{{.Open}}</a></p>
<hr style="border:0;border-top:1px solid #cccccc">
<p style="font-size:13px;color:#555555">{{.Why}}<br>{{.Settings}}<a href="{{.SettingsLink}}" style="color:#0b5394">{{.SettingsLink}}</a></p>
</body></html>`))

// mailView is what mailHTML and the text alternative show.
type mailView struct {
	Lang, Subject, Greeting, BodyLabel, Body, Open, Link, Why, Settings, SettingsLink string
}

// compose writes the mail of n to st in their language.
func (m *Mailer) compose(ctx context.Context, store herald.SettingsStore, n *herald.Notification, st *herald.Staff) (*mail.Message, error) {
	lang := st.Language
	if lang == "" {
		lang = herald.Languages[0]
	}
	l := labelsFor(lang)
	site := m.cfg.From.Name
	if site == "" {
		set, err := store.FindSettings(ctx)
		if err != nil {
			return nil, err
		}
		site = set.SiteName
		if lang == "en" && set.SiteNameEn != "" {
			site = set.SiteNameEn
		}
	}
	name := st.Name
	if lang == "en" && st.NameEn != "" {
		name = st.NameEn
	}
	v := mailView{Lang: l.Lang, Subject: Headline(lang, n), Greeting: fmt.Sprintf(l.Greeting, name), Body: n.Body,
		BodyLabel: BodyLabel(lang, n.Kind), Open: l.Open, Link: m.base + n.Link, Why: fmt.Sprintf(l.Why, site),
		Settings: l.Settings, SettingsLink: m.base + PrefsPath}
	var html bytes.Buffer
	if err := mailHTML.Execute(&html, v); err != nil {
		return nil, err
	}
	var text strings.Builder
	text.WriteString(v.Greeting + "\n\n" + v.Subject + "\n\n")
	if v.Body != "" {
		text.WriteString(v.BodyLabel + v.Body + "\n\n")
	}
	text.WriteString(v.Open + ": " + v.Link + "\n\n-- \n" + v.Why + "\n" + v.Settings + v.SettingsLink + "\n")
	return &mail.Message{
		From: mail.Address{Name: site, Address: m.cfg.From.Address}, To: []mail.Address{{Name: name, Address: st.Email}},
		Subject: v.Subject, Text: text.String(), HTML: html.String(), Date: n.CreatedAt,
		MessageID: "herald.notify." + strconv.FormatInt(n.ID, 10) + "@" + m.domain,
		// automatic mail: no out-of-office replies to it (RFC 3834)
		Headers: []mail.Header{{Name: "Auto-Submitted", Value: "auto-generated"}},
	}, nil
}

// PrefsPath is the newsroom page where people choose their notifications.
const PrefsPath = "/newsroom/notifications/settings"
