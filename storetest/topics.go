package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

// testWorks covers what figure profiles and video pieces keep on the
// article: the figure and the film survive a save, a reload and a revision,
// are refused on the wrong kind, and a film must exist.
func testWorks(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	vf := &herald.VideoFile{SHA256: strings.Repeat("ab", 32), ContentType: "video/mp4", Size: 16375, DurationMS: 3134,
		Filename: "公证人 第一集.mp4", UploadedBy: w.Editor.ID}
	must(t, s.CreateVideoFile(ctx, vf, ev(w.Editor.ID)))
	got, err := s.FindVideoFileByID(ctx, vf.ID)
	must(t, err)
	if *got != *vf {
		t.Errorf("video file = %+v, want %+v", got, vf)
	}
	if got, err := s.FindVideoFileBySHA256(ctx, vf.SHA256); err != nil || got.ID != vf.ID {
		t.Errorf("by hash: %v %v", got, err)
	}
	wantCode(t, s.CreateVideoFile(ctx, &herald.VideoFile{SHA256: vf.SHA256, ContentType: "video/mp4", Size: 1, UploadedBy: w.Editor.ID}, ev(w.Editor.ID)),
		herald.ECONFLICT, "")
	wantCode(t, s.CreateVideoFile(ctx, &herald.VideoFile{SHA256: strings.Repeat("cd", 32), ContentType: "text/plain", Size: 1, UploadedBy: w.Editor.ID}, ev(w.Editor.ID)),
		herald.EINVALID, "file")
	_, err = s.FindVideoFileByID(ctx, vf.ID+100)
	wantCode(t, err, herald.ENOTFOUND, "")
	// A page's films in one query: those that exist, by ID, repeats once.
	webm := &herald.VideoFile{SHA256: strings.Repeat("ef", 32), ContentType: "video/webm", Size: 2048, Filename: "平凡.webm", UploadedBy: w.Editor.ID}
	must(t, s.CreateVideoFile(ctx, webm, ev(w.Editor.ID)))
	byID, err := s.FindVideoFilesByIDs(ctx, []int64{webm.ID, vf.ID + 100, vf.ID, webm.ID})
	must(t, err)
	if len(byID) != 2 || byID[vf.ID] == nil || *byID[vf.ID] != *vf || byID[webm.ID] == nil || *byID[webm.ID] != *webm {
		t.Errorf("by IDs: %v", byID)
	}
	if none, err := s.FindVideoFilesByIDs(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("by no IDs: %v %v", none, err)
	}

	profile := &herald.Article{ArticleContent: Content(w.Local, "调解路上的“老黄牛”"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Editor.ID}
	profile.Kind = herald.KindProfile
	profile.Figure = &herald.Figure{Name: " 周立华 ", Position: "人民调解员", Unit: "正定县诸福屯镇人民调解委员会", Portrait: "/media/1-0123456789abcdef/medium.jpg"}
	must(t, s.CreateArticle(ctx, profile, ev(w.Editor.ID)))
	p, err := s.FindArticleByID(ctx, profile.ID)
	must(t, err)
	if p.Figure == nil || *p.Figure != (herald.Figure{Name: "周立华", Position: "人民调解员", Unit: "正定县诸福屯镇人民调解委员会", Portrait: "/media/1-0123456789abcdef/medium.jpg"}) || p.Video != nil {
		t.Errorf("profile reloaded with figure %+v, video %+v", p.Figure, p.Video)
	}
	revs, err := s.FindRevisions(ctx, profile.ID)
	must(t, err)
	if len(revs) != 1 || revs[0].Content.Figure == nil || revs[0].Content.Figure.Name != "周立华" {
		t.Errorf("the revision lost the figure: %+v", revs)
	}

	video := &herald.Article{ArticleContent: Content(w.Local, "公证人（第一集）"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Editor.ID}
	video.Kind = herald.KindVideo
	video.Video = &herald.ArticleVideo{FileID: vf.ID + 100, Series: "公证人"}
	wantCode(t, s.CreateArticle(ctx, video, ev(w.Editor.ID)), herald.EINVALID, "video.file_id")
	video.Video.FileID = vf.ID
	must(t, s.CreateArticle(ctx, video, ev(w.Editor.ID)))
	// The poster changes with an edit, which keeps a revision.
	_, err = s.UpdateArticle(ctx, video.ID, func(a *herald.Article) (herald.ArticleChange, error) {
		a.Video.Poster = "/media/2-0123456789abcdef/large.jpg"
		return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Editor.ID, Action: "edit"}}, nil
	})
	must(t, err)
	vids, _, err := s.FindArticles(ctx, herald.ArticleFilter{Kind: herald.KindVideo})
	must(t, err)
	if len(vids) != 1 || vids[0].Video == nil || *vids[0].Video != (herald.ArticleVideo{FileID: vf.ID, Series: "公证人", Poster: "/media/2-0123456789abcdef/large.jpg"}) {
		t.Errorf("videos by kind: %+v", vids)
	}
	if revs, _ := s.FindRevisions(ctx, video.ID); len(revs) != 2 {
		t.Errorf("changing the poster kept %d revisions, want 2", len(revs))
	}

	for _, tc := range []struct {
		name  string
		edit  func(c *herald.ArticleContent)
		field string
	}{
		{"profile without a figure", func(c *herald.ArticleContent) { c.Kind, c.Figure = herald.KindProfile, nil }, "figure.name"},
		{"figure without a name", func(c *herald.ArticleContent) {
			c.Kind, c.Figure = herald.KindProfile, &herald.Figure{Position: "公证员"}
		}, "figure.name"},
		{"figure on news", func(c *herald.ArticleContent) { c.Kind, c.Figure = herald.KindNews, &herald.Figure{Name: "周立华"} }, "figure"},
		{"bad portrait", func(c *herald.ArticleContent) {
			c.Kind, c.Figure = herald.KindProfile, &herald.Figure{Name: "周立华", Portrait: "javascript:alert(1)"}
		}, "figure.portrait"},
		{"video on a profile", func(c *herald.ArticleContent) {
			c.Kind, c.Figure, c.Video = herald.KindProfile, &herald.Figure{Name: "周立华"}, &herald.ArticleVideo{FileID: vf.ID}
		}, "video"},
		{"series with a slash", func(c *herald.ArticleContent) {
			c.Kind, c.Video = herald.KindVideo, &herald.ArticleVideo{FileID: vf.ID, Series: "公证/人"}
		}, "video.series"},
		{"unknown kind", func(c *herald.ArticleContent) { c.Kind = "podcast" }, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.UpdateArticle(ctx, video.ID, func(a *herald.Article) (herald.ArticleChange, error) {
				tc.edit(&a.ArticleContent)
				return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Editor.ID, Action: "edit"}}, nil
			})
			wantCode(t, err, herald.EINVALID, tc.field)
		})
	}
}

func testTopics(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	var ids []int64
	for _, title := range []string{"公证人（第一集）", "调解路上的“老黄牛”", "全省司法行政系统先进典型事迹报告会举行"} {
		a := &herald.Article{ArticleContent: Content(w.Local, title), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Editor.ID}
		must(t, s.CreateArticle(ctx, a, ev(w.Editor.ID)))
		ids = append(ids, a.ID)
	}
	topic := &herald.SpecialTopic{Slug: "advanced-figures", Title: " 先进典型 ", Intro: "学习先进，争当先进。", CreatedBy: w.Editor.ID,
		Sections: []herald.TopicSection{{Heading: "人物风采", ArticleIDs: []int64{ids[1]}}, {Heading: "公证人", ArticleIDs: []int64{ids[0]}}}}
	must(t, s.CreateTopic(ctx, topic, ev(w.Editor.ID)))
	if topic.ID == 0 || topic.Version != 1 || topic.Status != herald.TopicDraft || topic.Title != "先进典型" || topic.PublishedAt != nil {
		t.Fatalf("created %+v", topic)
	}
	got, err := s.FindTopicBySlug(ctx, "advanced-figures")
	must(t, err)
	if got.ID != topic.ID || len(got.Sections) != 2 || got.Sections[1].Heading != "公证人" || got.Sections[0].ArticleIDs[0] != ids[1] ||
		!got.CreatedAt.Equal(T0) {
		t.Errorf("by slug: %+v", got)
	}
	wantCode(t, s.CreateTopic(ctx, &herald.SpecialTopic{Slug: "advanced-figures", Title: "重复", CreatedBy: w.Editor.ID}, ev(w.Editor.ID)), herald.ECONFLICT, "slug")
	wantCode(t, s.CreateTopic(ctx, &herald.SpecialTopic{Slug: "Bad Slug", Title: "", CreatedBy: w.Editor.ID}, ev(w.Editor.ID)), herald.EINVALID, "title")
	wantCode(t, s.CreateTopic(ctx, &herald.SpecialTopic{Slug: "ghost", Title: "幽灵", CreatedBy: w.Editor.ID,
		Sections: []herald.TopicSection{{Heading: "无", ArticleIDs: []int64{ids[2] + 100}}}}, ev(w.Editor.ID)), herald.EINVALID, "article_ids")
	wantCode(t, s.CreateTopic(ctx, &herald.SpecialTopic{Slug: "twice", Title: "两次", CreatedBy: w.Editor.ID,
		Sections: []herald.TopicSection{{Heading: "一", ArticleIDs: []int64{ids[0]}}, {Heading: "二", ArticleIDs: []int64{ids[0]}}}}, ev(w.Editor.ID)),
		herald.EINVALID, "sections.1.article_ids")

	// An update reorders, publishes and is audited; a failing one changes nothing.
	later := T0.Add(1e9 * 3600)
	upd, err := s.UpdateTopic(ctx, topic.ID, func(t *herald.SpecialTopic) (herald.Event, error) {
		t.Sections[0].ArticleIDs = append(t.Sections[0].ArticleIDs, ids[2])
		t.Sections[0].ArticleIDs[0], t.Sections[0].ArticleIDs[1] = t.Sections[0].ArticleIDs[1], t.Sections[0].ArticleIDs[0]
		t.Status = herald.TopicPublished
		return herald.Event{At: later, ActorID: w.Chief.ID, Action: "publish"}, nil
	})
	must(t, err)
	if upd.Version != 2 || upd.PublishedAt == nil || !upd.PublishedAt.Equal(later) || !upd.UpdatedAt.Equal(later) {
		t.Errorf("updated %+v", upd)
	}
	_, err = s.UpdateTopic(ctx, topic.ID, func(t *herald.SpecialTopic) (herald.Event, error) {
		t.Title = ""
		return herald.Event{At: later, ActorID: w.Chief.ID, Action: "edit"}, nil
	})
	wantCode(t, err, herald.EINVALID, "title")
	got, err = s.FindTopicByID(ctx, topic.ID)
	must(t, err)
	if got.Version != 2 || got.Title != "先进典型" || len(got.Sections[0].ArticleIDs) != 2 || got.Sections[0].ArticleIDs[0] != ids[2] {
		t.Errorf("after a refused update: %+v", got)
	}
	evs, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityTopic, EntityID: topic.ID})
	must(t, err)
	if len(evs) != 2 || evs[1].Action != "publish" || evs[1].FromStatus != "draft" || evs[1].ToStatus != "published" || evs[1].ActorID != w.Chief.ID {
		t.Errorf("events: %+v", evs)
	}
	// Unpublishing keeps the first publication's time.
	_, err = s.UpdateTopic(ctx, topic.ID, func(t *herald.SpecialTopic) (herald.Event, error) {
		t.Status = herald.TopicDraft
		return herald.Event{At: later.Add(3600e9), ActorID: w.Chief.ID, Action: "unpublish"}, nil
	})
	must(t, err)
	draft := &herald.SpecialTopic{Slug: "ordinary", Title: "平凡", CreatedBy: w.Editor.ID, Sections: []herald.TopicSection{{Heading: "微视频", ArticleIDs: []int64{ids[0]}}}}
	must(t, s.CreateTopic(ctx, draft, ev(w.Editor.ID)))
	_, err = s.UpdateTopic(ctx, draft.ID, func(t *herald.SpecialTopic) (herald.Event, error) {
		t.Status = herald.TopicPublished
		return herald.Event{At: later, ActorID: w.Chief.ID, Action: "publish"}, nil
	})
	must(t, err)

	for _, tc := range []struct {
		name string
		f    herald.TopicFilter
		want []int64
	}{
		{"all, recently updated first", herald.TopicFilter{}, []int64{topic.ID, draft.ID}},
		{"published", herald.TopicFilter{Status: herald.TopicPublished}, []int64{draft.ID}},
		{"drafts", herald.TopicFilter{Status: herald.TopicDraft}, []int64{topic.ID}},
		{"listing an article", herald.TopicFilter{ArticleID: ids[0]}, []int64{topic.ID, draft.ID}},
		{"listing another", herald.TopicFilter{ArticleID: ids[2]}, []int64{topic.ID}},
		{"limited", herald.TopicFilter{Limit: 1}, []int64{topic.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := s.FindTopics(ctx, tc.f)
			must(t, err)
			var got []int64
			for _, x := range ts {
				got = append(got, x.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	back, err := s.FindTopicByID(ctx, topic.ID)
	must(t, err)
	if back.Status != herald.TopicDraft || back.PublishedAt == nil || !back.PublishedAt.Equal(later) {
		t.Errorf("unpublished: %+v", back)
	}
	_, err = s.FindTopicBySlug(ctx, "nothing")
	wantCode(t, err, herald.ENOTFOUND, "")
}
