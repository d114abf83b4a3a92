package topics_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/topics"
)

type fixture struct {
	svc     *topics.Service
	w       *storetest.World
	ids     []int64
	changes int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{w: storetest.NewWorld(t, s)}
	now := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)
	f.svc = topics.New(s, func() time.Time { return now })
	f.svc.Changed = func() { f.changes++ }
	for _, title := range []string{"公证人（第一集）", "公证人（第二集）", "调解路上的“老黄牛”"} {
		a := &herald.Article{ArticleContent: storetest.Content(f.w.Local, title), UnitID: f.w.City.ID, Status: herald.StatusDraft, CreatedBy: f.w.Editor.ID}
		if err := s.CreateArticle(ctx, a, herald.Event{At: now, ActorID: f.w.Editor.ID}); err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, a.ID)
	}
	return f
}

func TestCurating(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w := f.w
	topic := &herald.SpecialTopic{Slug: "advanced-figures", Title: "先进典型", Status: herald.TopicPublished}
	if err := f.svc.Create(ctx, w.Writer, topic); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a correspondent created a topic: %v", err)
	}
	if err := f.svc.Create(ctx, w.Editor, topic); err != nil {
		t.Fatal(err)
	}
	if topic.Status != herald.TopicDraft {
		t.Errorf("a new topic is %s, want a draft whatever was asked", topic.Status)
	}
	for _, tc := range []struct {
		name    string
		actor   *herald.Staff
		change  topics.Change
		code    string
		want    [][]int64 // the sections' articles afterwards
		status  herald.TopicStatus
		version bool // pass a stale version
	}{
		{"publishing an empty topic", w.Chief, topics.Publish(), herald.EINVALID, [][]int64{}, herald.TopicDraft, false},
		{"an item before any section", w.Editor, topics.AddItem(0, f.ids[0]), herald.EINVALID, [][]int64{}, herald.TopicDraft, false},
		{"a section", w.Editor, topics.AddSection("公证人"), "", [][]int64{{}}, herald.TopicDraft, false},
		{"a viewer adds a section", w.Viewer, topics.AddSection("偷偷"), herald.EFORBIDDEN, [][]int64{{}}, herald.TopicDraft, false},
		{"an item", w.Editor, topics.AddItem(0, f.ids[0]), "", [][]int64{{f.ids[0]}}, herald.TopicDraft, false},
		{"another item", w.Editor, topics.AddItem(0, f.ids[1]), "", [][]int64{{f.ids[0], f.ids[1]}}, herald.TopicDraft, false},
		{"a stale version", w.Editor, topics.AddItem(0, f.ids[2]), herald.ECONFLICT, [][]int64{{f.ids[0], f.ids[1]}}, herald.TopicDraft, true},
		{"a missing article", w.Editor, topics.AddItem(0, 9999), herald.EINVALID, [][]int64{{f.ids[0], f.ids[1]}}, herald.TopicDraft, false},
		{"a second section", w.Editor, topics.AddSection("人物风采"), "", [][]int64{{f.ids[0], f.ids[1]}, {}}, herald.TopicDraft, false},
		{"adding a listed article moves it", w.Editor, topics.AddItem(1, f.ids[0]), "", [][]int64{{f.ids[1]}, {f.ids[0]}}, herald.TopicDraft, false},
		{"an item of a third section", w.Editor, topics.AddItem(2, f.ids[2]), herald.EINVALID, [][]int64{{f.ids[1]}, {f.ids[0]}}, herald.TopicDraft, false},
		{"back", w.Editor, topics.AddItem(0, f.ids[0]), "", [][]int64{{f.ids[1], f.ids[0]}, {}}, herald.TopicDraft, false},
		{"up", w.Editor, topics.MoveItem(f.ids[0], -1), "", [][]int64{{f.ids[0], f.ids[1]}, {}}, herald.TopicDraft, false},
		{"up at the top stays", w.Editor, topics.MoveItem(f.ids[0], -1), "", [][]int64{{f.ids[0], f.ids[1]}, {}}, herald.TopicDraft, false},
		{"down", w.Editor, topics.MoveItem(f.ids[0], 1), "", [][]int64{{f.ids[1], f.ids[0]}, {}}, herald.TopicDraft, false},
		{"moving an unlisted article", w.Editor, topics.MoveItem(f.ids[2], 1), herald.EINVALID, [][]int64{{f.ids[1], f.ids[0]}, {}}, herald.TopicDraft, false},
		{"an editor publishes", w.Editor, topics.Publish(), herald.EFORBIDDEN, [][]int64{{f.ids[1], f.ids[0]}, {}}, herald.TopicDraft, false},
		{"the chief publishes", w.Chief, topics.Publish(), "", [][]int64{{f.ids[1], f.ids[0]}, {}}, herald.TopicPublished, false},
		{"published twice", w.Chief, topics.Publish(), herald.ECONFLICT, [][]int64{{f.ids[1], f.ids[0]}, {}}, herald.TopicPublished, false},
		{"an edit of a published topic", w.Editor, topics.RemoveItem(f.ids[1]), "", [][]int64{{f.ids[0]}, {}}, herald.TopicPublished, false},
		{"removing an unlisted article", w.Editor, topics.RemoveItem(f.ids[1]), herald.EINVALID, [][]int64{{f.ids[0]}, {}}, herald.TopicPublished, false},
		{"the slug of a published topic", w.Editor, topics.Edit("renamed", "先进典型", "", ""), herald.EINVALID, [][]int64{{f.ids[0]}, {}}, herald.TopicPublished, false},
		{"its title", w.Editor, topics.Edit("advanced-figures", "先进典型 学习宣传", "学习先进。", ""), "", [][]int64{{f.ids[0]}, {}}, herald.TopicPublished, false},
		{"an edit cannot publish", w.Editor, topics.Change{Action: topics.ActEdit, Apply: func(t *herald.SpecialTopic) error { t.Status = herald.TopicDraft; return nil }},
			herald.EINVALID, [][]int64{{f.ids[0]}, {}}, herald.TopicPublished, false},
		{"an editor withdraws", w.Editor, topics.Unpublish(), herald.EFORBIDDEN, [][]int64{{f.ids[0]}, {}}, herald.TopicPublished, false},
		{"the chief withdraws", w.Chief, topics.Unpublish(), "", [][]int64{{f.ids[0]}, {}}, herald.TopicDraft, false},
		{"withdrawn twice", w.Chief, topics.Unpublish(), herald.ECONFLICT, [][]int64{{f.ids[0]}, {}}, herald.TopicDraft, false},
		{"removing the empty section", w.Editor, topics.RemoveSection(1), "", [][]int64{{f.ids[0]}}, herald.TopicDraft, false},
		{"removing a missing section", w.Editor, topics.RemoveSection(3), herald.EINVALID, [][]int64{{f.ids[0]}}, herald.TopicDraft, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := f.svc.Get(ctx, w.Editor, topic.ID)
			if err != nil {
				t.Fatal(err)
			}
			version, changes := before.Version, f.changes
			if tc.version {
				version--
			}
			_, err = f.svc.Update(ctx, tc.actor, topic.ID, version, tc.change)
			if herald.ErrorCode(err) != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			after, err := f.svc.Get(ctx, w.Editor, topic.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := [][]int64{}
			for _, s := range after.Sections {
				got = append(got, s.ArticleIDs)
			}
			if !slices.EqualFunc(got, tc.want, slices.Equal) || after.Status != tc.status {
				t.Errorf("sections %v %s, want %v %s", got, after.Status, tc.want, tc.status)
			}
			if tc.code == "" && (after.Version != before.Version+1 || f.changes != changes+1) {
				t.Errorf("version %d → %d, %d change notices", before.Version, after.Version, f.changes-changes)
			}
			if tc.code != "" && after.Version != before.Version {
				t.Errorf("a refused change saved version %d", after.Version)
			}
		})
	}
	if _, err := f.svc.List(ctx, w.Writer); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Errorf("a correspondent listed topics: %v", err)
	}
}
