package newsroom

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
)

// TestAdminProblemsAreTranslated checks that the field messages the domain's
// validators give have their translation, so that the administration pages
// show none in English to a Chinese reader.
func TestAdminProblemsAreTranslated(t *testing.T) {
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	for msg, p := range problemKeys {
		for _, lang := range Languages {
			if _, ok := c[lang][p.key]; !ok {
				t.Errorf("%q maps to %s, which catalog %s lacks", msg, p.key, lang)
			}
		}
	}
	long := strings.Repeat("长", 2001)
	now := time.Now()
	earlier := now.Add(-time.Hour)
	skills := make([]string, 21)
	for i := range skills {
		skills[i] = "采写"
	}
	for _, err := range []error{
		(&herald.Unit{Name: "a\nb", NameEn: long, Type: "x"}).Validate(),
		(&herald.Unit{}).Validate(),
		(&herald.Staff{Username: "X", Name: "", StaffCode: "a b", Roles: nil, Skills: []string{" "}}).Validate(),
		(&herald.Staff{Name: long, Skills: skills}).Validate(),
		(&herald.Column{Slug: "Bad Slug", Name: long, ReviewLevels: 4}).Validate(),
		(&herald.Theme{Slug: "", Description: long}).Validate(),
		(&herald.SiteSettings{SiteName: "", Supervisor: long, Disclaimer: long, AboutHTML: strings.Repeat("x", 200_001),
			Mailbox: "nobody", PublicAccountURL: "ftp://x", MourningUntil: &now}).Validate(),
		(&herald.SiteSettings{SiteName: "站", Description: "\x00", MourningFrom: &now, MourningUntil: &earlier}).Validate(),
		auth.ValidatePassword("short"),
		auth.ValidatePassword(strings.Repeat("x", auth.MaxPasswordRunes+1)),
	} {
		if err == nil {
			t.Fatal("a case meant to be invalid passed validation")
		}
		for _, fe := range herald.ErrorFields(err) {
			if _, ok := problemKeys[fe.Message]; !ok {
				t.Errorf("%s: %q has no translation in problemKeys", fe.Field, fe.Message)
			}
		}
	}
}
