package notify_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/mailpittest"
	"github.com/heraldnews/herald/mail"
	"github.com/heraldnews/herald/notify"
)

// withMail gives the notifier a relay: a real mailpit, with chaos on so
// that tests can make it refuse. The writer gets an address, the county
// writer none.
func withMail(t *testing.T, e *env) *mailpittest.Server {
	srv := mailpittest.Start(t, mailpittest.Options{Chaos: true})
	sender, err := mail.NewSender(mail.Config{Addr: srv.SMTPAddr, TLS: mail.TLSOff, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Mailer, err = notify.NewMailer(notify.MailConfig{Sender: sender, BaseURL: "https://news.sft.hebei.example",
		From: mail.Address{Name: "河北司法宣传中心", Address: "notify@sft.hebei.example"}})
	if err != nil {
		t.Fatal(err)
	}
	address := "zhangtongxun@sjz.hebei.example"
	if _, err := e.Store.UpdateStaff(e.Ctx, e.World.Writer.ID, herald.StaffUpdate{Email: &address}, herald.Event{At: e.Now, Action: "email"}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// mailJobs lists the mail jobs, newest first.
func (e *env) mailJobs(t *testing.T) []*herald.Job {
	t.Helper()
	list, _, err := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: notify.KindMail})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestRejectionIsMailedOnceThroughARefusal(t *testing.T) {
	e := newEnv(t)
	srv := withMail(t, e)
	a := e.rejected(t, "请补充活动的具体数据")
	e.run(t)
	jobs := e.mailJobs(t)
	if len(jobs) != 1 {
		t.Fatalf("mail jobs = %d, want 1 (only the writer has an address)", len(jobs))
	}
	note := e.notes(t, e.World.Writer)[0]
	if !note.Email || jobs[0].Key != "notify.mail/"+strconv.FormatInt(note.ID, 10) {
		t.Fatalf("job %q for notification %+v", jobs[0].Key, note)
	}

	// the relay refuses for now: the attempt fails and is retried later
	srv.RefuseRecipients(t, 451)
	if _, err := e.Runner.RunDue(e.Ctx); err != nil {
		t.Fatal(err)
	}
	j, _ := e.Store.FindJobByID(e.Ctx, jobs[0].ID)
	if j.Status != herald.JobQueued || j.Attempts != 1 || !strings.Contains(j.LastError, "451") || !j.RunAt.After(e.Now) {
		t.Fatalf("after a temporary refusal the job is %+v", j)
	}
	if list := srv.Messages(t); len(list) != 0 {
		t.Fatalf("refused mail arrived: %+v", list)
	}

	// the relay recovers and the retry delivers
	srv.ResetChaos(t)
	e.Now = e.Now.Add(time.Minute)
	if _, err := e.Runner.RunDue(e.Ctx); err != nil {
		t.Fatal(err)
	}
	list := srv.WaitForMessages(t, 1)
	got := srv.Message(t, list[0].ID)
	if len(got.To) != 1 || got.To[0].Address != "zhangtongxun@sjz.hebei.example" || got.To[0].Name != e.World.Writer.Name {
		t.Fatalf("To = %+v", got.To)
	}
	if got.Subject != "稿件《"+a.Title+"》被退回修改" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if got.MessageID != "herald.notify."+strconv.FormatInt(note.ID, 10)+"@sft.hebei.example" {
		t.Errorf("Message-ID = %q", got.MessageID)
	}
	link := "https://news.sft.hebei.example/newsroom/articles/" + strconv.FormatInt(a.ID, 10)
	for _, part := range []string{got.Text, got.HTML} {
		for _, want := range []string{"退回理由：请补充活动的具体数据", link, e.World.Writer.Name, notify.PrefsPath} {
			if !strings.Contains(part, want) {
				t.Errorf("the mail lacks %q:\n%s", want, part)
			}
		}
	}
	if mailed, _ := e.Store.FindNotificationByID(e.Ctx, note.ID); mailed.MailedAt == nil {
		t.Fatal("the mail was not recorded as sent")
	}

	// the notifier again, and the mail job again (as after a crash that
	// lost its finish): no second mail
	if n := e.run(t); n != 0 {
		t.Fatalf("the notifier made %d more", n)
	}
	if err := e.Store.EnqueueJobs(e.Ctx, e.Now, &herald.Job{Kind: notify.KindMail, Key: "notify.mail/again", Payload: jobs[0].Payload}); err != nil {
		t.Fatal(err)
	}
	if ran, err := e.Runner.RunDue(e.Ctx); err != nil || ran != 1 {
		t.Fatalf("ran %d (%v)", ran, err)
	}
	if list := srv.Messages(t); len(list) != 1 {
		t.Fatalf("%d mails arrived, want 1", len(list))
	}
}

func TestAPermanentRefusalFailsTheMailJob(t *testing.T) {
	e := newEnv(t)
	srv := withMail(t, e)
	srv.RefuseRecipients(t, 550)
	e.rejected(t, "不符合要求")
	e.run(t)
	if _, err := e.Runner.RunDue(e.Ctx); err != nil {
		t.Fatal(err)
	}
	j := e.mailJobs(t)[0]
	if j.Status != herald.JobFailed || j.Attempts != 1 || !strings.Contains(j.LastError, "550") {
		t.Fatalf("after a permanent refusal the job is %+v", j)
	}
}

func TestEnglishReadersGetEnglishMail(t *testing.T) {
	e := newEnv(t)
	srv := withMail(t, e)
	en := "en"
	if _, err := e.Store.UpdateStaff(e.Ctx, e.World.Writer.ID, herald.StaffUpdate{Language: &en}, herald.Event{At: e.Now, Action: "language"}); err != nil {
		t.Fatal(err)
	}
	e.rejected(t, "Please add the figures.")
	e.run(t)
	if _, err := e.Runner.RunDue(e.Ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.Message(t, srv.WaitForMessages(t, 1)[0].ID)
	if !strings.Contains(got.Subject, "was sent back for changes") || !strings.Contains(got.Text, "Reason: Please add the figures.") ||
		!strings.Contains(got.HTML, `lang="en"`) {
		t.Fatalf("English mail: %q\n%s", got.Subject, got.Text)
	}
}
