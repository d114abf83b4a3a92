package sqlstore

import (
	"context"

	"github.com/heraldnews/herald"
)

// CreatePeriodical stores a new periodical.
func (s *Store) CreatePeriodical(ctx context.Context, p *herald.Periodical, ev herald.Event) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.findUnitByID(p.UnitID); herald.ErrorCode(err) == herald.ENOTFOUND {
			return herald.Invalid("unit_id", "no unit has ID %d", p.UnitID)
		} else if err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO periodicals (slug, name, name_en, unit_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p.Slug, p.Name, p.NameEn, p.UnitID, s.t(ev.At), s.t(ev.At))
		if err != nil {
			return err
		}
		p.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityPeriodical, id, "create", p.Name
		return tx.insertEvent(ev)
	})
}

// FindPeriodicals lists the periodicals by name.
func (s *Store) FindPeriodicals(ctx context.Context) ([]*herald.Periodical, error) {
	ps, _, err := findPage(ctx, s, `SELECT id, slug, name, name_en, unit_id, created_at, updated_at, COUNT(*) OVER () FROM periodicals ORDER BY name, id`, nil,
		func(sc interface{ Scan(...any) error }) (*herald.Periodical, error) {
			var p herald.Periodical
			err := sc.Scan(&p.ID, &p.Slug, &p.Name, &p.NameEn, &p.UnitID, timeScan{&p.CreatedAt}, timeScan{&p.UpdatedAt})
			return &p, err
		})
	return ps, err
}

const issueColumns = `id, periodical_id, volume, number, date, editor_note, version, created_at, updated_at`

func scanIssue(sc interface{ Scan(...any) error }) (*herald.Issue, error) {
	var is herald.Issue
	var day string
	err := sc.Scan(&is.ID, &is.PeriodicalID, &is.Volume, &is.Number, &day, &is.EditorNote, &is.Version, timeScan{&is.CreatedAt}, timeScan{&is.UpdatedAt})
	if err == nil {
		is.Date, err = herald.ParseDay(day)
	}
	return &is, err
}

// CreateIssue stores a new issue and its articles.
func (s *Store) CreateIssue(ctx context.Context, is *herald.Issue, ev herald.Event) error {
	if is.ArticleIDs == nil {
		is.ArticleIDs = []int64{}
	}
	if err := is.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM periodicals WHERE id = ?`, is.PeriodicalID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return herald.Invalid("periodical_id", "no periodical has ID %d", is.PeriodicalID)
		}
		is.Version, is.CreatedAt, is.UpdatedAt = 1, ev.At, ev.At
		id, err := tx.insert(`INSERT INTO issues (periodical_id, volume, number, date, editor_note, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, is.PeriodicalID, is.Volume, is.Number, herald.DayString(is.Date), is.EditorNote, is.Version, s.t(ev.At), s.t(ev.At))
		if herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Invalid("number", "issue %d of volume %d exists already", is.Number, is.Volume)
		} else if err != nil {
			return err
		}
		is.ID = id
		if err := tx.writeIssueArticles(is); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityIssue, id, "create"
		return tx.insertEvent(ev)
	})
}

// writeIssueArticles replaces an issue's articles, each of which must be
// published.
func (tx *Tx) writeIssueArticles(is *herald.Issue) error {
	if _, err := tx.exec(`DELETE FROM issue_articles WHERE issue_id = ?`, is.ID); err != nil {
		return err
	}
	for i, id := range is.ArticleIDs {
		var status herald.Status
		if err := tx.queryRow(`SELECT status FROM articles WHERE id = ?`, id).Scan(&status); err != nil {
			if isNoRows(err) {
				return herald.Invalid("article_ids", "no article has ID %d", id)
			}
			return err
		}
		if status != herald.StatusPublished {
			return herald.Invalid("article_ids", "article %d is %s: only published articles go to print", id, status)
		}
		if _, err := tx.exec(`INSERT INTO issue_articles (issue_id, position, article_id) VALUES (?, ?, ?)`, is.ID, i, id); err != nil {
			return err
		}
	}
	return nil
}

// UpdateIssue changes an issue in a write transaction.
func (s *Store) UpdateIssue(ctx context.Context, id int64, ev herald.Event, fn func(is *herald.Issue) error) (is *herald.Issue, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if is, err = tx.findIssue(id, true); err != nil {
			return err
		}
		before := *is
		if err := fn(is); err != nil {
			return err
		}
		is.ID, is.PeriodicalID, is.CreatedAt = id, before.PeriodicalID, before.CreatedAt
		if err := is.Validate(); err != nil {
			return err
		}
		is.Version, is.UpdatedAt = before.Version+1, ev.At
		if _, err := tx.exec(`UPDATE issues SET volume = ?, number = ?, date = ?, editor_note = ?, version = ?, updated_at = ? WHERE id = ?`,
			is.Volume, is.Number, herald.DayString(is.Date), is.EditorNote, is.Version, s.t(ev.At), id); err != nil {
			if herald.ErrorCode(s.mapError(err)) == herald.ECONFLICT {
				return herald.Invalid("number", "issue %d of volume %d exists already", is.Number, is.Volume)
			}
			return err
		}
		if err := tx.writeIssueArticles(is); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityIssue, id, "update"
		return tx.insertEvent(ev)
	})
	return is, err
}

func (tx *Tx) findIssue(id int64, forUpdate bool) (*herald.Issue, error) {
	lock := ""
	if forUpdate {
		lock = tx.s.d.ForUpdate
	}
	is, err := scanIssue(tx.queryRow(`SELECT `+issueColumns+` FROM issues WHERE id = ?`+lock, id))
	if err != nil {
		return nil, notFound(err, "Issue not found.")
	}
	if is.ArticleIDs, err = column[int64](tx, `SELECT article_id FROM issue_articles WHERE issue_id = ? ORDER BY position`, id); err != nil {
		return nil, err
	}
	if is.ArticleIDs == nil {
		is.ArticleIDs = []int64{}
	}
	return is, nil
}

// FindIssueByID returns an issue with its articles.
func (s *Store) FindIssueByID(ctx context.Context, id int64) (is *herald.Issue, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		is, err = tx.findIssue(id, false)
		return err
	})
	return is, err
}

// FindIssues lists a periodical's issues, newest first, with their articles.
func (s *Store) FindIssues(ctx context.Context, periodicalID int64) (issues []*herald.Issue, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		ids, err := column[int64](tx, `SELECT id FROM issues WHERE periodical_id = ? ORDER BY volume DESC, number DESC`, periodicalID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			is, err := tx.findIssue(id, false)
			if err != nil {
				return err
			}
			issues = append(issues, is)
		}
		return nil
	})
	return issues, err
}
