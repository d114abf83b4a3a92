package portal

import (
	"context"
	"slices"
	"time"

	"github.com/heraldnews/herald"
)

// Watch follows the audit log so that every process serving the portal sees a
// change made by any of them within interval: on a publication, correction or
// retraction it drops its cached pages and, when exportDir is set, re-renders
// the changed files; on a change to settings, columns or themes — or when a
// mourning period starts or ends — it drops everything and re-exports the
// whole site. It returns when ctx ends.
func (p *Portal) Watch(ctx context.Context, interval time.Duration, exportDir string) {
	last, err := p.Store.LastEventID(ctx)
	if err != nil {
		p.Log.Error("portal watch", "error", err)
	}
	mourning := p.mourningNow(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.wakeup.C():
		}
		next, articles, topics, whole, err := p.changesSince(ctx, last)
		if err != nil {
			if ctx.Err() == nil {
				p.Log.Error("portal watch", "error", err)
			}
			continue
		}
		last = next
		if whole || len(articles) > 0 || len(topics) > 0 {
			p.Invalidate() // before the mourning check, which reads the cached settings
		}
		if m := p.mourningNow(ctx); m != mourning {
			mourning, whole = m, true
			p.Invalidate()
		}
		if !whole && len(articles) == 0 && len(topics) == 0 {
			continue
		}
		if exportDir == "" {
			continue
		}
		var stats ExportStats
		if whole {
			stats, err = p.Export(ctx, exportDir, nil)
		} else {
			stats, err = p.ExportArticles(ctx, exportDir, articles)
			if err == nil && len(topics) > 0 {
				var more ExportStats
				more, err = p.ExportTopics(ctx, exportDir, topics)
				stats.Pages, stats.Removed, stats.Duration = stats.Pages+more.Pages, stats.Removed+more.Removed, stats.Duration+more.Duration
			}
		}
		if err != nil {
			p.Log.Error("static export", "error", err)
			continue
		}
		p.Log.Info("static export", "pages", stats.Pages, "removed", stats.Removed, "whole", whole, "duration_ms", stats.Duration.Milliseconds())
	}
}

// mourningNow says whether the settings put the site in mourning now. It reads
// the cached site data, so the watch loop costs no query while nothing changes.
func (p *Portal) mourningNow(ctx context.Context) bool {
	d, err := p.siteData(ctx)
	return err == nil && d.settings.Mourning(p.Clock.Now())
}

// changesSince reads the events after last and says which published articles
// and which topics changed and whether the whole site must be redone.
func (p *Portal) changesSince(ctx context.Context, last int64) (next int64, articles, topics []int64, whole bool, err error) {
	newest, err := p.Store.LastEventID(ctx)
	if err != nil || newest == last {
		return last, nil, nil, false, err
	}
	next, err = herald.EventsAfter(ctx, p.Store, last, func(e *herald.Event) {
		switch e.Entity {
		case herald.EntitySettings, herald.EntityColumn, herald.EntityTheme:
			whole = true
		case herald.EntityTopic: // a published topic's page changes, or its publication
			published := string(herald.TopicPublished)
			if (e.FromStatus == published || e.ToStatus == published) && !slices.Contains(topics, e.EntityID) {
				topics = append(topics, e.EntityID)
			}
		case herald.EntityArticle:
			if (e.FromStatus == string(herald.StatusPublished) || e.ToStatus == string(herald.StatusPublished)) && !slices.Contains(articles, e.EntityID) {
				articles = append(articles, e.EntityID)
			}
		}
	})
	if err != nil {
		return last, nil, nil, false, err
	}
	return next, articles, topics, whole, nil
}

// Wake makes Watch look for changes now instead of at its next tick: this
// process calls it after its own changes, other processes notice at the tick.
func (p *Portal) Wake() { p.wakeup.Wake() }
