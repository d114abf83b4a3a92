package newsroom_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/testenv"
	"github.com/heraldnews/herald/media"
)

// TestDrillFullVideoStorage keeps the films on a real file system that is
// full (a 8 KiB tmpfs): an upload fails with 503 and a message that says the
// storage is full, the piece is unchanged and nothing was recorded, and the
// rest of the newsroom goes on working — the piece can still be edited.
func TestDrillFullVideoStorage(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Missing(t, "the full-storage drill mounts a small tmpfs, which needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Missing(t, "mount a tmpfs for the full-storage drill: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })

	f := newFixture(t)
	ctx := context.Background()
	f.srv.VideoFiles = media.Dir(dir)
	ed := f.browser(t)
	ed.login("liuxiaomin")
	videos, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Kind: herald.KindVideo, Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1})
	v := videos[0]
	edit := "/newsroom/articles/" + itoa(v.ID) + "/edit"
	_, page := ed.get(edit)
	csrf := ed.csrf(page)
	webm, err := os.ReadFile(filepath.Join("..", "media", "testdata", "clip.webm")) // 17 KB: more than the storage holds
	if err != nil {
		t.Fatal(err)
	}
	code, _, page := ed.postVideo("/newsroom/articles/"+itoa(v.ID)+"/video",
		[][2]string{{"csrf", csrf}, {"version", itoa(int64(v.Version))}, {"note", "更换为高清版本"}}, "clip.webm", "video/webm", webm)
	if code != http.StatusServiceUnavailable || !strings.Contains(html.UnescapeString(page), "the video storage is full, so nothing was saved") {
		t.Fatalf("upload to a full storage: %d\n%.3000s", code, page)
	}
	if cur, _ := f.store.FindArticleByID(ctx, v.ID); cur.Version != v.Version || cur.Video.FileID != v.Video.FileID {
		t.Fatal("a refused upload changed the piece")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "videos"))
	for _, e := range entries {
		t.Errorf("the refused upload left %s behind", e.Name())
	}

	// Everything else works: a new piece is written and saved.
	cols, _ := f.store.FindColumns(ctx)
	form := url.Values{"csrf": {csrf}, "title": {"存储已满时写的稿件"}, "body": {"<p>正文照常保存。</p>"}, "column_id": {itoa(cols[0].ID)}}
	if code, loc, page := ed.post("/newsroom/articles", form); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/articles/") {
		t.Fatalf("a new piece while the storage is full: %d %s\n%.3000s", code, loc, page)
	}
}
