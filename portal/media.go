package portal

import (
	"context"
	"crypto/subtle"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// mediaPage is an uploaded image's rendition. Renditions never change (a new
// upload gets a new address), so readers may keep them for a year.
func (p *Portal) mediaPage(ctx context.Context, path string) (*Page, error) {
	id, key, name, ok := herald.ParseMediaURL(path)
	if !ok {
		return nil, errNotFound
	}
	m, err := p.Store.FindMediaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(m.Key()), []byte(key)) != 1 || m.URL(name) != path {
		return nil, errNotFound
	}
	r, err := p.Store.FindRendition(ctx, id, name)
	if err != nil {
		return nil, err
	}
	return &Page{Path: path, Status: http.StatusOK, ContentType: r.ContentType, Body: r.Data, ETag: `"` + m.Key() + "-" + name + `"`,
		Modified: m.CreatedAt, MaxAge: 365 * 24 * time.Hour}, nil
}

// mediaURLs finds the uploaded images an article shows, which a static export
// must carry along with the page.
var mediaURLs = regexp.MustCompile(`/media/[0-9]+-[0-9a-f]+/[a-z]+\.(?:jpg|png|gif)`)

func articleMedia(a *herald.Article) []string {
	return mediaURLs.FindAllString(a.CoverImage+" "+a.Body, -1)
}

// serveMedia answers image requests straight from the store: they bypass the
// page cache, which is for pages, and are cached by browsers instead.
func (p *Portal) serveMedia(w http.ResponseWriter, r *http.Request) {
	page, err := p.Render(r.Context(), r.URL.Path, false)
	if err != nil {
		if r.Context().Err() == nil {
			p.Log.Error("portal media", "path", r.URL.Path, "error", err)
			http.Error(w, "服务暂时不可用，请稍后再试。", http.StatusInternalServerError)
		}
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	p.write(w, r, page)
}

// exportMedia writes the images a page shows, unless an earlier export did:
// an image's address names its content, so an existing file is current.
func (p *Portal) exportMedia(ctx context.Context, dir string, paths []string) error {
	for _, path := range paths {
		if strings.HasPrefix(path, herald.VideoFilePrefix) {
			if err := p.exportVideo(ctx, dir, path); err != nil { // topics.go
				return err
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, filePath(path))); err == nil {
			continue
		}
		page, err := p.mediaPage(ctx, path)
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			continue // the body names an image that is gone; the page still works
		} else if err != nil {
			return err
		}
		if err := writeAtomic(dir, path, page.Body); err != nil {
			return err
		}
	}
	return nil
}
