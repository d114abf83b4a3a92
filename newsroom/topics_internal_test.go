package newsroom

import (
	"strings"
	"testing"
	"unicode"

	"github.com/heraldnews/herald"
)

// TestTopicProblemsAreTranslated checks that the field messages a topic's
// form is refused with read in Chinese next to their fields.
func TestTopicProblemsAreTranslated(t *testing.T) {
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{msgs: c}
	bad := &herald.SpecialTopic{Slug: "Bad Slug", Title: "", Intro: strings.Repeat("字", herald.MaxTopicIntroRunes+1), CoverImage: "javascript:x",
		Status: herald.TopicDraft}
	for _, err := range []error{
		bad.Validate(),
		&herald.Error{Code: herald.ECONFLICT, Message: "taken", Fields: []herald.FieldError{{Field: "slug", Message: "is taken by another topic"}}},
		herald.Invalid("slug", "cannot change once the topic has been published: its address is in readers' hands"),
	} {
		var f topicForm
		s.topicRefused(&f, "zh-CN", err)
		if len(f.Fields) == 0 || len(f.Problems) != 0 {
			t.Errorf("%v: fields %v, problems %v", err, f.Fields, f.Problems)
		}
		for field, msg := range f.Fields {
			if !strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) }) || strings.Contains(msg, "%!") {
				t.Errorf("%s reads %q in Chinese", field, msg)
			}
		}
	}
}
