package search

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// TestRelevance runs the queries of testdata/relevance over its fixed corpus and
// reports precision@5 and recall@10 against the articles each query must find
// in its top 5. It fails below 0.9 recall@10.
func TestRelevance(t *testing.T) {
	ix := NewIndex()
	for _, d := range corpusDocs(t) {
		ix.Put(d)
	}
	var queries []struct {
		Query    string
		Relevant []int64
	}
	b, err := os.ReadFile("testdata/relevance/queries.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &queries); err != nil {
		t.Fatal(err)
	}
	if len(queries) < 40 {
		t.Fatalf("only %d queries; the set needs at least 40", len(queries))
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var precision, recall float64
	for _, q := range queries {
		res, err := ix.Search(Query{Text: q.Query, Now: now, Limit: 10})
		if err != nil {
			t.Fatalf("%q: %v", q.Query, err)
		}
		var got []int64
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		inTop := func(k int) int {
			n := 0
			for _, id := range got[:min(k, len(got))] {
				if slices.Contains(q.Relevant, id) {
					n++
				}
			}
			return n
		}
		p5 := float64(inTop(5)) / float64(min(5, len(q.Relevant)))
		r10 := float64(inTop(10)) / float64(len(q.Relevant))
		precision += p5
		recall += r10
		if p5 < 1 {
			t.Logf("%-24s precision@5 %.2f recall@10 %.2f: want %v in the top 5, got %v", q.Query, p5, r10, q.Relevant, got)
		}
	}
	n := float64(len(queries))
	t.Logf("%d queries: mean precision@5 %.3f, mean recall@10 %.3f", len(queries), precision/n, recall/n)
	if recall/n < 0.9 {
		t.Errorf("recall@10 is %.3f, below 0.9", recall/n)
	}
}

// corpusDocs reads the relevance corpus as published documents.
func corpusDocs(tb testing.TB) []*Document {
	f, err := os.Open("testdata/relevance/corpus.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []*Document
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a struct {
			ID                                     int64
			Title, Subtitle, Summary, Body, Source string
			Authors, Tags                          []string
			Language, Published                    string
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatal(err)
		}
		date, err := time.Parse(time.DateOnly, a.Published)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, &Document{ID: a.ID, Title: a.Title, Subtitle: a.Subtitle, Summary: a.Summary, Body: a.Body, Source: a.Source,
			Authors: a.Authors, Tags: a.Tags, Language: a.Language, Date: date, Status: herald.StatusPublished, UnitID: a.ID % 7, ColumnID: a.ID % 5})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
