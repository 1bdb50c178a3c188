package e2e

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestRenderOverServerRestart: the server killed mid-render and started
// again on the same data. The page said nothing of it ("Mastering: running
// — stem 22 %" stood still for the half-minute until the render was taken
// up again); now it says the server cannot be reached while it is down,
// that the worker is silent and the render starts again by itself, and it
// ends on the master's results.
func TestRenderOverServerRestart(t *testing.T) {
	_, _, bin := browserEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	var s struct {
		Down      struct{ Stage, Status string }
		Silent    string `json:"silent"`
		Back      string `json:"back"`
		Done      string `json:"done"`
		Revisions int    `json:"revisions"`
	}
	data := t.TempDir()
	runNode(t, "restart.mjs", "restart", &s, func(artifacts string) []string { return []string{bin, port, data, artifacts} })
	if !strings.Contains(s.Down.Stage, "cannot be reached") || !strings.Contains(s.Down.Status, "cannot be reached") {
		t.Errorf("with the server down the page said %q (status %q): want it to say the server cannot be reached", s.Down.Stage, s.Down.Status)
	}
	if !strings.Contains(s.Silent, "starts again by itself") || !strings.Contains(s.Back, "answers again") {
		t.Errorf("with the server back and the render's worker gone the page said %q (status %q): want the render said to start again", s.Silent, s.Back)
	}
	if !strings.HasPrefix(s.Done, "Master done") || s.Revisions != 1 {
		t.Errorf("after the restart: status %q, %d revisions; want the master done, one revision", s.Done, s.Revisions)
	}
}
