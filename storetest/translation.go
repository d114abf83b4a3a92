package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

func testTranslations(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	create := func(title, lang string, of int64) (*herald.Article, error) {
		c := Content(w.News, title)
		c.Language = lang
		a := &herald.Article{ArticleContent: c, UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusDraft, TranslationOf: of}
		return a, s.CreateArticle(ctx, a, ev(w.Editor.ID))
	}
	original, err := create("全省司法行政系统宣传培训班在石家庄举办", "zh-CN", 0)
	must(t, err)
	en, err := create("Provincial Publicity Training Course Held in Shijiazhuang", "en", original.ID)
	must(t, err)
	if en.TranslationOf != original.ID || en.SourceRevision != 1 {
		t.Fatalf("translation = of %d, source version %d", en.TranslationOf, en.SourceRevision)
	}
	got, err := s.FindArticleByID(ctx, en.ID)
	must(t, err)
	if got.TranslationOf != original.ID || got.SourceRevision != 1 {
		t.Fatalf("read back: of %d, source version %d", got.TranslationOf, got.SourceRevision)
	}
	_, err = create("同语种", "zh-cn", original.ID)
	wantCode(t, err, herald.EINVALID, "language")
	_, err = create("Second English version", "en", original.ID)
	wantCode(t, err, herald.EINVALID, "language")
	_, err = create("Traduction d'une traduction", "fr", en.ID)
	wantCode(t, err, herald.EINVALID, "translation_of")
	_, err = create("Orphan", "fr", 424242)
	wantCode(t, err, herald.EINVALID, "translation_of")
	fr, err := create("Stage de formation à Shijiazhuang", "fr", original.ID)
	must(t, err)

	list, n, err := s.FindArticles(ctx, herald.ArticleFilter{TranslationOf: original.ID, Order: herald.ByID})
	must(t, err)
	if n != 2 || list[0].ID != en.ID || list[1].ID != fr.ID {
		t.Fatalf("translations = %d %+v", n, list)
	}
	// a translation cannot move into the source's language, nor change what it translates
	_, err = s.UpdateArticle(ctx, fr.ID, func(a *herald.Article) (herald.ArticleChange, error) {
		a.Language = "zh-CN"
		return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Editor.ID, Action: "edit"}}, nil
	})
	wantCode(t, err, herald.EINVALID, "language")
	updated, err := s.UpdateArticle(ctx, fr.ID, func(a *herald.Article) (herald.ArticleChange, error) {
		a.TranslationOf, a.SourceRevision = 0, 2
		return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Editor.ID, Action: "edit"}}, nil
	})
	must(t, err)
	if updated.TranslationOf != original.ID || updated.SourceRevision != 2 {
		t.Fatalf("after the update: of %d, source version %d", updated.TranslationOf, updated.SourceRevision)
	}

	// the source changes: the translation is outdated, and shows what changed
	wf := workflow.NewService(s, func() time.Time { return T0 })
	if latest, diffs, err := wf.SourceChanges(ctx, w.Editor, en); err != nil || latest != 1 || diffs != nil {
		t.Fatalf("before any change: %d %v %v", latest, diffs, err)
	}
	_, err = s.UpdateArticle(ctx, original.ID, func(a *herald.Article) (herald.ArticleChange, error) {
		a.Title = "全省司法行政系统新闻宣传培训班在石家庄举办"
		return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Editor.ID, Action: "edit"}}, nil
	})
	must(t, err)
	latest, diffs, err := wf.SourceChanges(ctx, w.Editor, en)
	must(t, err)
	if latest != 2 || len(diffs) != 1 || diffs[0].Field != "title" {
		t.Fatalf("after the source's title changed: latest %d, diffs %+v", latest, diffs)
	}
	// the languages of published articles only
	langs, err := s.PublishedLanguages(ctx)
	must(t, err)
	if len(langs) != 0 {
		t.Fatalf("languages of published articles = %q, want none: all are drafts", langs)
	}
	for _, lang := range []string{"en", "zh-CN", "en"} {
		c := Content(w.News, "published in "+lang)
		c.Language = lang
		must(t, s.CreateArticle(ctx, &herald.Article{ArticleContent: c, UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished}, ev(w.Editor.ID)))
	}
	if langs, _ = s.PublishedLanguages(ctx); len(langs) != 2 || langs[0] != "en" || langs[1] != "zh-CN" {
		t.Fatalf("languages of published articles = %q, want en and zh-CN once each", langs)
	}
}
