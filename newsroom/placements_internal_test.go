package newsroom

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/media"
)

// TestPlacementProblemsAreTranslated checks that the field messages a
// placement, a review, a recognition or an evidence image is refused with
// read in Chinese on the pages.
func TestPlacementProblemsAreTranslated(t *testing.T) {
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{msgs: c}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	han := func(msg string) bool {
		return strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	}
	var fes []herald.FieldError
	for _, err := range []error{
		(&herald.Placement{Level: "village", Page: "a\nb", URL: "ftp://x", Status: herald.PlacementPending}).Validate(now),
		(&herald.Placement{ArticleID: 1, Outlet: "报\n社", Level: herald.LevelCity, Date: now.AddDate(0, 0, 2), Status: herald.PlacementPending,
			Evidence: strings.Repeat("x", 501)}).Validate(now),
		(&herald.Placement{ArticleID: 1, Outlet: strings.Repeat("报", 201), Level: herald.LevelCity, Date: now, Page: "1", Status: herald.PlacementPending}).Validate(now),
		herald.Invalid("article_id", "no published article has ID %d", 7),
		herald.Invalid("article_id", "no article has ID %d", 7),
		herald.Invalid("url", "is recorded already as another placement"),
		herald.Invalid("evidence", "must be an image uploaded to Herald"),
		herald.Invalid("reason", "is required: say why the placement is rejected"),
		herald.Invalid("reason", "must be at most 500 characters"),
		herald.Invalid("kind", "must be one of endorsement, first_report"),
		herald.Invalid("day", "may not be in the future"),
		herald.Invalid("note", "must be at most 500 characters"),
	} {
		fes = append(fes, herald.ErrorFields(err)...)
	}
	for _, fe := range fes {
		if msg := s.placementProblemText("zh-CN", fe); msg == fe.Message || !han(msg) {
			t.Errorf("%s: %q reads %q in Chinese", fe.Field, fe.Message, msg)
		}
	}
	for _, data := range [][]byte{nil, []byte("%PDF-1.7"), claimedPNG(20000, 20000)} {
		_, err := media.Check(data, "image/png", "file", media.DefaultLimits())
		if err == nil {
			t.Fatal("a bad image passed the check")
		}
		if msg := s.uploadProblemText("zh-CN", err); !han(msg) {
			t.Errorf("%v reads %q in Chinese", err, msg)
		}
	}
	if msg := s.uploadProblemText("zh-CN", herald.Errorf(herald.ETOOLARGE, "The file is larger than the 20 MiB limit.")); msg != "图片超过了 20 MiB 的上限，请压缩后再上传。" {
		t.Errorf("a file too large reads %q", msg)
	}
}

// claimedPNG is the start of a PNG that claims to be w×h pixels.
func claimedPNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
	b = append(b, byte(w>>24), byte(w>>16), byte(w>>8), byte(w), byte(h>>24), byte(h>>16), byte(h>>8), byte(h), 8, 6, 0, 0, 0, 0, 0, 0, 0)
	return b
}
