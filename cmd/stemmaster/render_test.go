package main

import (
	"strings"
	"testing"
)

// renderNoted queues a render with a note: another render than one of
// the same session with another note (the same render again is answered
// with the queued or running one's job), so it supersedes that one.
func (c *apiClient) renderNoted(t *testing.T, note string) string {
	t.Helper()
	var queued struct{ Job string }
	if _, err := c.Do("POST", c.Path("/render"), strings.NewReader(`{"note":"`+note+`"}`), "application/json", &queued); err != nil {
		t.Fatal(err)
	}
	return queued.Job
}
