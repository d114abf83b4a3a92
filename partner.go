package herald

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Entities of syndication's events.
const (
	EntityPartner   = "partner"
	EntityPlacement = "placement"
)

// OutletLevel is how high an outlet stands, from a county paper to the
// central media: placements in higher outlets count for more.
type OutletLevel string

// Outlet levels, lowest first.
const (
	LevelCounty     OutletLevel = "county"
	LevelCity       OutletLevel = "city"
	LevelProvincial OutletLevel = "provincial"
	LevelNational   OutletLevel = "national"
	LevelCentral    OutletLevel = "central"
)

// OutletLevels lists the levels, lowest first.
var OutletLevels = []OutletLevel{LevelCounty, LevelCity, LevelProvincial, LevelNational, LevelCentral}

// Valid reports whether l is a known level.
func (l OutletLevel) Valid() bool { return slices.Contains(OutletLevels, l) }

// OutletKind is what sort of medium an outlet is.
type OutletKind string

// Outlet kinds.
const (
	KindNewspaper  OutletKind = "newspaper"
	KindPeriodical OutletKind = "periodical"
	KindOnline     OutletKind = "online"
	KindBroadcast  OutletKind = "broadcast"
)

// OutletKinds lists the kinds.
var OutletKinds = []OutletKind{KindNewspaper, KindPeriodical, KindOnline, KindBroadcast}

// Valid reports whether k is a known kind.
func (k OutletKind) Valid() bool { return slices.Contains(OutletKinds, k) }

// Feed formats a partner takes stories in.
const (
	FormatNINJS  = "ninjs"  // IPTC NINJS 2.1 JSON
	FormatNewsML = "newsml" // IPTC NewsML-G2 2.35 XML
)

// Partner is an outside newspaper, periodical or site that takes Herald's
// stories of the print channel: it pulls them with its own API token, and
// may have them pushed to its URL as they are published, corrected and
// retracted. Only the token's SHA-256 is kept.
type Partner struct {
	ID         int64       `json:"id"`
	Slug       string      `json:"slug"`
	Name       string      `json:"name"` // the outlet's name: 河北法制报
	Kind       OutletKind  `json:"kind"`
	Level      OutletLevel `json:"level"`
	Languages  []string    `json:"languages"` // the languages it takes; none means all
	Format     string      `json:"format"`    // of pushed items: ninjs or newsml
	PushURL    string      `json:"push_url,omitempty"`
	TokenHash  string      `json:"-"`
	Disabled   bool        `json:"disabled"`
	Version    int         `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	LastPullAt *time.Time  `json:"last_pull_at,omitempty"`
}

// PartnerUpdate changes a partner; nil fields stay as they are. Version
// must be the partner's current version.
type PartnerUpdate struct {
	Version   int          `json:"version"`
	Name      *string      `json:"name,omitempty"`
	Kind      *OutletKind  `json:"kind,omitempty"`
	Level     *OutletLevel `json:"level,omitempty"`
	Languages *[]string    `json:"languages,omitempty"`
	Format    *string      `json:"format,omitempty"`
	PushURL   *string      `json:"push_url,omitempty"`
	Disabled  *bool        `json:"disabled,omitempty"`
}

// Apply copies the set fields of upd into p, trimming the texts.
func (upd PartnerUpdate) Apply(p *Partner) {
	setIf(&p.Name, upd.Name)
	setIf(&p.Kind, upd.Kind)
	setIf(&p.Level, upd.Level)
	setIf(&p.Languages, upd.Languages)
	setIf(&p.Format, upd.Format)
	setIf(&p.PushURL, upd.PushURL)
	setIf(&p.Disabled, upd.Disabled)
	p.Name, p.PushURL = strings.TrimSpace(p.Name), strings.TrimSpace(p.PushURL)
}

// Takes reports whether the partner takes an article: one of the print
// channel, in a language it takes.
func (p *Partner) Takes(a *Article) bool {
	if p.Disabled || !slices.Contains(a.Channels, ChannelPrint) {
		return false
	}
	return len(p.Languages) == 0 || slices.Contains(p.Languages, a.Language)
}

// Validate checks a partner.
func (p *Partner) Validate() error {
	var pr Problems
	checkSlug(&pr, p.Slug)
	checkName(&pr, "name", p.Name, true)
	if !p.Kind.Valid() {
		pr.Add("kind", "must be one of %s", joinTypes(OutletKinds))
	}
	if !p.Level.Valid() {
		pr.Add("level", "must be one of %s", joinTypes(OutletLevels))
	}
	for _, l := range p.Languages {
		if !languagePattern.MatchString(l) {
			pr.Add("languages", "%q is not a BCP 47 language tag such as zh-CN or en", l)
			break
		}
	}
	if p.Format != FormatNINJS && p.Format != FormatNewsML {
		pr.Add("format", "must be %s or %s", FormatNINJS, FormatNewsML)
	}
	if p.PushURL != "" {
		if u, err := url.Parse(p.PushURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(p.PushURL) > 2000 {
			pr.Add("push_url", "must be an http or https URL without credentials")
		}
	}
	if len(p.TokenHash) != 64 {
		pr.Add("token_hash", "must be a hex SHA-256")
	}
	return pr.Err()
}

// PlacementStatus is whether a placement has been checked.
type PlacementStatus string

// Placement states: reported by a person and waiting for an editor, verified
// (by an editor, or reported by the outlet itself with its token), or rejected.
const (
	PlacementPending  PlacementStatus = "pending"
	PlacementVerified PlacementStatus = "verified"
	PlacementRejected PlacementStatus = "rejected"
)

// Placement records that an outlet outside Herald carried an article: where
// (outlet, level), when (the day, CST) and on which page or at which URL. The
// incentive mechanism scores verified placements.
type Placement struct {
	ID        int64           `json:"id"`
	ArticleID int64           `json:"article_id"`
	PartnerID int64           `json:"partner_id,omitempty"` // the partner that reported it, if one did
	Outlet    string          `json:"outlet"`
	Level     OutletLevel     `json:"level"`
	Date      time.Time       `json:"date"`           // the day it ran (CST)
	Page      string          `json:"page,omitempty"` // 第3版, A5
	URL       string          `json:"url,omitempty"`
	Status    PlacementStatus `json:"status"`
	// Evidence is a clipping or screenshot (an uploaded image's path), which
	// staff must give and partners need not.
	Evidence   string     `json:"evidence,omitempty"`
	CreatedBy  int64      `json:"created_by,omitempty"` // the staff member who recorded it, if one did
	CreatedAt  time.Time  `json:"created_at"`
	ReviewedBy int64      `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
	Reason     string     `json:"reason,omitempty"` // why it was rejected
}

// Validate checks a placement's own fields; now is the time it is recorded,
// for placements may not be dated in the future.
func (pl *Placement) Validate(now time.Time) error {
	var p Problems
	if pl.ArticleID <= 0 {
		p.Add("article_id", "is required")
	}
	checkName(&p, "outlet", pl.Outlet, true)
	if !pl.Level.Valid() {
		p.Add("level", "must be one of %s", joinTypes(OutletLevels))
	}
	switch {
	case pl.Date.IsZero():
		p.Add("date", "is required")
	case pl.Date.After(CSTDay(now)):
		p.Add("date", "may not be in the future")
	}
	if !utf8.ValidString(pl.Page) || utf8.RuneCountInString(pl.Page) > 40 || strings.ContainsAny(pl.Page, "\r\n\t\x00") {
		p.Add("page", "must be one line of at most 40 characters")
	}
	if pl.URL != "" {
		if u, err := url.Parse(pl.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(pl.URL) > 2000 {
			p.Add("url", "must be an http or https URL")
		}
	}
	if pl.Page == "" && pl.URL == "" {
		p.Add("page", "or url is required: say where the piece ran")
	}
	if pl.PartnerID == 0 && pl.Evidence == "" {
		p.Add("evidence", "is required: upload a clipping or screenshot of the piece as it ran")
	}
	if len(pl.Evidence) > 500 {
		p.Add("evidence", "must be an uploaded image's path")
	}
	if !slices.Contains([]PlacementStatus{PlacementPending, PlacementVerified, PlacementRejected}, pl.Status) {
		p.Add("status", "must be pending, verified or rejected")
	}
	return p.Err()
}

// PlacementFilter selects placements, newest day first; zero fields do not
// filter.
type PlacementFilter struct {
	ArticleID int64
	PartnerID int64
	CreatedBy int64
	UnitIDs   []int64 // placements of the articles of these units; nil: all
	Statuses  []PlacementStatus
	Limit     int
	Offset    int
}

// PartnerStore keeps partners and placements. Errors: EINVALID (a placement of
// an article that does not exist or was never published names article_id),
// ECONFLICT (a slug taken; a partner changed since the version given; the same
// placement — article, outlet, day and page, or URL — recorded already),
// ENOTFOUND.
type PartnerStore interface {
	CreatePartner(ctx context.Context, p *Partner, ev Event) error
	// UpdatePartner loads a partner in a write transaction, lets fn change
	// it, and saves it with ev.
	UpdatePartner(ctx context.Context, id int64, ev Event, fn func(p *Partner) error) (*Partner, error)
	FindPartners(ctx context.Context) ([]*Partner, error)
	FindPartnerByID(ctx context.Context, id int64) (*Partner, error)
	FindPartnerByTokenHash(ctx context.Context, hash string) (*Partner, error)
	// TouchPartner records a pull; bookkeeping, so no audit event.
	TouchPartner(ctx context.Context, id int64, at time.Time) error
	CreatePlacement(ctx context.Context, pl *Placement, ev Event) error
	// ReviewPlacement lets fn verify or reject a placement inside a write
	// transaction; a pending one may be reviewed, and a verified one
	// rejected later (it turned out wrong), never the other way.
	ReviewPlacement(ctx context.Context, id int64, ev Event, fn func(pl *Placement) error) (*Placement, error)
	FindPlacementByID(ctx context.Context, id int64) (*Placement, error)
	FindPlacements(ctx context.Context, f PlacementFilter) ([]*Placement, int, error)
}
