package server

// A project's id and token, and the authentication of a request for it.

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"stemmaster/service"
	"stemmaster/store"
)

// newID returns 128 random bits as 32 hex digits.
func newID() string { return service.NewID() }

// newToken returns 256 random bits as 64 hex digits.
func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

type projectHandler func(w http.ResponseWriter, r *http.Request, p *store.Project)

// withProject authenticates the request for the project in its path. An
// upload it lets through is the client's to send whole: a refusal of it
// reads its body to the end (drainRefused).
func (s *Server) withProject(h projectHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, no, err := s.authorize(r, r.PathValue("id"))
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if no != nil {
			if no.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="stemmaster"`)
			}
			writeError(w, no.status, no.code, no.msg)
			return
		}
		if b, ok := r.Body.(*minRateBody); ok && uploadRoutes[r.Pattern] {
			b.entitled = true
		}
		h(w, r, p)
	}
}

// refusal is an answer that refuses a request.
type refusal struct {
	status    int
	code, msg string
}

// authorize returns the project id names when the request's token opens
// it, or the refusal.
func (s *Server) authorize(r *http.Request, id string) (*store.Project, *refusal, error) {
	// The scheme is case-insensitive (RFC 9110 §11.1): some clients
	// send "bearer".
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, &refusal{http.StatusUnauthorized, "unauthorized", "missing token: send Authorization: Bearer <token>"}, nil
	}
	if !validID(id) {
		return nil, &refusal{http.StatusNotFound, "not_found", "no such project"}, nil
	}
	p, err := s.projects.Project(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && s.projects.Now().After(p.ExpiresAt)) {
		return nil, &refusal{http.StatusNotFound, "not_found", "no such project (it may have expired)"}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if subtle.ConstantTimeCompare(tokenHash(strings.TrimSpace(token)), p.TokenHash) != 1 {
		return nil, &refusal{http.StatusForbidden, "forbidden", "wrong token for this project"}, nil
	}
	return p, nil, nil
}

// entitledUpload reports whether r, not yet routed, is an upload its
// project's token opens.
func (s *Server) entitledUpload(r *http.Request) bool {
	if _, pattern := s.mux.Handler(r); uploadRoutes[pattern] {
		// The pattern holds the id as the path's fourth element.
		_, no, err := s.authorize(r, strings.Split(r.URL.Path, "/")[3])
		return err == nil && no == nil
	}
	return false
}
