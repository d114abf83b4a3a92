package newsroom

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/heraldnews/herald"
)

// TestPartnerProblemsAreTranslated checks that every field message a
// partner is refused with reads in Chinese on the partner pages, and that
// the languages field reads tags however they are separated.
func TestPartnerProblemsAreTranslated(t *testing.T) {
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{msgs: c}
	errs := []error{
		(&herald.Partner{Slug: "Bad Slug", Name: "", Kind: "radio", Level: "village", Languages: []string{"ZH_cn"}, Format: "rss",
			PushURL: "ftp://user:pw@example.cn/"}).Validate(),
		(&herald.Partner{Slug: "x", Name: "a\nb", Kind: herald.KindOnline, Level: herald.LevelCity, Format: herald.FormatNINJS}).Validate(),
		(&herald.Partner{Slug: "x", Name: strings.Repeat("报", 201), Kind: herald.KindOnline, Level: herald.LevelCity, Format: herald.FormatNINJS}).Validate(),
	}
	for _, err := range errs {
		fes := herald.ErrorFields(err)
		if len(fes) == 0 {
			t.Fatal("a case meant to be invalid passed validation")
		}
		for _, fe := range fes {
			if fe.Field == "token_hash" {
				continue // set by the service, never by the form
			}
			// the Chinese texts name tags and schemes (zh-CN, https) in Latin letters
			msg := s.partnerProblemText("zh-CN", fe)
			if msg == fe.Message || !strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: %q reads %q in Chinese", fe.Field, fe.Message, msg)
			}
		}
	}
	for in, want := range map[string][]string{
		"":                     {},
		"zh-CN, en":            {"zh-CN", "en"},
		"zh-CN，en、fr；en ja;ko": {"zh-CN", "en", "fr", "ja", "ko"},
	} {
		if got := splitLanguages(in); !slices.Equal(got, want) {
			t.Errorf("splitLanguages(%q) = %q, want %q", in, got, want)
		}
	}
}
