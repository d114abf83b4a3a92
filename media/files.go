package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Files keeps files too large for database rows (films) under keys such as
// "videos/<sha256>.mp4". A key names one content for ever: Put of an existing
// key replaces it with the same bytes, so callers name files by their hash.
// Dir keeps them in a local folder, S3 in a bucket of an S3-compatible
// object storage, behind the same three methods.
type Files interface {
	// Put stores what r yields under key; a reader failing half-way leaves
	// no file behind and any earlier file of the key as it was.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open returns the file for reading and seeking (ranges are served
	// from it); ENOTFOUND when there is none.
	Open(ctx context.Context, key string) (File, error)
	// Delete removes the file; a missing file is no error.
	Delete(ctx context.Context, key string) error
}

// File is an open stored file.
type File interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Dir is Files in a local folder, created on first use. Each Put writes a
// temporary file in the target's folder and renames it into place, so a
// reader never sees half a file.
type Dir string

// checkKey refuses keys that could leave the folder or name it oddly: a key is
// slash-separated, relative, clean and without hidden parts.
func checkKey(key string) error {
	if key == "" || path.Clean(key) != key || path.IsAbs(key) || strings.HasPrefix(key, "../") || key == ".." ||
		strings.Contains(key, "/.") || strings.HasPrefix(key, ".") || strings.ContainsAny(key, "\\\x00") {
		return herald.Errorf(herald.EINVALID, "media: bad file key %q", key)
	}
	return nil
}

func (d Dir) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(string(d), filepath.FromSlash(key)), nil
}

// Put writes r to key by way of a temporary file and a rename.
func (d Dir) Put(ctx context.Context, key string, r io.Reader) error {
	target, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	b := make([]byte, 6)
	rand.Read(b)
	tmp := filepath.Join(filepath.Dir(target), ".tmp-"+hex.EncodeToString(b))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, readerWithContext{ctx, r})
	if err == nil {
		err = f.Sync() // the rename must not expose a file whose bytes are not yet on disk
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Open opens the file of key.
func (d Dir) Open(ctx context.Context, key string) (File, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, herald.Errorf(herald.ENOTFOUND, "File not found.")
	} else if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &localFile{File: f, info: info}, nil
}

// Delete removes the file of key.
func (d Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Check reports whether the folder can be written: it creates the folder if
// need be, and writes and removes an empty file in it.
func (d Dir) Check(ctx context.Context) error {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(string(d), ".check-")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

type localFile struct {
	*os.File
	info fs.FileInfo
}

func (f *localFile) Size() int64        { return f.info.Size() }
func (f *localFile) ModTime() time.Time { return f.info.ModTime() }

// readerWithContext stops a long copy when the request behind it is gone.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
