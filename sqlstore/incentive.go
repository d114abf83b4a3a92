package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/heraldnews/herald"
)

const recognitionColumns = `id, article_id, kind, day, note, recorded_by, created_at, withdrawn_at`

func scanRecognition(sc interface{ Scan(...any) error }) (*herald.Recognition, error) {
	var r herald.Recognition
	var day string
	err := sc.Scan(&r.ID, &r.ArticleID, &r.Kind, &day, &r.Note, &r.RecordedBy, timeScan{&r.CreatedAt}, nullTimeScan{&r.WithdrawnAt})
	if err == nil {
		r.Day, err = herald.ParseDay(day)
	}
	return &r, err
}

// CreateRecognition records a distinction of a published article.
func (s *Store) CreateRecognition(ctx context.Context, r *herald.Recognition, ev herald.Event) error {
	var p herald.Problems
	if !r.Kind.Valid() {
		p.Add("kind", "must be one of endorsement, first_report")
	}
	if r.Day.IsZero() {
		p.Add("day", "is required")
	} else if r.Day.After(herald.CSTDay(ev.At)) {
		p.Add("day", "may not be in the future")
	}
	if len([]rune(r.Note)) > 500 {
		p.Add("note", "must be at most 500 characters")
	}
	if err := p.Err(); err != nil {
		return err
	}
	r.Day = herald.CSTDay(r.Day)
	return s.write(ctx, func(tx *Tx) error {
		a, err := tx.findArticleByID(r.ArticleID, false)
		if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && a.PublishedAt == nil {
			return herald.Invalid("article_id", "no published article has ID %d", r.ArticleID)
		} else if err != nil {
			return err
		}
		r.RecordedBy, r.CreatedAt = ev.ActorID, ev.At
		id, err := tx.insert(`INSERT INTO recognitions (article_id, kind, day, note, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ArticleID, r.Kind, herald.DayString(r.Day), r.Note, r.RecordedBy, s.t(ev.At))
		if herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "Article %d has this recognition (%s) already.", r.ArticleID, r.Kind)
		} else if err != nil {
			return err
		}
		r.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityRecognition, id, "create", string(r.Kind)+" of article "+strconv.FormatInt(r.ArticleID, 10)
		return tx.insertEvent(ev)
	})
}

// WithdrawRecognition marks a recognition as given in error; scoring then
// reverses its bonus.
func (s *Store) WithdrawRecognition(ctx context.Context, id int64, ev herald.Event) (r *herald.Recognition, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if r, err = scanRecognition(tx.queryRow(`SELECT `+recognitionColumns+` FROM recognitions WHERE id = ?`+tx.s.d.ForUpdate, id)); err != nil {
			return notFound(err, "Recognition not found.")
		}
		if r.WithdrawnAt != nil {
			return herald.Errorf(herald.ECONFLICT, "This recognition was withdrawn already.")
		}
		r.WithdrawnAt = &ev.At
		if _, err := tx.exec(`UPDATE recognitions SET withdrawn_at = ? WHERE id = ?`, s.t(ev.At), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityRecognition, id, "withdraw"
		return tx.insertEvent(ev)
	})
	return r, err
}

// FindRecognitions lists an article's recognitions.
func (s *Store) FindRecognitions(ctx context.Context, articleID int64) ([]*herald.Recognition, error) {
	rs, _, err := findPage(ctx, s, `SELECT `+recognitionColumns+`, COUNT(*) OVER () FROM recognitions WHERE article_id = ? ORDER BY id`,
		[]any{articleID}, scanRecognition)
	return rs, err
}

// AllRecognitions lists every recognition.
func (s *Store) AllRecognitions(ctx context.Context) ([]*herald.Recognition, error) {
	rs, _, err := findPage(ctx, s, `SELECT `+recognitionColumns+`, COUNT(*) OVER () FROM recognitions ORDER BY id`, nil, scanRecognition)
	return rs, err
}

func scanQuota(sc interface{ Scan(...any) error }) (*herald.Quota, error) {
	var q herald.Quota
	err := sc.Scan(&q.UnitID, &q.Month, &q.Target, timeScan{&q.UpdatedAt})
	return &q, err
}

// SetQuota sets a unit's target for a month.
func (s *Store) SetQuota(ctx context.Context, q *herald.Quota, ev herald.Event) error {
	if err := q.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.findUnitByID(q.UnitID); herald.ErrorCode(err) == herald.ENOTFOUND {
			return herald.Invalid("unit_id", "no unit has ID %d", q.UnitID)
		} else if err != nil {
			return err
		}
		q.UpdatedAt = ev.At
		if _, err := tx.exec(`INSERT INTO unit_quotas (unit_id, month, target, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (unit_id, month) DO UPDATE SET target = excluded.target, updated_at = excluded.updated_at`,
			q.UnitID, q.Month, q.Target, s.t(ev.At)); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityQuota, q.UnitID, "set"
		ev.Comment = q.Month + " " + strconv.Itoa(q.Target)
		return tx.insertEvent(ev)
	})
}

// FindQuotas lists the quotas of a month.
func (s *Store) FindQuotas(ctx context.Context, month string) ([]*herald.Quota, error) {
	qs, _, err := findPage(ctx, s, `SELECT unit_id, month, target, updated_at, COUNT(*) OVER () FROM unit_quotas WHERE month = ? ORDER BY unit_id`,
		[]any{month}, scanQuota)
	return qs, err
}

// AllQuotas lists every quota.
func (s *Store) AllQuotas(ctx context.Context) ([]*herald.Quota, error) {
	qs, _, err := findPage(ctx, s, `SELECT unit_id, month, target, updated_at, COUNT(*) OVER () FROM unit_quotas ORDER BY month, unit_id`, nil, scanQuota)
	return qs, err
}

func scanRules(sc interface{ Scan(...any) error }) (*herald.RuleSet, error) {
	var rs herald.RuleSet
	var day, body string
	err := sc.Scan(&rs.Version, &day, &body, &rs.Note, &rs.CreatedBy, timeScan{&rs.CreatedAt})
	if err == nil {
		rs.EffectiveFrom, err = herald.ParseDay(day)
	}
	if err == nil {
		err = json.Unmarshal([]byte(body), &rs.Rules)
	}
	return &rs, err
}

// CreateRules stores the next version of the scoring rules.
func (s *Store) CreateRules(ctx context.Context, rs *herald.RuleSet, ev herald.Event) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	rs.EffectiveFrom = herald.CSTDay(rs.EffectiveFrom)
	if rs.EffectiveFrom.Before(herald.CSTDay(ev.At)) {
		return herald.Invalid("effective_from", "may not be in the past: a change of the rules never rewrites points already earned")
	}
	return s.write(ctx, func(tx *Tx) error {
		var last int
		var lastDay string
		err := tx.queryRow(`SELECT version, effective_from FROM scoring_rules ORDER BY version DESC LIMIT 1`).Scan(&last, &lastDay)
		if err != nil && !isNoRows(err) {
			return err
		}
		if last > 0 && herald.DayString(rs.EffectiveFrom) <= lastDay {
			return herald.Errorf(herald.ECONFLICT, "Version %d takes effect on %s; a new version must take effect after that day.", last, lastDay)
		}
		rs.Version, rs.CreatedBy, rs.CreatedAt = last+1, ev.ActorID, ev.At
		if _, err := tx.exec(`INSERT INTO scoring_rules (version, effective_from, rules, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			rs.Version, herald.DayString(rs.EffectiveFrom), jsonText(rs.Rules), rs.Note, rs.CreatedBy, s.t(ev.At)); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityRules, int64(rs.Version), "create"
		ev.Comment = "effective from " + herald.DayString(rs.EffectiveFrom)
		return tx.insertEvent(ev)
	})
}

// FindRules lists the versions of the rules, oldest first.
func (s *Store) FindRules(ctx context.Context) ([]*herald.RuleSet, error) {
	rs, _, err := findPage(ctx, s, `SELECT version, effective_from, rules, note, created_by, created_at, COUNT(*) OVER () FROM scoring_rules ORDER BY version`,
		nil, scanRules)
	return rs, err
}

const ledgerColumns = `id, key, beneficiary_kind, beneficiary_id, points, rule_version, source, source_id, article_id, day, reverses, note, created_at`

func scanLedgerEntry(sc interface{ Scan(...any) error }) (*herald.LedgerEntry, error) {
	var e herald.LedgerEntry
	var day string
	err := sc.Scan(&e.ID, &e.Key, &e.Beneficiary.Kind, &e.Beneficiary.ID, &e.Points, &e.RuleVersion, &e.Source, &e.SourceID,
		nullIDScan{&e.ArticleID}, &day, nullIDScan{&e.Reverses}, &e.Note, timeScan{&e.CreatedAt})
	if err == nil {
		e.Day, err = herald.ParseDay(day)
	}
	return &e, err
}

// AppendLedger adds the entries whose keys are new, in one transaction with
// one audit event when any was added.
func (s *Store) AppendLedger(ctx context.Context, entries []*herald.LedgerEntry, ev herald.Event) (added int, err error) {
	var p herald.Problems
	for i, e := range entries {
		if e.Key == "" || len(e.Key) > 300 {
			p.Add("entries", "entry %d has no key (or one over 300 bytes)", i)
		}
		if e.Beneficiary.Kind != herald.ForStaff && e.Beneficiary.Kind != herald.ForUnit || e.Beneficiary.ID <= 0 {
			p.Add("entries", "entry %d (%s) has no beneficiary", i, e.Key)
		}
		if e.Day.IsZero() || e.Source == "" {
			p.Add("entries", "entry %d (%s) needs a day and a source", i, e.Key)
		}
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		added = 0
		for _, e := range entries {
			e.CreatedAt = ev.At
			id, err := tx.insert(`INSERT INTO ledger_entries (key, beneficiary_kind, beneficiary_id, points, rule_version, source, source_id, article_id, day, reverses, note, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
				e.Key, e.Beneficiary.Kind, e.Beneficiary.ID, int64(e.Points), e.RuleVersion, e.Source, e.SourceID, nullID(e.ArticleID),
				herald.DayString(e.Day), nullID(e.Reverses), e.Note, s.t(ev.At))
			if isNoRows(err) {
				continue // the key is in the ledger already
			} else if err != nil {
				return err
			}
			e.ID = id
			added++
		}
		if added == 0 {
			return nil
		}
		ev.Entity, ev.Action = herald.EntityLedger, "append"
		ev.Comment = strconv.Itoa(added) + " entries"
		return tx.insertEvent(ev)
	})
	return added, err
}

func ledgerConds(f herald.LedgerFilter, s *Store) conds {
	var c conds
	if b := f.Beneficiary; b != nil {
		c.add(true, "beneficiary_kind = ? AND beneficiary_id = ?", b.Kind, b.ID)
	}
	c.add(f.ArticleID != 0, "article_id = ?", f.ArticleID)
	c.add(f.Source != "", "source = ?", f.Source)
	c.add(!f.From.IsZero(), "day >= ?", herald.DayString(f.From))
	c.add(!f.To.IsZero(), "day < ?", herald.DayString(f.To))
	return c
}

// FindLedger lists entries in the order they were made.
func (s *Store) FindLedger(ctx context.Context, f herald.LedgerFilter) ([]*herald.LedgerEntry, int, error) {
	c := ledgerConds(f, s)
	q := `SELECT ` + ledgerColumns + `, COUNT(*) OVER () FROM ledger_entries` + c.clause() + ` ORDER BY id` + limitClause(f.Limit, f.Offset)
	return findPage(ctx, s, q, c.args, scanLedgerEntry)
}

// LedgerTotals sums a kind of beneficiary's entries over a period.
func (s *Store) LedgerTotals(ctx context.Context, kind herald.BeneficiaryKind, from, to time.Time) ([]herald.Total, error) {
	c := ledgerConds(herald.LedgerFilter{From: from, To: to}, s)
	c.add(true, "beneficiary_kind = ?", kind)
	ts, _, err := findPage(ctx, s, `SELECT beneficiary_id, CAST(SUM(points) AS BIGINT), COUNT(*), COUNT(*) OVER () FROM ledger_entries`+c.clause()+
		` GROUP BY beneficiary_id ORDER BY SUM(points) DESC, beneficiary_id`, c.args,
		func(sc interface{ Scan(...any) error }) (herald.Total, error) {
			t := herald.Total{Beneficiary: herald.Beneficiary{Kind: kind}}
			err := sc.Scan(&t.Beneficiary.ID, &t.Points, &t.Entries)
			return t, err
		})
	return ts, err
}
