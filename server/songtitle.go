package server

import (
	"encoding/json"
	"errors"
	"io"
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

// titleKey is the title's blob key.
func titleKey(projectID string) string { return store.ProjectPrefix(projectID) + "title.json" }

type titleBody struct {
	Title string `json:"title"`
}

func (s *Server) handleGetTitle(w http.ResponseWriter, r *http.Request, p *store.Project) {
	t, err := s.songTitleOf(r, p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, titleBody{Title: t})
}

// songTitleOf reads the stored title, "" for none.
func (s *Server) songTitleOf(r *http.Request, projectID string) (string, error) {
	rc, err := s.cfg.Blobs.Open(r.Context(), titleKey(projectID))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var b titleBody
	if err := json.NewDecoder(io.LimitReader(rc, 4096)).Decode(&b); err != nil {
		return "", err
	}
	return b.Title, nil
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
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be {"title": "My Song"} (at most 80 characters)`)
		return
	}
	b.Title = cleanTitle(b.Title)
	if b.Title == "" {
		if err := s.cfg.Blobs.Delete(r.Context(), titleKey(p.ID)); err != nil {
			s.internal(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, b)
		return
	}
	js, _ := json.Marshal(b)
	if _, err := s.cfg.Blobs.Put(r.Context(), titleKey(p.ID), "application/json", strings.NewReader(string(js))); err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
