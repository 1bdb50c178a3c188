package server

import (
	"bufio"
	"net/http"
	"testing"
	"time"

	"stemmaster/service"
	"stemmaster/store"
)

// TestJobEventsWakeOnSignal: with Config.JobChanged a stream reads its job
// back when the signal fires, not at its poll (an hour here): the final
// event arrives although no poll comes.
func TestJobEventsWakeOnSignal(t *testing.T) {
	sig := &service.JobSignal{}
	b := setupWith(t, func(c *Config) {
		c.JobEventPoll = time.Hour
		c.JobEventHeartbeat = time.Hour
		c.JobChanged = sig.Changed
	})
	c, queued, block, r := b.heldRenderEvents(t)
	if e, ok := readEvent(t, r); !ok || e.name != "progress" {
		t.Fatalf("first event %+v, want progress", e)
	}
	close(block)
	for {
		var j JobView
		c.do("GET", c.p("/jobs/"+queued["job"]), nil, "", http.StatusOK, &j)
		if j.State == store.StateDone {
			break
		}
		time.Sleep(10 * time.Millisecond) // waiting for the render to end, not timing it
	}
	sig.Notify()
	for {
		e, ok := readEvent(t, r)
		if !ok {
			t.Fatal("the stream closed (or timed out) before its final event")
		}
		if e.name == "end" {
			return
		}
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
