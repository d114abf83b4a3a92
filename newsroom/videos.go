package newsroom

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/workflow"
)

// The editor's part in figure profiles and video pieces: the kind of piece,
// the figure's fields, the video's series and poster, and the upload of the
// film itself. A film may be hundreds of megabytes, so its form is streamed:
// the handler reads the parts in order — the CSRF token first, the film last —
// and the film goes to a temporary file as it arrives, never into memory.

// streamedUpload, as signedInLimit's limit, hands the handler the request
// body unread (see newsroom.go); the handler checks the CSRF token itself.
const streamedUpload int64 = -1

// worksEdit is the editor's kind selector and the fields of profiles and
// videos.
type worksEdit struct {
	Kinds      []option
	Figure     herald.Figure
	Video      herald.ArticleVideo
	ShowFigure bool // the piece is a profile, or describes a figure
	ShowVideo  bool // the piece is a video
	File       *herald.VideoFile
	FileSize   string // in MiB, one decimal
	CanUpload  bool   // the film upload form is offered
	MaxMiB     int64
}

func (s *Server) videoMaxBytes() int64 {
	if s.VideoMaxBytes > 0 {
		return s.VideoMaxBytes
	}
	return media.DefaultVideoMaxBytes
}

// worksEditFor fills the editor's works fields for content c of article a
// (nil while the article is new).
func (s *Server) worksEditFor(r *http.Request, req *request, a *herald.Article, c herald.ArticleContent) *worksEdit {
	kind := c.Kind
	if kind == "" {
		kind = herald.KindNews
	}
	w := &worksEdit{ShowFigure: kind == herald.KindProfile || c.Figure != nil, ShowVideo: kind == herald.KindVideo, MaxMiB: s.videoMaxBytes() >> 20}
	for _, k := range herald.ArticleKinds {
		w.Kinds = append(w.Kinds, option{Value: string(k), Label: s.msgs.T(req.lang, "kind."+string(k)), Selected: k == kind})
	}
	if c.Figure != nil {
		w.Figure = *c.Figure
	}
	if c.Video != nil {
		w.Video = *c.Video
		if f, err := s.Store.FindVideoFileByID(r.Context(), c.Video.FileID); err == nil {
			w.File, w.FileSize = f, strconv.FormatFloat(float64(f.Size)/(1<<20), 'f', 1, 64)
		}
	}
	w.CanUpload = a != nil && s.VideoFiles != nil && w.ShowVideo
	return w
}

// worksFromForm reads the kind and the figure's and video's fields of the
// editor's form into c. Empty figure fields mean no figure; the video's
// fields change the film's series and poster, its file comes by upload.
func worksFromForm(r *http.Request, c *herald.ArticleContent) {
	if k := r.PostFormValue("kind"); k != "" {
		c.Kind = herald.ArticleKind(k)
	}
	if _, ok := r.PostForm["figure_name"]; ok {
		f := herald.Figure{Name: r.PostFormValue("figure_name"), Position: r.PostFormValue("figure_position"),
			Unit: r.PostFormValue("figure_unit"), Portrait: r.PostFormValue("figure_portrait")}
		c.Figure = nil
		if strings.TrimSpace(f.Name+f.Position+f.Unit+f.Portrait) != "" {
			c.Figure = &f
		}
	}
	if _, ok := r.PostForm["video_series"]; ok {
		series, poster := r.PostFormValue("video_series"), r.PostFormValue("video_poster")
		switch {
		case c.Video != nil:
			v := *c.Video
			v.Series, v.Poster = series, poster
			c.Video = &v
		case strings.TrimSpace(series+poster) != "":
			c.Video = &herald.ArticleVideo{Series: series, Poster: poster}
		}
	}
}

// uploadVideo takes a film and optionally its poster for a video piece, and
// saves the piece with them: an edit, or a correction (with its note) once
// published, through the workflow like any other change.
func (s *Server) uploadVideo(w http.ResponseWriter, r *http.Request, req *request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.videoMaxBytes()+4<<20)
	parts, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, req, herald.Errorf(herald.EINVALID, "The form could not be read."))
		return
	}
	// The token comes first: nothing is stored for a forged form.
	if name, value, err := smallPart(parts); err != nil || name != "csrf" || !auth.CheckCSRF(req.session, value) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "error.csrf")))
		return
	}
	a, act, err := s.editable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if s.VideoFiles == nil {
		s.fail(w, r, req, herald.Errorf(herald.EINVALID, "%s", s.msgs.T(req.lang, "video.no_store")))
		return
	}
	if a.Kind != herald.KindVideo {
		s.fail(w, r, req, herald.Invalid("video", "only a video piece (kind video) carries a film; choose that kind and save first"))
		return
	}
	c := a.ArticleContent.Clone()
	v := herald.ArticleVideo{}
	if c.Video != nil {
		v = *c.Video
	}
	form := map[string]string{}
	ev := herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID}
	for {
		p, err := parts.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			s.fail(w, r, req, uploadError(err))
			return
		}
		switch p.FormName() {
		case "poster":
			if p.FileName() == "" {
				continue // no poster chosen
			}
			m, err := s.acceptImageFrom(r, req, p, p.FileName(), p.Header.Get("Content-Type"), "poster")
			if err != nil {
				s.fail(w, r, req, err)
				return
			}
			v.Poster = m.PageURL()
		case "video":
			if p.FileName() == "" {
				continue
			}
			// The version precedes the film: a stale form is refused before
			// hundreds of megabytes are stored for nothing.
			version, _ := strconv.Atoi(form["version"])
			if err := workflow.CheckVersion(a, version); err != nil {
				s.fail(w, r, req, err)
				return
			}
			f, err := media.SaveVideo(r.Context(), s.Store, s.VideoFiles, p, p.FileName(), p.Header.Get("Content-Type"), "video", s.videoMaxBytes(), ev)
			if err != nil {
				s.fail(w, r, req, uploadError(err))
				return
			}
			v.FileID = f.ID
		default:
			b, _ := io.ReadAll(io.LimitReader(p, 4096))
			form[p.FormName()] = string(b)
		}
	}
	if series, ok := form["series"]; ok {
		v.Series = series
	}
	if v.FileID == 0 {
		s.fail(w, r, req, herald.Invalid("video", "choose a video file to upload"))
		return
	}
	c.Video = &v
	version, _ := strconv.Atoi(form["version"])
	note := form["note"]
	if act == workflow.ActCorrect && strings.TrimSpace(note) == "" {
		note = s.msgs.T(req.lang, "video.correction_note")
	}
	if _, err := s.Workflow.Do(r.Context(), req.staff, a.ID, act, workflow.Request{Version: version, Content: &c, Comment: note}); err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, "/newsroom/articles/"+idText(a.ID)+"/edit?done=video_uploaded", http.StatusSeeOther)
}

// smallPart reads the next part as a short form value.
func smallPart(parts *multipart.Reader) (name, value string, err error) {
	p, err := parts.NextPart()
	if err != nil {
		return "", "", err
	}
	b, err := io.ReadAll(io.LimitReader(p, 4096))
	return p.FormName(), string(b), err
}

// uploadError tells an upload cut short by the size limit from a broken one.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return herald.Errorf(herald.ETOOLARGE, "video: the upload is larger than %d MiB", tooBig.Limit>>20)
	}
	return err
}
