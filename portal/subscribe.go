package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/web"
)

// Newsletter is what the subscription pages need of the e-mail newsletter
// (package newsletter's Service, set by the app); nil leaves the pages out.
// Its errors are herald errors: EINVALID naming the bad field (and "token"
// with herald.LinkInvalid, LinkExpired or LinkReplaced), ERATELIMITED naming
// "client" or "email", ECONFLICT for a subscription cancelled since its link
// was sent.
type Newsletter interface {
	// Subscribe asks for a subscription; the address gets a confirmation mail.
	Subscribe(ctx context.Context, req herald.SubscriptionRequest) error
	// Inspect checks a link of a purpose (herald.LinkConfirm or
	// LinkUnsubscribe) without acting on it.
	Inspect(ctx context.Context, purpose, token string) (*herald.Subscriber, error)
	Confirm(ctx context.Context, token string) (*herald.Subscriber, error)
	Unsubscribe(ctx context.Context, token string) (*herald.Subscriber, error)
}

// messages are the subscription pages' words in one language.
type messages map[string]string

// Get returns a message; a missing key shows itself, so that it is noticed.
func (m messages) Get(key string) string {
	if s, ok := m[key]; ok {
		return s
	}
	return key
}

// Format returns a message with its %s filled in.
func (m messages) Format(key string, args ...any) string { return fmt.Sprintf(m.Get(key), args...) }

// loadNewsletterMessages reads the subscription pages' catalogs and checks
// that every language has the default's keys.
func loadNewsletterMessages() (map[string]messages, error) {
	out := map[string]messages{}
	for _, lang := range herald.Languages {
		b, err := fs.ReadFile(web.Catalogs, "i18n/newsletter."+lang+".json")
		if err != nil {
			return nil, err
		}
		m := messages{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalog newsletter.%s.json: %w", lang, err)
		}
		out[lang] = m
	}
	for key := range out[herald.Languages[0]] {
		for _, lang := range herald.Languages[1:] {
			if _, ok := out[lang][key]; !ok {
				return nil, fmt.Errorf("catalog newsletter.%s.json lacks %q", lang, key)
			}
		}
	}
	return out, nil
}

// subscribeLink is the link to the subscription form shown next to the
// public account's QR code.
type subscribeLink struct{ URL, Label string }

// subscribeForm is what a reader typed, kept to show the form again.
type subscribeForm struct {
	Email, Name, Frequency string
	ColumnIDs, ThemeIDs    []int64
}

// subscribeData is the subscription pages' content.
type subscribeData struct {
	T         messages
	Lang      string
	LangQuery string // "?lang=en" on English pages, for links between them
	OtherLang string // the form in the other language
	Form      subscribeForm
	Errors    []string
	Invalid   map[string]bool
	Columns   []*herald.Column
	Themes    []*herald.Theme
	Frequency []herald.Frequency
	Sent      bool
	// the link pages
	Purpose, Token, Heading, Message, Button, Action string
	Done, Failed                                     bool
}

// Checked reports whether the form has id among the picks of field
// ("column" or "theme").
func (d *subscribeData) Checked(field string, id int64) bool {
	if field == "column" {
		return slices.Contains(d.Form.ColumnIDs, id)
	}
	return slices.Contains(d.Form.ThemeIDs, id)
}

// serveNewsletter answers the subscription pages: /subscribe (the form),
// /subscribe/sent, /subscribe/confirm and /unsubscribe. None of them is
// cached or indexed, and the link pages send no Referer, so that the tokens
// in their addresses go nowhere.
func (p *Portal) serveNewsletter(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery) > MaxQueryBytes {
		p.serveError(w, r, http.StatusBadRequest)
		return
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	post := r.Method == http.MethodPost
	switch path := r.URL.Path; {
	case path == "/subscribe" && post:
		p.submitSubscription(w, r)
	case (path == "/subscribe" || path == "/subscribe/sent") && get:
		p.subscriptionPage(w, r, subscribeForm{Frequency: string(herald.FrequencyEach)}, nil, nil, http.StatusOK, path == "/subscribe/sent")
	case (path == "/subscribe/confirm" || path == "/unsubscribe") && (get || post):
		p.serveLink(w, r, map[bool]string{true: herald.LinkConfirm, false: herald.LinkUnsubscribe}[path == "/subscribe/confirm"], post)
	case path == "/subscribe/sent":
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	case path == "/subscribe" || path == "/subscribe/confirm" || path == "/unsubscribe":
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	default:
		p.serveError(w, r, http.StatusNotFound)
	}
}

// pageLang is the language a subscription page speaks: Chinese, or English
// when asked for with lang=en (the English mails' links ask for it).
func pageLang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" || r.PostFormValue("lang") == "en" {
		return "en"
	}
	return herald.Languages[0]
}

// newsletterView is what every subscription page shares.
func (p *Portal) newsletterView(ctx context.Context, r *http.Request, path, titleKey string) (*view, *subscribeData, error) {
	d, err := p.siteData(ctx)
	if err != nil {
		return nil, nil, err
	}
	lang := pageLang(r)
	v := p.newView(d, lang, path, false)
	v.NoIndex = true
	data := &subscribeData{T: p.newsletterText[lang], Lang: lang, Columns: d.columns, Themes: d.themes, Frequency: herald.Frequencies,
		Invalid: map[string]bool{}}
	if lang == "en" {
		data.LangQuery, data.OtherLang = "?lang=en", "/subscribe"
	} else {
		data.OtherLang = "/subscribe?lang=en"
	}
	v.Title, v.Data = data.T.Get(titleKey), data
	return v, data, nil
}

// subscriptionPage shows the form (again, with errors), or the page that
// asks the reader to look for the confirmation mail.
func (p *Portal) subscriptionPage(w http.ResponseWriter, r *http.Request, form subscribeForm, errs []string, invalid map[string]bool, status int, sent bool) {
	path, title := "/subscribe", "newsletter.subscribe.title"
	if sent {
		path, title = "/subscribe/sent", "newsletter.sent.title"
	}
	v, data, err := p.newsletterView(r.Context(), r, path, title)
	if err != nil {
		p.newsletterFailed(w, r, err)
		return
	}
	data.Form, data.Errors, data.Sent = form, errs, sent
	for f := range invalid {
		data.Invalid[f] = true
	}
	p.writeNewsletter(w, r, "subscribe", status, v)
}

// submitSubscription takes the form: a filled honeypot is pretended to
// succeed; bad fields and limits show the form again with what is wrong.
func (p *Portal) submitSubscription(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	formErr := r.ParseForm()
	lang := pageLang(r)
	T := p.newsletterText[lang]
	if formErr != nil {
		p.subscriptionPage(w, r, subscribeForm{}, []string{T.Get("newsletter.error.form")}, nil, http.StatusBadRequest, false)
		return
	}
	sent := "/subscribe/sent"
	if lang == "en" {
		sent += "?lang=en"
	}
	if r.PostFormValue("website") != "" {
		// The honeypot is invisible to people; only robots fill it. Pretend success.
		p.Log.Info("subscription rejected as spam", "request_id", httpx.RequestID(ctx), "reason", "honeypot")
		http.Redirect(w, r, sent, http.StatusSeeOther)
		return
	}
	form := subscribeForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Frequency: r.PostFormValue("frequency")}
	var errs []string
	invalid := map[string]bool{}
	for _, f := range []struct {
		field string
		ids   *[]int64
	}{{"column_ids", &form.ColumnIDs}, {"theme_ids", &form.ThemeIDs}} {
		for _, v := range r.PostForm[f.field] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				if !invalid[f.field] {
					errs, invalid[f.field] = append(errs, T.Get("newsletter.error."+f.field)), true
				}
				continue
			}
			*f.ids = append(*f.ids, id)
		}
	}
	if len(errs) > 0 {
		p.subscriptionPage(w, r, form, errs, invalid, http.StatusBadRequest, false)
		return
	}
	sum := sha256.Sum256([]byte("herald-subscribe:" + httpx.ClientIP(r)))
	req := herald.SubscriptionRequest{Email: form.Email, ClientHash: hex.EncodeToString(sum[:12]), SubscriptionPrefs: herald.SubscriptionPrefs{
		Name: form.Name, Frequency: herald.Frequency(form.Frequency), ColumnIDs: form.ColumnIDs, ThemeIDs: form.ThemeIDs, Language: lang}}
	err := p.Newsletter.Subscribe(ctx, req)
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, sent, http.StatusSeeOther)
	case herald.EINVALID:
		for _, f := range herald.ErrorFields(err) {
			if !invalid[f.Field] {
				errs, invalid[f.Field] = append(errs, T.Get("newsletter.error."+f.Field)), true
			}
		}
		p.subscriptionPage(w, r, form, errs, invalid, http.StatusBadRequest, false)
	case herald.ERATELIMITED:
		key, wait := "newsletter.error.client", "3600"
		for _, f := range herald.ErrorFields(err) {
			switch f.Message {
			case herald.LimitRecent:
				key, wait = "newsletter.error.recent", "600"
			case herald.LimitDaily:
				key, wait = "newsletter.error.daily", "86400"
			}
		}
		w.Header().Set("Retry-After", wait)
		p.subscriptionPage(w, r, form, []string{T.Get(key)}, nil, http.StatusTooManyRequests, false)
	default:
		p.Log.Error("subscribe", "request_id", httpx.RequestID(ctx), "error", err)
		p.subscriptionPage(w, r, form, []string{T.Get("newsletter.error.server")}, nil, http.StatusInternalServerError, false)
	}
}

// serveLink answers a confirmation or unsubscribe link. GET only shows the
// button that posts (mail scanners fetch links and must not act); POST acts.
// An RFC 8058 one-click POST ("List-Unsubscribe=One-Click") is a POST like
// the button's: the token alone authorizes it.
func (p *Portal) serveLink(w http.ResponseWriter, r *http.Request, purpose string, post bool) {
	ctx := r.Context()
	if post {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseMultipartForm(64 << 10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			p.linkFailed(w, r, purpose, herald.Invalid("form", "cannot be read"))
			return
		}
	}
	token := r.FormValue("token")
	path, titleKey := "/unsubscribe", "newsletter.unsubscribe.title"
	if purpose == herald.LinkConfirm {
		path, titleKey = "/subscribe/confirm", "newsletter.confirm.title"
	}
	var sub *herald.Subscriber
	var err error
	switch {
	case token == "":
		err = herald.Invalid("token", herald.LinkInvalid)
	case !post:
		sub, err = p.Newsletter.Inspect(ctx, purpose, token)
	case purpose == herald.LinkConfirm:
		sub, err = p.Newsletter.Confirm(ctx, token)
	default:
		sub, err = p.Newsletter.Unsubscribe(ctx, token)
	}
	if err != nil {
		p.linkFailed(w, r, purpose, err)
		return
	}
	v, data, err := p.newsletterView(ctx, r, path, titleKey)
	if err != nil {
		p.newsletterFailed(w, r, err)
		return
	}
	data.Purpose, data.Token, data.Action, data.Done = purpose, token, path, post
	who := maskEmail(sub.Email)
	switch {
	case purpose == herald.LinkConfirm && post:
		data.Heading, data.Message = data.T.Get("newsletter.confirm.done"), data.T.Format("newsletter.confirm.done_body", who)
	case purpose == herald.LinkConfirm:
		data.Heading, data.Message = data.T.Get(titleKey), data.T.Format("newsletter.confirm.ask", who)
		data.Button = data.T.Get("newsletter.confirm.button")
	case post:
		data.Heading, data.Message = data.T.Get("newsletter.unsubscribe.done"), data.T.Format("newsletter.unsubscribe.done_body", who)
	default:
		data.Heading, data.Message = data.T.Get(titleKey), data.T.Format("newsletter.unsubscribe.ask", who)
		data.Button = data.T.Get("newsletter.unsubscribe.button")
	}
	p.writeNewsletter(w, r, "subscription", http.StatusOK, v)
}

// linkFailed explains why a link did not work.
func (p *Portal) linkFailed(w http.ResponseWriter, r *http.Request, purpose string, err error) {
	key, status := "newsletter.link.invalid", http.StatusBadRequest
	switch herald.ErrorCode(err) {
	case herald.EINVALID:
		for _, f := range herald.ErrorFields(err) {
			switch {
			case f.Field == "token" && f.Message == herald.LinkExpired:
				key = "newsletter.link.expired_" + purpose
			case f.Field == "token" && f.Message == herald.LinkReplaced:
				key = "newsletter.link.replaced"
			}
		}
	case herald.ECONFLICT:
		key, status = "newsletter.link.cancelled", http.StatusConflict
	case herald.ENOTFOUND:
	default:
		p.newsletterFailed(w, r, err)
		return
	}
	v, data, verr := p.newsletterView(r.Context(), r, "/subscribe", "newsletter.error.title")
	if verr != nil {
		p.newsletterFailed(w, r, verr)
		return
	}
	data.Purpose, data.Failed = purpose, true
	data.Heading, data.Message = data.T.Get("newsletter.error.title"), data.T.Get(key)
	p.writeNewsletter(w, r, "subscription", status, v)
}

// newsletterFailed answers an internal error, logged once.
func (p *Portal) newsletterFailed(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return
	}
	p.Log.Error("newsletter page", "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "error", err)
	http.Error(w, "服务暂时不可用，请稍后再试。", http.StatusInternalServerError)
}

// writeNewsletter renders a subscription page: never stored by any cache,
// never indexed, and sending no Referer from a page whose address holds a
// token.
func (p *Portal) writeNewsletter(w http.ResponseWriter, r *http.Request, name string, status int, v *view) {
	page, err := p.render(name, status, v)
	if err != nil {
		p.newsletterFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", page.ContentType)
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Content-Length", strconv.Itoa(len(page.Body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(page.Body)
	}
}

// maskEmail shows enough of an address for its owner to recognise it:
// "l*****@example.cn".
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + strings.Repeat("*", max(3, len(local)-1)) + "@" + domain
}
