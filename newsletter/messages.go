package newsletter

import (
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// labels are the words of the mails in one language. Mails speak the
// language the subscriber chose: Simplified Chinese or English. The %s in a
// label is filled in where it is used (a site name, a title, a date).
type labels struct {
	Lang string
	// every mail to a subscriber
	ReadOnSite, Released, Why, Unsubscribe, UnsubscribeHint string
	// notices
	CorrectionSubject, CorrectionIntro, CorrectionNote, ReadCorrected string
	RetractionSubject, RetractionIntro                                string
	// digests
	DigestDaily, DigestWeekly, DigestIntro string
	// the confirmation
	ConfirmSubject, ConfirmIntro, ConfirmChangeIntro, ConfirmButton, ConfirmExpires string
	ConfirmIgnore, ConfirmChangeIgnore, ConfirmWhy                                  string
	FrequencyLabel, TopicsLabel, AllTopics                                          string
	Frequencies                                                                     map[herald.Frequency]string
	ListSeparator, Colon, DateLayout, DateTimeLayout                                string
}

var zhLabels = labels{
	Lang:       "zh-CN",
	ReadOnSite: "在网站上阅读全文", Released: "发布时间：",
	Why:               "您收到这封邮件，是因为您订阅了%s的邮件推送。",
	Unsubscribe:       "退订",
	UnsubscribeHint:   "不想再收到邮件？点击退订：",
	CorrectionSubject: "更正：%s", CorrectionIntro: "我们此前发送给您的稿件《%s》已经更正，请以更正后的内容为准。",
	CorrectionNote: "更正说明：", ReadCorrected: "阅读更正后的全文",
	RetractionSubject: "撤稿：%s", RetractionIntro: "我们此前发送给您的稿件《%s》已经撤回，内容不再有效，请勿转发。",
	DigestDaily: "%s每日要闻（%s）", DigestWeekly: "%s每周要闻（%s）", DigestIntro: "以下是 %s 至 %s 发布的稿件：",
	ConfirmSubject:      "请确认订阅%s的邮件推送",
	ConfirmIntro:        "您好！有人（希望是您本人）用这个邮箱订阅了%s的邮件推送。请点击下面的按钮确认：",
	ConfirmChangeIntro:  "您好！有人（希望是您本人）请求把这个邮箱在%s的订阅设置改为下面这样。请点击下面的按钮确认：",
	ConfirmButton:       "确认订阅",
	ConfirmExpires:      "确认链接在 %s 前有效。",
	ConfirmIgnore:       "如果不是您本人的操作，请忽略这封邮件：不确认，我们就不会再给您发邮件。",
	ConfirmChangeIgnore: "如果不是您本人的操作，请忽略这封邮件：不确认，您的订阅设置不会改变。",
	ConfirmWhy:          "这封邮件是因为有人在%s的订阅页面填写了您的邮箱而发送的。",
	FrequencyLabel:      "推送频率：", TopicsLabel: "订阅内容：", AllTopics: "全部稿件",
	Frequencies: map[herald.Frequency]string{
		herald.FrequencyEach: "每篇新稿件发布时", herald.FrequencyDaily: "每日早晨一封摘要", herald.FrequencyWeekly: "每周一早晨一封摘要",
	},
	ListSeparator: "、", Colon: "：", DateLayout: "2006年1月2日", DateTimeLayout: "2006年1月2日 15:04",
}

var enLabels = labels{
	Lang:       "en",
	ReadOnSite: "Read it on the website", Released: "Released: ",
	Why:               "You receive this mail because you subscribed to the news of %s.",
	Unsubscribe:       "Unsubscribe",
	UnsubscribeHint:   "No more mail? Unsubscribe: ",
	CorrectionSubject: "Correction: %s", CorrectionIntro: "The story “%s” that we sent you has been corrected; please rely on the corrected text.",
	CorrectionNote: "Correction: ", ReadCorrected: "Read the corrected story",
	RetractionSubject: "Retracted: %s", RetractionIntro: "The story “%s” that we sent you has been retracted. It is no longer valid; please do not forward it.",
	DigestDaily: "%s daily news (%s)", DigestWeekly: "%s weekly news (%s)", DigestIntro: "Stories published from %s to %s:",
	ConfirmSubject:      "Please confirm your subscription to %s",
	ConfirmIntro:        "Hello! Someone (we hope it was you) subscribed this address to the news of %s. Please confirm with the button below:",
	ConfirmChangeIntro:  "Hello! Someone (we hope it was you) asked to change what this address receives from %s to the following. Please confirm with the button below:",
	ConfirmButton:       "Confirm",
	ConfirmExpires:      "The link works until %s.",
	ConfirmIgnore:       "If it was not you, ignore this mail: without a confirmation we send you nothing more.",
	ConfirmChangeIgnore: "If it was not you, ignore this mail: without a confirmation nothing changes.",
	ConfirmWhy:          "This mail was sent because someone entered your address on the subscription page of %s.",
	FrequencyLabel:      "How often: ", TopicsLabel: "What: ", AllTopics: "every story",
	Frequencies: map[herald.Frequency]string{
		herald.FrequencyEach: "each story as it is published", herald.FrequencyDaily: "a digest every morning",
		herald.FrequencyWeekly: "a digest every Monday morning",
	},
	ListSeparator: ", ", Colon: ": ", DateLayout: "2 January 2006", DateTimeLayout: "2 January 2006 15:04",
}

// labelsFor picks the labels of a language tag.
func labelsFor(lang string) labels {
	if strings.HasPrefix(lang, "en") {
		return enLabels
	}
	return zhLabels
}

// date formats a time as a CST date.
func (l labels) date(t time.Time) string { return t.In(herald.CST).Format(l.DateLayout) }

// dateTime formats a time as a CST date and time.
func (l labels) dateTime(t time.Time) string { return t.In(herald.CST).Format(l.DateTimeLayout) }
