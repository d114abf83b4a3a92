package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

func TestNotificationsAPI(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		writer, editor := ts.as(t, w.Writer), ts.as(t, w.Editor)
		var batch []*herald.Notification
		for i, kind := range []herald.NotificationKind{herald.NotifyRejected, herald.NotifyPublished} {
			batch = append(batch, &herald.Notification{StaffID: w.Writer.ID, Kind: kind, Title: "普法宣传", Body: "请补充数据",
				Link: "/newsroom/articles/1", Entity: herald.EntityArticle, EntityID: int64(i + 1), At: ts.now, InApp: true})
		}
		added, err := s.RecordNotifications(t.Context(), herald.NotificationBatch{At: ts.now, Notifications: batch})
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []struct {
				herald.Notification
				Headline string `json:"headline"`
			}
			Total int
		}
		writer.do("GET", "/api/v1/notifications", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 2 || page.Items[0].ID != added[1].ID || page.Items[1].Headline != "稿件《普法宣传》被退回修改" || page.Items[1].Body != "请补充数据" {
			t.Fatalf("the writer's notifications = %+v", page)
		}
		editor.do("GET", "/api/v1/notifications", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 0 {
			t.Fatalf("the editor sees someone else's notifications: %+v", page)
		}
		writer.do("GET", "/api/v1/notifications?unread=maybe", nil).must(t, http.StatusBadRequest)

		var marked struct{ Marked int }
		editor.do("POST", "/api/v1/notifications/read", map[string]any{"ids": []int64{added[0].ID}}).must(t, http.StatusOK).decode(t, &marked)
		if marked.Marked != 0 {
			t.Fatal("the editor marked the writer's notification")
		}
		writer.do("POST", "/api/v1/notifications/read", map[string]any{"ids": []int64{added[0].ID}}).must(t, http.StatusOK).decode(t, &marked)
		if marked.Marked != 1 {
			t.Fatalf("marked %d", marked.Marked)
		}
		writer.do("GET", "/api/v1/notifications?unread=true&limit=1", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 1 {
			t.Fatalf("unread total = %d, want 1", page.Total)
		}
		writer.do("POST", "/api/v1/notifications/read", map[string]any{"all": true, "ids": []int64{1}}).must(t, http.StatusBadRequest)
		writer.do("POST", "/api/v1/notifications/read", map[string]any{}).must(t, http.StatusBadRequest)
		writer.do("POST", "/api/v1/notifications/read", map[string]any{"all": true}).must(t, http.StatusOK).decode(t, &marked)
		if marked.Marked != 1 {
			t.Fatalf("marked all: %d", marked.Marked)
		}

		var prefs herald.NotificationPrefs
		writer.do("GET", "/api/v1/notifications/prefs", nil).must(t, http.StatusOK).decode(t, &prefs)
		if len(prefs) != len(herald.NotificationKinds) || !prefs[herald.NotifyRejected].Email {
			t.Fatalf("default prefs = %+v", prefs)
		}
		writer.do("PUT", "/api/v1/notifications/prefs", map[string]any{"rejected": map[string]bool{"in_app": true, "email": false}}).
			must(t, http.StatusOK).decode(t, &prefs)
		if prefs[herald.NotifyRejected].Email || !prefs[herald.NotifyAssignment].Email {
			t.Fatalf("prefs after PUT = %+v", prefs)
		}
		res := writer.do("PUT", "/api/v1/notifications/prefs", map[string]any{"gossip": map[string]bool{"in_app": true}}).must(t, http.StatusBadRequest)
		if !strings.Contains(string(res.body), "prefs") {
			t.Fatalf("an unknown kind is not named: %s", res.body)
		}
		writer.do("PUT", "/api/v1/notifications/prefs", map[string]any{"rejected": map[string]any{"in_app": true, "sms": true}}).must(t, http.StatusBadRequest)

		// staff carry their address; an admin sets it, a taken one conflicts
		admin := ts.as(t, w.Admin)
		var st herald.Staff
		admin.do("PATCH", fmt.Sprintf("/api/v1/staff/%d", w.Writer.ID), map[string]any{"email": "Zhang@SJZ.example"}).must(t, http.StatusOK).decode(t, &st)
		if st.Email != "zhang@sjz.example" {
			t.Fatalf("email = %q", st.Email)
		}
		admin.do("PATCH", fmt.Sprintf("/api/v1/staff/%d", w.Editor.ID), map[string]any{"email": "zhang@sjz.example"}).must(t, http.StatusConflict)
		admin.do("PATCH", fmt.Sprintf("/api/v1/staff/%d", w.Editor.ID), map[string]any{"email": "nope"}).must(t, http.StatusBadRequest)
	})
}
