package herald

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// SiteSettings are what administrators set for the public site: its names and
// the header and footer lines of the seed page (supervisor, licences, hotline,
// mailbox, legal counsel…), the about and contact pages, the public account, and
// the mourning-day period during which the site turns grey. Empty fields are not
// shown.
type SiteSettings struct {
	SiteName             string `json:"site_name"`
	SiteNameEn           string `json:"site_name_en"`
	Description          string `json:"description"`
	Supervisor           string `json:"supervisor"`             // 主办单位
	Guidance             string `json:"guidance"`               // 指导单位
	Copyright            string `json:"copyright"`              // 版权所有
	ICP                  string `json:"icp"`                    // ICP 备案号
	PublicSecurityFiling string `json:"public_security_filing"` // 公安机关备案号
	NewsLicence          string `json:"news_licence"`           // 互联网新闻信息服务许可证
	Disclaimer           string `json:"disclaimer"`
	Hotline              string `json:"hotline"`          // 新闻热线 / 报料热线
	Mailbox              string `json:"mailbox"`          // 新闻邮箱
	SubmissionGroup      string `json:"submission_group"` // 投稿咨询群
	StaffInquiries       string `json:"staff_inquiries"`  // 工作人员查询
	LegalCounsel         string `json:"legal_counsel"`    // 法律顾问
	AboutHTML            string `json:"about_html"`
	ContactHTML          string `json:"contact_html"`
	PublicAccountName    string `json:"public_account_name"` // 公众号
	PublicAccountURL     string `json:"public_account_url"`  // what its QR code opens: a URL, or a path on this site
	// BlockedDomains are fediverse servers whose requests the microblog
	// refuses (each also blocks the domains under it).
	BlockedDomains []string   `json:"blocked_domains,omitempty"`
	MourningFrom   *time.Time `json:"mourning_from,omitempty"`
	MourningUntil  *time.Time `json:"mourning_until,omitempty"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// domainPattern is a DNS name of at least two labels.
var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Mourning reports whether the site is in mourning (greyscale) at t.
func (s *SiteSettings) Mourning(t time.Time) bool {
	return s.MourningFrom != nil && !t.Before(*s.MourningFrom) && (s.MourningUntil == nil || t.Before(*s.MourningUntil))
}

// Validate checks the settings.
func (s *SiteSettings) Validate() error {
	var p Problems
	checkName(&p, "site_name", s.SiteName, true)
	checkName(&p, "site_name_en", s.SiteNameEn, false)
	// Slices of pairs, not maps, so that problems are listed in form order.
	for _, f := range []struct{ field, v string }{
		{"description", s.Description}, {"supervisor", s.Supervisor}, {"guidance", s.Guidance}, {"copyright", s.Copyright},
		{"icp", s.ICP}, {"public_security_filing", s.PublicSecurityFiling}, {"news_licence", s.NewsLicence}, {"hotline", s.Hotline},
		{"submission_group", s.SubmissionGroup}, {"staff_inquiries", s.StaffInquiries}, {"legal_counsel", s.LegalCounsel},
		{"public_account_name", s.PublicAccountName},
	} {
		checkText(&p, f.field, f.v, 300, false)
	}
	checkText(&p, "disclaimer", s.Disclaimer, 2000, false)
	for _, f := range []struct{ field, v string }{{"about_html", s.AboutHTML}, {"contact_html", s.ContactHTML}} {
		if !utf8.ValidString(f.v) || len(f.v) > 200_000 {
			p.Add(f.field, "must be valid text of at most 200000 bytes")
		}
	}
	if s.Mailbox != "" {
		if a, err := mail.ParseAddress(s.Mailbox); err != nil || a.Address != s.Mailbox {
			p.Add("mailbox", "must be an e-mail address such as news@example.gov.cn")
		}
	}
	if u := s.PublicAccountURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") &&
		!(strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) {
		p.Add("public_account_url", "must be an http(s) URL or a path on this site")
	}
	if len(s.BlockedDomains) > 1000 {
		p.Add("blocked_domains", "must list at most 1000 domains")
	}
	for i, d := range s.BlockedDomains {
		d = strings.ToLower(strings.TrimSpace(d))
		s.BlockedDomains[i] = d
		if !domainPattern.MatchString(d) {
			p.Add("blocked_domains", "%q is not a domain name such as spam.example", d)
			break
		}
	}
	if s.MourningUntil != nil && s.MourningFrom == nil {
		p.Add("mourning_from", "is required when mourning_until is set")
	}
	if s.MourningFrom != nil && s.MourningUntil != nil && !s.MourningUntil.After(*s.MourningFrom) {
		p.Add("mourning_until", "must be after mourning_from")
	}
	return p.Err()
}

// SettingsStore keeps the site settings. FindSettings returns zero settings
// (with only a default site name) before any are saved.
type SettingsStore interface {
	FindSettings(ctx context.Context) (*SiteSettings, error)
	UpdateSettings(ctx context.Context, s *SiteSettings, ev Event) error
}
