package server

import (
	"fmt"
	"net/http"
	"time"

	"stemmaster/store"
)

// DefaultComputesPerMinute is how many in-process measurements one client
// address may ask for a minute: POST …/sum-loudness (a BS.1770 pass over
// every stem's preview) and POST …/suggest (the assistant's analysis of
// every stem). Each costs the server about as much CPU as a check and
// runs in the request, outside the job queue's fairness, so it is bounded
// per client as project creation is. The page asks for the sum's loudness
// at most about three times a second while a fader moves and falls back
// to its own estimate when refused; a minute of dragging stays under 60
// in practice (it waits 300 ms after the last move).
const DefaultComputesPerMinute = 60

// computeAllowed counts one in-process measurement against the project's
// allowance (ComputesPerMinute), then its address's (that many times
// ClientsPerAddress: the projects of the people behind one NAT share
// it); over either, it answers 429 with Retry-After and returns false. The
// project's comes first, so that a project over its own allowance takes
// nothing more of its address's.
func (s *Server) computeAllowed(w http.ResponseWriter, r *http.Request, p *store.Project, what string) bool {
	now := time.Now()
	if ok, wait := s.projectComputes.allow(p.ID, now); !ok {
		s.cfg.Logger.Warn("measurement rate-limited", "request", requestID(r.Context()), "project", p.ID, "what", what)
		writeRetryAfter(w, wait, "rate_limited", fmt.Sprintf("at most %d measurements (sum loudness, suggestions) a minute for one project; try again later", s.cfg.ComputesPerMinute))
		return false
	}
	client := s.client(r)
	ok, wait := s.computes.allow(client, now)
	if !ok {
		s.cfg.Logger.Warn("measurement rate-limited", "request", requestID(r.Context()), "client", client, "what", what)
		writeRetryAfter(w, wait, "rate_limited", fmt.Sprintf("at most %d measurements (sum loudness, suggestions) a minute from one address; try again later", s.cfg.ComputesPerMinute*s.cfg.ClientsPerAddress))
	}
	return ok
}
