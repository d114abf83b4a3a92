package tabular

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"maps"
	"slices"
)

// sortedZip is the ZIP writer WriteXLSX gives excelize. excelize writes the
// sheets that a stream writer filled in the order of a Go map, so that two
// writes of the same tables would differ; this writer keeps the parts until
// Close and then writes them in name order ([Content_Types].xml first, as
// Excel does). excelize holds the whole file in memory anyway.
type sortedZip struct {
	zw    *zip.Writer
	parts map[string]*bytes.Buffer
}

func newSortedZip(w io.Writer) *sortedZip {
	return &sortedZip{zw: zip.NewWriter(w), parts: map[string]*bytes.Buffer{}}
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	b := new(bytes.Buffer)
	z.parts[name] = b
	return b, nil
}

func (z *sortedZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

func (z *sortedZip) Close() error {
	for _, name := range slices.Sorted(maps.Keys(z.parts)) {
		w, err := z.zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := z.parts[name].WriteTo(w); err != nil {
			return err
		}
	}
	return z.zw.Close()
}
