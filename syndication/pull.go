package syndication

import (
	"context"
	"encoding/json"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/iptc"
)

// Limits of a pull.
const (
	DefaultPullLimit = 50
	MaxPullLimit     = 200
)

// Window asks for the stories that changed — were published, corrected or
// retracted — from Since up to (not including) Until. A zero Since is the
// start of today (CST), a zero Until now. After resumes a window where an
// earlier page ended.
type Window struct {
	Since, Until time.Time
	After        *herald.ArticleCursor
	Limit        int
}

// Page is one page of a pull: its stories, oldest change first, and the
// cursor of the next page, nil on the last.
type Page struct {
	Since, Until time.Time
	Articles     []*herald.Article
	Next         *herald.ArticleCursor
}

// Pull returns the stories of the print channel a partner takes that
// changed in the window: published ones, and retracted ones (which leave as
// canceled items, so that the partner takes them down). It records the pull.
func (s *Service) Pull(ctx context.Context, p *herald.Partner, w Window) (*Page, error) {
	now := s.now()
	if w.Since.IsZero() {
		w.Since = herald.CSTDay(now)
	}
	if w.Until.IsZero() || w.Until.After(now) {
		w.Until = now
	}
	if w.Limit == 0 {
		w.Limit = DefaultPullLimit
	}
	var pr herald.Problems
	if !w.Since.Before(w.Until) {
		pr.Add("since", "must be before until (%s)", w.Until.Format(time.RFC3339))
	}
	if w.Limit < 1 || w.Limit > MaxPullLimit {
		pr.Add("limit", "must be from 1 to %d", MaxPullLimit)
	}
	if w.After != nil && (w.After.UpdatedAt.Before(w.Since) || !w.After.UpdatedAt.Before(w.Until)) {
		pr.Add("after", "must lie in the window from since to until")
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	cursor := w.After
	if cursor == nil {
		// after (since, ID 0): since itself is in the window
		cursor = &herald.ArticleCursor{UpdatedAt: w.Since}
	}
	// one more than a page tells whether another follows
	found, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{
		Statuses: []herald.Status{herald.StatusPublished, herald.StatusRetracted}, Channel: herald.ChannelPrint,
		UpdatedAfter: cursor, UpdatedBefore: &w.Until, Order: herald.ByUpdatedAsc, Limit: w.Limit + 1, NoCount: true,
	})
	if err != nil {
		return nil, err
	}
	page := &Page{Since: w.Since, Until: w.Until, Articles: []*herald.Article{}}
	if len(found) > w.Limit {
		found = found[:w.Limit]
		last := found[len(found)-1]
		page.Next = &herald.ArticleCursor{UpdatedAt: last.UpdatedAt, ID: last.ID}
	}
	for _, a := range found {
		// languages are filtered here, not in the query, so that the
		// cursor still moves past the stories the partner does not take
		if p.Takes(a) {
			page.Articles = append(page.Articles, a)
		}
	}
	if err := s.Store.TouchPartner(ctx, p.ID, now); err != nil {
		return nil, err
	}
	return page, nil
}

// Article returns one story for a partner, if it is one the partner takes.
func (s *Service) Article(ctx context.Context, p *herald.Partner, id int64) (*herald.Article, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if (a.Status != herald.StatusPublished && a.Status != herald.StatusRetracted) || !p.Takes(a) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Article %d is not offered to %s.", id, p.Name)
	}
	return a, nil
}

// NINJS renders stories as NINJS documents.
func (s *Service) NINJS(ctx context.Context, articles []*herald.Article) ([]json.RawMessage, error) {
	o, err := s.options(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(articles))
	for _, a := range articles {
		doc, err := iptc.NINJS(a, o)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}

// NewsMessage renders stories as one NewsML-G2 newsMessage sent now.
// Articles may not be empty.
func (s *Service) NewsMessage(ctx context.Context, articles []*herald.Article) ([]byte, error) {
	o, err := s.options(ctx)
	if err != nil {
		return nil, err
	}
	return iptc.NewsMessage(articles, o, s.now())
}
