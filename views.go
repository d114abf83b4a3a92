package herald

import (
	"context"
	"time"
)

// ViewCount is the reads of one article in one hour on one read channel
// (ReadChannels: "web", "mobile", "static", "feed", …).
type ViewCount struct {
	ArticleID int64     `json:"article_id"`
	Hour      time.Time `json:"hour"`
	Channel   string    `json:"channel"`
	Views     int       `json:"views"`
}

// ArticleReads is an article's reads over a period and, where counted, the
// sum of its days' distinct readers.
type ArticleReads struct {
	ArticleID int64 `json:"article_id"`
	Reads     int   `json:"reads"`
	Readers   int   `json:"readers,omitempty"`
}

// ViewStore keeps read counts. AddViews adds to the stored counts in one
// transaction. TopArticles ranks published articles by reads since a time.
type ViewStore interface {
	AddViews(ctx context.Context, counts []ViewCount) error
	TopArticles(ctx context.Context, since time.Time, limit int) ([]ArticleReads, error)
}
