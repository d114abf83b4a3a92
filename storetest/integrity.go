package storetest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/heraldnews/herald"
)

// sqlDB is implemented by stores that expose their database, for the checks
// below that must go around the store's own methods.
type sqlDB interface{ DB() *sql.DB }

// testAppendOnly proves the audit log and revisions cannot be changed or
// deleted even by SQL that bypasses Herald: the database itself refuses.
func testAppendOnly(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	a := &herald.Article{ArticleContent: Content(w.Local, "留痕"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
	db, ok := s.(sqlDB)
	if !ok {
		t.Skip("store does not expose its database")
	}
	for _, stmt := range []string{
		`UPDATE events SET comment = 'rewritten'`,
		`DELETE FROM events`,
		`UPDATE revisions SET note = 'rewritten'`,
		`DELETE FROM revisions`,
	} {
		if _, err := db.DB().ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s: succeeded, want refused", stmt)
		}
	}
	events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
	must(t, err)
	revs, err := s.FindRevisions(ctx, a.ID)
	must(t, err)
	if len(events) != 1 || events[0].Comment != "" || len(revs) != 1 || revs[0].Note != "" {
		t.Fatalf("audit trail changed: %+v %+v", events, revs)
	}
}
