package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stemmaster/store"
)

// sseEvent is one event of a text/event-stream, or a comment (name "").
type sseEvent struct {
	name, data string
	comment    bool
}

// readEvent reads the next event or comment of a stream.
func readEvent(t *testing.T, r *bufio.Reader) (sseEvent, bool) {
	t.Helper()
	var e sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if line != "" {
				t.Errorf("stream ended in the middle of a line: %q", line)
			}
			return e, false
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if e.name != "" || e.data != "" || e.comment {
				return e, true
			}
		case strings.HasPrefix(line, ":"):
			e.comment = true
		case strings.HasPrefix(line, "event: "):
			e.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			e.data += strings.TrimPrefix(line, "data: ")
		case strings.HasPrefix(line, "retry: "):
		default:
			t.Fatalf("unexpected line %q in the event stream", line)
		}
	}
}

func (c *client) openEvents(job string) (*http.Response, *bufio.Reader) {
	c.t.Helper()
	req := c.request("GET", c.p("/jobs/"+job+"/events"), nil, "")
	// The timeout ends a stream that never sends its final event.
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("events: status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		c.t.Fatalf("events: Content-Type %q", ct)
	}
	return res, bufio.NewReader(res.Body)
}

// TestJobEvents follows a render through its event stream: progress
// events while it runs, heartbeats while nothing changes, one final event
// that agrees with GET …/jobs/{job}, then the end of the stream.
func TestJobEvents(t *testing.T) {
	t.Parallel()
	b := eventBundle(t, 5*time.Millisecond, 20*time.Millisecond)
	c, queued, block, r := b.heldRenderEvents(t)

	var progress []JobView
	var end *JobView
	blocked, heartbeats := true, 0
	for end == nil {
		e, ok := readEvent(t, r)
		if !ok {
			t.Fatalf("the stream closed before the final event (after %+v)", progress)
		}
		if e.comment {
			heartbeats++
			if blocked && heartbeats >= 2 && len(progress) > 0 && progress[len(progress)-1].Progress > 0 {
				close(block) // the render is held midway: let it finish
				blocked = false
			}
			continue
		}
		checkNoLeak(t, e.data)
		var v JobView
		if err := json.Unmarshal([]byte(e.data), &v); err != nil {
			t.Fatalf("event %q: %v in %s", e.name, err, e.data)
		}
		if v.ID != queued["job"] || v.Kind != store.JobRender {
			t.Errorf("event for %s %s, want render %s", v.Kind, v.ID, queued["job"])
		}
		switch e.name {
		case "progress":
			if store.Finished(v.State) {
				t.Errorf("a progress event carries the final state %q", v.State)
			}
			if n := len(progress); n > 0 {
				if p := progress[n-1]; p == v {
					t.Errorf("two progress events without a change: %+v", v)
				} else if v.Progress < p.Progress {
					t.Errorf("progress went back from %v to %v", p.Progress, v.Progress)
				}
			}
			progress = append(progress, v)
		case "end":
			end = &v
		default:
			t.Fatalf("unknown event %q", e.name)
		}
	}
	if blocked {
		t.Fatal("the render finished while it was held")
	}
	if len(progress) == 0 || progress[len(progress)-1].State != store.StateRunning {
		t.Errorf("progress events %+v: want the running render", progress)
	}
	var j JobView
	c.do("GET", c.p("/jobs/"+queued["job"]), nil, "", http.StatusOK, &j)
	if end.State != store.StateDone || end.Progress != j.Progress || end.State != j.State {
		t.Errorf("final event %+v; GET says %+v", *end, j)
	}
	if e, ok := readEvent(t, r); ok {
		t.Errorf("the stream goes on after the final event: %+v", e)
	}

	// A finished job's stream is its final event alone.
	_, r = c.openEvents(queued["job"])
	if e, ok := readEvent(t, r); !ok || e.name != "end" {
		t.Errorf("finished job: first event %+v, want end", e)
	}
	if e, ok := readEvent(t, r); ok {
		t.Errorf("finished job: more after the final event: %+v", e)
	}
}

func TestJobEventsAuth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 4800)
	other := b.newProject(t)
	var queued map[string]string
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	path := c.p("/jobs/" + queued["job"] + "/events")

	anon := &client{t: t, base: b.url}
	anon.do("GET", path, nil, "", http.StatusUnauthorized, nil)
	wrong := &client{t: t, base: b.url, token: other.token}
	wrong.do("GET", path, nil, "", http.StatusForbidden, nil)
	// Another project's job is not found through this project.
	other.do("GET", other.p("/jobs/"+queued["job"]+"/events"), nil, "", http.StatusNotFound, nil)
	c.do("GET", c.p("/jobs/"+strings.Repeat("ab", 16)+"/events"), nil, "", http.StatusNotFound, nil)
	c.waitJob(queued["job"])
}

// TestJobEventsWakeOnStoreChange: a stream reads its job back when the
// store tells it the job changed, not at its poll (an hour here): every
// change the worker writes, and the final event, arrive although no poll
// comes.
func TestJobEventsWakeOnStoreChange(t *testing.T) {
	t.Parallel()
	b := eventBundle(t, time.Hour, time.Hour)
	c, queued, block, r := b.heldRenderEvents(t)
	readProgress(t, r)
	close(block)
	e := readUntilEnd(t, r, "the stream closed (or timed out) before its final event")
	var end, j JobView
	if err := json.Unmarshal([]byte(e.data), &end); err != nil {
		t.Fatal(err)
	}
	c.do("GET", c.p("/jobs/"+queued["job"]), nil, "", http.StatusOK, &j)
	if end.State != store.StateDone || end.State != j.State || end.Progress != j.Progress {
		t.Fatalf("final event %+v, the job %+v", end, j)
	}
}

// readUntilEnd reads a stream's events up to its final one and returns
// it; the stream ending before it fails the test with why.
func readUntilEnd(t *testing.T, r *bufio.Reader, why string) sseEvent {
	t.Helper()
	for {
		e, ok := readEvent(t, r)
		if !ok {
			t.Fatal(why)
		}
		if e.name == "end" {
			return e
		}
	}
}

// eventBundle is the server with its job event streams reading the job
// every poll and sending a heartbeat after heartbeat without news.
func eventBundle(t *testing.T, poll, heartbeat time.Duration) *testBundle {
	return setupWith(t, func(c *Config) {
		c.JobEventPoll = poll
		c.JobEventHeartbeat = heartbeat
	})
}

// readProgress reads a stream's next event, which must be progress (the
// first a held render sends).
func readProgress(t *testing.T, r *bufio.Reader) {
	t.Helper()
	if e, ok := readEvent(t, r); !ok || e.name != "progress" {
		t.Fatalf("first event %+v, want progress", e)
	}
}

// heldRenderEvents starts a render of a new project, held until block is
// closed, and opens its event stream.
func (b *testBundle) heldRenderEvents(t *testing.T) (c *client, queued map[string]string, block chan struct{}, r *bufio.Reader) {
	t.Helper()
	c = b.newDrumsProject(t, 4800)
	block = b.blockRenders()
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	_, r = c.openEvents(queued["job"])
	return c, queued, block, r
}

// flakyJobs is a metadata store whose job reads fail while failing is set,
// as a database restarting does for a moment.
type flakyJobs struct {
	store.Metadata
	failing atomic.Bool
	reads   atomic.Int64 // reads that failed
}

func (f *flakyJobs) Job(ctx context.Context, projectID, jobID string) (*store.Job, error) {
	if f.failing.Load() {
		f.reads.Add(1)
		return nil, errors.New("terminating connection due to administrator command (SQLSTATE 57P01)")
	}
	return f.Metadata.Job(ctx, projectID, jobID)
}

// TestJobEventsRideOutAStoreFailure: a read of the job that fails (the
// database restarting) does not end the stream; it reads again at its next
// poll and sends the job's changes and its end once the store answers.
func TestJobEventsRideOutAStoreFailure(t *testing.T) {
	t.Parallel()
	var flaky *flakyJobs
	b := setupWith(t, func(c *Config) {
		flaky = &flakyJobs{Metadata: c.Meta}
		c.Meta = flaky
		c.JobEventPoll = 5 * time.Millisecond
		c.JobEventHeartbeat = time.Hour
	})
	_, _, block, r := b.heldRenderEvents(t)
	readProgress(t, r)
	flaky.failing.Store(true)
	// The stream reads (and fails) once before the store answers again:
	// the render is held until then.
	for flaky.reads.Load() < 1 {
		time.Sleep(time.Millisecond) // waiting for the stream's reads, not timing them
	}
	flaky.failing.Store(false)
	close(block)
	readUntilEnd(t, r, "the stream closed at a failed read of the store, before its final event")
}

// TestJobEventsEndAtShutdown: EndStreams (the server shutting down) ends
// the streams open, which send heartbeats every few milliseconds here and
// would otherwise run until the client's timeout, and those opened after
// it end at once too.
func TestJobEventsEndAtShutdown(t *testing.T) {
	t.Parallel()
	b := eventBundle(t, 5*time.Millisecond, 5*time.Millisecond)
	c, queued, block, r := b.heldRenderEvents(t)
	defer close(block)
	readProgress(t, r)
	b.srv.EndStreams()
	_, later := c.openEvents(queued["job"])
	for _, r := range []*bufio.Reader{r, later} {
		n := 0
		for {
			if _, ok := readEvent(t, r); !ok {
				break
			}
			if n++; n > 100 {
				t.Fatal("the stream goes on after EndStreams")
			}
		}
	}
}
