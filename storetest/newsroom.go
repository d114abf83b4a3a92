package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testMedia(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	jpeg := []byte("\xff\xd8\xff\x00binary\x00\xff")
	m := &herald.Media{SHA256: "ab12", Format: "jpeg", Width: 3000, Height: 2000, Filename: "会场.jpg", UploadedBy: w.Writer.ID,
		Renditions: []herald.MediaRendition{
			{Name: "thumb", ContentType: "image/jpeg", Width: 320, Height: 213, Data: []byte("small")},
			{Name: "original", ContentType: "image/jpeg", Width: 2560, Height: 1707, Data: jpeg},
		}}
	must(t, s.CreateMedia(ctx, m, ev(w.Writer.ID)))
	got, err := s.FindMediaByID(ctx, m.ID)
	must(t, err)
	if got.Filename != "会场.jpg" || got.Width != 3000 || len(got.Renditions) != 2 || got.Renditions[0].Name != "original" || got.Renditions[0].Data != nil {
		t.Fatalf("media = %+v", got)
	}
	r, err := s.FindRendition(ctx, m.ID, "original")
	must(t, err)
	if !bytes.Equal(r.Data, jpeg) || r.ContentType != "image/jpeg" || r.Width != 2560 {
		t.Fatalf("rendition = %+v", r)
	}
	_, err = s.FindRendition(ctx, m.ID, "huge")
	wantCode(t, err, herald.ENOTFOUND, "")
	if again, err := s.FindMediaBySHA256(ctx, "ab12", w.Writer.ID); err != nil || again.ID != m.ID {
		t.Fatalf("by sha256: %v, %v", again, err)
	}
	_, err = s.FindMediaBySHA256(ctx, "ab12", w.Editor.ID)
	wantCode(t, err, herald.ENOTFOUND, "")
	events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityMedia})
	if len(events) != 1 || events[0].ActorID != w.Writer.ID || events[0].Action != "upload" {
		t.Fatalf("media events = %+v", events)
	}
}

func testAutosaves(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	a := &herald.Article{ArticleContent: Content(w.News, "自动保存"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
	_, err := s.FindAutosave(ctx, a.ID, w.Writer.ID)
	wantCode(t, err, herald.ENOTFOUND, "")
	for i, title := range []string{"第一稿", "第二稿"} {
		c := a.ArticleContent
		c.Title = title
		must(t, s.PutAutosave(ctx, &herald.Autosave{ArticleID: a.ID, StaffID: w.Writer.ID, BaseVersion: a.Version, Content: c, SavedAt: T0.Add(time.Duration(i) * time.Second)}))
	}
	got, err := s.FindAutosave(ctx, a.ID, w.Writer.ID)
	must(t, err)
	if got.Content.Title != "第二稿" || got.BaseVersion != a.Version || !got.SavedAt.Equal(T0.Add(time.Second)) || got.Content.Body != a.Body {
		t.Fatalf("autosave = %+v", got)
	}
	_, err = s.FindAutosave(ctx, a.ID, w.Editor.ID)
	wantCode(t, err, herald.ENOTFOUND, "")
	must(t, s.DeleteAutosave(ctx, a.ID, w.Writer.ID))
	_, err = s.FindAutosave(ctx, a.ID, w.Writer.ID)
	wantCode(t, err, herald.ENOTFOUND, "")
}

func testWords(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	word := &herald.SensitiveWord{Word: " 再接再励 ", Kind: herald.WordMistaken, Suggestion: "再接再厉"}
	must(t, s.CreateWord(ctx, word, ev(w.Admin.ID)))
	if word.Word != "再接再励" {
		t.Fatalf("word not trimmed: %q", word.Word)
	}
	wantCode(t, s.CreateWord(ctx, &herald.SensitiveWord{Word: "再接再励", Kind: herald.WordMistaken}, ev(w.Admin.ID)), herald.ECONFLICT, "word")
	wantCode(t, s.CreateWord(ctx, &herald.SensitiveWord{Word: "x", Kind: "rude"}, ev(w.Admin.ID)), herald.EINVALID, "kind")
	wantCode(t, s.CreateWord(ctx, &herald.SensitiveWord{Word: "", Kind: herald.WordTitle}, ev(w.Admin.ID)), herald.EINVALID, "word")
	other := &herald.SensitiveWord{Word: "按装", Kind: herald.WordMistaken, Suggestion: "安装"}
	must(t, s.CreateWord(ctx, other, ev(w.Admin.ID)))
	_, err := s.UpdateWord(ctx, other.ID, herald.SensitiveWord{Word: "再接再励", Kind: herald.WordMistaken}, ev(w.Admin.ID))
	wantCode(t, err, herald.ECONFLICT, "word")
	upd, err := s.UpdateWord(ctx, other.ID, herald.SensitiveWord{Word: "按装", Kind: herald.WordMistaken, Suggestion: "安装", Note: "常见错字"}, ev(w.Admin.ID))
	must(t, err)
	if upd.Note != "常见错字" || !upd.CreatedAt.Equal(T0) {
		t.Fatalf("updated = %+v", upd)
	}
	must(t, s.DeleteWord(ctx, word.ID, ev(w.Admin.ID)))
	wantCode(t, s.DeleteWord(ctx, word.ID, ev(w.Admin.ID)), herald.ENOTFOUND, "")
	words, err := s.FindWords(ctx)
	must(t, err)
	if len(words) != 1 || words[0].Word != "按装" || words[0].Note != "常见错字" {
		t.Fatalf("words = %+v", words)
	}
	events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityWord})
	if len(events) != 4 {
		t.Fatalf("word events = %d, want 4 (two creates, update, delete)", len(events))
	}
}

// testPreferences covers the newsroom's per-user and per-column settings.
func testPreferences(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	lang, secret := "en", "JBSWY3DPEHPK3PXP"
	st, err := s.UpdateStaff(ctx, w.Writer.ID, herald.StaffUpdate{Language: &lang, TOTPSecret: &secret}, ev(w.Writer.ID))
	must(t, err)
	got, _ := s.FindStaffByID(ctx, st.ID)
	if got.Language != "en" || got.TOTPSecret != secret {
		t.Fatalf("staff = %+v", got)
	}
	bad := "fr"
	_, err = s.UpdateStaff(ctx, w.Writer.ID, herald.StaffUpdate{Language: &bad}, ev(w.Writer.ID))
	wantCode(t, err, herald.EINVALID, "language")
	checklist := map[string]string{"cover": "required", "links": "off"}
	_, err = s.UpdateColumn(ctx, w.News.ID, herald.ColumnUpdate{Checklist: &checklist}, ev(w.Admin.ID))
	must(t, err)
	cols, _ := s.FindColumns(ctx)
	for _, c := range cols {
		if c.ID == w.News.ID && (c.Checklist["cover"] != "required" || c.Checklist["links"] != "off") {
			t.Fatalf("checklist = %v", c.Checklist)
		}
		if c.ID == w.Local.ID && len(c.Checklist) != 0 {
			t.Fatalf("untouched column has checklist %v", c.Checklist)
		}
	}
}

func testEventFilters(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	for i, word := range []string{"一", "二", "三"} {
		e := herald.Event{At: T0.Add(time.Duration(i) * time.Hour), ActorID: w.Admin.ID}
		must(t, s.CreateWord(ctx, &herald.SensitiveWord{Word: word, Kind: herald.WordMistaken}, e))
	}
	since, until := T0.Add(30*time.Minute), T0.Add(2*time.Hour)
	got, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityWord, Since: &since, Until: &until, Action: "create", ActorID: w.Admin.ID})
	must(t, err)
	if len(got) != 1 || !got[0].At.Equal(T0.Add(time.Hour)) {
		t.Fatalf("events between 08:30 and 10:00: %+v", got)
	}
	if got, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityWord, Action: "delete"}); len(got) != 0 {
		t.Fatalf("action filter: %d", len(got))
	}
}

func testChannels(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	a := &herald.Article{ArticleContent: Content(w.News, "渠道"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	a.Channels = []herald.Channel{herald.ChannelPrint, herald.ChannelMicroblog, herald.ChannelPrint}
	must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
	got, err := s.FindArticleByID(ctx, a.ID)
	must(t, err)
	want := []herald.Channel{herald.ChannelWebsite, herald.ChannelMicroblog, herald.ChannelPrint}
	if fmt.Sprint(got.Channels) != fmt.Sprint(want) {
		t.Fatalf("channels %v, want %v (the website always, in display order, once each)", got.Channels, want)
	}
	_, err = s.UpdateArticle(ctx, a.ID, func(a *herald.Article) (herald.ArticleChange, error) {
		a.Channels = []herald.Channel{"television"}
		return herald.ArticleChange{Event: ev(w.Writer.ID)}, nil
	})
	wantCode(t, err, herald.EINVALID, "channels")
}
