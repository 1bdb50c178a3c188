package server

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
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

// sumSlots bound the loudness sums measured at once: one per client at
// a time, and half the cores in all; a request waits its turn (its
// client's requests in flight are bounded already). A sum over 16 stems
// of 20 minutes takes about 9 CPU-seconds, so one client's 60 a minute
// at once would keep five cores busy and take a front end's CPU from
// everybody. The stream previews made in requests take turns the same
// way, in slots of their own (Server.makes).
type sumSlots struct {
	mu      sync.Mutex
	clients map[string]*clientSlot
	all     chan struct{}
}

// clientSlot is one client's turn and how many of its requests hold or
// wait for it.
type clientSlot struct {
	turn  chan struct{}
	users int
}

func newSumSlots() *sumSlots {
	return &sumSlots{clients: map[string]*clientSlot{}, all: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
}

// take waits for client's turn and a free slot and returns their
// release, or ctx's error when the request ends first.
func (ss *sumSlots) take(ctx context.Context, client string) (func(), error) {
	ss.mu.Lock()
	cs := ss.clients[client]
	if cs == nil {
		cs = &clientSlot{turn: make(chan struct{}, 1)}
		ss.clients[client] = cs
	}
	cs.users++
	ss.mu.Unlock()
	leave := func() {
		ss.mu.Lock()
		if cs.users--; cs.users == 0 {
			delete(ss.clients, client)
		}
		ss.mu.Unlock()
	}
	select {
	case cs.turn <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	select {
	case ss.all <- struct{}{}:
	case <-ctx.Done():
		<-cs.turn
		leave()
		return nil, ctx.Err()
	}
	return func() {
		<-ss.all
		<-cs.turn
		leave()
	}, nil
}
