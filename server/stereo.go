package server

import (
	"net/http"

	"stemmaster"
	"stemmaster/service"
	"stemmaster/store"
)

// A project is a stereo master when its session's only stem is the uploaded
// mix: the same chain as stem mastering, with one input. That is the case
// by default when the project holds a mix and no stems, and by choice (the
// page's "master the mix" button, or a PUT of such a session) when the
// advice says stereo mastering is enough. The session schema needs no mode
// field: the files it names say what is mastered.

// stereoSession reports whether s masters the mix alone.
func stereoSession(s *stemmaster.Session, mix string) bool { return service.StereoSession(s, mix) }

// toStereo turns s into the stereo master of mix; see service.ToStereo.
func toStereo(s *stemmaster.Session, mix string) { service.ToStereo(s, mix) }

// renderable reports whether the project has something to master: stems,
// or a mix alone (a stereo master).
func renderable(files []store.File) bool { return service.Files(files).Renderable() }

// stereoRequest is the body of POST /api/projects/{id}/mode.
type stereoRequest struct {
	Mode string `json:"mode"` // "stereo" or "stems"
}

// handleMode switches a project between mastering its mix alone and
// mastering its stems, keeping the master chain and the deliverables.
func (s *Server) handleMode(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var req stereoRequest
	if err := decodeSmall(w, r, &req); err != nil || (req.Mode != "stereo" && req.Mode != "stems") {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be {"mode": "stereo"} or {"mode": "stems"}`)
		return
	}
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	mix := files.Mix()
	if req.Mode == "stereo" && mix == "" {
		writeError(w, http.StatusConflict, "no_mix", "upload the stereo mix first: stereo mastering masters the mix")
		return
	}
	if req.Mode == "stems" && files.Stems() == nil {
		writeError(w, http.StatusConflict, "no_stems", "upload the stems first: stem mastering needs them")
		return
	}
	sess := s.projects.Session(p, files)
	switch {
	case req.Mode == "stereo":
		if !stereoSession(sess, mix) {
			// The stems' strips wait for the way back.
			if err := s.projects.ParkStems(r.Context(), p.ID, sess); s.failed(w, r, err, projectDeleted) {
				return
			}
		}
		toStereo(sess, mix)
	case stereoSession(sess, mix):
		parked, err := s.projects.UnparkStems(r.Context(), p.ID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		sess.Stems = []stemmaster.StemSpec{} // Reconcile adds every stem back at unity
		if parked != nil {
			sess.Stems = parked.Stems // the master chain and deliverables stay as set since
			if sess.Versions == nil {
				sess.Versions = parked.Versions
			}
		}
		sess.Mix = mix
	}
	sess = service.Sessions{}.ReconcileWith(sess, files.Stems(), mix)
	s.saveSession(w, r, p, sess, files, mix)
}
