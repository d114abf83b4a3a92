package portal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

func TestPortalShowsTheSeedArticle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.store
	get := func(path string) (int, string) {
		rec := get(t, f.portal, path)
		return rec.Code, rec.Body.String()
	}
	seed := f.seedArticle(t)
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
