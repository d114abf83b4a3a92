package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
)

// Problem is an RFC 9457 problem document, with the invalid fields listed.
type Problem = httpx.Problem

// problem writes err as application/problem+json; server-side failures are
// logged with the request ID, and internal ones shown without detail.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, err error) {
	httpx.LogFailure(s.Log, r, err)
	httpx.WriteProblem(w, r, err)
}

// reply writes v as JSON.
func reply(w http.ResponseWriter, status int, v any) { httpx.WriteJSON(w, status, v) }

// List is a page of results with the total count.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func list[T any](items []T, total int) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total}
}

// readBody reads the request body, refusing oversized ones with ETOOLARGE.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, herald.Errorf(herald.ETOOLARGE, "The request body is larger than %d bytes.", tooBig.Limit)
	} else if err != nil {
		return nil, herald.Errorf(herald.EINVALID, "Could not read the request body.")
	}
	return b, nil
}

// decode reads a JSON body into v, refusing unknown fields, wrong types,
// trailing data and oversized bodies with errors that name the field.
func decode(r *http.Request, v any) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(b, v)
}

func decodeBytes(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return herald.Errorf(herald.EINVALID, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return herald.Invalid(jsonFieldPath(typeErr.Field), "must be %s", jsonType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return herald.Errorf(herald.EINVALID, "The request body is not valid JSON (at byte %d).", syntaxErr.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return herald.Invalid(field, "is not a known field")
	}
	return herald.Errorf(herald.EINVALID, "The request body is not a valid JSON object: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonFieldPath drops the names of embedded Go structs ("ArticleContent.title"
// becomes "title"): clients know only the JSON names.
func jsonFieldPath(path string) string {
	var keep []string
	for _, seg := range strings.Split(path, ".") {
		if seg != "" && !(seg[0] >= 'A' && seg[0] <= 'Z') {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}

// pathID parses a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, herald.Invalid(name, "must be a positive whole number, not %q", truncate(v, 40))
	}
	return id, nil
}

// idAndBody reads a request on one item: the positive integer path
// parameter name and the JSON body, with the errors of pathID and decode.
func idAndBody[T any](r *http.Request, name string) (int64, T, error) {
	var in T
	id, err := pathID(r, name)
	if err != nil {
		return 0, in, err
	}
	return id, in, decode(r, &in)
}

// queryInt parses an optional integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	return paramInt(r.URL.Query(), name, def, lo, hi)
}

// queryPage parses the limit (1-500, 50 by default) and offset of a list.
func queryPage(r *http.Request) (limit, offset int, err error) {
	if limit, err = queryInt(r, "limit", 50, 1, 500); err == nil {
		offset, err = queryInt(r, "offset", 0, 0, 1<<30)
	}
	return limit, offset, err
}

// bodyDay reads a day (YYYY-MM-DD, China Standard Time) sent in a body's
// field; an error names the field.
func bodyDay(field, v string) (time.Time, error) {
	day, err := herald.ParseDay(strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, herald.Invalid(field, "must be a day written YYYY-MM-DD, such as 2026-12-01")
	}
	return day, nil
}

// queryID parses an optional positive ID query parameter (0 when absent).
func queryID(r *http.Request, name string) (int64, error) {
	return paramID(r.URL.Query(), name)
}

// paramInt parses an optional integer parameter within [lo, hi].
func paramInt(params url.Values, name string, def, lo, hi int) (int, error) {
	v := params.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, herald.Invalid(name, "must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// paramID parses an optional positive ID parameter (0 when absent).
func paramID(params url.Values, name string) (int64, error) {
	v := params.Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, herald.Invalid(name, "must be a positive whole number")
	}
	return id, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%.*s…", n, s)
}
