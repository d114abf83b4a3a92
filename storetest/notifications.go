package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// testNotifications covers staff e-mail addresses, notifications with their
// cursor and mail jobs, read marks and preferences.
func testNotifications(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)

	t.Run("StaffEmail", func(t *testing.T) {
		mail := " Writer@SJZ.Example "
		st, err := s.UpdateStaff(ctx, w.Writer.ID, herald.StaffUpdate{Email: &mail}, herald.Event{At: T0, ActorID: w.Writer.ID, Action: "email"})
		must(t, err)
		if st.Email != "writer@sjz.example" {
			t.Fatalf("email = %q, want it trimmed and lower case", st.Email)
		}
		got, err := s.FindStaffByID(ctx, w.Writer.ID)
		must(t, err)
		if got.Email != "writer@sjz.example" {
			t.Fatalf("stored email = %q", got.Email)
		}
		// the same address for someone else is taken; case does not matter
		taken := "WRITER@sjz.example"
		_, err = s.UpdateStaff(ctx, w.CountyWriter.ID, herald.StaffUpdate{Email: &taken}, ev(w.Admin.ID))
		wantCode(t, err, herald.ECONFLICT, "email")
		bad := "not an address"
		_, err = s.UpdateStaff(ctx, w.CountyWriter.ID, herald.StaffUpdate{Email: &bad}, ev(w.Admin.ID))
		wantCode(t, err, herald.EINVALID, "email")
		// several people without an address are fine
		none := ""
		_, err = s.UpdateStaff(ctx, w.CountyWriter.ID, herald.StaffUpdate{Email: &none}, ev(w.Admin.ID))
		must(t, err)
		_, err = s.UpdateStaff(ctx, w.CityEditor.ID, herald.StaffUpdate{Email: &none}, ev(w.Admin.ID))
		must(t, err)
		created := &herald.Staff{Username: "mailer", Name: "邮件员", StaffCode: "ML001", UnitID: w.City.ID, Roles: []herald.Role{herald.RoleViewer}, Email: "writer@sjz.example"}
		wantCode(t, s.CreateStaff(ctx, created, ev(0)), herald.ECONFLICT, "email")
		created.Email = "mailer@sjz.example"
		must(t, s.CreateStaff(ctx, created, ev(0)))
		events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityStaff, EntityID: w.Writer.ID, Action: "email"})
		must(t, err)
		if len(events) != 1 {
			t.Fatalf("email events = %d, want 1", len(events))
		}
	})

	last, err := s.LastEventID(ctx)
	must(t, err)
	cursor, err := s.NotifierCursor(ctx)
	must(t, err)
	if cursor != 0 {
		t.Fatalf("a new database's cursor = %d, want 0", cursor)
	}
	note := func(staff int64, kind herald.NotificationKind, event int64, title string) *herald.Notification {
		return &herald.Notification{StaffID: staff, Kind: kind, Title: title, Link: "/newsroom/articles/1", Entity: herald.EntityArticle,
			EntityID: 1, EventID: event, At: T0, InApp: true}
	}
	mailJob := func(n *herald.Notification) *herald.Job {
		return &herald.Job{Kind: "notify.mail", Key: fmt.Sprintf("notify.mail/%d", n.ID)}
	}

	t.Run("Record", func(t *testing.T) {
		rejected := note(w.Writer.ID, herald.NotifyRejected, last, "退回的稿件")
		rejected.Body, rejected.Email = "请补充数据来源", true
		mailOnly := note(w.Editor.ID, herald.NotifyPublished, last, "已发布")
		mailOnly.InApp, mailOnly.Email = false, true
		added, err := s.RecordNotifications(ctx, herald.NotificationBatch{From: 0, To: last, At: T0,
			Notifications: []*herald.Notification{rejected, mailOnly}, MailJob: mailJob})
		must(t, err)
		if len(added) != 2 || added[0].ID == 0 || added[0].CreatedAt.IsZero() {
			t.Fatalf("added = %+v", added)
		}
		if c, _ := s.NotifierCursor(ctx); c != last {
			t.Fatalf("cursor = %d, want %d", c, last)
		}
		jobs, _, err := s.FindJobs(ctx, herald.JobFilter{Kind: "notify.mail"})
		must(t, err)
		if len(jobs) != 2 {
			t.Fatalf("mail jobs = %d, want 2", len(jobs))
		}
		got, err := s.FindNotificationByID(ctx, added[0].ID)
		must(t, err)
		if got.Body != "请补充数据来源" || got.Kind != herald.NotifyRejected || got.EventID != last || !got.InApp || !got.Email || got.ReadAt != nil || got.MailedAt != nil {
			t.Fatalf("stored = %+v", got)
		}

		// the same step again (a job run twice): the cursor moved, refused
		_, err = s.RecordNotifications(ctx, herald.NotificationBatch{From: 0, To: last, At: T0,
			Notifications: []*herald.Notification{note(w.Writer.ID, herald.NotifyRejected, last, "退回的稿件")}, MailJob: mailJob})
		wantCode(t, err, herald.ECONFLICT, "")
		// the same notification in a later batch: skipped, no second job
		again, err := s.RecordNotifications(ctx, herald.NotificationBatch{From: last, To: last, At: T0.Add(time.Minute),
			Notifications: []*herald.Notification{rejected}, MailJob: mailJob})
		must(t, err)
		if len(again) != 0 {
			t.Fatalf("a notification made twice: %+v", again)
		}
		jobs, _, _ = s.FindJobs(ctx, herald.JobFilter{Kind: "notify.mail"})
		if len(jobs) != 2 {
			t.Fatalf("mail jobs = %d after a repeat, want 2", len(jobs))
		}
	})

	t.Run("FailingInsertKeepsCursor", func(t *testing.T) {
		before, _ := s.NotifierCursor(ctx)
		good := note(w.Writer.ID, herald.NotifyPublished, 0, "已发布")
		good.Entity, good.EntityID = herald.EntityArticle, 99
		missing := note(987654, herald.NotifyPublished, 0, "nobody") // no such staff member: the insert fails
		missing.EntityID = 98
		_, err := s.RecordNotifications(ctx, herald.NotificationBatch{From: before, To: before + 1, At: T0,
			Notifications: []*herald.Notification{good, missing}, MailJob: mailJob})
		if err == nil {
			t.Fatal("a notification for a missing staff member was stored")
		}
		if c, _ := s.NotifierCursor(ctx); c != before {
			t.Fatalf("cursor = %d after a failed batch, want %d", c, before)
		}
		list, _, err := s.FindNotifications(ctx, herald.NotificationFilter{StaffID: w.Writer.ID})
		must(t, err)
		for _, n := range list {
			if n.EntityID == 99 {
				t.Fatal("a failed batch kept one of its notifications")
			}
		}
		bad := note(w.Writer.ID, herald.NotifyPublished, 0, "")
		_, err = s.RecordNotifications(ctx, herald.NotificationBatch{From: before, To: before, At: T0, Notifications: []*herald.Notification{bad}})
		wantCode(t, err, herald.EINVALID, "title")
	})

	t.Run("ListCountRead", func(t *testing.T) {
		var batch []*herald.Notification
		for i := range 3 {
			n := note(w.Writer.ID, herald.NotifyDueSoon, 0, fmt.Sprintf("约稿 %d", i))
			n.Entity, n.EntityID = "assignment", int64(100+i)
			batch = append(batch, n)
		}
		cur, _ := s.NotifierCursor(ctx)
		_, err := s.RecordNotifications(ctx, herald.NotificationBatch{From: cur, To: cur, At: T0.Add(time.Hour), Notifications: batch})
		must(t, err)
		unread, err := s.CountUnreadNotifications(ctx, w.Writer.ID)
		must(t, err)
		if unread != 4 {
			t.Fatalf("unread = %d, want 4", unread)
		}
		if n, _ := s.CountUnreadNotifications(ctx, w.Editor.ID); n != 0 {
			t.Fatalf("a mail-only notification counts as unread: %d", n)
		}
		list, total, err := s.FindNotifications(ctx, herald.NotificationFilter{StaffID: w.Writer.ID, Limit: 2})
		must(t, err)
		if total != 4 || len(list) != 2 || list[0].ID < list[1].ID || list[0].Title != "约稿 2" {
			t.Fatalf("list = %d of %d, first %+v", len(list), total, list[0])
		}
		// someone else's ID is ignored
		n, err := s.MarkNotificationsRead(ctx, w.Editor.ID, []int64{list[0].ID}, T0.Add(2*time.Hour))
		must(t, err)
		if n != 0 {
			t.Fatalf("marked someone else's notification read")
		}
		n, err = s.MarkNotificationsRead(ctx, w.Writer.ID, []int64{list[0].ID}, T0.Add(2*time.Hour))
		must(t, err)
		if n != 1 {
			t.Fatalf("marked %d, want 1", n)
		}
		if got, _ := s.CountUnreadNotifications(ctx, w.Writer.ID); got != 3 {
			t.Fatalf("unread = %d, want 3", got)
		}
		unreadList, total, err := s.FindNotifications(ctx, herald.NotificationFilter{StaffID: w.Writer.ID, Unread: true})
		must(t, err)
		if total != 3 || len(unreadList) != 3 {
			t.Fatalf("unread list = %d", total)
		}
		n, err = s.MarkNotificationsRead(ctx, w.Writer.ID, nil, T0.Add(3*time.Hour))
		must(t, err)
		if n != 3 {
			t.Fatalf("marked all: %d, want 3", n)
		}
		if got, _ := s.CountUnreadNotifications(ctx, w.Writer.ID); got != 0 {
			t.Fatalf("unread = %d after marking all", got)
		}
		read, _ := s.FindNotificationByID(ctx, list[0].ID)
		if read.ReadAt == nil || !read.ReadAt.Equal(T0.Add(2*time.Hour)) {
			t.Fatalf("read at %v, want the first mark kept", read.ReadAt)
		}
		must(t, s.MarkNotificationMailed(ctx, list[0].ID, T0.Add(time.Hour)))
		mailed, _ := s.FindNotificationByID(ctx, list[0].ID)
		if mailed.MailedAt == nil {
			t.Fatal("mailed_at not kept")
		}
		wantCode(t, s.MarkNotificationMailed(ctx, 999999, T0), herald.ENOTFOUND, "")
		_, err = s.FindNotificationByID(ctx, 999999)
		wantCode(t, err, herald.ENOTFOUND, "")
	})

	t.Run("Prefs", func(t *testing.T) {
		prefs, err := s.FindNotificationPrefs(ctx, w.Writer.ID, w.Editor.ID)
		must(t, err)
		if got := prefs[w.Writer.ID][herald.NotifyRejected]; !got.InApp || !got.Email {
			t.Fatalf("default rejected = %+v, want in-app and e-mail", got)
		}
		if got := prefs[w.Writer.ID][herald.NotifyPublished]; !got.InApp || got.Email {
			t.Fatalf("default published = %+v, want in-app only", got)
		}
		chosen := herald.NotificationPrefs{herald.NotifyPublished: {InApp: false, Email: true}, herald.NotifyDueSoon: {}}
		must(t, s.SetNotificationPrefs(ctx, w.Writer.ID, chosen, herald.Event{At: T0, ActorID: w.Writer.ID}))
		prefs, err = s.FindNotificationPrefs(ctx, w.Writer.ID, w.Editor.ID)
		must(t, err)
		want := herald.DefaultNotificationPrefs()
		want[herald.NotifyPublished] = herald.NotificationPref{Email: true}
		want[herald.NotifyDueSoon] = herald.NotificationPref{}
		for _, k := range herald.NotificationKinds {
			if prefs[w.Writer.ID][k] != want[k] {
				t.Errorf("%s = %+v, want %+v", k, prefs[w.Writer.ID][k], want[k])
			}
			if prefs[w.Editor.ID][k] != herald.DefaultNotificationPrefs()[k] {
				t.Errorf("someone else's %s changed", k)
			}
		}
		events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityStaff, EntityID: w.Writer.ID, Action: "notification_prefs"})
		if len(events) != 1 {
			t.Fatalf("prefs events = %d, want 1", len(events))
		}
		wantCode(t, s.SetNotificationPrefs(ctx, w.Writer.ID, herald.NotificationPrefs{"gossip": {}}, ev(w.Writer.ID)), herald.EINVALID, "prefs")
		wantCode(t, s.SetNotificationPrefs(ctx, 999999, chosen, ev(0)), herald.ENOTFOUND, "")
	})
}
