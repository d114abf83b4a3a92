package portal_test

import (
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// TestCacheLookupAndSize serves a page twice (a miss, then a hit), drops the
// cache, lets a page expire, and serves a page that is never cached, checking
// what CacheLookup was told and what CacheSize says after each step.
func TestCacheLookupAndSize(t *testing.T) {
	f := newFixture(t)
	var hits, misses int
	f.portal.CacheLookup = func(hit bool) {
		if hit {
			hits++
		} else {
			misses++
		}
	}
	want := func(step string, wantHits, wantMisses, wantPages int) int64 {
		t.Helper()
		pages, bytes := f.portal.CacheSize()
		if hits != wantHits || misses != wantMisses || pages != wantPages {
			t.Errorf("%s: %d hits, %d misses, %d pages cached; want %d, %d, %d", step, hits, misses, pages, wantHits, wantMisses, wantPages)
		}
		if (pages == 0) != (bytes == 0) {
			t.Errorf("%s: %d pages of %d bytes", step, pages, bytes)
		}
		return bytes
	}
	path := herald.ArticlePath(f.seedArticle(t).ID)

	first := get(t, f.portal, path)
	size := want("first request", 0, 1, 1)
	if size <= int64(first.Body.Len()) { // the plain body and the compressed one
		t.Errorf("%d bytes cached for a body of %d", size, first.Body.Len())
	}
	get(t, f.portal, path)
	want("second request", 1, 1, 1)

	f.portal.Invalidate()
	want("after invalidation", 1, 1, 0)
	get(t, f.portal, path)
	want("first request after invalidation", 1, 2, 1)

	*f.clock = f.clock.Add(24 * time.Hour) // past any page's max-age
	get(t, f.portal, path)
	replaced := want("request for an expired page", 1, 3, 1)
	f.portal.Invalidate()
	get(t, f.portal, path)
	if fresh := want("the page cached afresh", 1, 4, 1); replaced != fresh {
		t.Errorf("after the expired page was replaced: %d bytes cached, want %d as for the page alone", replaced, fresh)
	}

	for range 2 {
		if r := get(t, f.portal, "/nowhere"); r.Code != 404 {
			t.Fatalf("/nowhere: %d", r.Code)
		}
	}
	want("two requests for a missing page, never cached", 1, 6, 1)
}
