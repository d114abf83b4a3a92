package syndication

import (
	"context"
	"strings"

	"github.com/heraldnews/herald"
)

// PlacementReport is a partner telling where a story ran: the day and the
// page, or the URL of its web edition.
type PlacementReport struct {
	ArticleID int64  `json:"article_id"`
	Date      string `json:"date"` // YYYY-MM-DD, the day it ran (China Standard Time)
	Page      string `json:"page,omitempty"`
	URL       string `json:"url,omitempty"`
}

// ReportPlacement records a placement a partner reports of a story it was
// offered. It counts as verified: the outlet itself, signed in with its
// token, says so. Errors: EINVALID naming the field, ECONFLICT when it is
// recorded already.
func (s *Service) ReportPlacement(ctx context.Context, p *herald.Partner, r PlacementReport) (*herald.Placement, error) {
	day, err := herald.ParseDay(strings.TrimSpace(r.Date))
	if err != nil {
		return nil, herald.Invalid("date", "must be a day written YYYY-MM-DD")
	}
	if r.ArticleID <= 0 {
		return nil, herald.Invalid("article_id", "is required")
	}
	if _, err := s.Article(ctx, p, r.ArticleID); herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, herald.Invalid("article_id", "article %d was not offered to %s", r.ArticleID, p.Name)
	} else if err != nil {
		return nil, err
	}
	pl := &herald.Placement{ArticleID: r.ArticleID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day,
		Page: strings.TrimSpace(r.Page), URL: strings.TrimSpace(r.URL), Status: herald.PlacementVerified}
	ev := herald.Event{At: s.now(), Comment: "reported by partner " + p.Slug}
	if err := s.Store.CreatePlacement(ctx, pl, ev); err != nil {
		return nil, err
	}
	return pl, nil
}
