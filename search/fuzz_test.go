package search

import (
	"strings"
	"sync"
	"testing"

	"github.com/heraldnews/herald"
)

// FuzzSearch holds the engine to its promise on any input: an answer or an
// EINVALID error naming a field, never a panic; marks that give back the text
// they cut.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"", "司法", `"公共法律服务"`, `"((* OR`, "OR OR", "-", "- -司法", "\x00\x1f\x7f", "\xff\xfe",
		strings.Repeat("法", 5000), "ＡＰＰ 5G网络", "“雄安新区”", "「司法」", "'s", "e-government's", "ﬁle", "a\u0301", "司法所 OR"} {
		f.Add(seed)
	}
	ix := NewIndex()
	ix.Put(doc(1, "全省公共法律服务工作会议召开", "会议部署公共法律服务体系建设。Public legal services, e-government's APP."))
	ix.Put(doc(2, "雄安新区司法所揭牌", "雄安新区设立司法所，ＡＰＰ上线。"))
	f.Fuzz(func(t *testing.T, q string) {
		res, err := ix.Search(Query{Text: q, Now: day})
		if err != nil {
			if herald.ErrorCode(err) != herald.EINVALID || len(herald.ErrorFields(err)) == 0 {
				t.Fatalf("%q: %v", q, err)
			}
			return
		}
		if res.Total < len(res.Hits) {
			t.Fatalf("%q: total %d below %d hits", q, res.Total, len(res.Hits))
		}
		for _, text := range []string{q, "全省公共法律服务工作会议召开"} {
			var b strings.Builder
			for _, s := range res.Marks.Highlight(text) {
				b.WriteString(s.Text)
			}
			if b.String() != text {
				t.Fatalf("%q: highlighting %q gave back %q", q, text, b.String())
			}
			res.Marks.Snippet(text, 20)
		}
		if _, err := ix.Suggest(q, "", 5); err != nil && herald.ErrorCode(err) != herald.EINVALID {
			t.Fatalf("suggest %q: %v", q, err)
		}
	})
}

// TestConcurrentWritesAndSearches runs writers and searchers together, for the
// race detector.
func TestConcurrentWritesAndSearches(t *testing.T) {
	ix := NewIndex()
	var wg sync.WaitGroup
	for w := range int64(2) {
		wg.Go(func() {
			for i := range int64(3000) {
				id := i%500 + w*1000
				if i%7 == 0 {
					ix.Delete(id)
				} else {
					ix.Put(doc(id, "司法宣传", "普法宣传进社区"))
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 300 {
				if _, err := ix.Search(Query{Text: "宣传", Now: day}); err != nil {
					t.Error(err)
				}
				ix.Suggest("司法", "", 5)
			}
		})
	}
	wg.Wait()
	res, _ := ix.Search(Query{Text: "普法宣传", Now: day, Limit: 50})
	if res.Total != ix.Len() {
		t.Fatalf("found %d of %d documents", res.Total, ix.Len())
	}
}
