package server

import (
	"fmt"
	"net/http"
	"time"
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

// computeAllowed counts one in-process measurement against the client's
// allowance; over it, it answers 429 with Retry-After and returns false.
func (s *Server) computeAllowed(w http.ResponseWriter, r *http.Request, what string) bool {
	client := s.client(r)
	ok, wait := s.computes.allow(client, time.Now())
	if !ok {
		s.cfg.Logger.Warn("measurement rate-limited", "request", requestID(r.Context()), "client", client, "what", what)
		writeRetryAfter(w, wait, "rate_limited", fmt.Sprintf("at most %d measurements (sum loudness, suggestions) a minute from one address; try again later", s.cfg.ComputesPerMinute))
	}
	return ok
}
