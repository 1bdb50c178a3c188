package server

import (
	"errors"
	"net/http"

	"stemmaster/jobs"
	"stemmaster/store"
)

// handleCancel cancels a queued or running job: a queued job never runs,
// a running one stops within about a second and publishes nothing; the
// project's published render stays as it was. 409 when the job had
// already ended.
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, p *store.Project) {
	id := r.PathValue("job")
	ok, err := jobs.Cancel(r.Context(), s.cfg.Meta, p.ID, id)
	switch {
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
	j, err := s.cfg.Meta.Job(r.Context(), p.ID, id)
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

// supersede cancels the project's renders older than jobID: only the
// newest render of a session is worth finishing.
func (s *Server) supersede(r *http.Request, projectID, jobID string) {
	ids, err := jobs.Supersede(r.Context(), s.cfg.Meta, projectID, jobID)
	if err != nil {
		s.cfg.Logger.Warn("supersede older renders", "project", projectID, "job", jobID, "error", err)
		return
	}
	for _, id := range ids {
		s.cfg.Logger.Info("render superseded", "project", projectID, "job", id, "by", jobID)
	}
}
