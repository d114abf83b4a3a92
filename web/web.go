// Package web embeds Herald's HTML templates and static assets, and serves the
// assets under content-hashed URLs so browsers may cache them for a year.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// Templates holds the html/template files.
//
//go:embed templates/*.html
var Templates embed.FS

//go:embed static
var static embed.FS

// Catalogs holds the message catalogs, one JSON file per language.
//
//go:embed i18n/*.json
var Catalogs embed.FS

// Asset is one static file and its hashed URL.
type Asset struct {
	Name        string // "portal.css"
	URL         string // "/static/portal.3f2a9c1b5e7d.css"
	ContentType string
	Body        []byte
}

// Assets are the static files, addressable by name and by hashed URL.
type Assets struct {
	byName, byURL map[string]*Asset
}

// LoadAssets returns the static files with their hashes, computed once per
// process: the portal and the newsroom share them, and they never change.
func LoadAssets() *Assets { return loadAssets() }

var loadAssets = sync.OnceValue(func() *Assets {
	a := &Assets{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		asset := &Asset{Name: name, Body: body, ContentType: mime.TypeByExtension(ext),
			URL: "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext}
		a.byName[name], a.byURL[asset.URL] = asset, asset
		return nil
	})
	return a
})

// URL returns the hashed URL of a static file ("" if there is none).
func (a *Assets) URL(name string) string {
	if x := a.byName[name]; x != nil {
		return x.URL
	}
	return ""
}

// All lists every asset.
func (a *Assets) All() []*Asset {
	out := make([]*Asset, 0, len(a.byName))
	for _, x := range a.byName {
		out = append(out, x)
	}
	return out
}

// ServeHTTP serves an asset by its hashed URL, cacheable for a year.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := a.byURL[r.URL.Path]
	if x == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", x.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+path.Base(x.URL)+`"`)
	http.ServeContent(w, r, x.Name, startTime, bytes.NewReader(x.Body))
}

// startTime stands for the assets' modification time: they change only with the binary.
var startTime = time.Now().UTC().Truncate(time.Second)
