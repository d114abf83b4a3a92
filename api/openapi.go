package api

import (
	_ "embed"
	"net/http"

	"github.com/heraldnews/herald"
)

// OpenAPIDocument is the API's OpenAPI 3 description; a test keeps it in step
// with Routes.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(OpenAPIDocument)
}
