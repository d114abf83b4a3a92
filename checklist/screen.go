package checklist

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldnews/herald"
)

// Screen runs the checklist of content's column (its policy, else the default)
// with the administrator's word list, as kept in store. It returns the words
// too, for highlighting. links may be nil to skip the links check.
func Screen(ctx context.Context, store herald.Store, c herald.ArticleContent, links LinkChecker) (Report, []Word, error) {
	policy, words, err := load(ctx, store, c.ColumnID)
	if err != nil {
		return Report{}, nil, err
	}
	return Check(ctx, c, policy, words, links), words, nil
}

func load(ctx context.Context, store herald.Store, columnID int64) (Policy, []Word, error) {
	cols, err := store.FindColumns(ctx)
	if err != nil {
		return nil, nil, err
	}
	policy := DefaultPolicy()
	for _, col := range cols {
		if col.ID == columnID {
			for rule, severity := range col.Checklist { // Severity ignores what it does not know
				policy[Rule(rule)] = Severity(severity)
			}
		}
	}
	stored, err := store.FindWords(ctx)
	if err != nil {
		return nil, nil, err
	}
	return policy, FromSensitiveWords(stored), nil
}

// Gate returns the check the workflow runs before a piece is submitted or
// approved: it fails, with EINVALID naming each failed rule under the field
// "checklist", when a required check fails. Links are probed only where the
// column requires them, so that a recommended check never slows a step down.
func Gate(store herald.Store, links LinkChecker) func(ctx context.Context, a *herald.Article) error {
	return func(ctx context.Context, a *herald.Article) error {
		policy, words, err := load(ctx, store, a.ColumnID)
		if err != nil {
			return err
		}
		probe := links
		if policy.Severity(RuleLinks) != Required {
			probe = nil
		}
		failed := Check(ctx, a.ArticleContent, policy, words, probe).Failed(Required)
		if len(failed) == 0 {
			return nil
		}
		e := &herald.Error{Code: herald.EINVALID}
		names := make([]string, len(failed))
		for i, it := range failed {
			names[i] = string(it.Rule)
			e.Fields = append(e.Fields, herald.FieldError{Field: GateField, Message: names[i]})
		}
		e.Message = fmt.Sprintf("Required pre-publish checks failed: %s.", strings.Join(names, ", "))
		return e
	}
}

// GateField is the field Gate's errors name; each of its messages is a rule.
const GateField = "checklist"

// SiteLinks says whether a site path names something the portal serves: a
// published article, an uploaded image, a column's or theme's pages; other
// site paths (the home page, feeds, fixed pages) are taken as fine.
func SiteLinks(store herald.Store) func(ctx context.Context, path string) bool {
	return func(ctx context.Context, path string) bool {
		if id, key, _, ok := herald.ParseMediaURL(path); ok {
			m, err := store.FindMediaByID(ctx, id)
			return err == nil && m.Key() == key
		}
		var id int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(path, "/m"), "/articles/%d.html", &id); err == nil {
			a, err := store.FindArticleByID(ctx, id)
			return err == nil && a.Status == herald.StatusPublished
		}
		if rest, ok := strings.CutPrefix(path, "/columns/"); ok {
			slug, _, _ := strings.Cut(rest, "/")
			cols, err := store.FindColumns(ctx)
			return err == nil && slices.ContainsFunc(cols, func(c *herald.Column) bool { return c.Slug == slug })
		}
		if rest, ok := strings.CutPrefix(path, "/themes/"); ok {
			slug, _, _ := strings.Cut(rest, "/")
			themes, err := store.FindThemes(ctx)
			return err == nil && slices.ContainsFunc(themes, func(t *herald.Theme) bool { return t.Slug == slug })
		}
		return true
	}
}
