package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/syndication"
)

// syndicationReady answers 503 when the server runs without syndication.
func (s *Server) syndicationReady(w http.ResponseWriter, r *http.Request) bool {
	if s.Syndication == nil {
		s.problem(w, r, herald.Errorf(herald.EUNAVAILABLE, "Syndication is not available on this server."))
		return false
	}
	return true
}

func (s *Server) listPartners(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if err := syndication.MayView(actor); err != nil {
		s.problem(w, r, err)
		return
	}
	ps, err := s.Store.FindPartners(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(ps, len(ps)))
}

// partnerInput is a new partner.
type partnerInput struct {
	Slug      string             `json:"slug"`
	Name      string             `json:"name"`
	Kind      herald.OutletKind  `json:"kind"`
	Level     herald.OutletLevel `json:"level"`
	Languages []string           `json:"languages"`
	Format    string             `json:"format"`
	PushURL   string             `json:"push_url"`
}

// partnerToken shows a partner's token, once.
type partnerToken struct {
	Token   string          `json:"token"`
	Partner *herald.Partner `json:"partner"`
}

func (s *Server) createPartner(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.syndicationReady(w, r) {
		return
	}
	var in partnerInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	p := &herald.Partner{Slug: in.Slug, Name: strings.TrimSpace(in.Name), Kind: in.Kind, Level: in.Level, Languages: in.Languages,
		Format: in.Format, PushURL: strings.TrimSpace(in.PushURL)}
	secret, err := s.Syndication.CreatePartner(r.Context(), actor, p)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, partnerToken{Token: secret, Partner: p})
}

func (s *Server) updatePartner(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.syndicationReady(w, r) {
		return
	}
	id, in, err := idAndBody[herald.PartnerUpdate](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if in.Version <= 0 {
		s.problem(w, r, herald.Invalid("version", "is required: send the version you changed"))
		return
	}
	p, err := s.Syndication.UpdatePartner(r.Context(), actor, id, in)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, p)
}

// versionInput names the version a change was made to.
type versionInput struct {
	Version int `json:"version"`
}

func (s *Server) rotatePartnerToken(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !s.syndicationReady(w, r) {
		return
	}
	id, in, err := idAndBody[versionInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	secret, p, err := s.Syndication.RotateToken(r.Context(), actor, id, in.Version)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, partnerToken{Token: secret, Partner: p})
}

func (s *Server) articlePlacements(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// whoever may read the article may see where it ran
	if _, err := s.Workflow.Get(r.Context(), actor, id); err != nil {
		s.problem(w, r, err)
		return
	}
	s.replyPlacements(w, r, herald.PlacementFilter{ArticleID: id})
}

func (s *Server) replyPlacements(w http.ResponseWriter, r *http.Request, f herald.PlacementFilter) {
	var err error
	f.Limit, err = queryInt(r, "limit", 50, 1, 500)
	if err == nil {
		f.Offset, err = queryInt(r, "offset", 0, 0, 1<<30)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	pls, total, err := s.Store.FindPlacements(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(pls, total))
}

// pullPage is a page of NINJS items.
type pullPage struct {
	Since time.Time         `json:"since"`
	Until time.Time         `json:"until"`
	Items []json.RawMessage `json:"items"`
	Next  string            `json:"next,omitempty"` // the URL of the next page
}

func (s *Server) pullItems(w http.ResponseWriter, r *http.Request, p *herald.Partner) {
	q := r.URL.Query()
	format, err := pullFormat(q, p)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	win, err := pullWindow(q)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	page, err := s.Syndication.Pull(r.Context(), p, win)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	next := ""
	if page.Next != nil {
		v := url.Values{"format": {format}, "since": {page.Since.Format(time.RFC3339Nano)}, "until": {page.Until.Format(time.RFC3339Nano)},
			"after": {encodeCursor(*page.Next)}}
		if win.Limit != 0 {
			v.Set("limit", strconv.Itoa(win.Limit))
		}
		next = r.URL.Path + "?" + v.Encode()
		w.Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	if format == herald.FormatNewsML {
		if len(page.Articles) == 0 {
			// a newsMessage must hold an item: nothing changed is no content
			w.WriteHeader(http.StatusNoContent)
			return
		}
		msg, err := s.Syndication.NewsMessage(r.Context(), page.Articles)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		writeItem(w, format, msg)
		return
	}
	items, err := s.Syndication.NINJS(r.Context(), page.Articles)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, pullPage{Since: page.Since, Until: page.Until, Items: items, Next: next})
}

func (s *Server) pullItem(w http.ResponseWriter, r *http.Request, p *herald.Partner) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	format, err := pullFormat(r.URL.Query(), p)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.Syndication.Article(r.Context(), p, id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Syndication.Render(r.Context(), a, format)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeItem(w, format, out)
}

func writeItem(w http.ResponseWriter, format string, body []byte) {
	w.Header().Set("Content-Type", syndication.ContentType(format)+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// pullFormat reads ?format=, which defaults to the partner's own.
func pullFormat(q url.Values, p *herald.Partner) (string, error) {
	switch f := q.Get("format"); f {
	case "":
		return p.Format, nil
	case herald.FormatNINJS, herald.FormatNewsML:
		return f, nil
	}
	return "", herald.Invalid("format", "must be %s or %s", herald.FormatNINJS, herald.FormatNewsML)
}

// pullWindow reads since, until (RFC 3339 times, or days taken in China
// Standard Time), after and limit.
func pullWindow(q url.Values) (syndication.Window, error) {
	var win syndication.Window
	var p herald.Problems
	for _, f := range []struct {
		name string
		into *time.Time
	}{{"since", &win.Since}, {"until", &win.Until}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t, err = time.ParseInLocation(time.DateOnly, v, herald.CST)
		}
		if err != nil {
			p.Add(f.name, "must be a time such as 2026-11-26T08:00:00+08:00 or a day such as 2026-11-26")
		}
		*f.into = t.UTC()
	}
	if v := q.Get("after"); v != "" {
		c, ok := decodeCursor(v)
		if !ok {
			p.Add("after", "must be the cursor of a next link")
		}
		win.After = &c
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > syndication.MaxPullLimit {
			p.Add("limit", "must be from 1 to %d", syndication.MaxPullLimit)
		}
		win.Limit = n
	}
	return win, p.Err()
}

// encodeCursor writes a cursor as "<unix microseconds>.<article ID>".
func encodeCursor(c herald.ArticleCursor) string {
	return strconv.FormatInt(c.UpdatedAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

func decodeCursor(v string) (herald.ArticleCursor, bool) {
	us, id, ok := strings.Cut(v, ".")
	micro, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n < 0 {
		return herald.ArticleCursor{}, false
	}
	return herald.ArticleCursor{UpdatedAt: time.UnixMicro(micro).UTC(), ID: n}, true
}

func (s *Server) listOwnPlacements(w http.ResponseWriter, r *http.Request, p *herald.Partner) {
	s.replyPlacements(w, r, herald.PlacementFilter{PartnerID: p.ID})
}

func (s *Server) reportPlacement(w http.ResponseWriter, r *http.Request, p *herald.Partner) {
	var in syndication.PlacementReport
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	pl, err := s.Syndication.ReportPlacement(r.Context(), p, in)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, pl)
}
