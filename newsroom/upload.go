package newsroom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/media"
)

// uploadLimits bound image uploads; the request may be this large plus the
// form around the file.
var uploadLimits = media.DefaultLimits()

// uploadSlots bounds how many images are decoded at once: a 40-megapixel photo
// takes some 300 MB while it is decoded and resized.
var uploadSlots = make(chan struct{}, 2)

// uploadReply tells the editor where the new image is.
type uploadReply struct {
	ID     int64  `json:"id"`
	URL    string `json:"url"`
	Thumb  string `json:"thumb"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// upload takes an image from the editor: its type is read from its content,
// metadata is stripped and sizes are made for pages, phones and lists. The
// same bytes uploaded again by the same person give the same image.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, req *request) {
	if !req.staff.HasRole(herald.RoleCorrespondent, herald.RoleEditor, herald.RoleEditorInChief, herald.RoleTranslator, herald.RoleAdmin) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "Your roles do not include writing."))
		return
	}
	m, err := s.acceptImage(r, req, "file")
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	reply := uploadReply{ID: m.ID, URL: m.PageURL(), Thumb: m.URL("thumb"), Width: m.Width, Height: m.Height}
	for _, rd := range m.Renditions {
		if rd.Name == "large" {
			reply.Width, reply.Height = rd.Width, rd.Height
		}
	}
	httpx.WriteJSON(w, http.StatusCreated, reply)
}

// acceptImage takes the image posted in the form's field: the editor's
// uploads and the evidence of a placement (placements.go) go through it.
// Errors about the file name field.
func (s *Server) acceptImage(r *http.Request, req *request, field string) (*herald.Media, error) {
	file, header, err := r.FormFile(field)
	if err != nil {
		return nil, herald.Invalid(field, "choose an image to upload")
	}
	defer file.Close()
	return s.acceptImageFrom(r, req, file, header.Filename, header.Header.Get("Content-Type"), field)
}

// acceptImageFrom takes an image read from file, with the name and type the
// browser sent: acceptImage's, or a part of a streamed form (videos.go).
// Errors about the file name field.
func (s *Server) acceptImageFrom(r *http.Request, req *request, file io.Reader, filename, contentType, field string) (*herald.Media, error) {
	// One byte over the limit is enough for Process to refuse the file.
	data, err := io.ReadAll(io.LimitReader(file, uploadLimits.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if _, err := media.Check(data, contentType, field, uploadLimits); err != nil {
		return nil, err
	}
	// A repeated upload is found by its hash before any pixel is decoded.
	sum := sha256.Sum256(data)
	m, err := s.Store.FindMediaBySHA256(r.Context(), hex.EncodeToString(sum[:]), req.staff.ID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		m, err = s.storeImage(r, req, data, filename, contentType, field)
	}
	return m, err
}

// storeImage processes a new upload, at most two at a time, and stores it.
func (s *Server) storeImage(r *http.Request, req *request, data []byte, filename, contentType, field string) (*herald.Media, error) {
	select {
	case uploadSlots <- struct{}{}:
		defer func() { <-uploadSlots }()
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	img, err := media.Process(bytes.NewReader(data), contentType, field, uploadLimits)
	if err != nil {
		return nil, err
	}
	m := &herald.Media{SHA256: img.SHA256, Format: img.Format, Width: img.Width, Height: img.Height,
		Filename: filepath.Base(filename), UploadedBy: req.staff.ID, Renditions: img.Renditions}
	return m, s.Store.CreateMedia(r.Context(), m, herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID})
}
