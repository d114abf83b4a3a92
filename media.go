package herald

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Media is an uploaded image, kept as re-encoded renditions of several sizes
// with its metadata stripped.
type Media struct {
	ID         int64            `json:"id"`
	SHA256     string           `json:"sha256"` // of the uploaded bytes, to find repeated uploads
	Format     string           `json:"format"` // of the upload: "jpeg", "png", "webp" or "gif"
	Width      int              `json:"width"`
	Height     int              `json:"height"`
	Filename   string           `json:"filename"`
	UploadedBy int64            `json:"uploaded_by"`
	CreatedAt  time.Time        `json:"created_at"`
	Renditions []MediaRendition `json:"renditions"`
}

// MediaRendition is one size of an image. Data is loaded only by FindRendition.
type MediaRendition struct {
	Name        string `json:"name"` // "original", "large", "medium", "thumb"
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Data        []byte `json:"-"`
}

// MediaStore keeps uploaded images.
type MediaStore interface {
	// CreateMedia stores the image and its renditions with their data.
	CreateMedia(ctx context.Context, m *Media, ev Event) error
	// FindMedia returns an image with its renditions' sizes (not their data);
	// ENOTFOUND when there is none.
	FindMediaByID(ctx context.Context, id int64) (*Media, error)
	// FindMediaBySHA256 returns the image uploaded earlier with the same bytes by
	// the staff member, or ENOTFOUND.
	FindMediaBySHA256(ctx context.Context, sha256 string, uploadedBy int64) (*Media, error)
	// FindRendition returns one rendition with its data, or ENOTFOUND.
	FindRendition(ctx context.Context, mediaID int64, name string) (*MediaRendition, error)
}

// URL is where a rendition is served. The path carries part of the image's
// hash, so that the images of unpublished drafts cannot be found by counting.
func (m *Media) URL(rendition string) string {
	for _, r := range m.Renditions {
		if r.Name == rendition {
			return "/media/" + strconv.FormatInt(m.ID, 10) + "-" + m.Key() + "/" + r.Name + mediaExt(r.ContentType)
		}
	}
	return ""
}

// PageURL is where pages show the image: its large rendition, or the
// original when the image is smaller than that size.
func (m *Media) PageURL() string {
	if u := m.URL("large"); u != "" {
		return u
	}
	return m.URL("original")
}

// Key is the part of the hash that media URLs carry.
func (m *Media) Key() string { return shortHash(m.SHA256) }

func mediaExt(contentType string) string {
	switch contentType {
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	}
	return ".jpg"
}

// ParseMediaURL reads a media path back: "/media/12-0123456789abcdef/large.jpg"
// gives 12, "0123456789abcdef", "large". ok is false for anything else.
func ParseMediaURL(path string) (id int64, key, rendition string, ok bool) {
	rest, found := strings.CutPrefix(path, "/media/")
	if !found {
		return 0, "", "", false
	}
	dir, file, found := strings.Cut(rest, "/")
	idText, key, found2 := strings.Cut(dir, "-")
	if !found || !found2 || strings.Contains(file, "/") {
		return 0, "", "", false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	rendition, ext, _ := strings.Cut(file, ".")
	if err != nil || id <= 0 || key == "" || rendition == "" || (ext != "jpg" && ext != "png" && ext != "gif") {
		return 0, "", "", false
	}
	return id, key, rendition, true
}
