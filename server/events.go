package server

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"stemmaster/store"
)

// Job progress pushed to the page: GET /api/projects/{id}/jobs/{job}/events
// answers a server-sent event stream (text/event-stream). Every change of
// the job's state, stage or progress is one "progress" event whose data is
// the job as GET …/jobs/{job} shows it; the job's final state (done,
// failed or cancelled) is one "end" event, after which the stream closes.
// A comment line goes out when nothing else has for the heartbeat
// interval, so proxies and browsers keep the connection open.
//
// The stream reads the job back from the metadata store, the one place
// every worker process writes progress to, so it works the same with an
// embedded queue and with workers on other machines. It reads when the
// store tells it the job changed (store.SQL.JobChanged: in process with
// SQLite, LISTEN/NOTIFY across machines with PostgreSQL), and otherwise
// only every few seconds, in case a notice went missing: a thousand open
// pages cost a few hundred reads a second at most, not thousands.

const (
	// defaultJobEventPoll is the safety net's pace over a store that
	// tells of changes; fastJobEventPoll the pace over one that does not.
	defaultJobEventPoll      = 5 * time.Second
	fastJobEventPoll         = 200 * time.Millisecond
	defaultJobEventHeartbeat = 15 * time.Second
)

func (s *Server) handleJobEvents(w http.ResponseWriter, r *http.Request, p *store.Project) {
	ctx := r.Context()
	jobID := r.PathValue("job")
	// Taken before each read of the job: a change after the read wakes.
	changed, release, told := s.projects.JobChanged(jobID)
	defer func() { release() }()
	j, err := s.projects.Job(ctx, p.ID, jobID)
	if s.failed(w, r, err, "no such job") {
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass every event on at once
	w.WriteHeader(http.StatusOK)
	// A client that reconnects (EventSource does by itself) waits a second.
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	pace := defaultJobEventPoll
	if !told {
		pace = fastJobEventPoll
	}
	poll := time.NewTicker(cmp.Or(s.cfg.JobEventPoll, pace))
	defer poll.Stop()
	heartbeat := cmp.Or(s.cfg.JobEventHeartbeat, defaultJobEventHeartbeat)
	lastWrite := time.Now()
	var last *JobView
	storeDown := false // the last read failed (logged once)
	for {
		v := jobView(*j)
		if last == nil || v.State != last.State || v.Stage != last.Stage || v.Progress != last.Progress || v.Attempt != last.Attempt {
			event := "progress"
			if store.Finished(v.State) {
				event = "end"
			}
			data, _ := json.Marshal(v)
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			if event == "end" {
				return
			}
			last, lastWrite = &v, time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.ending:
			return
		case <-changed:
		case now := <-poll.C:
			if now.Sub(lastWrite) >= heartbeat {
				if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
					return
				}
				if err := rc.Flush(); err != nil {
					return
				}
				lastWrite = now
			}
		}
		release()
		changed, release, _ = s.projects.JobChanged(jobID)
		read, err := s.projects.Job(ctx, p.ID, jobID)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, store.ErrNotFound):
			// The project was deleted or expired, or the job pruned: the
			// client falls back to GET …/jobs/{job}, which says which.
			return
		case err != nil:
			// The store failed (a database restarting drops its
			// connections): the stream stays open and reads the job again
			// at the next notice or poll, as a client reconnecting would.
			if !storeDown {
				s.cfg.Logger.Warn("job events: read the job; the stream waits for the store", "job", jobID, "error", err)
			}
			storeDown = true
		default:
			j, storeDown = read, false
		}
	}
}
