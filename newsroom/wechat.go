package newsroom

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/wechat"
)

// wechatLabels are the messages of the WeChat page's script, read from the
// catalogs' "wechat.js.*" keys.
var wechatLabels = []string{"copied", "copyFailed", "summaryCopied", "summaryFailed"}

// wechatData is the WeChat rendition page.
type wechatData struct {
	Article *herald.Article
	// HTML is the rendition, shown as code and copied by the page's script.
	HTML                     string
	Summary                  string
	SummaryRunes, MaxSummary int
	// Cover is the address of the cropped cover; "" when the article has no
	// cover of its own uploads. CoverElsewhere says it has one on another
	// site, which the newsroom does not fetch.
	Cover                   string
	CoverElsewhere          bool
	CoverWidth, CoverHeight int
	Labels                  map[string]string
}

// wechatFrame is the document the page's phone-sized preview shows.
type wechatFrame struct {
	Title, Account string
	Rendition      template.HTML
}

// wechatFramePolicy lets the preview apply the rendition's inline styles,
// which the newsroom's own policy forbids, and nothing else: no script, and
// images only from this site (and the public site, when that is elsewhere).
const wechatFramePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:%s; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// siteURL is the public site's address without a trailing slash: BaseURL, or
// where this request came, for a newsroom served with the portal. The
// newsroom's own absolute links (calendar feeds) start with it too.
func (s *Server) siteURL(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimSuffix(s.BaseURL, "/")
	}
	scheme := "http"
	if s.Secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// wechatArticle is what the rendition needs of an article: names for the
// staff it credits, and its public address.
func (s *Server) wechatArticle(ctx context.Context, r *http.Request, a *herald.Article) (wechat.Article, error) {
	site := s.siteURL(r)
	wa := wechat.Article{Title: a.Title, Subtitle: a.Subtitle, Source: a.Source, Body: a.Body,
		URL: herald.ArticleLink(site, a.ID, herald.ReadWeChat), BaseURL: site + "/"}
	name := func(id int64) (string, error) {
		st, err := s.Store.FindStaffByID(ctx, id)
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			return "", nil
		} else if err != nil {
			return "", err
		}
		return st.Name, nil
	}
	for _, au := range a.Authors {
		n := au.Name
		if n == "" && au.StaffID != 0 {
			var err error
			if n, err = name(au.StaffID); err != nil {
				return wa, err
			}
		}
		wa.Authors = append(wa.Authors, n)
	}
	if a.EditorID != 0 {
		var err error
		if wa.Editor, err = name(a.EditorID); err != nil {
			return wa, err
		}
	}
	return wa, nil
}

// wechatSummary is the digest: the article's summary, or its text when it has
// none, cut to the length the WeChat editor takes.
func wechatSummary(a *herald.Article) string {
	if strings.TrimSpace(a.Summary) != "" {
		return wechat.Summary(a.Summary)
	}
	return wechat.Summary(search.PlainText(a.Body))
}

// rendition returns the article the path names, if the person may see it,
// and its WeChat rendition.
func (s *Server) rendition(r *http.Request, req *request) (*herald.Article, string, error) {
	a, err := s.viewable(r, req)
	if err != nil {
		return nil, "", err
	}
	wa, err := s.wechatArticle(r.Context(), r, a)
	if err != nil {
		return nil, "", err
	}
	out, err := wechat.Render(wa)
	return a, out, err
}

func (s *Server) wechatPage(w http.ResponseWriter, r *http.Request, req *request) {
	a, html, err := s.rendition(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &wechatData{Article: a, Summary: wechatSummary(a), MaxSummary: wechat.MaxSummaryRunes, HTML: html,
		CoverWidth: wechat.CoverWidth, CoverHeight: wechat.CoverHeight, Labels: map[string]string{}}
	d.SummaryRunes = utf8.RuneCountInString(d.Summary)
	if strings.TrimSpace(a.CoverImage) != "" {
		if _, _, ok := s.ownMedia(r, a.CoverImage); ok {
			d.Cover = "/newsroom/articles/" + strconv.FormatInt(a.ID, 10) + "/wechat/cover.jpg"
		} else {
			d.CoverElsewhere = true
		}
	}
	for _, k := range wechatLabels {
		d.Labels[k] = s.msgs.T(req.lang, "wechat.js."+k)
	}
	s.render(w, r, http.StatusOK, "wechat", req, s.msgs.T(req.lang, "wechat.title")+" - "+a.Title, d)
}

// wechatPreview is the rendition as a page of its own, for the phone-sized
// frame of the WeChat page: WeChat's title and account line above it, as a
// reader sees the post.
func (s *Server) wechatPreview(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	a, out, err := s.rendition(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	settings, err := s.Store.FindSettings(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	f := &wechatFrame{Title: a.Title, Account: settings.PublicAccountName, Rendition: template.HTML(out)} // built from the sanitized body
	if f.Account == "" {
		f.Account = settings.SiteName
	}
	var buf bytes.Buffer
	if err := s.templates["wechat-frame"].ExecuteTemplate(&buf, "frame", f); err != nil {
		s.fail(w, r, req, err)
		return
	}
	images := ""
	if u, err := url.Parse(s.siteURL(r)); err == nil && u.Host != "" && u.Host != r.Host {
		images = " " + u.Scheme + "://" + u.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", fmt.Sprintf(wechatFramePolicy, images))
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.Write(buf.Bytes())
}

// ownMedia reads an image address that is one of Herald's own uploads: a
// /media/ path, or the same path on this site or the public site. It
// reports false for anything else, which is never fetched.
func (s *Server) ownMedia(r *http.Request, ref string) (id int64, key string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return 0, "", false
	}
	if u.IsAbs() || u.Host != "" {
		site, err := url.Parse(s.siteURL(r))
		if err != nil || !strings.EqualFold(u.Host, site.Host) && !strings.EqualFold(u.Host, r.Host) {
			return 0, "", false
		}
	}
	id, key, _, ok = herald.ParseMediaURL(u.Path)
	return id, key, ok
}

// wechatCover is the article's cover cropped and scaled for WeChat's header
// image, made from the original of the uploaded image.
func (s *Server) wechatCover(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	a, err := s.viewable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	noCover := herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "wechat.no_own_cover"))
	mediaID, key, ok := s.ownMedia(r, a.CoverImage)
	if !ok {
		s.fail(w, r, req, noCover)
		return
	}
	m, err := s.Store.FindMediaByID(ctx, mediaID)
	if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && subtle.ConstantTimeCompare([]byte(m.Key()), []byte(key)) != 1 {
		s.fail(w, r, req, noCover)
		return
	} else if err != nil {
		s.fail(w, r, req, err)
		return
	}
	orig, err := s.Store.FindRendition(ctx, m.ID, "original")
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	// Cropping decodes the whole original, as an upload does: take a slot.
	select {
	case uploadSlots <- struct{}{}:
	case <-ctx.Done():
		return
	}
	jpg, err := wechat.Cover(orig.Data)
	<-uploadSlots
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(jpg)))
	h.Set("Content-Disposition", `inline; filename="wechat-cover-`+strconv.FormatInt(a.ID, 10)+`.jpg"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(jpg)
}
