package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testIncentive(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	day := herald.CSTDay(T0)

	// an article keeps its kind
	c := Content(w.News, "法律援助进村")
	c.Kind = herald.KindInDepth
	published := &herald.Article{ArticleContent: c, UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished, PublishedAt: &T0}
	must(t, s.CreateArticle(ctx, published, ev(w.Editor.ID)))
	if got, _ := s.FindArticleByID(ctx, published.ID); got.Kind != herald.KindInDepth {
		t.Fatalf("kind = %q", got.Kind)
	}
	bad := Content(w.News, "错误类型")
	bad.Kind = "gossip"
	wantCode(t, s.CreateArticle(ctx, &herald.Article{ArticleContent: bad, UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusDraft}, ev(w.Editor.ID)),
		herald.EINVALID, "kind")
	draft := &herald.Article{ArticleContent: Content(w.News, "草稿"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusDraft}
	must(t, s.CreateArticle(ctx, draft, ev(w.Editor.ID)))
	if draft.Kind != herald.KindNews {
		t.Fatalf("default kind = %q", draft.Kind)
	}

	// recognitions
	r := &herald.Recognition{ArticleID: published.ID, Kind: herald.RecognitionEndorsement, Day: day, Note: "厅长批示"}
	must(t, s.CreateRecognition(ctx, r, ev(w.Chief.ID)))
	wantCode(t, s.CreateRecognition(ctx, &herald.Recognition{ArticleID: published.ID, Kind: herald.RecognitionEndorsement, Day: day}, ev(w.Chief.ID)), herald.ECONFLICT, "")
	wantCode(t, s.CreateRecognition(ctx, &herald.Recognition{ArticleID: draft.ID, Kind: herald.RecognitionFirstReport, Day: day}, ev(w.Chief.ID)), herald.EINVALID, "article_id")
	wantCode(t, s.CreateRecognition(ctx, &herald.Recognition{ArticleID: published.ID, Kind: herald.RecognitionFirstReport, Day: day.AddDate(0, 0, 1)}, ev(w.Chief.ID)),
		herald.EINVALID, "day")
	wantCode(t, s.CreateRecognition(ctx, &herald.Recognition{ArticleID: published.ID, Kind: "medal", Day: day}, ev(w.Chief.ID)), herald.EINVALID, "kind")
	withdrawn, err := s.WithdrawRecognition(ctx, r.ID, ev(w.Chief.ID))
	must(t, err)
	if withdrawn.WithdrawnAt == nil {
		t.Fatal("not withdrawn")
	}
	_, err = s.WithdrawRecognition(ctx, r.ID, ev(w.Chief.ID))
	wantCode(t, err, herald.ECONFLICT, "")
	rs, err := s.FindRecognitions(ctx, published.ID)
	must(t, err)
	if len(rs) != 1 || rs[0].WithdrawnAt == nil || rs[0].Note != "厅长批示" || !rs[0].Day.Equal(day) || rs[0].RecordedBy != w.Chief.ID {
		t.Fatalf("recognitions = %+v", rs)
	}
	// withdrawn in error, it may be recorded again, once
	again := &herald.Recognition{ArticleID: published.ID, Kind: herald.RecognitionEndorsement, Day: day, Note: "厅长批示（重新登记）"}
	must(t, s.CreateRecognition(ctx, again, ev(w.Chief.ID)))
	wantCode(t, s.CreateRecognition(ctx, &herald.Recognition{ArticleID: published.ID, Kind: herald.RecognitionEndorsement, Day: day}, ev(w.Chief.ID)), herald.ECONFLICT, "")
	if rs, err = s.FindRecognitions(ctx, published.ID); err != nil || len(rs) != 2 || rs[0].WithdrawnAt == nil || rs[1].ID != again.ID || rs[1].WithdrawnAt != nil {
		t.Fatalf("recognitions after recording again = %+v, %v", rs, err)
	}

	// quotas: set, then change
	must(t, s.SetQuota(ctx, &herald.Quota{UnitID: w.City.ID, Month: "2026-11", Target: 8}, ev(w.Admin.ID)))
	must(t, s.SetQuota(ctx, &herald.Quota{UnitID: w.City.ID, Month: "2026-11", Target: 10}, ev(w.Admin.ID)))
	must(t, s.SetQuota(ctx, &herald.Quota{UnitID: w.County.ID, Month: "2026-12", Target: 4}, ev(w.Admin.ID)))
	wantCode(t, s.SetQuota(ctx, &herald.Quota{UnitID: w.City.ID, Month: "2026-13", Target: 1}, ev(w.Admin.ID)), herald.EINVALID, "month")
	wantCode(t, s.SetQuota(ctx, &herald.Quota{UnitID: 999, Month: "2026-11", Target: 1}, ev(w.Admin.ID)), herald.EINVALID, "unit_id")
	wantCode(t, s.SetQuota(ctx, &herald.Quota{UnitID: w.City.ID, Month: "2026-11", Target: -1}, ev(w.Admin.ID)), herald.EINVALID, "target")
	qs, err := s.FindQuotas(ctx, "2026-11")
	must(t, err)
	if len(qs) != 1 || qs[0].Target != 10 {
		t.Fatalf("quotas = %+v", qs)
	}
	if all, _ := s.AllQuotas(ctx); len(all) != 2 {
		t.Fatalf("all quotas = %d", len(all))
	}

	// rule versions: numbered in order, never in the past, each after the last
	rules := herald.Rules{Submission: 100, Adoption: map[herald.ArticleKind]herald.Points{herald.KindNews: 300}, Split: herald.Split{FirstAuthorPercent: 60, UnitPercent: 100}}
	v1 := &herald.RuleSet{EffectiveFrom: day, Rules: rules, Note: "初版"}
	must(t, s.CreateRules(ctx, v1, ev(w.Admin.ID)))
	wantCode(t, s.CreateRules(ctx, &herald.RuleSet{EffectiveFrom: day.AddDate(0, 0, -1), Rules: rules}, ev(w.Admin.ID)), herald.EINVALID, "effective_from")
	wantCode(t, s.CreateRules(ctx, &herald.RuleSet{EffectiveFrom: day, Rules: rules}, ev(w.Admin.ID)), herald.ECONFLICT, "")
	broken := rules
	broken.Reads = herald.ReadRule{Points: 100}
	wantCode(t, s.CreateRules(ctx, &herald.RuleSet{EffectiveFrom: day.AddDate(0, 1, 0), Rules: broken}, ev(w.Admin.ID)), herald.EINVALID, "reads.per")
	rules.Adoption[herald.KindNews] = 400
	v2 := &herald.RuleSet{EffectiveFrom: day.AddDate(0, 1, 0), Rules: rules}
	must(t, s.CreateRules(ctx, v2, ev(w.Admin.ID)))
	versions, err := s.FindRules(ctx)
	must(t, err)
	if len(versions) != 2 || versions[0].Version != 1 || versions[1].Version != 2 || versions[1].Rules.Adoption[herald.KindNews] != 400 ||
		versions[0].Rules.Adoption[herald.KindNews] != 300 || !versions[1].EffectiveFrom.Equal(day.AddDate(0, 1, 0)) || versions[0].Note != "初版" {
		t.Fatalf("versions = %+v %+v", versions[0], versions[1])
	}
	if herald.RulesOn(versions, day.AddDate(0, 0, 10)).Version != 1 || herald.RulesOn(versions, day.AddDate(0, 2, 0)).Version != 2 ||
		herald.RulesOn(versions, day.AddDate(0, 0, -1)) != nil {
		t.Fatal("RulesOn picks the wrong version")
	}

	// the ledger: appended once per key, summed, never changed
	staff := herald.Beneficiary{Kind: herald.ForStaff, ID: w.Writer.ID}
	unit := herald.Beneficiary{Kind: herald.ForUnit, ID: w.City.ID}
	entry := func(key string, b herald.Beneficiary, p herald.Points, d time.Time) *herald.LedgerEntry {
		return &herald.LedgerEntry{Key: key, Beneficiary: b, Points: p, RuleVersion: 1, Source: herald.SourceAdoption, SourceID: published.ID,
			ArticleID: published.ID, Day: d}
	}
	batch := []*herald.LedgerEntry{entry("a/1/staff", staff, 300, day), entry("a/1/unit", unit, 300, day), entry("s/1/staff", staff, 100, day.AddDate(0, 0, -40))}
	n, err := s.AppendLedger(ctx, batch, ev(0))
	must(t, err)
	if n != 3 {
		t.Fatalf("added %d", n)
	}
	n, err = s.AppendLedger(ctx, batch, ev(0))
	must(t, err)
	if n != 0 {
		t.Fatalf("appending the same entries again added %d", n)
	}
	if batch[0].ID == 0 {
		t.Fatal("appended entries have no IDs")
	}
	rev := entry("rev/a/1/staff", staff, -300, day)
	rev.Reverses = batch[0].ID
	_, err = s.AppendLedger(ctx, []*herald.LedgerEntry{rev, {Key: "", Beneficiary: staff, Day: day, Source: "x"}}, ev(0))
	wantCode(t, err, herald.EINVALID, "entries")
	_, err = s.AppendLedger(ctx, []*herald.LedgerEntry{rev}, ev(0))
	must(t, err)
	entries, total, err := s.FindLedger(ctx, herald.LedgerFilter{Beneficiary: &staff})
	must(t, err)
	if total != 3 || entries[2].Points != -300 || entries[2].Reverses == 0 || entries[0].Key != "a/1/staff" {
		t.Fatalf("staff entries = %d %+v", total, entries)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, herald.CST)
	totals, err := s.LedgerTotals(ctx, herald.ForStaff, month, month.AddDate(0, 1, 0))
	must(t, err)
	if len(totals) != 1 || totals[0].Points != 0 || totals[0].Entries != 2 {
		t.Fatalf("staff totals this month = %+v", totals)
	}
	totals, err = s.LedgerTotals(ctx, herald.ForUnit, time.Time{}, time.Time{})
	must(t, err)
	if len(totals) != 1 || totals[0].Points != 300 || totals[0].Beneficiary != unit {
		t.Fatalf("unit totals = %+v", totals)
	}
	// the database itself refuses to change or remove an entry
	db, ok := s.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("%T gives no database handle to try changing the ledger with", s)
	}
	if _, err := db.DB().ExecContext(ctx, `UPDATE ledger_entries SET points = 1000`); err == nil {
		t.Fatal("a ledger entry was changed")
	}
	if _, err := db.DB().ExecContext(ctx, `DELETE FROM ledger_entries`); err == nil {
		t.Fatal("a ledger entry was removed")
	}
}
