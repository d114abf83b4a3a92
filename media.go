package herald

import (
	"context"
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
