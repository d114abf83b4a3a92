package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// subscribe is the change a subscription request makes to a new address in
// these cases: pending, with its confirmation job.
func subscribe(at time.Time, prefs herald.SubscriptionPrefs) func(*herald.Subscriber) (herald.SubscriberChange, error) {
	return func(s *herald.Subscriber) (herald.SubscriberChange, error) {
		from := s.Status
		s.SubscriptionPrefs, s.Status, s.RequestedAt, s.ClientHash = prefs, herald.SubscriberPending, &at, "c0ffee"
		s.ConfirmationsSent = append(s.ConfirmationsSent, at)
		job := &herald.Job{Kind: "newsletter.mail", Key: fmt.Sprintf("confirm/%d/%d", s.ID, at.UnixMicro())}
		return herald.SubscriberChange{Event: herald.Event{At: at, Action: "subscribe", Comment: string(from)}, Jobs: []*herald.Job{job}}, nil
	}
}

func setStatus(st herald.SubscriberStatus, action string, at time.Time) func(*herald.Subscriber) (herald.SubscriberChange, error) {
	return func(s *herald.Subscriber) (herald.SubscriberChange, error) {
		s.Status = st
		switch st {
		case herald.SubscriberActive:
			s.ConfirmedAt = &at
		case herald.SubscriberUnsubscribed:
			s.UnsubscribedAt = &at
		case herald.SubscriberBounced:
			s.BouncedAt = &at
		}
		return herald.SubscriberChange{Event: herald.Event{At: at, Action: action}}, nil
	}
}

func testNewsletter(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	w := NewWorld(t, s)
	each := herald.SubscriptionPrefs{Frequency: herald.FrequencyEach, Language: "zh-CN"}

	t.Run("a refused change keeps nothing, not even the new row", func(t *testing.T) {
		_, err := s.UpdateSubscriberByEmail(ctx, "nobody@example.cn", func(*herald.Subscriber) (herald.SubscriberChange, error) {
			return herald.SubscriberChange{}, herald.Errorf(herald.ERATELIMITED, "too soon")
		})
		wantCode(t, err, herald.ERATELIMITED, "")
		_, err = s.FindSubscriberByEmail(ctx, "nobody@example.cn")
		wantCode(t, err, herald.ENOTFOUND, "")
		bad := each
		bad.Frequency, bad.ColumnIDs, bad.ThemeIDs = "hourly", []int64{w.News.ID, 9999}, []int64{9998}
		_, err = s.UpdateSubscriberByEmail(ctx, "nobody@example.cn", subscribe(T0, bad))
		wantCode(t, err, herald.EINVALID, "frequency")
		bad.Frequency = herald.FrequencyDaily
		_, err = s.UpdateSubscriberByEmail(ctx, "nobody@example.cn", subscribe(T0, bad))
		wantCode(t, err, herald.EINVALID, "column_ids")
		wantCode(t, err, herald.EINVALID, "theme_ids")
		_, err = s.UpdateSubscriberByEmail(ctx, "not an address", subscribe(T0, each))
		wantCode(t, err, herald.EINVALID, "email")
		if subs, n, _ := s.FindSubscribers(ctx, herald.SubscriberFilter{}); n != 0 || len(subs) != 0 {
			t.Fatalf("%d subscribers after refused changes", n)
		}
		if jobs, n, _ := s.FindJobs(ctx, herald.JobFilter{Kind: "newsletter.mail"}); n != 0 {
			t.Fatalf("refused changes queued %+v", jobs)
		}
		if evs, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntitySubscriber}); len(evs) != 0 {
			t.Fatalf("refused changes were audited: %+v", evs)
		}
	})

	var li *herald.Subscriber
	t.Run("subscribe, confirm and read back", func(t *testing.T) {
		prefs := each
		prefs.Name, prefs.ColumnIDs, prefs.ThemeIDs = "李明", []int64{w.Local.ID, w.News.ID, w.Local.ID}, []int64{w.Theme.ID}
		var err error
		li, err = s.UpdateSubscriberByEmail(ctx, "  LiMing@Example.CN ", subscribe(T0, prefs))
		must(t, err)
		if li.ID == 0 || li.Email != "liming@example.cn" || li.Status != herald.SubscriberPending || !li.CreatedAt.Equal(T0) ||
			!slices.Equal(li.ColumnIDs, []int64{min(w.News.ID, w.Local.ID), max(w.News.ID, w.Local.ID)}) {
			t.Fatalf("new subscriber = %+v", li)
		}
		later := T0.Add(time.Hour)
		li, err = s.UpdateSubscriber(ctx, li.ID, func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
			p := sub.SubscriptionPrefs
			p.Frequency = herald.FrequencyWeekly
			sub.Pending = &p
			return setStatus(herald.SubscriberActive, "confirm", later)(sub)
		})
		must(t, err)
		got, err := s.FindSubscriberByEmail(ctx, "liming@EXAMPLE.cn")
		must(t, err)
		if got.Status != herald.SubscriberActive || got.Name != "李明" || len(got.ThemeIDs) != 1 || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(later) ||
			got.Pending == nil || got.Pending.Frequency != herald.FrequencyWeekly || got.RequestedAt == nil || !got.RequestedAt.Equal(T0) ||
			len(got.ConfirmationsSent) != 1 || !got.ConfirmationsSent[0].Equal(T0) || got.ClientHash != "c0ffee" || !got.CreatedAt.Equal(T0) ||
			!got.UpdatedAt.Equal(later) {
			t.Fatalf("read back = %+v", got)
		}
		evs, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntitySubscriber, EntityID: li.ID})
		must(t, err)
		if len(evs) != 2 || evs[0].Action != "subscribe" || evs[0].FromStatus != "" || evs[0].ToStatus != "pending" ||
			evs[1].Action != "confirm" || evs[1].FromStatus != "pending" || evs[1].ToStatus != "active" {
			t.Fatalf("events = %+v", evs)
		}
		jobs, n, _ := s.FindJobs(ctx, herald.JobFilter{Kind: "newsletter.mail"})
		if n != 1 || jobs[0].Key != fmt.Sprintf("confirm/%d/%d", li.ID, T0.UnixMicro()) {
			t.Fatalf("jobs = %+v", jobs)
		}
		// a change that records nothing leaves the row alone
		same, err := s.UpdateSubscriber(ctx, li.ID, func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
			sub.Name = "不会保存"
			return herald.SubscriberChange{}, nil
		})
		must(t, err)
		if got, _ := s.FindSubscriberByID(ctx, li.ID); got.Name != "李明" || same.ID != li.ID {
			t.Fatalf("a change without an event was saved: %q", got.Name)
		}
		_, err = s.UpdateSubscriber(ctx, 424242, setStatus(herald.SubscriberActive, "confirm", later))
		wantCode(t, err, herald.ENOTFOUND, "")
	})

	t.Run("concurrent first requests make one subscriber", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids := map[int64]bool{}
		for i := range 6 {
			wg.Go(func() {
				sub, err := s.UpdateSubscriberByEmail(ctx, "wang@example.cn", subscribe(T0.Add(time.Duration(i)*time.Second), each))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids[sub.ID] = true
				mu.Unlock()
			})
		}
		wg.Wait()
		got, err := s.FindSubscriberByEmail(ctx, "wang@example.cn")
		must(t, err)
		if len(ids) != 1 || !ids[got.ID] || len(got.ConfirmationsSent) != 6 {
			t.Fatalf("ids %v, subscriber %+v: want one subscriber that saw all six requests", ids, got)
		}
	})

	t.Run("find by status and frequency, page by ID", func(t *testing.T) {
		daily := each
		daily.Frequency = herald.FrequencyDaily
		zhao, err := s.UpdateSubscriberByEmail(ctx, "zhao@example.cn", subscribe(T0, daily))
		must(t, err)
		_, err = s.UpdateSubscriber(ctx, zhao.ID, setStatus(herald.SubscriberActive, "confirm", T0))
		must(t, err)
		got, n, err := s.FindSubscribers(ctx, herald.SubscriberFilter{Statuses: []herald.SubscriberStatus{herald.SubscriberActive}, Frequency: herald.FrequencyDaily})
		must(t, err)
		if n != 1 || got[0].ID != zhao.ID {
			t.Fatalf("active daily = %d %+v", n, got)
		}
		all, n, err := s.FindSubscribers(ctx, herald.SubscriberFilter{AfterID: li.ID, Limit: 1})
		must(t, err)
		if n != 2 || len(all) != 1 || all[0].ID <= li.ID {
			t.Fatalf("after %d: %d of %d", li.ID, len(all), n)
		}
	})

	a := &herald.Article{ArticleContent: Content(w.News, "全省法律援助工作推进会召开"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished}
	must(t, s.CreateArticle(ctx, a, ev(w.Editor.ID)))
	b := &herald.Article{ArticleContent: Content(w.Local, "正定县开展法治宣传"), UnitID: w.County.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished}
	must(t, s.CreateArticle(ctx, b, ev(w.Editor.ID)))

	t.Run("the delivery log keeps each Message-ID once", func(t *testing.T) {
		zhao, err := s.FindSubscriberByEmail(ctx, "zhao@example.cn")
		must(t, err)
		story := &herald.Mailing{SubscriberID: li.ID, Kind: herald.MailStory, ArticleID: a.ID, MessageID: "story.1@sft.example.gov.cn",
			Status: herald.MailingFailed, SMTPCode: 451, SMTPText: "4.3.0 try later", At: T0}
		ok, err := s.RecordMailing(ctx, story)
		must(t, err)
		if !ok {
			t.Fatal("a first mailing was not recorded")
		}
		sent := *story
		sent.Status, sent.SMTPCode, sent.SMTPText, sent.At = herald.MailingSent, 250, "", T0.Add(time.Minute)
		if ok, err = s.RecordMailing(ctx, &sent); err != nil || !ok {
			t.Fatalf("a failed mailing sent later: %v, %v", ok, err)
		}
		again := sent
		again.Status = herald.MailingFailed
		if ok, err = s.RecordMailing(ctx, &again); err != nil || ok {
			t.Fatalf("a sent mailing was overwritten: %v, %v", ok, err)
		}
		got, err := s.FindMailingByMessageID(ctx, "story.1@sft.example.gov.cn")
		must(t, err)
		if got.Status != herald.MailingSent || got.SMTPCode != 250 || !got.At.Equal(T0.Add(time.Minute)) || got.ArticleID != a.ID {
			t.Fatalf("mailing = %+v", got)
		}
		digest := &herald.Mailing{SubscriberID: zhao.ID, Kind: herald.MailDigest, Period: "daily/2026-11-26", ArticleIDs: []int64{b.ID, a.ID},
			MessageID: "digest.1@sft.example.gov.cn", Status: herald.MailingSent, At: T0}
		_, err = s.RecordMailing(ctx, digest)
		must(t, err)
		failedDigest := &herald.Mailing{SubscriberID: li.ID, Kind: herald.MailDigest, Period: "daily/2026-11-26", ArticleIDs: []int64{a.ID},
			MessageID: "digest.2@sft.example.gov.cn", Status: herald.MailingFailed, SMTPCode: 550, At: T0}
		_, err = s.RecordMailing(ctx, failedDigest)
		must(t, err)
		ids, err := s.ArticleRecipients(ctx, a.ID)
		must(t, err)
		if !slices.Equal(ids, []int64{li.ID, zhao.ID}) {
			t.Fatalf("recipients of a = %v, want the story's and the sent digest's", ids)
		}
		if ids, _ := s.ArticleRecipients(ctx, b.ID); !slices.Equal(ids, []int64{zhao.ID}) {
			t.Fatalf("recipients of b = %v", ids)
		}
		ms, n, err := s.FindMailings(ctx, herald.MailingFilter{ArticleID: a.ID})
		must(t, err)
		if n != 3 || ms[0].MessageID != "digest.2@sft.example.gov.cn" || !slices.Equal(ms[1].ArticleIDs, []int64{min(a.ID, b.ID), max(a.ID, b.ID)}) {
			t.Fatalf("mailings about a = %d %+v", n, ms)
		}
		if _, n, _ := s.FindMailings(ctx, herald.MailingFilter{SubscriberID: li.ID, Status: herald.MailingFailed}); n != 1 {
			t.Fatalf("%d failed mailings to li, want 1", n)
		}
		_, err = s.RecordMailing(ctx, &herald.Mailing{Kind: "fax", MessageID: "<x>", At: T0})
		wantCode(t, err, herald.EINVALID, "kind")
		wantCode(t, err, herald.EINVALID, "message_id")
		wantCode(t, err, herald.EINVALID, "subscriber_id")
		_, err = s.FindMailingByMessageID(ctx, "nothing@here")
		wantCode(t, err, herald.ENOTFOUND, "")
	})

	t.Run("a bounce and its mailing are kept together", func(t *testing.T) {
		bounce := func(fail error) error {
			_, err := s.UpdateSubscriber(ctx, li.ID, func(sub *herald.Subscriber) (herald.SubscriberChange, error) {
				ch, _ := setStatus(herald.SubscriberBounced, "bounce", T0.Add(2*time.Hour))(sub)
				ch.Mailing = &herald.Mailing{Kind: herald.MailStory, ArticleID: b.ID, MessageID: "story.2@sft.example.gov.cn",
					Status: herald.MailingFailed, SMTPCode: 550, SMTPText: "5.1.1 no such user", At: T0.Add(2 * time.Hour)}
				return ch, fail
			})
			return err
		}
		if err := bounce(errors.New("refused")); err == nil {
			t.Fatal("the refusal was lost")
		}
		if _, err := s.FindMailingByMessageID(ctx, "story.2@sft.example.gov.cn"); herald.ErrorCode(err) != herald.ENOTFOUND {
			t.Fatalf("a refused change kept its mailing: %v", err)
		}
		must(t, bounce(nil))
		got, _ := s.FindSubscriberByID(ctx, li.ID)
		m, err := s.FindMailingByMessageID(ctx, "story.2@sft.example.gov.cn")
		must(t, err)
		if got.Status != herald.SubscriberBounced || got.BouncedAt == nil || m.SubscriberID != li.ID || m.SMTPCode != 550 {
			t.Fatalf("after the bounce: %+v %+v", got, m)
		}
	})

	t.Run("subscribers by day", func(t *testing.T) {
		day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, herald.CST) }
		people := map[string]*herald.Subscriber{}
		for _, who := range []string{"a", "b", "c"} {
			sub, err := s.UpdateSubscriberByEmail(ctx, who+"@count.example.cn", subscribe(day(1, 9), each))
			must(t, err)
			people[who] = sub
		}
		step := func(who string, st herald.SubscriberStatus, action string, at time.Time) {
			t.Helper()
			_, err := s.UpdateSubscriber(ctx, people[who].ID, setStatus(st, action, at))
			must(t, err)
		}
		step("a", herald.SubscriberActive, "confirm", day(1, 10))
		step("b", herald.SubscriberActive, "confirm", day(2, 23)) // 23:00 CST is still the 2nd
		step("c", herald.SubscriberUnsubscribed, "unsubscribe", day(3, 8))
		step("a", herald.SubscriberUnsubscribed, "unsubscribe", day(4, 8))
		step("b", herald.SubscriberBounced, "bounce", day(4, 9))
		counts, err := s.CountSubscribersByDay(ctx, day(1, 0), day(5, 0))
		must(t, err)
		// before December the earlier cases left one subscriber active (zhao; li bounced)
		var got []string
		for _, c := range counts {
			got = append(got, fmt.Sprintf("%s %d +%d -%d", c.Day, c.Active, c.Confirmed, c.Left))
		}
		want := []string{"2026-12-01 2 +1 -0", "2026-12-02 3 +1 -0", "2026-12-03 3 +0 -0", "2026-12-04 1 +0 -2", "2026-12-05 1 +0 -0"}
		if !slices.Equal(got, want) {
			t.Fatalf("counts = %q\nwant %q", got, want)
		}
	})

	t.Run("the link key is made once", func(t *testing.T) {
		var wg sync.WaitGroup
		keys := make([][]byte, 4)
		for i := range keys {
			wg.Go(func() {
				k, err := s.NewsletterKey(ctx, T0, func() ([]byte, error) { return bytes.Repeat([]byte{byte(i + 1)}, 32), nil })
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		for _, k := range keys {
			if len(k) != 32 || !bytes.Equal(k, keys[0]) {
				t.Fatalf("concurrent first calls disagree: %x vs %x", k, keys[0])
			}
		}
		k, err := s.NewsletterKey(ctx, T0, func() ([]byte, error) {
			t.Fatal("a key was made again")
			return nil, nil
		})
		must(t, err)
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("the key changed")
		}
	})

	t.Run("backup and restore", func(t *testing.T) {
		dst := open(t)
		var buf bytes.Buffer
		must(t, s.Dump(ctx, &buf))
		must(t, dst.Load(ctx, &buf))
		if x, y := dumpBody(t, s), dumpBody(t, dst); x != y {
			t.Fatalf("restored database differs from the original:\n%s\n---\n%s", x, y)
		}
		got, err := dst.FindSubscriberByEmail(ctx, "zhao@example.cn")
		must(t, err)
		ms, _, _ := dst.FindMailings(ctx, herald.MailingFilter{SubscriberID: got.ID})
		if got.Status != herald.SubscriberActive || len(ms) != 1 || len(ms[0].ArticleIDs) != 2 {
			t.Fatalf("restored subscriber %+v, mailings %+v", got, ms)
		}
		if ids, _ := dst.ArticleRecipients(ctx, a.ID); len(ids) != 2 {
			t.Fatalf("restored recipients = %v", ids)
		}
		// new rows in the restored store get fresh IDs
		fresh, err := dst.UpdateSubscriberByEmail(ctx, "new@example.cn", subscribe(T0, each))
		must(t, err)
		if fresh.ID <= got.ID {
			t.Fatalf("new subscriber ID %d reuses a restored one", fresh.ID)
		}
	})
}
