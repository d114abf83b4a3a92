package notify

import (
	"fmt"

	"github.com/heraldnews/herald"
)

// labels are the words of notifications in one language. A notification
// keeps only its title and body as written; the sentence around them is
// made when it is shown or mailed, in the reader's language, so that the
// newsroom's list and the mail say the same thing.
type labels struct {
	Lang string
	// Headline of each kind, with the title for %s (and, for due and
	// overdue assignments, the deadline for the second %s).
	Headline map[herald.NotificationKind]string
	// BodyLabel introduces the body of each kind that has one.
	BodyLabel map[herald.NotificationKind]string
	// the mail around it
	Greeting, Open, Why, Settings string
	DateTimeLayout                string
}

var zhLabels = labels{
	Lang: "zh-CN",
	Headline: map[herald.NotificationKind]string{
		herald.NotifyAssignment: "您有新的约稿任务：《%s》",
		herald.NotifyDueSoon:    "约稿任务《%s》将于 %s 截止",
		herald.NotifyOverdue:    "约稿任务《%s》已逾期（截止时间 %s）",
		herald.NotifyRejected:   "稿件《%s》被退回修改",
		herald.NotifyPublished:  "稿件《%s》已发布",
	},
	BodyLabel: map[herald.NotificationKind]string{
		herald.NotifyAssignment: "任务说明：",
		herald.NotifyRejected:   "退回理由：",
	},
	Greeting:       "%s，您好：",
	Open:           "在编辑部中查看",
	Why:            "您收到这封邮件，是因为您在%s编辑部的通知设置中选择了以邮件接收这类通知。",
	Settings:       "更改通知设置：",
	DateTimeLayout: "2006年1月2日 15:04",
}

var enLabels = labels{
	Lang: "en",
	Headline: map[herald.NotificationKind]string{
		herald.NotifyAssignment: "New assignment for you: “%s”",
		herald.NotifyDueSoon:    "Assignment “%s” is due %s",
		herald.NotifyOverdue:    "Assignment “%s” is overdue (it was due %s)",
		herald.NotifyRejected:   "Your article “%s” was sent back for changes",
		herald.NotifyPublished:  "“%s” was published",
	},
	BodyLabel: map[herald.NotificationKind]string{
		herald.NotifyAssignment: "Brief: ",
		herald.NotifyRejected:   "Reason: ",
	},
	Greeting:       "Dear %s,",
	Open:           "Open it in the newsroom",
	Why:            "You receive this mail because your notification settings in the %s newsroom ask for this kind by e-mail.",
	Settings:       "Change your notification settings: ",
	DateTimeLayout: "2 January 2006 15:04",
}

// labelsFor returns the labels of a language, Chinese unless it is English.
func labelsFor(lang string) *labels {
	if lang == "en" {
		return &enLabels
	}
	return &zhLabels
}

// Headline is the sentence that tells what a notification is about, in lang
// ("zh-CN" or "en"): the newsroom's list and the mail's subject use it.
func Headline(lang string, n *herald.Notification) string {
	l := labelsFor(lang)
	format, ok := l.Headline[n.Kind]
	if !ok {
		return n.Title
	}
	if n.Kind == herald.NotifyDueSoon || n.Kind == herald.NotifyOverdue {
		return fmt.Sprintf(format, n.Title, n.At.In(herald.CST).Format(l.DateTimeLayout))
	}
	return fmt.Sprintf(format, n.Title)
}

// BodyLabel introduces a notification's body in lang ("Reason: "), or is
// empty for kinds whose body needs no label.
func BodyLabel(lang string, kind herald.NotificationKind) string {
	return labelsFor(lang).BodyLabel[kind]
}
