package server

import (
	"errors"
	"net/http"

	"stemmaster/store"
)

// handleCancel cancels a queued or running job: a queued job never runs,
// a running one stops within about a second and publishes nothing; the
// project's published render stays as it was. 409 when the job had
// already ended.
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, p *store.Project) {
	id := r.PathValue("job")
	ok, err := s.projects.Cancel(r.Context(), p.ID, id)
	switch {
	case errors.Is(err, store.ErrPruned):
		writeError(w, http.StatusGone, "job_pruned", prunedMessage)
		return
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such job")
		return
	case errors.Is(err, errors.ErrUnsupported):
		writeError(w, http.StatusNotImplemented, "not_implemented", "this store cannot cancel jobs")
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	j, err := s.projects.Job(r.Context(), p.ID, id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusConflict, "job_ended", "the job has already ended ("+j.State+")")
		return
	}
	writeJSON(w, http.StatusOK, jobView(*j))
}
