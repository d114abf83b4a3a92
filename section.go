package herald

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"
)

// Column is a section of the site ("司法要闻"). It sets how many review levels its
// articles pass before publication: 1 to 3, the third being the editor-in-chief's.
type Column struct {
	ID           int64  `json:"id"`
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	NameEn       string `json:"name_en,omitempty"`
	ReviewLevels int    `json:"review_levels"`
	Position     int    `json:"position"`
	// Checklist says how each pre-publish check counts in this column: rule →
	// "required", "recommended" or "off"; rules not named count as the default.
	Checklist map[string]string `json:"checklist"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// MaxReviewLevels is the most review levels a column can require.
const MaxReviewLevels = 3

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkSlug(p *Problems, slug string) {
	if len(slug) > 64 || !slugPattern.MatchString(slug) {
		p.Add("slug", "must be 1-64 lower-case letters and digits in words joined by '-'")
	}
}

// checklistRulePattern is the shape of a checklist rule's name.
var checklistRulePattern = regexp.MustCompile(`^[a-z][a-z_]{0,29}$`)

// Validate checks the column's fields.
func (c *Column) Validate() error {
	var p Problems
	checkSlug(&p, c.Slug)
	checkName(&p, "name", c.Name, true)
	checkName(&p, "name_en", c.NameEn, false)
	if c.ReviewLevels < 1 || c.ReviewLevels > MaxReviewLevels {
		p.Add("review_levels", "must be 1, 2 or 3")
	}
	if len(c.Checklist) > 30 {
		p.Add("checklist", "at most 30 rules")
	}
	for rule, severity := range c.Checklist {
		if !checklistRulePattern.MatchString(rule) || (severity != "required" && severity != "recommended" && severity != "off") {
			p.Add("checklist", "each rule must map to required, recommended or off")
			break
		}
	}
	return p.Err()
}

// ColumnUpdate holds the fields of a column that may change.
type ColumnUpdate struct {
	Name         *string            `json:"name"`
	NameEn       *string            `json:"name_en"`
	ReviewLevels *int               `json:"review_levels"`
	Position     *int               `json:"position"`
	Checklist    *map[string]string `json:"checklist"`
}

// Apply copies the set fields of upd into c.
func (upd ColumnUpdate) Apply(c *Column) {
	setIf(&c.Name, upd.Name)
	setIf(&c.NameEn, upd.NameEn)
	setIf(&c.ReviewLevels, upd.ReviewLevels)
	setIf(&c.Position, upd.Position)
	setIf(&c.Checklist, upd.Checklist)
}

// Theme is a central-work topic ("雄安新区建设") that plans, articles, special-topic
// pages and statistics are organised by.
type Theme struct {
	ID          int64     `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	NameEn      string    `json:"name_en,omitempty"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the theme's fields.
func (t *Theme) Validate() error {
	var p Problems
	checkSlug(&p, t.Slug)
	checkName(&p, "name", t.Name, true)
	checkName(&p, "name_en", t.NameEn, false)
	if !utf8.ValidString(t.Description) || utf8.RuneCountInString(t.Description) > 2000 {
		p.Add("description", "must be valid text of at most 2000 characters")
	}
	return p.Err()
}

// ThemeUpdate holds the fields of a theme that may change.
type ThemeUpdate struct {
	Name        *string `json:"name"`
	NameEn      *string `json:"name_en"`
	Description *string `json:"description"`
}

// Apply copies the set fields of upd into t.
func (upd ThemeUpdate) Apply(t *Theme) {
	setIf(&t.Name, upd.Name)
	setIf(&t.NameEn, upd.NameEn)
	setIf(&t.Description, upd.Description)
}

// SectionStore persists columns and themes, which are looked up by ID or slug.
// Errors: EINVALID, ECONFLICT (slug taken), ENOTFOUND.
type SectionStore interface {
	CreateColumn(ctx context.Context, c *Column, ev Event) error
	UpdateColumn(ctx context.Context, id int64, upd ColumnUpdate, ev Event) (*Column, error)
	FindColumns(ctx context.Context) ([]*Column, error)
	CreateTheme(ctx context.Context, t *Theme, ev Event) error
	UpdateTheme(ctx context.Context, id int64, upd ThemeUpdate, ev Event) (*Theme, error)
	FindThemes(ctx context.Context) ([]*Theme, error)
}
