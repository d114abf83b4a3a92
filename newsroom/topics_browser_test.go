package newsroom_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserTopics opens the topics list, a topic's page and a video
// piece's editor in headless Chromium on a phone (390 px) and a desktop
// (1280 px): axe-core finds no serious problem and nothing scrolls sideways.
// On the phone an editor moves an article of the demo's topic down.
func TestBrowserTopics(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	const editor, chief = "liuxiaomin", "wangyalan"
	d.meet(t, editor, chief)
	ctx := context.Background()
	topic, err := d.store.FindTopicBySlug(ctx, "advanced-figures")
	if err != nil {
		t.Fatal(err)
	}
	videos, _, _ := d.store.FindArticles(ctx, herald.ArticleFilter{Kind: herald.KindVideo, Statuses: []herald.Status{herald.StatusPublished}, Limit: 1})
	topicPath := fmt.Sprintf("/newsroom/topics/%d", topic.ID)
	for _, width := range []int64{390, 1280} {
		for _, c := range []struct{ who, path string }{
			{editor, "/newsroom/topics"},
			{editor, topicPath},
			{chief, topicPath},
			{editor, fmt.Sprintf("/newsroom/articles/%d/edit", videos[0].ID)},
		} {
			p := d.as(t, c.who)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(c.path)
			where := fmt.Sprintf("%s as %s at %dpx", c.path, c.who, width)
			browsertest.Audit(t, p.ctx, axe, where)
			if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %d px", where, over)
			}
		}
	}
	t.Run("MoveAnArticleOnAPhone", func(t *testing.T) {
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 390, 844)
		p.open(topicPath)
		first := topic.Sections[0].ArticleIDs[0]
		p.submit(fmt.Sprintf(`form[action$="/move_down"]:has(input[name=article_id][value="%d"]) button`, first))
		if got := p.text(".flash"); !strings.Contains(got, "顺序已调整") {
			t.Errorf("after moving: %q", got)
		}
		after, _ := d.store.FindTopicByID(ctx, topic.ID)
		if after.Sections[0].ArticleIDs[1] != first {
			t.Errorf("the first profile is now at %v", after.Sections[0].ArticleIDs)
		}
	})
}
