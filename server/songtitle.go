package server

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"stemmaster/store"
)

// The song title is kept with the project, so every browser and tab on it
// names downloads the same way ("My Song - main.wav"). It is a blob beside
// the project's files (it goes when the project goes), not a session field:
// the session describes the audio, and a title change must not make a new
// revision's session differ.
//
//	GET /api/projects/{id}/title → {"title": "My Song"} ("" when none)
//	PUT /api/projects/{id}/title {"title": "My Song"} → {"title": "My Song"}
//
// The title is stored as the musician wrote it (spaces trimmed, control
// characters dropped, at most 80 characters): it is shown, and cleaned for
// file names only where it names one (?title= of a download, the page's
// download names).

type titleBody struct {
	Title string `json:"title"`
}

func (s *Server) handleGetTitle(w http.ResponseWriter, r *http.Request, p *store.Project) {
	t, err := s.projects.Title(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, titleBody{Title: t})
}

// cleanTitle trims a title, drops control characters and invalid bytes, and
// keeps at most 80 characters.
func cleanTitle(t string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(t) {
		if r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		if n++; n > maxTitleRunes {
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

const maxTitleRunes = 80

func (s *Server) handlePutTitle(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var b titleBody
	if err := decodeSmall(w, r, &b); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be {"title": "My Song"} (at most 80 characters)`)
		return
	}
	sent := strings.TrimSpace(b.Title)
	b.Title = cleanTitle(b.Title)
	if b.Title == "" && sent != "" {
		// Only invisible characters or broken text (U+FFFD, a lone
		// surrogate, control characters): saved, it would clear the
		// title the musician has with a 200 and no word. Refused, the old
		// title stands and the client is told why; clearing is {"title": ""}.
		writeError(w, http.StatusBadRequest, "bad_title", "the song title has no letters that can be shown (only invisible characters or broken text): type the title again, or send an empty title to clear it")
		return
	}
	if err := s.projects.SetTitle(r.Context(), p.ID, b.Title); s.failed(w, r, err, projectDeleted) {
		return
	}
	writeJSON(w, http.StatusOK, b)
}
