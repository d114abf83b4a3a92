package portal

import (
	"strings"

	"github.com/heraldnews/herald"
)

// labels are the portal's words in one language. The site speaks Simplified
// Chinese; pages in any other language (English articles, the language
// sections) get the English labels.
type labels struct {
	lang                                                          string
	SkipToContent, CareMode, MobileVersion, DesktopVersion        string
	Columns, Home, Themes, Latest, LeadStories, More, NothingYet  string
	HotNews, HotWeek, HotMonth, NoReadsYet                        string
	ReleaseTime, Source, NewsHotline, ShareTo, WeChat, WeChatHint string
	Weibo, QQ, CopyLink, Copied, MoreShare, Correction, Editor    string
	FollowAccount, ScanMobile, PrevNext, Previous, Next, None     string
	Supervisor, Guidance, About, Contact, Copyright, NewsLicence  string
	Hotline, Mailbox, SubmissionGroup, StaffInquiries             string
	LegalCounsel, TipForm, TipIntro, TipName, TipContact          string
	TipSubject, TipBody, TipFiles, TipFilesHint, Submit           string
	TipThanks, FixErrors, BackHome, NotFound, NotFoundMessage     string
	BadRequest, BadRequestMessage, Page, PagerLabel, Loading      string
	SearchSite, SearchPlaceholder, SearchButton, Suggestions      string
	SuggestCount                                                  string // %d: how many
	Languages, Versions                                           string
}

var zh = labels{
	lang: "zh", SkipToContent: "跳到正文", CareMode: "关怀模式", MobileVersion: "手机版", DesktopVersion: "电脑版",
	Columns: "栏目导航", Home: "首页", Themes: "专题专栏", Latest: "最新发布", LeadStories: "要闻", More: "更多",
	NothingYet: "本栏目暂无稿件。", HotNews: "热点新闻排行", HotWeek: "本周排行", HotMonth: "本月排行", NoReadsYet: "暂无数据",
	ReleaseTime: "发布时间：", Source: "来源：", NewsHotline: "新闻热线：", ShareTo: "分享到：", WeChat: "微信",
	WeChatHint: "用微信“扫一扫”，打开网页后点击右上角分享", Weibo: "微博", QQ: "QQ", CopyLink: "复制链接", Copied: "已复制",
	MoreShare: "更多", Correction: "更正说明：", Editor: "责任编辑：", FollowAccount: "扫码关注公众号",
	ScanMobile: "扫码进入手机版", PrevNext: "上一篇和下一篇", Previous: "上一篇：", Next: "下一篇：", None: "没有了",
	Supervisor: "主办：", Guidance: "指导：", About: "关于我们", Contact: "联系我们", Copyright: "版权所有：",
	NewsLicence: "互联网新闻信息服务许可证：", Hotline: "新闻热线：", Mailbox: "新闻邮箱：",
	SubmissionGroup: "投稿咨询群：", StaffInquiries: "工作人员查询：", LegalCounsel: "法律顾问：", TipForm: "新闻报料",
	TipIntro: "欢迎提供新闻线索。我们会认真阅读每一条报料，必要时与您联系。", TipName: "您的称呼", TipContact: "联系方式（电话或邮箱）",
	TipSubject: "标题", TipBody: "内容", TipFiles: "附件（可选）", TipFilesHint: "最多 3 个文件，每个不超过 5 MB，支持 JPG、PNG、GIF、WebP、PDF。",
	Submit: "提交报料", TipThanks: "报料已收到，感谢您的支持！", FixErrors: "请修改以下内容：", BackHome: "返回首页",
	NotFound: "页面不存在", NotFoundMessage: "您访问的页面不存在或已被撤下。可以从下面的栏目或最新稿件继续浏览。",
	BadRequest: "请求有误", BadRequestMessage: "网址中的参数无效。", Page: "第 %d 页", PagerLabel: "分页", Loading: "正在载入排行…",
	SearchSite: "站内搜索", SearchPlaceholder: "搜索新闻", SearchButton: "搜索", Suggestions: "搜索建议",
	SuggestCount: "%d 条建议，可用上下方向键选择，回车打开", Languages: "其他语言", Versions: "本文的语言版本",
}

var en = labels{
	lang: "en", SkipToContent: "Skip to content", CareMode: "Large text", MobileVersion: "Mobile", DesktopVersion: "Desktop",
	Columns: "Sections", Home: "Home", Themes: "Special topics", Latest: "Latest", LeadStories: "Top stories", More: "More",
	NothingYet: "Nothing here yet.", HotNews: "Hot News Leaderboard", HotWeek: "This week", HotMonth: "This month", NoReadsYet: "No data yet",
	ReleaseTime: "Release time: ", Source: "Source: ", NewsHotline: "News Hotline: ", ShareTo: "Share to:", WeChat: "WeChat",
	WeChatHint: "Scan with WeChat, then share from the page", Weibo: "Weibo", QQ: "QQ", CopyLink: "Copy link", Copied: "Copied",
	MoreShare: "More", Correction: "Correction: ", Editor: "Editor-in-chief: ", FollowAccount: "Scan the QR code to follow the public account",
	ScanMobile: "Scan QR code to enter mobile version", PrevNext: "Previous and next", Previous: "Previous: ", Next: "Next: ", None: "none",
	Supervisor: "Supervisor: ", Guidance: "Guidance: ", About: "About Us", Contact: "Contact Us", Copyright: "Copyright ",
	NewsLicence: "Internet News Information Service License ", Hotline: "Breaking news hotline: ", Mailbox: "News mailbox: ",
	SubmissionGroup: "Submission consultation group: ", StaffInquiries: "Staff inquiries: ", LegalCounsel: "Legal counsel: ", TipForm: "Send a news tip",
	TipIntro: "Tell us what you saw. Every tip is read; we may contact you.", TipName: "Your name", TipContact: "Phone or e-mail",
	TipSubject: "Subject", TipBody: "What happened", TipFiles: "Files (optional)", TipFilesHint: "Up to 3 files of 5 MB each: JPG, PNG, GIF, WebP, PDF.",
	Submit: "Send", TipThanks: "Thank you, your tip has arrived.", FixErrors: "Please correct:", BackHome: "Back to the home page",
	NotFound: "Page not found", NotFoundMessage: "This page does not exist or was withdrawn. Try the sections or the latest stories below.",
	BadRequest: "Bad request", BadRequestMessage: "The address holds an invalid parameter.", Page: "Page %d", PagerLabel: "Pages", Loading: "Loading…",
	SearchSite: "Search this site", SearchPlaceholder: "Search news", SearchButton: "Search", Suggestions: "Suggestions",
	SuggestCount: "%d suggestions: use the up and down arrows, Enter to open", Languages: "Other languages",
	Versions: "This article in other languages",
}

// labelsFor picks the labels for a language tag: Chinese for Chinese, English
// for everything else, the only other language they are written in.
func labelsFor(lang string) labels {
	if lang == "zh" || strings.HasPrefix(lang, "zh-") {
		return zh
	}
	return en
}

// ColumnName is a column's name in the labels' language.
func (l labels) ColumnName(c *herald.Column) string {
	if l.lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// ThemeName is a theme's name in the labels' language.
func (l labels) ThemeName(t *herald.Theme) string {
	if l.lang == "en" && t.NameEn != "" {
		return t.NameEn
	}
	return t.Name
}
