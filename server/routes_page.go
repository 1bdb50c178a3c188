package server

import "net/http"

// pageRoutes are the calls the web page needs beyond the core API: stereo
// projects, fix-or-confirm, the live quote, streamed previews and the
// stem export guide.
func (s *Server) pageRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /guide", s.handleGuide)
	m.HandleFunc("POST /api/projects/{id}/mode", s.withProject(s.handleMode))
	m.HandleFunc("POST /api/projects/{id}/apply", s.withProject(s.handleApply))
	m.HandleFunc("POST /api/projects/{id}/quote", s.withProject(s.handleQuote))
	m.HandleFunc("GET /api/projects/{id}/revisions", s.withProject(s.handleRevisions))
	m.HandleFunc("GET /api/projects/{id}/revisions/{n}/outputs/{name}", s.withProject(s.handleRevisionOutput))
	m.HandleFunc("POST /api/projects/{id}/sum-loudness", s.withProject(s.handleSumLoudness))
	m.HandleFunc("GET /api/projects/{id}/streams", s.withProject(s.handleStreams))
	m.HandleFunc("GET /api/projects/{id}/title", s.withProject(s.handleGetTitle))
	m.HandleFunc("PUT /api/projects/{id}/title", s.withProject(s.handlePutTitle))
	m.HandleFunc("GET /api/projects/{id}/stream/{kind}/{name}/{seg}", s.withProject(s.handleSegment))
}
