package e2e

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"stemmaster/internal/testkit"
)

// TestRenderOverServerRestart: the server killed mid-render and started
// again on the same data. The page said nothing of it ("Mastering: running
// — stem 22 %" stood still for the half-minute until the render was taken
// up again); now it says the server cannot be reached while it is down,
// that the worker is silent and the render starts again by itself, and it
// ends on the master's results.
func TestRenderOverServerRestart(t *testing.T) {
	root, node, bin := browserEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	artifacts := filepath.Join(root, "e2e", "artifacts", "restart")
	cmd := exec.CommandContext(t.Context(), node, "restart.mjs", bin, port, t.TempDir(), artifacts)
	cmd.Dir = filepath.Join(root, "e2e")
	cmd.Env = append(os.Environ(), "CHROMIUM=/usr/bin/chromium")
	cmd.Stderr = testkit.LogWriter(t)                                     // the script's steps and the server's log
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // the script stops its server
	out, err := cmd.Output()
	var s struct {
		Error      string   `json:"error"`
		PageErrors []string `json:"page_errors"`
		Down       struct{ Stage, Status string }
		Silent     string `json:"silent"`
		Back       string `json:"back"`
		Done       string `json:"done"`
		Revisions  int    `json:"revisions"`
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &s); jerr != nil || err != nil || s.Error != "" || len(s.PageErrors) > 0 {
		t.Fatalf("restart.mjs: %v %v %s %v (screenshots in %s)\n%s", err, jerr, s.Error, s.PageErrors, artifacts, out)
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
