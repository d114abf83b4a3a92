package herald

import (
	"context"
	"time"
	"unicode/utf8"
)

// Entities of print publishing's events.
const (
	EntityPeriodical = "periodical"
	EntityIssue      = "issue"
)

// Periodical is a publication the department prints: a monthly bulletin, a
// magazine. Its issues gather published articles into print-ready PDFs.
type Periodical struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	NameEn    string    `json:"name_en,omitempty"`
	UnitID    int64     `json:"unit_id"` // the publisher
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a periodical.
func (p *Periodical) Validate() error {
	var pr Problems
	checkSlug(&pr, p.Slug)
	checkName(&pr, "name", p.Name, true)
	checkName(&pr, "name_en", p.NameEn, false)
	if p.UnitID == 0 {
		pr.Add("unit_id", "is required")
	}
	return pr.Err()
}

// Issue is one number of a periodical: its articles in print order and the
// editor's note.
type Issue struct {
	ID           int64     `json:"id"`
	PeriodicalID int64     `json:"periodical_id"`
	Volume       int       `json:"volume"` // 卷, usually the year of publication
	Number       int       `json:"number"` // 期, within the volume
	Date         time.Time `json:"date"`   // the issue date (a day, CST)
	EditorNote   string    `json:"editor_note"`
	ArticleIDs   []int64   `json:"article_ids"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Limits of an issue.
const (
	MaxIssueArticles   = 200
	MaxEditorNoteRunes = 5000
)

// Validate checks an issue's own fields; whether its articles exist and are
// published is checked by the store and when it is printed.
func (is *Issue) Validate() error {
	var p Problems
	if is.PeriodicalID == 0 {
		p.Add("periodical_id", "is required")
	}
	if is.Volume < 1 || is.Volume > 9999 {
		p.Add("volume", "must be between 1 and 9999")
	}
	if is.Number < 1 || is.Number > 999 {
		p.Add("number", "must be between 1 and 999")
	}
	if is.Date.IsZero() {
		p.Add("date", "is required")
	}
	if !utf8.ValidString(is.EditorNote) || utf8.RuneCountInString(is.EditorNote) > MaxEditorNoteRunes {
		p.Add("editor_note", "must be text of at most %d characters", MaxEditorNoteRunes)
	}
	if len(is.ArticleIDs) > MaxIssueArticles {
		p.Add("article_ids", "may list at most %d articles", MaxIssueArticles)
	}
	seen := map[int64]bool{}
	for _, id := range is.ArticleIDs {
		if id <= 0 || seen[id] {
			p.Add("article_ids", "must list each article once, by its ID")
			break
		}
		seen[id] = true
	}
	return p.Err()
}

// PeriodicalStore keeps periodicals and their issues. Errors: EINVALID (an
// issue listing an article that does not exist or is not published names
// article_ids), ECONFLICT (a slug, or a volume and number, already taken; an
// issue changed since the version given), ENOTFOUND.
type PeriodicalStore interface {
	CreatePeriodical(ctx context.Context, p *Periodical, ev Event) error
	FindPeriodicals(ctx context.Context) ([]*Periodical, error)
	CreateIssue(ctx context.Context, is *Issue, ev Event) error
	// UpdateIssue loads an issue in a write transaction, lets fn change it,
	// and saves it with ev.
	UpdateIssue(ctx context.Context, id int64, ev Event, fn func(is *Issue) error) (*Issue, error)
	FindIssues(ctx context.Context, periodicalID int64) ([]*Issue, error)
	FindIssueByID(ctx context.Context, id int64) (*Issue, error)
}
