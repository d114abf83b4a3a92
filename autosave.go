package herald

import (
	"context"
	"time"
)

// Autosave is a staff member's unsaved working copy of an article, written every
// few seconds while they type, so that closing the tab or losing the network
// never loses text. It is private to its writer and is not a revision: saving
// the article makes the revision and clears the autosave.
type Autosave struct {
	ArticleID   int64          `json:"article_id"`
	StaffID     int64          `json:"staff_id"`
	BaseVersion int            `json:"base_version"` // the article's version the copy was edited from
	Content     ArticleContent `json:"content"`
	SavedAt     time.Time      `json:"saved_at"`
}

// AutosaveStore keeps working copies. Autosaves are not audited: they change no
// article; the save that follows is.
type AutosaveStore interface {
	// PutAutosave writes the working copy, replacing the previous one.
	PutAutosave(ctx context.Context, a *Autosave) error
	// FindAutosave returns the staff member's copy of the article, or ENOTFOUND.
	FindAutosave(ctx context.Context, articleID, staffID int64) (*Autosave, error)
	// DeleteAutosave drops the copy, if any.
	DeleteAutosave(ctx context.Context, articleID, staffID int64) error
}
