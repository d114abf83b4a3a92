package search

import (
	"testing"
	"time"
)

// BenchmarkPut measures indexing (analysis and appending) per article.
func BenchmarkPut(b *testing.B) {
	docs := corpusDocs(b)
	ix := NewIndex()
	b.ResetTimer()
	for i := range b.N {
		d := *docs[i%len(docs)]
		d.ID = int64(i + 1)
		ix.Put(&d)
	}
}

// BenchmarkSearch measures queries over 20,000 articles made of the corpus
// repeated, so that common words match most of them.
func BenchmarkSearch(b *testing.B) {
	docs := corpusDocs(b)
	ix := NewIndex()
	for i := range 20000 {
		d := *docs[i%len(docs)]
		d.ID = int64(i + 1)
		ix.Put(&d)
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, q := range []string{"司法", "法", "公共法律服务", "司法 宣传", "法律援助 OR 公证", `"public legal services"`, "宇宙飞船 登月"} {
		b.Run(q, func(b *testing.B) {
			for range b.N {
				if _, err := ix.Search(Query{Text: q, Now: now}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
