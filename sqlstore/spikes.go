package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

const spikeColumns = `id, article_id, day, reads, expected, threshold, status, detected_at, reviewed_by, reviewed_at, note`

func scanSpike(sc interface{ Scan(...any) error }) (*herald.ReadSpike, error) {
	var sp herald.ReadSpike
	err := sc.Scan(&sp.ID, &sp.ArticleID, &sp.Day, &sp.Reads, &sp.Expected, &sp.Threshold, &sp.Status, timeScan{&sp.DetectedAt},
		nullIDScan{&sp.ReviewedBy}, nullTimeScan{&sp.ReviewedAt}, &sp.Note)
	return &sp, err
}

// RecordSpikes flags the spikes whose (article, day) is not kept yet.
func (s *Store) RecordSpikes(ctx context.Context, spikes []herald.ReadSpike, at time.Time) (added int, err error) {
	var p herald.Problems
	for i := range spikes {
		if err := spikes[i].Validate(); err != nil {
			p.Add("spikes", "spike %d (article %d, %s): %s", i, spikes[i].ArticleID, spikes[i].Day, herald.ErrorMessage(err))
		}
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	if len(spikes) == 0 {
		return 0, nil
	}
	err = s.write(ctx, func(tx *Tx) error {
		added = 0
		if err := tx.checkArticlesExist(spikes); err != nil {
			return err
		}
		for _, sp := range spikes {
			id, err := tx.insert(`INSERT INTO read_spikes (article_id, day, reads, expected, threshold, status, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (article_id, day) DO NOTHING`,
				sp.ArticleID, sp.Day, sp.Reads, sp.Expected, sp.Threshold, herald.SpikeFlagged, s.t(at))
			if isNoRows(err) {
				continue // kept already: its state, reviewed or not, stays
			} else if err != nil {
				return err
			}
			added++
			err = tx.insertEvent(herald.Event{At: at, Entity: herald.EntitySpike, EntityID: id, Action: "flag", ToStatus: string(herald.SpikeFlagged),
				Comment: fmt.Sprintf("article %d, %s: %d reads, %d expected, over %d", sp.ArticleID, sp.Day, sp.Reads, sp.Expected, sp.Threshold)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// checkArticlesExist refuses spikes of articles that are not kept, naming
// the field, rather than failing on the foreign key.
func (tx *Tx) checkArticlesExist(spikes []herald.ReadSpike) error {
	var ids []int64
	for _, sp := range spikes {
		if !slices.Contains(ids, sp.ArticleID) {
			ids = append(ids, sp.ArticleID)
		}
	}
	found, err := column[int64](tx, `SELECT id FROM articles WHERE id IN (`+placeholders(len(ids))+`)`, anyArgs(ids)...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return herald.Invalid("article_id", "no article has ID %d", id)
		}
	}
	return nil
}

// FindSpikes lists spikes, the latest day first.
func (s *Store) FindSpikes(ctx context.Context, f herald.SpikeFilter) ([]*herald.ReadSpike, int, error) {
	var c conds
	c.add(len(f.Statuses) > 0, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	c.addIn("article_id IN (%s)", f.ArticleIDs)
	c.addIn("article_id IN (SELECT id FROM articles WHERE unit_id IN (%s))", f.UnitIDs)
	q := `SELECT ` + spikeColumns + `, COUNT(*) OVER () FROM read_spikes` + c.clause() + ` ORDER BY day DESC, id DESC` + limitClause(f.Limit, f.Offset)
	return findPage(ctx, s, q, c.args, scanSpike)
}

// FindSpikeByID returns one spike.
func (s *Store) FindSpikeByID(ctx context.Context, id int64) (sp *herald.ReadSpike, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		sp, err = scanSpike(tx.queryRow(`SELECT `+spikeColumns+` FROM read_spikes WHERE id = ?`, id))
		return notFound(err, "Read spike not found.")
	})
	return sp, err
}

// ReviewSpike releases or voids a flagged spike.
func (s *Store) ReviewSpike(ctx context.Context, id int64, status herald.SpikeStatus, note string, ev herald.Event) (sp *herald.ReadSpike, err error) {
	note = strings.TrimSpace(note)
	err = s.write(ctx, func(tx *Tx) error {
		if sp, err = scanSpike(tx.queryRow(`SELECT `+spikeColumns+` FROM read_spikes WHERE id = ?`+tx.s.d.ForUpdate, id)); err != nil {
			return notFound(err, "Read spike not found.")
		}
		if sp.Status != herald.SpikeFlagged {
			return herald.Errorf(herald.ECONFLICT, "This read spike was %s already; only a flagged spike is reviewed.", sp.Status)
		}
		if err := herald.ValidateSpikeReview(status, note); err != nil {
			return err
		}
		sp.Status, sp.Note, sp.ReviewedBy, sp.ReviewedAt = status, note, ev.ActorID, &ev.At
		if _, err := tx.exec(`UPDATE read_spikes SET status = ?, note = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?`,
			sp.Status, sp.Note, nullID(sp.ReviewedBy), s.t(ev.At), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntitySpike, id, string(status)
		ev.FromStatus, ev.ToStatus, ev.Comment = string(herald.SpikeFlagged), string(status), note
		return tx.insertEvent(ev)
	})
	return sp, err
}
