package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testFediverse(t *testing.T, s herald.Store) {
	ctx := context.Background()

	t.Run("actors keep the first keys made", func(t *testing.T) {
		var wg sync.WaitGroup
		got := make([]*herald.LocalActor, 4)
		for i := range got {
			wg.Go(func() {
				a, err := s.LocalActor(ctx, "site", T0, func() (string, string, error) {
					return "PUBLIC " + string(rune('a'+i)), "PRIVATE " + string(rune('a'+i)), nil
				})
				if err != nil {
					t.Error(err)
				}
				got[i] = a
			})
		}
		wg.Wait()
		for _, a := range got[1:] {
			if a == nil || a.PublicKeyPEM != got[0].PublicKeyPEM || a.PrivateKeyPEM != got[0].PrivateKeyPEM {
				t.Fatalf("concurrent first calls disagree: %+v vs %+v", a, got[0])
			}
		}
		again, err := s.LocalActor(ctx, "site", T0.Add(time.Hour), func() (string, string, error) {
			t.Fatal("keys made again for a known actor")
			return "", "", nil
		})
		must(t, err)
		if again.PublicKeyPEM != got[0].PublicKeyPEM || !again.CreatedAt.Equal(T0) {
			t.Fatalf("actor = %+v", again)
		}
		evs, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityLocalActor})
		if len(evs) != 1 {
			t.Fatalf("%d creation events, want 1", len(evs))
		}
	})

	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, herald.CST) }
	follow := func(account, shared string, at time.Time, followID string) bool {
		t.Helper()
		f := &herald.Follower{Actor: "site", Account: account, Inbox: account + "/inbox", SharedInbox: shared, FollowID: followID, CreatedAt: at}
		accept := &herald.Job{Kind: "activitypub.accept", Key: "accept/" + followID}
		isNew, err := s.AddFollower(ctx, f, accept)
		must(t, err)
		return isNew
	}

	t.Run("followers", func(t *testing.T) {
		if !follow("https://a.example/users/li", "https://a.example/inbox", day(1), "https://a.example/f/1") {
			t.Fatal("a first follow is new")
		}
		follow("https://a.example/users/wang", "https://a.example/inbox", day(1), "https://a.example/f/2")
		follow("https://b.example/users/zhao", "", day(2), "https://b.example/f/3")
		if follow("https://a.example/users/li", "https://a.example/inbox", day(2), "https://a.example/f/1") {
			t.Fatal("the same Follow delivered twice made a second follower")
		}
		removed, err := s.RemoveFollower(ctx, "site", "https://a.example/users/wang", day(3))
		must(t, err)
		if !removed {
			t.Fatal("unfollow not recorded")
		}
		if again, _ := s.RemoveFollower(ctx, "site", "https://a.example/users/wang", day(3)); again {
			t.Fatal("a second unfollow counted")
		}
		if !follow("https://a.example/users/wang", "https://a.example/inbox", day(5), "https://a.example/f/4") {
			t.Fatal("following again after an unfollow is a new follow")
		}
		fs, n, err := s.FindFollowers(ctx, "site", 0, 0)
		must(t, err)
		if n != 3 || len(fs) != 3 || fs[0].Account != "https://a.example/users/li" || !fs[0].CreatedAt.Equal(day(1)) {
			t.Fatalf("followers = %d %+v", n, fs)
		}
		inboxes, err := s.FollowerInboxes(ctx, "site")
		must(t, err)
		if !slices.Equal(inboxes, []string{"https://a.example/inbox", "https://b.example/users/zhao/inbox"}) {
			t.Fatalf("inboxes = %q: one shared inbox per server, else the follower's own", inboxes)
		}
		counts, err := s.CountFollowersByDay(ctx, "site", day(1), day(5))
		must(t, err)
		var got []int
		for _, c := range counts {
			got = append(got, c.Count)
		}
		if !slices.Equal(got, []int{2, 3, 2, 2, 3}) || counts[0].Day != "2026-11-01" {
			t.Fatalf("followers by day = %+v", counts)
		}
		// each Follow activity is answered once
		jobs, n, _ := s.FindJobs(ctx, herald.JobFilter{Kind: "activitypub.accept"})
		if n != 4 {
			t.Fatalf("%d accept jobs (%+v), want 4: one per Follow activity", n, jobs)
		}
		_, err = s.AddFollower(ctx, &herald.Follower{Actor: "site", CreatedAt: day(1)}, nil)
		wantCode(t, err, herald.EINVALID, "account")
	})

	t.Run("engagement", func(t *testing.T) {
		w := NewWorld(t, s)
		a := &herald.Article{ArticleContent: Content(w.News, "全省公证工作会议召开"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished}
		must(t, s.CreateArticle(ctx, a, ev(w.Editor.ID)))
		like := &herald.Engagement{ActivityID: "https://a.example/likes/1", Kind: herald.EngagementLike, Account: "https://a.example/users/li",
			ArticleID: a.ID, Object: "https://herald.example/ap/notes/1", At: day(2)}
		isNew, err := s.RecordEngagement(ctx, like)
		must(t, err)
		dup := *like
		again, err := s.RecordEngagement(ctx, &dup)
		must(t, err)
		if !isNew || again {
			t.Fatalf("new = %v, again = %v: an activity counts once", isNew, again)
		}
		must2 := func(_ bool, err error) { must(t, err) }
		must2(s.RecordEngagement(ctx, &herald.Engagement{ActivityID: "https://b.example/notes/9", Kind: herald.EngagementReply,
			Account: "https://b.example/users/zhao", ArticleID: a.ID, Object: like.Object, Content: "点赞！", At: day(3)}))
		if undone, _ := s.UndoEngagement(ctx, like.ActivityID, "https://b.example/users/zhao", day(4)); undone {
			t.Fatal("another account undid the like")
		}
		undone, err := s.UndoEngagement(ctx, like.ActivityID, like.Account, day(4))
		must(t, err)
		es, err := s.FindEngagement(ctx, a.ID)
		must(t, err)
		if !undone || len(es) != 2 || es[0].UndoneAt == nil || es[1].Content != "点赞！" {
			t.Fatalf("engagement = %+v", es)
		}
		_, err = s.RecordEngagement(ctx, &herald.Engagement{ActivityID: "x", Kind: "boo", Account: "y", At: day(1)})
		wantCode(t, err, herald.EINVALID, "kind")
	})

	t.Run("outbox", func(t *testing.T) {
		note := "https://herald.example/ap/notes/1"
		put := func(id, typ, object string, at time.Time, inboxes ...string) bool {
			t.Helper()
			var sends []*herald.Job
			for _, inbox := range inboxes {
				sends = append(sends, &herald.Job{Kind: "activitypub.send", Key: "send/" + id + "/" + inbox})
			}
			isNew, err := s.PutOutbox(ctx, &herald.OutboxItem{Actor: "site", ActivityID: id, Type: typ, ObjectID: note,
				Activity: []byte(`{"id":"` + id + `"}`), Object: []byte(object), At: at}, sends)
			must(t, err)
			return isNew
		}
		if !put(note+"/create", "Create", `{"type":"Note"}`, day(1), "https://a.example/inbox", "https://b.example/inbox") {
			t.Fatal("first activity not new")
		}
		if put(note+"/create", "Create", `{"type":"Note"}`, day(1), "https://a.example/inbox") {
			t.Fatal("the same activity recorded twice")
		}
		put(note+"/delete", "Delete", `{"type":"Tombstone"}`, day(2), "https://a.example/inbox")
		obj, err := s.FindObject(ctx, note)
		must(t, err)
		if string(obj.Object) != `{"type":"Tombstone"}` || obj.Type != "Delete" {
			t.Fatalf("object now = %s (%s)", obj.Object, obj.Type)
		}
		items, n, err := s.FindOutbox(ctx, "site", 10, 0)
		must(t, err)
		if n != 2 || items[0].Type != "Delete" || items[1].Type != "Create" {
			t.Fatalf("outbox = %d %+v", n, items)
		}
		if _, n, _ := s.FindJobs(ctx, herald.JobFilter{Kind: "activitypub.send"}); n != 3 {
			t.Fatalf("%d send jobs, want 3: the repeated activity queues nothing", n)
		}
		if _, err := s.FindObject(ctx, "https://herald.example/ap/notes/404"); herald.ErrorCode(err) != herald.ENOTFOUND {
			t.Fatalf("unknown object: %v", err)
		}
		_, err = s.PutOutbox(ctx, &herald.OutboxItem{Actor: "site", ActivityID: "x", Type: "Create", ObjectID: note, Activity: []byte("{"), Object: []byte("{}"), At: day(1)}, nil)
		wantCode(t, err, herald.EINVALID, "activity")
	})
}
