package herald

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// WordKind says why a word is listed.
type WordKind string

// Word kinds.
const (
	WordSensitive WordKind = "sensitive" // wording the style guide forbids
	WordMistaken  WordKind = "mistaken"  // a commonly mistaken word, such as 再接再励 for 再接再厉
	WordTitle     WordKind = "title"     // a wrong or outdated leader's title
)

// WordKinds lists every kind in display order.
var WordKinds = []WordKind{WordSensitive, WordMistaken, WordTitle}

// SensitiveWord is one entry of the administrator-managed list of sensitive and
// commonly mistaken words and leader titles (错敏词) that the pre-publish
// checklist screens every article against.
type SensitiveWord struct {
	ID         int64     `json:"id"`
	Word       string    `json:"word"`
	Kind       WordKind  `json:"kind"`
	Suggestion string    `json:"suggestion"` // what to write instead; may be empty
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Normalize trims the word's fields.
func (w *SensitiveWord) Normalize() {
	w.Word, w.Suggestion, w.Note = strings.TrimSpace(w.Word), strings.TrimSpace(w.Suggestion), strings.TrimSpace(w.Note)
}

// Validate reports what is wrong with the word, field by field.
func (w *SensitiveWord) Validate() error {
	var p Problems
	if n := utf8.RuneCountInString(w.Word); n == 0 || n > 50 {
		p.Add("word", "must be 1-50 characters")
	}
	if !slices.Contains(WordKinds, w.Kind) {
		p.Add("kind", "must be one of %s", joinTypes(WordKinds))
	}
	if utf8.RuneCountInString(w.Suggestion) > 50 {
		p.Add("suggestion", "must be at most 50 characters")
	}
	if utf8.RuneCountInString(w.Note) > 200 {
		p.Add("note", "must be at most 200 characters")
	}
	return p.Err()
}

// WordStore keeps the list of sensitive and commonly mistaken words.
type WordStore interface {
	// CreateWord adds a word; ECONFLICT when it is listed already.
	CreateWord(ctx context.Context, w *SensitiveWord, ev Event) error
	// UpdateWord replaces a word's fields with w's.
	UpdateWord(ctx context.Context, id int64, w SensitiveWord, ev Event) (*SensitiveWord, error)
	// DeleteWord removes a word from the list.
	DeleteWord(ctx context.Context, id int64, ev Event) error
	// FindWords lists every word by kind and word.
	FindWords(ctx context.Context) ([]*SensitiveWord, error)
}
