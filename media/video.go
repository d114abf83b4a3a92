package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/heraldnews/herald"
)

// DefaultVideoMaxBytes bounds a film upload: 500 MB holds some twenty minutes
// of 1080p at the bit rates phones and editing software export for the web.
const DefaultVideoMaxBytes int64 = 500 << 20

// allowedVideo is the user-facing list of accepted formats, for error messages.
const allowedVideo = "upload an MP4 (H.264) or WebM video"

// VideoUpload is an upload of a film staged in a temporary file: its bytes
// were counted, hashed and sniffed while they streamed in, never held in
// memory. Close removes the temporary file.
type VideoUpload struct {
	ContentType string // "video/mp4" or "video/webm", from the content
	SHA256      string
	Size        int64
	DurationMS  int64 // from the MP4 header; 0 when unknown
	file        *os.File
}

// StageVideo streams an upload into a temporary file in tempDir ("" for the
// system's), refusing it as soon as it is more than maxBytes or its first bytes
// are not an MP4 or WebM file. claimedType is the browser's Content-Type; a
// specific type that contradicts the content is refused. Errors about the
// file name field.
func StageVideo(r io.Reader, claimedType, field, tempDir string, maxBytes int64) (*VideoUpload, error) {
	head := make([]byte, 64)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("media: reading upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return nil, herald.Invalid(field, "is empty; %s", allowedVideo)
	}
	contentType := sniffVideo(head)
	if contentType == "" {
		return nil, herald.Invalid(field, "is not a video this site can play; %s", allowedVideo)
	}
	if err := checkClaim(field, contentType+" file", claimedType, videoTypes(contentType)); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(tempDir, "herald-video-*")
	if err != nil {
		return nil, err
	}
	v := &VideoUpload{ContentType: contentType, file: f}
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), maxBytes+1))
	if err == nil && size > maxBytes {
		err = herald.Errorf(herald.ETOOLARGE, "%s: the video is larger than the %s MiB limit", field, mib(maxBytes))
	}
	if err != nil {
		v.Close()
		return nil, err
	}
	v.Size, v.SHA256 = size, hex.EncodeToString(h.Sum(nil))
	if contentType == "video/mp4" {
		v.DurationMS = mp4Duration(f, size)
	}
	return v, nil
}

// Reader reads the staged bytes from the start.
func (v *VideoUpload) Reader() (io.Reader, error) {
	if _, err := v.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return v.file, nil
}

// Close removes the temporary file.
func (v *VideoUpload) Close() error {
	v.file.Close()
	return os.Remove(v.file.Name())
}

// sniffVideo names the type from the magic bytes. MP4 is an ISO media file
// whose first box is "ftyp", except the still-image brands (AVIF, HEIF) that
// share the container; WebM is an EBML document of DocType "webm".
func sniffVideo(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "avif", "avis", "heic", "heix", "mif1", "msf1":
			return ""
		}
		return "video/mp4"
	case bytes.HasPrefix(b, []byte{0x1a, 0x45, 0xdf, 0xa3}) && bytes.Contains(b, []byte("webm")):
		return "video/webm"
	}
	return ""
}

// videoTypes are the claimed types that fit a film of contentType.
func videoTypes(contentType string) []string {
	if contentType == "video/mp4" { // the same container under other names too
		return []string{contentType, "video/x-m4v", "video/quicktime", "audio/mp4"}
	}
	return []string{contentType}
}

// mp4Duration reads the duration from the movie header ("mvhd" inside
// "moov"), walking the top-level boxes by their sizes, so a header at the end
// of a large file costs a few seeks. It gives 0 for anything unexpected.
func mp4Duration(r io.ReadSeeker, size int64) int64 {
	moov, moovSize := findBox(r, 0, size, "moov")
	if moov < 0 {
		return 0
	}
	mvhd, _ := findBox(r, moov, moov+moovSize, "mvhd")
	if mvhd < 0 {
		return 0
	}
	var b [32]byte
	if _, err := r.Seek(mvhd, io.SeekStart); err != nil {
		return 0
	}
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0
	}
	var timescale, duration uint64
	if b[0] == 1 { // version 1: 64-bit times
		timescale, duration = uint64(binary.BigEndian.Uint32(b[20:24])), binary.BigEndian.Uint64(b[24:32])
	} else {
		timescale, duration = uint64(binary.BigEndian.Uint32(b[12:16])), uint64(binary.BigEndian.Uint32(b[16:20]))
	}
	if timescale == 0 || duration == 0 || duration == 1<<32-1 || duration/timescale > 100*3600 {
		return 0
	}
	return int64(duration * 1000 / timescale)
}

// findBox returns where the payload of the first box of type name between from
// and to starts, and its length; -1 when there is none.
func findBox(r io.ReadSeeker, from, to int64, name string) (int64, int64) {
	var hdr [16]byte
	for pos := from; pos+8 <= to; {
		if _, err := r.Seek(pos, io.SeekStart); err != nil {
			return -1, 0
		}
		if _, err := io.ReadFull(r, hdr[:8]); err != nil {
			return -1, 0
		}
		size, headLen := int64(binary.BigEndian.Uint32(hdr[:4])), int64(8)
		switch size {
		case 0: // to the end
			size = to - pos
		case 1: // a 64-bit size follows
			if _, err := io.ReadFull(r, hdr[8:16]); err != nil {
				return -1, 0
			}
			size, headLen = int64(binary.BigEndian.Uint64(hdr[8:16])), 16
		}
		if size < headLen || pos+size > to {
			return -1, 0
		}
		if string(hdr[4:8]) == name {
			return pos + headLen, size - headLen
		}
		pos += size
	}
	return -1, 0
}

// SaveVideo stages an upload and stores it: the same bytes uploaded before
// give the earlier file, anything new is put in files under its hash and
// recorded with ev. With files nil only the record is made (a demo site
// without film storage). Its errors name field.
func SaveVideo(ctx context.Context, store herald.VideoFileStore, files Files, r io.Reader, filename, claimedType, field string, maxBytes int64, ev herald.Event) (*herald.VideoFile, error) {
	up, err := StageVideo(r, claimedType, field, "", maxBytes)
	if err != nil {
		return nil, err
	}
	defer up.Close()
	if v, err := store.FindVideoFileBySHA256(ctx, up.SHA256); herald.ErrorCode(err) != herald.ENOTFOUND {
		return v, err
	}
	v := &herald.VideoFile{SHA256: up.SHA256, ContentType: up.ContentType, Size: up.Size, DurationMS: up.DurationMS,
		Filename: strings.TrimPrefix(filepath.Base("/"+filename), "/"), UploadedBy: ev.ActorID}
	if files != nil {
		body, err := up.Reader()
		if err != nil {
			return nil, err
		}
		// The file goes first: a record without its file would be a broken
		// video, a file without a record is only unused space.
		if err := files.Put(ctx, v.Key(), body); err != nil {
			return nil, storageRefused(err, field)
		}
	}
	err = store.CreateVideoFile(ctx, v, ev)
	if herald.ErrorCode(err) == herald.ECONFLICT { // the same bytes uploaded at the same moment
		return store.FindVideoFileBySHA256(ctx, up.SHA256)
	}
	return v, err
}

// storageRefused says that the film storage did not take a file (a full disk,
// a read-only or unreachable store) as an EUNAVAILABLE error under field —
// nothing was saved, and the uploader can tell it from a bad file. The cause
// stays for the logs. Errors that already carry a code pass unchanged.
func storageRefused(err error, field string) error {
	if code := herald.ErrorCode(err); code != herald.EINTERNAL {
		return err
	}
	msg := "the video storage refused the file, so nothing was saved; try again later or tell the administrator"
	if errors.Is(err, syscall.ENOSPC) {
		msg = "the video storage is full, so nothing was saved; tell the administrator"
	}
	return &herald.Error{Code: herald.EUNAVAILABLE, Message: field + ": " + msg,
		Fields: []herald.FieldError{{Field: field, Message: msg}}, Err: err}
}
