package newsroom

import "net/http"

// adminRoutes adds the administration pages: units, staff, columns, themes and
// site settings.
func (s *Server) adminRoutes(mux *http.ServeMux) {}
