package portal_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

// Uploaded images are served under unguessable addresses, kept by browsers for
// a year, and exported with the pages that show them.
func TestMediaServedAndExported(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	m := &herald.Media{SHA256: "0123456789abcdef0123456789abcdef", Format: "png", Width: 10, Height: 10, UploadedBy: chief[0].ID,
		Renditions: []herald.MediaRendition{{Name: "large", ContentType: "image/png", Width: 10, Height: 10, Data: png}}}
	if err := f.store.CreateMedia(ctx, m, herald.Event{At: now, ActorID: chief[0].ID}); err != nil {
		t.Fatal(err)
	}
	url := m.URL("large")
	if url != "/media/"+itoa(m.ID)+"-0123456789abcdef/large.png" {
		t.Fatalf("url %q", url)
	}
	rec := get(t, f.portal, url)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), png) || rec.Header().Get("Content-Type") != "image/png" ||
		rec.Header().Get("Cache-Control") != "public, max-age=31536000" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("media: %d %v", rec.Code, rec.Header())
	}
	for _, bad := range []string{"/media/" + itoa(m.ID) + "-0123456789abcdee/large.png", "/media/" + itoa(m.ID) + "-0123456789abcdef/large.jpg",
		"/media/" + itoa(m.ID) + "-0123456789abcdef/thumb.png", "/media/999-0123456789abcdef/large.png", "/media/x/large.png"} {
		if rec := get(t, f.portal, bad); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, rec.Code)
		}
	}

	// An approved article showing the image is published; the export carries the image.
	wf := workflow.NewService(f.store, func() time.Time { return *f.clock })
	approved, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}})
	a := approved[0]
	body := a.Body + `<figure><img src="` + url + `" alt="会场"></figure>`
	c := a.ArticleContent
	c.Body, c.CoverImage = body, url
	a, err := wf.Do(ctx, chief[0], a.ID, workflow.ActEdit, workflow.Request{Version: a.Version, Content: &c})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Do(ctx, chief[0], a.ID, workflow.ActPublish, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	f.portal.Invalidate()
	if page := get(t, f.portal, herald.ArticlePath(a.ID)).Body.String(); !strings.Contains(page, `<meta property="og:image" content="`+base+url+`">`) {
		t.Error("the article page does not offer its cover as og:image")
	}
	dir := t.TempDir()
	if _, err := f.portal.ExportArticles(ctx, dir, []int64{a.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(url)))
	if err != nil || !bytes.Equal(got, png) {
		t.Fatalf("exported image: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
