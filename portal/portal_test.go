package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/sqlite"
)

func TestPortalShowsTheSeedArticle(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := demo.Seed(ctx, s, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	p, err := portal.New(s, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "https://news.example.gov.cn")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	en, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Language: "en", Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished})
	var seed *herald.Article
	for _, a := range en {
		if strings.HasPrefix(a.Title, "Provincial Judicial Administration System Publicity Training Course") {
			seed = a
		}
	}
	if seed == nil {
		t.Fatal("no seed article")
	}
	status, body := get(fmt.Sprintf("/articles/%d.html", seed.ID))
	for _, want := range []string{
		"Release time: <time", ">2019-12-19 16:14:04</time>", "Source: Hebei Legal Network Hebei Party Network",
		"Editor-in-chief: Wang Yalan_DW110", "Luo Qiang, deputy director", `<html lang="en">`,
	} {
		if status != 200 || !strings.Contains(body, want) {
			t.Errorf("seed article page (status %d) lacks %q", status, want)
		}
	}

	status, home := get("/")
	newest, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1})
	if status != 200 || !strings.Contains(home, newest[0].Title) {
		t.Errorf("home (status %d) does not list the newest article %q", status, newest[0].Title)
	}
	drafts, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusDraft}})
	if strings.Contains(home, drafts[0].Title) {
		t.Errorf("home lists draft %q", drafts[0].Title)
	}
	if status, body := get(fmt.Sprintf("/articles/%d.html", drafts[0].ID)); status != 404 || strings.Contains(body, drafts[0].Title) {
		t.Errorf("draft page: status %d", status)
	}
	zh, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Language: "zh-CN", Statuses: []herald.Status{herald.StatusPublished}, Limit: 1})
	if _, body := get(fmt.Sprintf("/articles/%d.html", zh[0].ID)); !strings.Contains(body, "发布时间：") || !strings.Contains(body, "责任编辑：") {
		t.Errorf("Chinese article page lacks its labels")
	}
	for _, path := range []string{"/articles/abc.html", "/articles/999999.html", "/articles/1", "/nowhere"} {
		if status, body := get(path); status != 404 || !strings.Contains(body, "返回首页") {
			t.Errorf("%s: status %d, want a helpful 404", path, status)
		}
	}
}
