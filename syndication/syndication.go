// Package syndication carries the print channel's stories to partner
// newspapers and periodicals, and brings back where they ran.
//
// A partner is an outside outlet with an API token of its own (shown once;
// only its SHA-256 is kept). With it the partner pulls the stories changed in
// a time window as IPTC NINJS or NewsML-G2 (package iptc), and reports its
// placements — the day and page a story ran on — which the incentive
// mechanism scores. A partner with a push URL also has each publication,
// correction and retraction POSTed to it as it happens: the Service is the
// delivery engine's channel for herald.ChannelPrint, so pushes run on the
// durable job queue, are retried with back-off, and show among the article's
// deliveries.
//
// Pushes are signed so that the partner can tell them from forgeries:
// X-Herald-Signature carries t=<unix seconds>,sha256=<hex HMAC-SHA256 of
// "<t>.<body>"> keyed with the SHA-256 of the partner's token — a key the
// partner computes from the token it holds and Herald from the hash it keeps,
// so no further secret is stored.
package syndication

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/iptc"
)

// TokenPrefix starts every partner token, so that a token shows what it
// opens (staff tokens start hrd_).
const TokenPrefix = "hrp_"

// Service manages partners, answers their pulls and placements, and pushes
// stories to them.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	// BaseURL is the public site's base URL, which identifies the items.
	BaseURL string
	// Client sends pushes; nil uses one that times out after 30 s and does
	// not follow redirects.
	Client *http.Client
	Log    *slog.Logger
}

// New returns a service.
func New(store herald.Store, clock herald.Clock, baseURL string, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: store, Clock: clock, BaseURL: baseURL, Log: log}
}

// managers may add partners, change them and issue their tokens: a token
// opens the department's stories to an outside organisation.
var managers = []herald.Role{herald.RoleEditorInChief, herald.RoleAdmin}

// viewers may see the partners and their placements.
var viewers = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief, herald.RoleAdmin}

// MayManage reports whether a staff member may add and change partners and
// issue their tokens.
func MayManage(actor *herald.Staff) error {
	if actor == nil || !actor.Active() || !actor.HasRole(managers...) {
		return herald.Errorf(herald.EFORBIDDEN, "Only the editor-in-chief and administrators manage partner outlets.")
	}
	return nil
}

// MayView reports whether a staff member may see partners and placements.
func MayView(actor *herald.Staff) error {
	if actor == nil || !actor.Active() || !actor.HasRole(viewers...) {
		return herald.Errorf(herald.EFORBIDDEN, "Only editors see partner outlets.")
	}
	return nil
}

func (s *Service) event(actor *herald.Staff, action string) herald.Event {
	return herald.Event{At: s.Clock.Now(), ActorID: actor.ID, Action: action}
}

// CreatePartner adds a partner and returns its token, which is shown this
// once.
func (s *Service) CreatePartner(ctx context.Context, actor *herald.Staff, p *herald.Partner) (string, error) {
	if err := MayManage(actor); err != nil {
		return "", err
	}
	secret, hash := auth.NewSecret(TokenPrefix)
	p.TokenHash = hash
	if p.Format == "" {
		p.Format = herald.FormatNINJS
	}
	if err := s.Store.CreatePartner(ctx, p, s.event(actor, "")); err != nil {
		return "", err
	}
	return secret, nil
}

// UpdatePartner changes a partner. Errors: ECONFLICT when it changed since
// the version given.
func (s *Service) UpdatePartner(ctx context.Context, actor *herald.Staff, id int64, c herald.PartnerUpdate) (*herald.Partner, error) {
	if err := MayManage(actor); err != nil {
		return nil, err
	}
	action := "update"
	if c.Disabled != nil {
		action = map[bool]string{true: "disable", false: "enable"}[*c.Disabled]
	}
	return s.Store.UpdatePartner(ctx, id, s.event(actor, action), func(p *herald.Partner) error {
		if err := checkVersion(p, c.Version); err != nil {
			return err
		}
		c.Apply(p)
		return nil
	})
}

func checkVersion(p *herald.Partner, version int) error {
	if version != p.Version {
		return herald.Errorf(herald.ECONFLICT, "%s was changed by someone else (version %d, you had %d); reload it and try again.", p.Name, p.Version, version)
	}
	return nil
}

// RotateToken gives a partner a new token, shown this once; the old one
// stops working at once, and pushes are signed with the new one's key.
func (s *Service) RotateToken(ctx context.Context, actor *herald.Staff, id int64, version int) (string, *herald.Partner, error) {
	if err := MayManage(actor); err != nil {
		return "", nil, err
	}
	secret, hash := auth.NewSecret(TokenPrefix)
	p, err := s.Store.UpdatePartner(ctx, id, s.event(actor, "rotate_token"), func(p *herald.Partner) error {
		if err := checkVersion(p, version); err != nil {
			return err
		}
		p.TokenHash = hash
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return secret, p, nil
}

// Authenticate returns the enabled partner a token belongs to. Errors:
// EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, secret string) (*herald.Partner, error) {
	unauthorized := herald.Errorf(herald.EUNAUTHORIZED, "Invalid partner token.")
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return nil, unauthorized
	}
	p, err := s.Store.FindPartnerByTokenHash(ctx, auth.HashToken(secret))
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if p.Disabled {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "This partner's access is disabled; ask the publicity center.")
	}
	return p, nil
}

// options gathers what the IPTC renderers need beyond the article: the
// provider's name, staff and theme names, and the sizes of Herald's own
// images. Loaded once for a pull or a push.
func (s *Service) options(ctx context.Context) (iptc.Options, error) {
	o := iptc.Options{BaseURL: s.BaseURL}
	settings, err := s.Store.FindSettings(ctx)
	if err != nil {
		return o, err
	}
	o.Provider = settings.SiteName
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{})
	if err != nil {
		return o, err
	}
	names := map[int64]string{}
	for _, st := range staff {
		names[st.ID] = st.Name
	}
	themes, err := s.Store.FindThemes(ctx)
	if err != nil {
		return o, err
	}
	themeNames := map[int64]string{}
	for _, t := range themes {
		themeNames[t.ID] = t.Name
	}
	o.StaffName = func(id int64) string { return names[id] }
	o.ThemeName = func(id int64) string { return themeNames[id] }
	o.Renditions = func(src string) []iptc.Rendition { return s.renditions(ctx, src) }
	return o, nil
}

// renditions lists the sizes of one of Herald's own images; other images
// have none (the renderer then uses the source).
func (s *Service) renditions(ctx context.Context, src string) []iptc.Rendition {
	id, key, _, ok := herald.ParseMediaURL(src)
	if !ok {
		return nil
	}
	m, err := s.Store.FindMediaByID(ctx, id)
	if err != nil || m.Key() != key {
		return nil
	}
	var out []iptc.Rendition
	for _, r := range m.Renditions {
		out = append(out, iptc.Rendition{Name: r.Name, Href: m.URL(r.Name), ContentType: r.ContentType, Width: r.Width, Height: r.Height})
	}
	// largest first: the original, then large, medium, thumb
	slices.SortStableFunc(out, func(a, b iptc.Rendition) int { return b.Width - a.Width })
	return out
}

// Render renders one article for a partner in a format.
func (s *Service) Render(ctx context.Context, a *herald.Article, format string) ([]byte, error) {
	o, err := s.options(ctx)
	if err != nil {
		return nil, err
	}
	return render(a, format, o)
}

func render(a *herald.Article, format string, o iptc.Options) ([]byte, error) {
	switch format {
	case herald.FormatNewsML:
		return iptc.NewsML(a, o)
	case herald.FormatNINJS:
		return iptc.NINJS(a, o)
	}
	return nil, herald.Invalid("format", "must be %s or %s", herald.FormatNINJS, herald.FormatNewsML)
}

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == herald.FormatNewsML {
		return "application/vnd.iptc.g2.newsmessage+xml"
	}
	return "application/json"
}

// now is the service's clock.
func (s *Service) now() time.Time { return s.Clock.Now() }
