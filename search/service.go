package search

import (
	"context"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldnews/herald"
)

// Service keeps an index of every article current and answers searches with
// the articles themselves, their titles and snippets marked. Each process
// holds its own index: it builds it from the store at start, then follows the
// audit log, so a publication, correction or retraction made by any process
// is searchable within the follow interval.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	Log   *slog.Logger

	index    atomic.Pointer[Index]
	ready    atomic.Bool
	building sync.Mutex
	wakeup   herald.Wakeup
	names    atomic.Pointer[map[int64][]string]
}

// NewService returns a service with an empty index; Follow fills it.
func NewService(store herald.Store, clock herald.Clock, log *slog.Logger) *Service {
	s := &Service{Store: store, Clock: clock, Log: log}
	s.index.Store(NewIndex())
	return s
}

// Index returns the index searches run on now.
func (s *Service) Index() *Index { return s.index.Load() }

// Ready reports whether the index has been built since start.
func (s *Service) Ready() bool { return s.ready.Load() }

// BuildStats says what a build did.
type BuildStats struct {
	Articles int
	Terms    int
	Duration time.Duration
}

// Build makes a new index of every article in the store and, when it is
// complete, puts it in place of the current one: searches go on meanwhile.
// progress, if set, is called after each batch with how many were indexed.
func (s *Service) Build(ctx context.Context, progress func(done int)) (BuildStats, error) {
	s.building.Lock()
	defer s.building.Unlock()
	start := time.Now()
	err := s.loadNames(ctx)
	if err != nil {
		return BuildStats{}, err
	}
	// each worker fills an index of its own, with no lock to share; they are
	// joined at the end
	parts := make([]*Index, max(1, runtime.GOMAXPROCS(0)))
	batches := make(chan []*herald.Article, 2)
	var wg sync.WaitGroup
	for i := range parts {
		parts[i] = NewIndex()
		wg.Go(func() {
			for batch := range batches {
				for _, a := range batch {
					parts[i].Put(DocumentOf(a, s.nameOf))
				}
			}
		})
	}
	done := 0
	var after int64
	for err == nil {
		var batch []*herald.Article
		batch, _, err = s.Store.FindArticles(ctx, herald.ArticleFilter{AfterID: after, Order: herald.ByID, Limit: 500, NoCount: true})
		if err != nil || len(batch) == 0 {
			break
		}
		batches <- batch
		after = batch[len(batch)-1].ID
		done += len(batch)
		if progress != nil {
			progress(done)
		}
	}
	close(batches)
	wg.Wait()
	if err != nil {
		return BuildStats{}, err
	}
	ix := join(parts)
	ix.trim()
	s.index.Store(ix)
	s.ready.Store(true)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return BuildStats{Articles: ix.live, Terms: ix.terms(), Duration: time.Since(start)}, nil
}

// loadNames loads every staff member's names, for nameOf.
func (s *Service) loadNames(ctx context.Context) error {
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{})
	if err != nil {
		return err
	}
	m := make(map[int64][]string, len(staff))
	for _, st := range staff {
		m[st.ID] = []string{st.Name}
		if st.NameEn != "" {
			m[st.ID] = append(m[st.ID], st.NameEn)
		}
	}
	s.names.Store(&m)
	return nil
}

// Follow builds the index, then keeps it current: it re-indexes each article
// the audit log says changed, rebuilds the whole index when a staff member's
// name changed (articles credit them by name) and when someone runs
// `herald search reindex`. It returns when ctx ends.
func (s *Service) Follow(ctx context.Context, interval time.Duration) {
	last, err := s.Store.LastEventID(ctx)
	if err != nil {
		s.Log.Error("search follow", "error", err)
	}
	s.rebuild(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wakeup.C():
		}
		var changed []int64
		staff, reindex := false, false
		next, err := herald.EventsAfter(ctx, s.Store, last, func(e *herald.Event) {
			switch e.Entity {
			case herald.EntityArticle:
				changed = append(changed, e.EntityID)
			case herald.EntityStaff:
				staff = true
			case herald.EntitySearch:
				reindex = true
			}
		})
		if err != nil {
			if ctx.Err() == nil {
				s.Log.Error("search follow", "error", err)
			}
			continue
		}
		last = next
		if reindex {
			// changes made while it builds are in the log after next: the
			// next round applies them to the new index
			s.rebuild(ctx)
			continue
		}
		if staff {
			before := s.names.Load()
			if err := s.loadNames(ctx); err != nil {
				s.Log.Error("search follow", "error", err)
			} else if before != nil && !maps.EqualFunc(*before, *s.names.Load(), slices.Equal) {
				// someone's name changed: the articles that credit them are
				// found by the new name once the index is rebuilt
				s.rebuild(ctx)
				continue
			}
		}
		if err := s.Refresh(ctx, changed...); err != nil && ctx.Err() == nil {
			s.Log.Error("search follow", "error", err)
		}
	}
}

func (s *Service) rebuild(ctx context.Context) {
	stats, err := s.Build(ctx, nil)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Error("search index build", "error", err)
		}
		return
	}
	s.Log.Info("search index built", "articles", stats.Articles, "terms", stats.Terms, "duration_ms", stats.Duration.Milliseconds())
}

// Refresh re-indexes the given articles as the store has them now.
func (s *Service) Refresh(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	arts, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoCount: true})
	if err != nil {
		return err
	}
	ix := s.Index()
	found := map[int64]bool{}
	for _, a := range arts {
		ix.Put(DocumentOf(a, s.nameOf))
		found[a.ID] = true
	}
	for _, id := range ids {
		if !found[id] {
			ix.Delete(id)
		}
	}
	return nil
}

// nameOf returns a staff member's names as last loaded.
func (s *Service) nameOf(id int64) []string {
	if m := s.names.Load(); m != nil {
		return (*m)[id]
	}
	return nil
}

// Wake makes Follow look at the log now: this process calls it after its own
// changes, others notice at their next tick.
func (s *Service) Wake() { s.wakeup.Wake() }

// RequestReindex asks every process following the log to rebuild its index.
func RequestReindex(ctx context.Context, store herald.Store, clock herald.Clock) error {
	return store.RecordEvent(ctx, herald.Event{At: clock.Now(), Entity: herald.EntitySearch, Action: "reindex"})
}

// Page is a page of search results with what to show of each.
type Page struct {
	Total      int
	Hits       []PageHit
	Partial    []Partial
	Unfiltered int
	// Building is true while the index is still being built after start: the
	// results may be incomplete.
	Building bool
}

// PageHit is one found article, its title and a snippet of its text with the
// matches marked, and its bylines (authors, then the responsible editor),
// marked when the search matched a name.
type PageHit struct {
	Article *herald.Article
	Score   float64
	Title   []Span
	Snippet []Span
	Byline  []Span
}

// Marked reports whether any span is marked.
func Marked(spans []Span) bool {
	for _, s := range spans {
		if s.Mark {
			return true
		}
	}
	return false
}

// SnippetRunes is how long a snippet is.
const SnippetRunes = 120

// Search runs q and loads the articles found. The caller sets the permission
// fields of q (Statuses, Private); the rest comes from the searcher.
func (s *Service) Search(ctx context.Context, q Query) (*Page, error) {
	if q.Now.IsZero() {
		q.Now = s.Clock.Now()
	}
	res, err := s.Index().Search(q)
	if err != nil {
		return nil, err
	}
	page := &Page{Total: res.Total, Hits: []PageHit{}, Partial: res.Partial, Unfiltered: res.Unfiltered, Building: !s.Ready()}
	if len(res.Hits) == 0 {
		return page, nil
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	arts, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoCount: true})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*herald.Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	for _, h := range res.Hits {
		a := byID[h.ID]
		if a == nil {
			continue // deleted since it was found
		}
		page.Hits = append(page.Hits, PageHit{Article: a, Score: h.Score, Title: res.Marks.Highlight(a.Title), Snippet: snippet(res.Marks, a),
			Byline: res.Marks.Highlight(strings.Join(Bylines(a, s.nameOf), "、"))})
	}
	return page, nil
}

// snippet shows where an article matched: in its summary or body, else the
// beginning of either.
func snippet(m *Marks, a *herald.Article) []Span {
	var first []Span
	for _, t := range []string{a.Summary, PlainText(a.Body)} {
		if t == "" {
			continue
		}
		spans, matched := m.snippet(t, SnippetRunes)
		if matched {
			return spans
		}
		if first == nil {
			first = spans
		}
	}
	return first
}

// Suggest returns titles of published articles containing what was typed.
func (s *Service) Suggest(typed, language string, n int) ([]Suggestion, error) {
	return s.Index().Suggest(typed, language, n)
}
