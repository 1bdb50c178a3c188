package e2e

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestRenderOverServerRestart: the server killed while the page is idle,
// then mid-render, and started again on the same data each time. Idle,
// the page said nothing until the musician's next action; now it says so
// within seconds, backs off, and saves what was changed meanwhile once
// the server answers again. Mid-render, the page said nothing of it ("Mastering: running
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
		Idle      struct {
			SaidAfterMs, BackAfterMs int
			Said, Back, Title        string
			Asked                    int
			Target                   [2]string
		} `json:"idle"`
		Axe       []string `json:"axe"`
		Returning struct {
			View, Kept, Gone string
			AskedAfter       int
		} `json:"returning"`
	}
	data := t.TempDir()
	runNode(t, "restart.mjs", "restart", &s, func(artifacts string) []string { return []string{bin, port, data, artifacts} })
	// Idle: the page looks every 4 s; a dead server is seen at its next
	// look, and seen within 12 s on a loaded machine. Backing off (4, 8,
	// 16 s…), it asks at most 5 times in the 25 s the server stays away,
	// where asking every 4 s would be 6 or 7.
	if !strings.Contains(s.Idle.Said, "cannot be reached") || s.Idle.SaidAfterMs > 12_000 {
		t.Errorf("idle with the server down, after %d ms the page said %q: want it said within 12 s that the server cannot be reached", s.Idle.SaidAfterMs, s.Idle.Said)
	}
	if s.Idle.Asked > 5 {
		t.Errorf("the page asked the server gone %d times in 25 s: want it to back off (at most 5)", s.Idle.Asked)
	}
	if !strings.Contains(s.Idle.Back, "The server answers again") {
		t.Errorf("with the server back the page said %q: want it said the server answers again", s.Idle.Back)
	}
	if s.Idle.Title != "Kept while away" || s.Idle.Target[0] != s.Idle.Target[1] {
		t.Errorf("the title typed and the target chosen while the server was away: the server has title %q, target %q (chosen %q); want both saved once it answers", s.Idle.Title, s.Idle.Target[0], s.Idle.Target[1])
	}
	// The client back in another browser: the link opens the results and
	// says until when the project is kept; a project gone says how long
	// projects are kept, and what to do (it said only "expired").
	if s.Returning.View != "results" || !strings.Contains(s.Returning.Kept, "Kept until") {
		t.Errorf("the project's link in another browser opens on %q, beside it %q; want the results, and until when it is kept", s.Returning.View, s.Returning.Kept)
	}
	if !strings.Contains(s.Returning.Gone, "deleted 7 days after they are made") || !strings.Contains(s.Returning.Gone, "start a new project") {
		t.Errorf("a link of a project gone reads %q: want how long projects are kept, and to start a new project", s.Returning.Gone)
	}
	if s.Returning.AskedAfter > 0 {
		t.Errorf("the page asked for the project gone %d times in the 9 s after saying so: want it to stop (it asked every 4 s)", s.Returning.AskedAfter)
	}
	for _, v := range s.Axe {
		t.Errorf("axe-core: %s", v)
	}
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
