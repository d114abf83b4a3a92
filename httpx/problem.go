package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/heraldnews/herald"
)

// Problem is an RFC 9457 problem document, with the invalid fields listed.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Code      string              `json:"code"`
	Errors    []herald.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// WriteProblem writes err as application/problem+json with the message that is
// safe to show; the caller logs internal errors.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	p := Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status, Code: herald.ErrorCode(err),
		Detail: herald.ErrorMessage(err), Errors: herald.ErrorFields(err), RequestID: RequestID(r.Context()),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // bodies are HTML; keep them readable
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
