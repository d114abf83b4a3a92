package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

const partnerColumns = `id, slug, name, kind, level, languages, format, push_url, token_hash, disabled, version, created_at, updated_at, last_pull_at`

func scanPartner(sc interface{ Scan(...any) error }) (*herald.Partner, error) {
	var p herald.Partner
	var disabled int
	err := sc.Scan(&p.ID, &p.Slug, &p.Name, &p.Kind, &p.Level, jsonScan{&p.Languages}, &p.Format, &p.PushURL, &p.TokenHash,
		&disabled, &p.Version, timeScan{&p.CreatedAt}, timeScan{&p.UpdatedAt}, nullTimeScan{&p.LastPullAt})
	p.Disabled = disabled != 0
	if p.Languages == nil {
		p.Languages = []string{}
	}
	return &p, err
}

// CreatePartner stores a new partner.
func (s *Store) CreatePartner(ctx context.Context, p *herald.Partner, ev herald.Event) error {
	if p.Languages == nil {
		p.Languages = []string{}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		p.Version, p.CreatedAt, p.UpdatedAt = 1, ev.At, ev.At
		id, err := tx.insert(`INSERT INTO partners (slug, name, kind, level, languages, format, push_url, token_hash, disabled, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Slug, p.Name, p.Kind, p.Level, jsonText(p.Languages), p.Format, p.PushURL, p.TokenHash, boolInt(p.Disabled), p.Version, s.t(ev.At), s.t(ev.At))
		if herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "A partner with the slug %q exists already.", p.Slug)
		} else if err != nil {
			return err
		}
		p.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityPartner, id, "create", p.Name
		return tx.insertEvent(ev)
	})
}

// UpdatePartner changes a partner in a write transaction.
func (s *Store) UpdatePartner(ctx context.Context, id int64, ev herald.Event, fn func(p *herald.Partner) error) (p *herald.Partner, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		p, err = scanPartner(tx.queryRow(`SELECT `+partnerColumns+` FROM partners WHERE id = ?`+tx.s.d.ForUpdate, id))
		if err != nil {
			return notFound(err, "Partner not found.")
		}
		before := *p
		if err := fn(p); err != nil {
			return err
		}
		p.ID, p.CreatedAt, p.LastPullAt = id, before.CreatedAt, before.LastPullAt
		if p.Languages == nil {
			p.Languages = []string{}
		}
		if err := p.Validate(); err != nil {
			return err
		}
		p.Version, p.UpdatedAt = before.Version+1, ev.At
		_, err := tx.exec(`UPDATE partners SET slug = ?, name = ?, kind = ?, level = ?, languages = ?, format = ?, push_url = ?, token_hash = ?,
			disabled = ?, version = ?, updated_at = ? WHERE id = ?`,
			p.Slug, p.Name, p.Kind, p.Level, jsonText(p.Languages), p.Format, p.PushURL, p.TokenHash, boolInt(p.Disabled), p.Version, s.t(ev.At), id)
		if herald.ErrorCode(s.mapError(err)) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "A partner with the slug %q exists already.", p.Slug)
		} else if err != nil {
			return err
		}
		ev.Entity, ev.EntityID = herald.EntityPartner, id
		if ev.Action == "" {
			ev.Action = "update"
		}
		return tx.insertEvent(ev)
	})
	return p, err
}

// FindPartners lists the partners by name.
func (s *Store) FindPartners(ctx context.Context) ([]*herald.Partner, error) {
	ps, _, err := findPage(ctx, s, `SELECT `+partnerColumns+`, COUNT(*) OVER () FROM partners ORDER BY name, id`, nil, scanPartner)
	return ps, err
}

// FindPartnerByID returns a partner.
func (s *Store) FindPartnerByID(ctx context.Context, id int64) (p *herald.Partner, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		p, err = scanPartner(tx.queryRow(`SELECT `+partnerColumns+` FROM partners WHERE id = ?`, id))
		return notFound(err, "Partner not found.")
	})
	return p, err
}

// FindPartnerByTokenHash returns the partner whose token has the hash.
func (s *Store) FindPartnerByTokenHash(ctx context.Context, hash string) (p *herald.Partner, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		p, err = scanPartner(tx.queryRow(`SELECT `+partnerColumns+` FROM partners WHERE token_hash = ?`, hash))
		return notFound(err, "Partner not found.")
	})
	return p, err
}

// TouchPartner records when a partner last pulled.
func (s *Store) TouchPartner(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`UPDATE partners SET last_pull_at = ? WHERE id = ?`, s.t(at), id)
		return err
	})
}

const placementColumns = `id, article_id, partner_id, outlet, level, date, page, url, status, created_by, created_at,
	evidence, reviewed_by, reviewed_at, reason`

func scanPlacement(sc interface{ Scan(...any) error }) (*herald.Placement, error) {
	var pl herald.Placement
	var day string
	err := sc.Scan(&pl.ID, &pl.ArticleID, nullIDScan{&pl.PartnerID}, &pl.Outlet, &pl.Level, &day, &pl.Page, &pl.URL, &pl.Status,
		nullIDScan{&pl.CreatedBy}, timeScan{&pl.CreatedAt}, &pl.Evidence, nullIDScan{&pl.ReviewedBy}, nullTimeScan{&pl.ReviewedAt}, &pl.Reason)
	if err == nil {
		pl.Date, err = herald.ParseDay(day)
	}
	return &pl, err
}

// CreatePlacement stores a placement of a published article.
func (s *Store) CreatePlacement(ctx context.Context, pl *herald.Placement, ev herald.Event) error {
	if err := pl.Validate(ev.At); err != nil {
		return err
	}
	pl.Date = herald.CSTDay(pl.Date)
	return s.write(ctx, func(tx *Tx) error {
		a, err := tx.findArticleByID(pl.ArticleID, false)
		if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && a.PublishedAt == nil {
			return herald.Invalid("article_id", "no published article has ID %d", pl.ArticleID)
		} else if err != nil {
			return err
		}
		pl.CreatedAt = ev.At
		id, err := tx.insert(`INSERT INTO placements (article_id, partner_id, outlet, level, date, page, url, status, created_by, created_at, evidence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			pl.ArticleID, nullID(pl.PartnerID), pl.Outlet, pl.Level, herald.DayString(pl.Date), pl.Page, pl.URL, pl.Status, nullID(pl.CreatedBy), s.t(ev.At), pl.Evidence)
		if fe := herald.ErrorFields(err); len(fe) == 1 && fe[0].Field == "url" {
			return herald.Invalid("url", "is recorded already as another placement")
		} else if herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "This placement is recorded already: article %d in %s on %s, %s.",
				pl.ArticleID, pl.Outlet, herald.DayString(pl.Date), cmp.Or(pl.Page, pl.URL))
		} else if err != nil {
			return err
		}
		pl.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntityPlacement, id, "create"
		where := pl.Outlet + " " + herald.DayString(pl.Date) + " " + cmp.Or(pl.Page, pl.URL)
		ev.Comment = strings.Join(slices.DeleteFunc([]string{where, ev.Comment}, func(s string) bool { return s == "" }), "; ")
		return tx.insertEvent(ev)
	})
}

// ReviewPlacement verifies or rejects a placement.
func (s *Store) ReviewPlacement(ctx context.Context, id int64, ev herald.Event, fn func(pl *herald.Placement) error) (pl *herald.Placement, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if pl, err = scanPlacement(tx.queryRow(`SELECT `+placementColumns+` FROM placements WHERE id = ?`+tx.s.d.ForUpdate, id)); err != nil {
			return notFound(err, "Placement not found.")
		}
		before := pl.Status
		if err := fn(pl); err != nil {
			return err
		}
		switch {
		case before == herald.PlacementPending && (pl.Status == herald.PlacementVerified || pl.Status == herald.PlacementRejected):
		case before == herald.PlacementVerified && pl.Status == herald.PlacementRejected:
		default:
			return herald.Errorf(herald.ECONFLICT, "A %s placement cannot become %s.", before, pl.Status)
		}
		if pl.Status == herald.PlacementRejected && strings.TrimSpace(pl.Reason) == "" {
			return herald.Invalid("reason", "is required: say why the placement is rejected")
		}
		if utf8.RuneCountInString(pl.Reason) > 500 {
			return herald.Invalid("reason", "must be at most 500 characters")
		}
		pl.ReviewedBy, pl.ReviewedAt = ev.ActorID, &ev.At
		if _, err := tx.exec(`UPDATE placements SET status = ?, reviewed_by = ?, reviewed_at = ?, reason = ? WHERE id = ?`,
			pl.Status, nullID(pl.ReviewedBy), s.t(ev.At), pl.Reason, id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityPlacement, id, string(pl.Status)
		ev.FromStatus, ev.ToStatus, ev.Comment = string(before), string(pl.Status), pl.Reason
		return tx.insertEvent(ev)
	})
	return pl, err
}

// FindPlacementByID returns one placement.
func (s *Store) FindPlacementByID(ctx context.Context, id int64) (pl *herald.Placement, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		pl, err = scanPlacement(tx.queryRow(`SELECT `+placementColumns+` FROM placements WHERE id = ?`, id))
		return notFound(err, "Placement not found.")
	})
	return pl, err
}

// FindPlacements lists placements, the latest day first.
func (s *Store) FindPlacements(ctx context.Context, f herald.PlacementFilter) ([]*herald.Placement, int, error) {
	var c conds
	c.add(f.ArticleID != 0, "article_id = ?", f.ArticleID)
	c.add(f.PartnerID != 0, "partner_id = ?", f.PartnerID)
	c.add(f.CreatedBy != 0, "created_by = ?", f.CreatedBy)
	c.add(len(f.Statuses) > 0, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	c.addIn("article_id IN (SELECT id FROM articles WHERE unit_id IN (%s))", f.UnitIDs)
	q := `SELECT ` + placementColumns + `, COUNT(*) OVER () FROM placements` + c.clause() + ` ORDER BY date DESC, id DESC` + limitClause(f.Limit, f.Offset)
	return findPage(ctx, s, q, c.args, scanPlacement)
}
