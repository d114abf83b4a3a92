package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testSettings(t *testing.T, s herald.Store) {
	ctx := context.Background()
	got, err := s.FindSettings(ctx)
	must(t, err)
	if got.SiteName == "" || got.Hotline != "" {
		t.Fatalf("default settings = %+v", got)
	}
	from := T0
	until := T0.Add(24 * time.Hour)
	set := &herald.SiteSettings{SiteName: "河北司法行政网", Hotline: "0311-87908405", Mailbox: "news@example.gov.cn",
		AboutHTML: `<p>关于我们</p><script>x()</script>`, MourningFrom: &from, MourningUntil: &until}
	must(t, s.UpdateSettings(ctx, set, ev(0)))
	got, err = s.FindSettings(ctx)
	must(t, err)
	if got.Hotline != "0311-87908405" || got.AboutHTML != "<p>关于我们</p>" || !got.Mourning(T0.Add(time.Hour)) || got.Mourning(until) {
		t.Fatalf("settings = %+v", got)
	}
	bad := *got
	bad.Mailbox, bad.SiteName = "not a mailbox", ""
	err = s.UpdateSettings(ctx, &bad, ev(0))
	wantCode(t, err, herald.EINVALID, "mailbox")
	wantCode(t, err, herald.EINVALID, "site_name")
	events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntitySettings})
	if len(events) != 1 {
		t.Fatalf("%d settings events, want 1", len(events))
	}
}

func testViews(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	mk := func(title string, status herald.Status) *herald.Article {
		a := &herald.Article{ArticleContent: Content(w.Local, title), UnitID: w.City.ID, Status: status, CreatedBy: w.Writer.ID}
		must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
		return a
	}
	a, b, draft := mk("甲", herald.StatusPublished), mk("乙", herald.StatusPublished), mk("丙", herald.StatusDraft)
	h := T0.Truncate(time.Hour)
	must(t, s.AddViews(ctx, []herald.ViewCount{
		{ArticleID: a.ID, Hour: h, Channel: "web", Views: 3},
		{ArticleID: b.ID, Hour: h, Channel: "web", Views: 5},
		{ArticleID: draft.ID, Hour: h, Channel: "web", Views: 100},
		{ArticleID: a.ID, Hour: h.Add(-48 * time.Hour), Channel: "web", Views: 50},
	}))
	must(t, s.AddViews(ctx, []herald.ViewCount{{ArticleID: a.ID, Hour: h, Channel: "web", Views: 4}, {ArticleID: a.ID, Hour: h, Channel: "mobile", Views: 1}}))
	day, err := s.TopArticles(ctx, T0.Add(-24*time.Hour), 10)
	must(t, err)
	if len(day) != 2 || day[0].ArticleID != a.ID || day[0].Reads != 8 || day[1].Reads != 5 {
		t.Fatalf("day ranking = %+v", day)
	}
	week, err := s.TopArticles(ctx, T0.Add(-7*24*time.Hour), 1)
	must(t, err)
	if len(week) != 1 || week[0].Reads != 58 {
		t.Fatalf("week ranking = %+v", week)
	}
}

func testTips(t *testing.T, s herald.Store) {
	ctx := context.Background()
	tip := &herald.Tip{Name: "热心读者", Contact: "13800000000", Subject: "报料：社区开展普法活动", Body: "今天上午社区举办了民法典讲座。",
		Attachments: []herald.TipAttachment{{Filename: "现场.jpg", ContentType: "image/jpeg", Data: []byte{0xff, 0xd8, 0xff, 0x00, 0x01}}}}
	must(t, s.CreateTip(ctx, tip, ev(0)))
	tips, total, err := s.FindTips(ctx, 0, 10)
	must(t, err)
	if total != 1 || len(tips) != 1 || tips[0].Subject != tip.Subject || len(tips[0].Attachments) != 1 || tips[0].Attachments[0].Size != 5 {
		t.Fatalf("tips = %+v", tips)
	}
	att, err := s.FindTipAttachment(ctx, tip.ID, tips[0].Attachments[0].ID)
	must(t, err)
	if !bytes.Equal(att.Data, tip.Attachments[0].Data) || att.Filename != "现场.jpg" {
		t.Fatalf("attachment = %+v", att)
	}
	_, err = s.FindTipAttachment(ctx, tip.ID+1, att.ID)
	wantCode(t, err, herald.ENOTFOUND, "")
	err = s.CreateTip(ctx, &herald.Tip{Contact: "", Subject: "", Body: " "}, ev(0))
	for _, f := range []string{"contact", "subject", "body"} {
		wantCode(t, err, herald.EINVALID, f)
	}
}

func testSessions(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	mk := func(hash string) *herald.Session {
		sess := &herald.Session{Hash: hash, StaffID: w.Editor.ID, CSRF: "csrf-" + hash, UserAgent: "Firefox", ExpiresAt: T0.Add(12 * time.Hour)}
		must(t, s.CreateSession(ctx, sess, ev(w.Editor.ID)))
		return sess
	}
	a, b := mk("aaa"), mk("bbb")
	pending := &herald.Session{Hash: "ppp", StaffID: w.Editor.ID, CSRF: "c", ExpiresAt: T0.Add(time.Hour), Pending: true}
	must(t, s.CreateSession(ctx, pending, ev(w.Editor.ID)))
	if got, _ := s.FindSessionByHash(ctx, "ppp"); !got.Pending {
		t.Fatal("pending flag lost")
	}
	must(t, s.VerifySession(ctx, pending.ID, ev(w.Editor.ID)))
	if got, _ := s.FindSessionByHash(ctx, "ppp"); got.Pending {
		t.Fatal("verified session still pending")
	}
	wantCode(t, s.VerifySession(ctx, 99999, ev(w.Editor.ID)), herald.ENOTFOUND, "")
	got, err := s.FindSessionByHash(ctx, "aaa")
	must(t, err)
	if got.ID != a.ID || got.CSRF != "csrf-aaa" || !got.ExpiresAt.Equal(T0.Add(12*time.Hour)) {
		t.Fatalf("session = %+v", got)
	}
	must(t, s.TouchSession(ctx, a.ID, T0.Add(time.Hour)))
	got, _ = s.FindSessionByHash(ctx, "aaa")
	if !got.LastSeenAt.Equal(T0.Add(time.Hour)) {
		t.Fatalf("last seen %v", got.LastSeenAt)
	}
	if n, err := s.DeleteSessions(ctx, w.Editor.ID, a.ID, ev(w.Editor.ID)); err != nil || n != 1 {
		t.Fatalf("sign out one: %d, %v", n, err)
	}
	_, err = s.FindSessionByHash(ctx, "aaa")
	wantCode(t, err, herald.ENOTFOUND, "")
	mk("ccc")
	if n, err := s.DeleteSessions(ctx, w.Editor.ID, 0, herald.Event{At: T0, ActorID: w.Editor.ID, Action: "sign_out_everywhere"}); err != nil || n != 3 {
		t.Fatalf("sign out everywhere: %d, %v", n, err)
	}
	_, err = s.FindSessionByHash(ctx, b.Hash)
	wantCode(t, err, herald.ENOTFOUND, "")
	events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntitySession})
	if len(events) != 7 || events[6].Action != "sign_out_everywhere" {
		t.Fatalf("session events = %d", len(events))
	}
	// A new password ends the person's sessions in the same transaction, and
	// no one else's.
	mine, theirs := mk("ddd"), &herald.Session{Hash: "eee", StaffID: w.Writer.ID, CSRF: "c", ExpiresAt: T0.Add(time.Hour)}
	must(t, s.CreateSession(ctx, theirs, ev(w.Writer.ID)))
	hash := "new-hash"
	_, err = s.UpdateStaff(ctx, w.Editor.ID, herald.StaffUpdate{PasswordHash: &hash}, herald.Event{At: T0, Action: "password_reset"})
	must(t, err)
	_, err = s.FindSessionByHash(ctx, mine.Hash)
	wantCode(t, err, herald.ENOTFOUND, "")
	if _, err := s.FindSessionByHash(ctx, theirs.Hash); err != nil {
		t.Fatalf("another person's session ended: %v", err)
	}
	// a sign-in clears the sessions past their expiry, and only those
	old, live := mk("old"), &herald.Session{Hash: "live", StaffID: w.Writer.ID, CSRF: "l", ExpiresAt: T0.Add(48 * time.Hour)}
	must(t, s.CreateSession(ctx, live, ev(w.Writer.ID)))
	must(t, s.CreateSession(ctx, &herald.Session{Hash: "next", StaffID: w.Editor.ID, CSRF: "n", ExpiresAt: T0.Add(36 * time.Hour)},
		herald.Event{At: T0.Add(13 * time.Hour), ActorID: w.Editor.ID}))
	_, err = s.FindSessionByHash(ctx, old.Hash)
	wantCode(t, err, herald.ENOTFOUND, "")
	for _, hash := range []string{"live", "next"} {
		if _, err := s.FindSessionByHash(ctx, hash); err != nil {
			t.Errorf("session %s: %v", hash, err)
		}
	}
}
