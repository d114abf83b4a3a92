// Package topics curates special topics (专题): campaign pages that gather
// figure profiles, videos and news under ordered sections. Editors curate
// them; the editor-in-chief publishes and withdraws them. A topic lists
// articles of any state, and the portal shows only those published, so every
// piece on a topic page has passed the editorial workflow.
package topics

import (
	"context"
	"slices"
	"strconv"

	"github.com/heraldnews/herald"
)

// Who may do what with topics.
var (
	// curators create topics and arrange their sections and articles.
	curators = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}
	// publishers put a topic on the portal and take it off: a campaign page
	// speaks for the department, as the final review level does.
	publishers = []herald.Role{herald.RoleEditorInChief}
)

// Service curates topics over a store.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	// Changed, if set, is told after each change, so that the portal
	// re-renders (and re-exports) without waiting for its tick.
	Changed func()
}

// New returns a service over store on clock.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock}
}

// MayCurate reports whether actor may create and arrange topics.
func MayCurate(actor *herald.Staff) bool {
	return actor != nil && actor.Active() && actor.HasRole(curators...)
}

// MayPublish reports whether actor may publish and withdraw topics.
func MayPublish(actor *herald.Staff) bool {
	return actor != nil && actor.Active() && actor.HasRole(publishers...)
}

// Get returns a topic for the newsroom: curators see every topic.
func (s *Service) Get(ctx context.Context, actor *herald.Staff, id int64) (*herald.SpecialTopic, error) {
	if !MayCurate(actor) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only editors curate special topics.")
	}
	return s.Store.FindTopicByID(ctx, id)
}

// List returns every topic, most recently changed first.
func (s *Service) List(ctx context.Context, actor *herald.Staff) ([]*herald.SpecialTopic, error) {
	if !MayCurate(actor) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only editors curate special topics.")
	}
	return s.Store.FindTopics(ctx, herald.TopicFilter{})
}

// Create starts a draft topic with what t holds: its slug, title,
// introduction, cover and any sections.
func (s *Service) Create(ctx context.Context, actor *herald.Staff, t *herald.SpecialTopic) error {
	if !MayCurate(actor) {
		return herald.Errorf(herald.EFORBIDDEN, "Only editors create special topics.")
	}
	t.Status, t.CreatedBy, t.PublishedAt = herald.TopicDraft, actor.ID, nil
	if err := s.Store.CreateTopic(ctx, t, herald.Event{At: s.Clock.Now(), ActorID: actor.ID, Action: "create"}); err != nil {
		return err
	}
	s.changed()
	return nil
}

// Change is one edit of a topic.
type Change struct {
	// Action names the edit in the audit log ("add_item", "publish"…).
	Action string
	// Comment says what it touched, for the audit log.
	Comment string
	// Apply makes the edit; its errors are shown to the editor.
	Apply func(t *herald.SpecialTopic) error
}

// Update applies a change to topic id when its version is still version (0
// skips the check), as one audited write.
func (s *Service) Update(ctx context.Context, actor *herald.Staff, id int64, version int, c Change) (*herald.SpecialTopic, error) {
	publishing := c.Action == ActPublish || c.Action == ActUnpublish
	switch {
	case !MayCurate(actor):
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only editors change special topics.")
	case publishing && !MayPublish(actor):
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only the editor-in-chief publishes or withdraws a special topic.")
	}
	t, err := s.Store.UpdateTopic(ctx, id, func(t *herald.SpecialTopic) (herald.Event, error) {
		if version != 0 && t.Version != version {
			return herald.Event{}, herald.Errorf(herald.ECONFLICT, "The topic was changed by someone else meanwhile; look at it again and repeat your change.")
		}
		status := t.Status
		if err := c.Apply(t); err != nil {
			return herald.Event{}, err
		}
		if t.Status != status && !publishing {
			return herald.Event{}, herald.Invalid("status", "changes only by publishing or withdrawing the topic")
		}
		return herald.Event{At: s.Clock.Now(), ActorID: actor.ID, Action: c.Action, Comment: c.Comment}, nil
	})
	if err != nil {
		return nil, err
	}
	s.changed()
	return t, nil
}

func (s *Service) changed() {
	if s.Changed != nil {
		s.Changed()
	}
}

// Actions on topics, as the audit log names them.
const (
	ActEdit          = "edit"
	ActAddSection    = "add_section"
	ActRemoveSection = "remove_section"
	ActAddItem       = "add_item"
	ActRemoveItem    = "remove_item"
	ActMoveItem      = "move_item"
	ActPublish       = "publish"
	ActUnpublish     = "unpublish"
)

// Edit changes the topic's title, introduction and cover. The slug may change
// only while the topic has never been published: its address is out there.
func Edit(slug, title, intro, cover string) Change {
	return Change{Action: ActEdit, Comment: title, Apply: func(t *herald.SpecialTopic) error {
		if slug != t.Slug && t.PublishedAt != nil {
			return herald.Invalid("slug", "cannot change once the topic has been published: its address is in readers' hands")
		}
		t.Slug, t.Title, t.Intro, t.CoverImage = slug, title, intro, cover
		return nil
	}}
}

// AddSection adds a section at the end.
func AddSection(heading string) Change {
	return Change{Action: ActAddSection, Comment: heading, Apply: func(t *herald.SpecialTopic) error {
		t.Sections = append(t.Sections, herald.TopicSection{Heading: heading, ArticleIDs: []int64{}})
		return nil
	}}
}

// RemoveSection removes section i and its list (not its articles).
func RemoveSection(i int) Change {
	return Change{Action: ActRemoveSection, Apply: func(t *herald.SpecialTopic) error {
		if i < 0 || i >= len(t.Sections) {
			return herald.Invalid("section", "the topic has no section %d", i+1)
		}
		t.Sections = slices.Delete(t.Sections, i, i+1)
		return nil
	}}
}

// AddItem lists article id at the end of section i. An article is listed
// once in a topic; adding it again moves it.
func AddItem(i int, id int64) Change {
	return Change{Action: ActAddItem, Comment: "article " + strconv.FormatInt(id, 10), Apply: func(t *herald.SpecialTopic) error {
		if i < 0 || i >= len(t.Sections) {
			return herald.Invalid("section", "the topic has no section %d; add a section first", i+1)
		}
		if id <= 0 {
			return herald.Invalid("article_id", "must be an article ID")
		}
		removeItem(t, id)
		t.Sections[i].ArticleIDs = append(t.Sections[i].ArticleIDs, id)
		return nil
	}}
}

// RemoveItem takes article id off the topic.
func RemoveItem(id int64) Change {
	return Change{Action: ActRemoveItem, Comment: "article " + strconv.FormatInt(id, 10), Apply: func(t *herald.SpecialTopic) error {
		if !removeItem(t, id) {
			return herald.Invalid("article_id", "the topic does not list article %d", id)
		}
		return nil
	}}
}

// MoveItem moves article id by delta places (-1 up, 1 down) within its
// section; it stays put at either end.
func MoveItem(id int64, delta int) Change {
	return Change{Action: ActMoveItem, Comment: "article " + strconv.FormatInt(id, 10), Apply: func(t *herald.SpecialTopic) error {
		for _, s := range t.Sections {
			if j := slices.Index(s.ArticleIDs, id); j >= 0 {
				k := min(max(j+delta, 0), len(s.ArticleIDs)-1)
				s.ArticleIDs[j], s.ArticleIDs[k] = s.ArticleIDs[k], s.ArticleIDs[j]
				return nil
			}
		}
		return herald.Invalid("article_id", "the topic does not list article %d", id)
	}}
}

// Publish puts a draft topic on the portal; it must list at least one
// article. Unpublish takes a published topic off.
func Publish() Change {
	return Change{Action: ActPublish, Apply: func(t *herald.SpecialTopic) error {
		if t.Status == herald.TopicPublished {
			return herald.Errorf(herald.ECONFLICT, "The topic is published already.")
		}
		if len(t.ArticleIDs()) == 0 {
			return herald.Invalid("sections", "list at least one article before publishing the topic")
		}
		t.Status = herald.TopicPublished
		return nil
	}}
}

// Unpublish takes a published topic off the portal; it becomes a draft again.
func Unpublish() Change {
	return Change{Action: ActUnpublish, Apply: func(t *herald.SpecialTopic) error {
		if t.Status != herald.TopicPublished {
			return herald.Errorf(herald.ECONFLICT, "The topic is not published.")
		}
		t.Status = herald.TopicDraft
		return nil
	}}
}

func removeItem(t *herald.SpecialTopic, id int64) bool {
	for i := range t.Sections {
		if j := slices.Index(t.Sections[i].ArticleIDs, id); j >= 0 {
			t.Sections[i].ArticleIDs = slices.Delete(t.Sections[i].ArticleIDs, j, j+1)
			return true
		}
	}
	return false
}
