package periodicals_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/testenv"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/print"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/workflow"
)

func TestAnIssueOfTheBulletinGoesToPrint(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	seeded, err := demo.Seed(ctx, s, now, demo.WithoutHistory())
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	svc := periodicals.New(s, clock)
	chief, writer := seeded.Staff["wangyalan"], seeded.Staff["baiyonggang"]

	bulletin := &herald.Periodical{Slug: "rule-of-law", Name: "法治河北"}
	if err := svc.CreatePeriodical(ctx, writer, bulletin); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a correspondent made a periodical: %v", err)
	}
	if err := svc.CreatePeriodical(ctx, chief, bulletin); err != nil {
		t.Fatal(err)
	}
	published, _, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN", Order: herald.ByPublished, Limit: 3})
	if err != nil || len(published) != 3 {
		t.Fatalf("published articles: %d %v", len(published), err)
	}
	is := &herald.Issue{PeriodicalID: bulletin.ID, Volume: 2026, Number: 11, Date: herald.CSTDay(now)}
	if err := svc.CreateIssue(ctx, chief, is); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PDF(ctx, chief, is.ID, print.Options{}); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("an empty issue went to print: %v", err)
	}
	note := "本期聚焦公共法律服务。"
	ids := []int64{published[2].ID, published[0].ID, published[1].ID}
	if _, err := svc.UpdateIssue(ctx, chief, is.ID, periodicals.IssueChange{Version: 1, ArticleIDs: ids, EditorNote: &note}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateIssue(ctx, chief, is.ID, periodicals.IssueChange{Version: 1, EditorNote: &note}); herald.ErrorCode(err) != herald.ECONFLICT {
		t.Fatalf("a change based on an old version: %v", err)
	}
	res, err := svc.PDF(ctx, chief, is.ID, print.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(res.PDF, []byte("%PDF-")) || len(res.ArticlePages) != 3 {
		t.Fatalf("PDF of %d bytes, %d article pages", len(res.PDF), len(res.ArticlePages))
	}
	text := pdfText(t, res.PDF)
	for _, id := range ids {
		a, _ := s.FindArticleByID(ctx, id)
		if !strings.Contains(text, strings.Join(strings.Fields(a.Title), "")) {
			t.Errorf("the PDF lacks the title %q", a.Title)
		}
	}
	if !strings.Contains(text, "本期聚焦公共法律服务") || !strings.Contains(text, "法治河北") {
		t.Error("the PDF lacks the editor's note or the periodical's title")
	}
	// an article retracted after it was picked keeps the issue from print
	wf := workflow.NewService(s, clock)
	if _, err := wf.Do(ctx, chief, ids[1], workflow.ActRetract, workflow.Request{Comment: "撤稿"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PDF(ctx, chief, is.ID, print.Options{}); herald.ErrorCode(err) != herald.EINVALID || !strings.Contains(err.Error(), "retracted") {
		t.Fatalf("an issue with a retracted article went to print: %v", err)
	}
}

// pdfText is the PDF's text as pdftotext reads it, without white space.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	testenv.Tool(t, "pdftotext", "apt-get install poppler-utils")
	path := filepath.Join(t.TempDir(), "issue.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}
