package newsroom

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// TestPrintProblemsAreTranslated checks that the field messages periodicals
// and issues are refused with read in Chinese on the print pages.
func TestPrintProblemsAreTranslated(t *testing.T) {
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{msgs: c}
	many := make([]int64, herald.MaxIssueArticles+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	errs := []error{
		(&herald.Periodical{Slug: "Bad Slug", Name: "", NameEn: "a\nb"}).Validate(),
		(&herald.Periodical{Slug: "x", Name: strings.Repeat("刊", 201)}).Validate(),
		(&herald.Issue{Volume: 0, Number: 1000, EditorNote: strings.Repeat("按", herald.MaxEditorNoteRunes+1), ArticleIDs: many}).Validate(),
		(&herald.Issue{PeriodicalID: 1, Volume: 2026, Number: 1, Date: time.Now(), ArticleIDs: []int64{3, 3}}).Validate(),
		herald.Invalid("number", "issue %d of volume %d exists already", 12, 2026), // the store's
		herald.Invalid("article_ids", "the issue has no articles yet"),             // the service's
		herald.Invalid("unit_id", "no unit has ID %d", 9),
	}
	if _, err := issueDate("2026-13-01"); err != nil {
		errs = append(errs, err)
	} else {
		t.Error("a date of month 13 was read")
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("a case meant to be invalid passed validation")
		}
		for _, fe := range herald.ErrorFields(err) {
			msg := s.printProblemText("zh-CN", fe)
			if msg == fe.Message || strings.ContainsAny(msg, "abcdefghijklmnopqrstuvwxyz") {
				t.Errorf("%s: %q reads %q in Chinese", fe.Field, fe.Message, msg)
			}
		}
	}
	if got := s.printProblemText("zh-CN", herald.FieldError{Field: "number", Message: "issue 12 of volume 2026 exists already"}); got != "第 2026 卷已有第 12 期。" {
		t.Errorf("a taken number reads %q", got)
	}
}
