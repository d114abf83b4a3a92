package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/heraldnews/herald"
)

// testSpikes holds read spikes to their rules: flagged once per article and
// day, never changed or brought back by a later flagging, reviewed once
// (released, or voided with a note), each change audited; and kept by a
// backup.
func testSpikes(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	w := NewWorld(t, s)
	published := func(unit *herald.Unit, title string) *herald.Article {
		a := &herald.Article{ArticleContent: Content(w.Local, title), UnitID: unit.ID, CreatedBy: w.Writer.ID, Status: herald.StatusPublished, PublishedAt: &T0}
		must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
		return a
	}
	city, county := published(w.City, "市局稿件"), published(w.County, "县局稿件")
	spike := func(a *herald.Article, day string, reads int) herald.ReadSpike {
		return herald.ReadSpike{ArticleID: a.ID, Day: day, Reads: reads, Expected: 100, Threshold: 500}
	}
	events := func(id int64) []*herald.Event {
		t.Helper()
		es, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntitySpike, EntityID: id})
		must(t, err)
		return es
	}
	find := func(f herald.SpikeFilter) ([]string, int) {
		t.Helper()
		sps, total, err := s.FindSpikes(ctx, f)
		must(t, err)
		var out []string
		for _, sp := range sps {
			out = append(out, fmt.Sprintf("%d %s %s", sp.ArticleID, sp.Day, sp.Status))
		}
		return out, total
	}

	t.Run("flagged once per article and day", func(t *testing.T) {
		added, err := s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, "2026-11-10", 9000), spike(county, "2026-11-12", 800)}, T0)
		must(t, err)
		if added != 2 {
			t.Fatalf("added = %d, want 2", added)
		}
		again, err := s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, "2026-11-10", 12000), spike(city, "2026-11-20", 700)}, T0.Add(1))
		must(t, err)
		if again != 1 {
			t.Fatalf("added again = %d, want 1 (the new day only)", again)
		}
		sps, _, err := s.FindSpikes(ctx, herald.SpikeFilter{ArticleIDs: []int64{city.ID}})
		must(t, err)
		if len(sps) != 2 || sps[1].Day != "2026-11-10" || sps[1].Reads != 9000 || sps[1].Expected != 100 || sps[1].Threshold != 500 ||
			sps[1].Status != herald.SpikeFlagged || !sps[1].DetectedAt.Equal(T0) || sps[1].ReviewedAt != nil {
			t.Fatalf("spikes = %+v: the first flagging's numbers must stay", sps)
		}
		if es := events(sps[1].ID); len(es) != 1 || es[0].Action != "flag" || es[0].ToStatus != string(herald.SpikeFlagged) {
			t.Fatalf("events of a flagged spike = %+v", es)
		}
		before, err := s.LastEventID(ctx)
		must(t, err)
		if n, err := s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, "2026-11-10", 9000)}, T0); err != nil || n != 0 {
			t.Fatalf("nothing new: %d, %v", n, err)
		}
		if after, _ := s.LastEventID(ctx); after != before {
			t.Fatal("a flagging that added nothing wrote an event")
		}
	})

	t.Run("bad spikes change nothing", func(t *testing.T) {
		_, err := s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, "2026-11-21", 900), spike(city, "21.11.2026", 900)}, T0)
		wantCode(t, err, herald.EINVALID, "spikes")
		_, err = s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, "2026-11-22", 900), {ArticleID: 9999, Day: "2026-11-22", Reads: 900, Threshold: 500}}, T0)
		wantCode(t, err, herald.EINVALID, "article_id")
		_, err = s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, "2026-11-23", 400)}, T0) // not above its threshold
		wantCode(t, err, herald.EINVALID, "spikes")
		if _, total := find(herald.SpikeFilter{}); total != 3 {
			t.Fatalf("spikes = %d after refused flaggings, want 3", total)
		}
	})

	t.Run("filters, newest day first", func(t *testing.T) {
		got, total := find(herald.SpikeFilter{})
		want := []string{
			fmt.Sprintf("%d 2026-11-20 flagged", city.ID), fmt.Sprintf("%d 2026-11-12 flagged", county.ID), fmt.Sprintf("%d 2026-11-10 flagged", city.ID),
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || total != 3 {
			t.Fatalf("all = %v (%d), want %v", got, total, want)
		}
		if got, total := find(herald.SpikeFilter{Limit: 1, Offset: 1}); len(got) != 1 || got[0] != want[1] || total != 3 {
			t.Fatalf("page 2 = %v (%d)", got, total)
		}
		if got, _ := find(herald.SpikeFilter{UnitIDs: []int64{w.County.ID}}); len(got) != 1 || got[0] != want[1] {
			t.Fatalf("county's = %v", got)
		}
		if got, total := find(herald.SpikeFilter{UnitIDs: []int64{}}); len(got) != 0 || total != 0 {
			t.Fatalf("no units = %v", got)
		}
		if got, _ := find(herald.SpikeFilter{ArticleIDs: []int64{}}); len(got) != 0 {
			t.Fatalf("no articles = %v", got)
		}
		if got, _ := find(herald.SpikeFilter{Statuses: []herald.SpikeStatus{herald.SpikeReleased}}); len(got) != 0 {
			t.Fatalf("released = %v", got)
		}
	})

	t.Run("reviewed once, audited", func(t *testing.T) {
		sps, _, err := s.FindSpikes(ctx, herald.SpikeFilter{})
		must(t, err)
		first, second := sps[0], sps[1]
		_, err = s.ReviewSpike(ctx, first.ID, herald.SpikeVoided, "  ", ev(w.Editor.ID))
		wantCode(t, err, herald.EINVALID, "note")
		_, err = s.ReviewSpike(ctx, first.ID, herald.SpikeFlagged, "", ev(w.Editor.ID))
		wantCode(t, err, herald.EINVALID, "decision")
		if got, _ := s.FindSpikeByID(ctx, first.ID); got.Status != herald.SpikeFlagged || len(events(first.ID)) != 1 {
			t.Fatalf("a refused review changed the spike: %+v", got)
		}
		released, err := s.ReviewSpike(ctx, first.ID, herald.SpikeReleased, "", ev(w.Editor.ID))
		must(t, err)
		if released.Status != herald.SpikeReleased || released.ReviewedBy != w.Editor.ID || released.ReviewedAt == nil || !released.ReviewedAt.Equal(T0) {
			t.Fatalf("released = %+v", released)
		}
		voided, err := s.ReviewSpike(ctx, second.ID, herald.SpikeVoided, " 刷量：同一来源短时间大量访问 ", ev(w.Chief.ID))
		must(t, err)
		if voided.Status != herald.SpikeVoided || voided.Note != "刷量：同一来源短时间大量访问" || voided.ReviewedBy != w.Chief.ID {
			t.Fatalf("voided = %+v", voided)
		}
		stored, err := s.FindSpikeByID(ctx, second.ID)
		must(t, err)
		if stored.Status != herald.SpikeVoided || stored.Note != voided.Note || stored.ReviewedAt == nil {
			t.Fatalf("stored = %+v", stored)
		}
		es := events(second.ID)
		if len(es) != 2 || es[1].Action != string(herald.SpikeVoided) || es[1].ActorID != w.Chief.ID || es[1].FromStatus != "flagged" ||
			es[1].ToStatus != "voided" || es[1].Comment != voided.Note {
			t.Fatalf("events = %+v", es)
		}
		for _, id := range []int64{first.ID, second.ID} {
			_, err = s.ReviewSpike(ctx, id, herald.SpikeReleased, "", ev(w.Editor2.ID))
			wantCode(t, err, herald.ECONFLICT, "")
			_, err = s.ReviewSpike(ctx, id, herald.SpikeVoided, "再次作废", ev(w.Editor2.ID))
			wantCode(t, err, herald.ECONFLICT, "")
		}
		_, err = s.ReviewSpike(ctx, 9999, herald.SpikeReleased, "", ev(w.Editor.ID))
		wantCode(t, err, herald.ENOTFOUND, "")
		_, err = s.FindSpikeByID(ctx, 9999)
		wantCode(t, err, herald.ENOTFOUND, "")

		// flagging the reviewed days again brings nothing back
		if n, err := s.RecordSpikes(ctx, []herald.ReadSpike{spike(city, first.Day, 9000), spike(county, second.Day, 800)}, T0); err != nil || n != 0 {
			t.Fatalf("flagging reviewed days again: %d, %v", n, err)
		}
		if got, _ := find(herald.SpikeFilter{Statuses: []herald.SpikeStatus{herald.SpikeFlagged}}); len(got) != 1 {
			t.Fatalf("flagged after the reviews = %v", got)
		}
	})

	t.Run("kept by a backup", func(t *testing.T) {
		var buf bytes.Buffer
		must(t, s.Dump(ctx, &buf))
		restored := open(t)
		must(t, restored.Load(ctx, &buf))
		a, _, err := s.FindSpikes(ctx, herald.SpikeFilter{})
		must(t, err)
		b, _, err := restored.FindSpikes(ctx, herald.SpikeFilter{})
		must(t, err)
		if len(a) != len(b) {
			t.Fatalf("restored %d spikes of %d", len(b), len(a))
		}
		for i := range a {
			if a[i].ID != b[i].ID || a[i].Status != b[i].Status || a[i].Note != b[i].Note || !a[i].DetectedAt.Equal(b[i].DetectedAt) {
				t.Fatalf("restored %+v, want %+v", b[i], a[i])
			}
		}
	})
}
