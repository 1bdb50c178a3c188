package server

import "net/http"

// Route names the API route a request matches ("GET /api/projects/{id}"),
// "" for none: a label for metrics that never holds a project id.
func (s *Server) Route(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	return pattern
}
