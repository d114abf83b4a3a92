package newsroom

import (
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
	file, header, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, req, herald.Invalid("file", "choose an image to upload"))
		return
	}
	defer file.Close()
	select {
	case uploadSlots <- struct{}{}:
		defer func() { <-uploadSlots }()
	case <-r.Context().Done():
		return
	}
	img, err := media.Process(file, header.Header.Get("Content-Type"), uploadLimits)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	m, err := s.Store.FindMediaBySHA256(r.Context(), img.SHA256, req.staff.ID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		m = &herald.Media{SHA256: img.SHA256, Format: img.Format, Width: img.Width, Height: img.Height,
			Filename: filepath.Base(header.Filename), UploadedBy: req.staff.ID}
		for _, rd := range img.Renditions {
			m.Renditions = append(m.Renditions, herald.MediaRendition{Name: rd.Name, ContentType: rd.ContentType, Width: rd.Width, Height: rd.Height, Data: rd.Data})
		}
		err = s.Store.CreateMedia(r.Context(), m, herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID})
	}
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	reply := uploadReply{ID: m.ID, URL: m.URL("large"), Thumb: m.URL("thumb"), Width: m.Width, Height: m.Height}
	for _, rd := range m.Renditions {
		if rd.Name == "large" {
			reply.Width, reply.Height = rd.Width, rd.Height
		}
	}
	if reply.URL == "" { // smaller than the large size: the original is the page's image
		reply.URL = m.URL("original")
	}
	httpx.WriteJSON(w, http.StatusCreated, reply)
}
