package server

import "stemmaster/store"

// uploadRoutes are the calls whose body is the client's files, up to a
// file's limit and more: a refusal of one the project's token opens reads
// the body whole (drainRefused).
var uploadRoutes = map[string]bool{
	"POST /api/projects/{id}/stems":      true,
	"POST /api/projects/{id}/mix":        true,
	"POST /api/projects/{id}/references": true,
}

// routes registers every endpoint (docs/api.md). The page, its static
// files, the export guide and project creation are open; every other call
// acts on one project and goes through withProject, which checks the
// project's token.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.handleIndex)
	m.HandleFunc("GET /static/{file}", s.handleStatic)
	m.HandleFunc("GET /guide", s.handleGuide)
	m.HandleFunc("POST /api/projects", s.handleCreate)
	for _, r := range []struct {
		pattern string
		handle  projectHandler
	}{
		{"GET /api/projects/{id}", s.handleGet},
		{"DELETE /api/projects/{id}", s.handleDelete},
		{"POST /api/projects/{id}/stems", s.handleUpload(store.KindStem)},
		{"POST /api/projects/{id}/mix", s.handleUpload(store.KindMix)},
		{"DELETE /api/projects/{id}/stems/{name}", s.handleDeleteFile(store.KindStem)},
		{"DELETE /api/projects/{id}/mix/{name}", s.handleDeleteFile(store.KindMix)},
		{"POST /api/projects/{id}/check", s.handleQueue(store.JobCheck)},
		{"GET /api/projects/{id}/session", s.handleGetSession},
		{"PUT /api/projects/{id}/session", s.handlePutSession},
		{"POST /api/projects/{id}/render", s.handleQueue(store.JobRender)},
		{"POST /api/projects/{id}/suggest", s.handleSuggest},
		{"GET /api/projects/{id}/jobs", s.handleJobs},
		{"GET /api/projects/{id}/jobs/{job}", s.handleJob},
		{"POST /api/projects/{id}/jobs/{job}/cancel", s.handleCancel},
		{"GET /api/projects/{id}/jobs/{job}/events", s.handleJobEvents},
		{"GET /api/projects/{id}/outputs", s.handleOutputs},
		{"GET /api/projects/{id}/outputs.zip", s.handleZip},
		{"GET /api/projects/{id}/outputs/{name}", s.handleOutput},
		{"GET /api/projects/{id}/pictures/{name}", s.handlePicture},
		{"POST /api/projects/{id}/mode", s.handleMode},
		{"POST /api/projects/{id}/apply", s.handleApply},
		{"POST /api/projects/{id}/quote", s.handleQuote},
		{"GET /api/projects/{id}/revisions", s.handleRevisions},
		{"GET /api/projects/{id}/revisions/{n}/outputs/{name}", s.handleRevisionOutput},
		{"POST /api/projects/{id}/sum-loudness", s.handleSumLoudness},
		{"GET /api/projects/{id}/streams", s.handleStreams},
		{"GET /api/projects/{id}/title", s.handleGetTitle},
		{"PUT /api/projects/{id}/title", s.handlePutTitle},
		{"GET /api/projects/{id}/stream/{kind}/{name}/{seg}", s.handleSegment},
		{"GET /api/projects/{id}/references", s.handleReferences},
		{"POST /api/projects/{id}/references", s.handleReferenceUpload},
		{"PUT /api/projects/{id}/references/{name}", s.handleReferenceWeight},
		{"DELETE /api/projects/{id}/references/{name}", s.handleReferenceDelete},
	} {
		m.HandleFunc(r.pattern, s.withProject(r.handle))
	}
}
