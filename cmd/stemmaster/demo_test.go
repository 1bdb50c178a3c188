package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/demosong"
	"stemmaster/internal/testkit"
)

// TestDemoKeepsOtherFiles: `demo -o DIR` refuses, before writing anything,
// a directory holding a file it would replace (a project's session.yaml,
// its stems/bass.wav, a master), which it overwrote with the demo's; a
// directory of an earlier demo (its session.yaml is the demo's) is
// written over again (TestDemoCLI renders into an empty one).
func TestDemoKeepsOtherFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"session.yaml", "stems/bass.wav", "main-cd.wav", "report.json"} {
		dir := t.TempDir()
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		mine := []byte("the client's own file")
		if err := os.WriteFile(path, mine, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI("demo", "-o", dir)
		if code != exitUsage || !strings.Contains(stderr, path+" exists and the demo would replace it") {
			t.Errorf("%s present: exit %d, %q; want exit %d naming it", name, code, stderr, exitUsage)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, mine) {
			t.Errorf("demo replaced %s", name)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "session.yaml"), []byte(demosong.Session), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := demoDirFree(dir); err != nil {
		t.Errorf("an earlier demo's directory: %v", err)
	}
}

func TestDemoCLI(t *testing.T) {
	t.Parallel()
	skipShort(t, "renders the 30 s demo")
	out := t.TempDir()
	code, stdout, stderr := runCLI("demo", "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	testkit.Exist(t, out, "stems/drums.wav", "stems/bass.wav", "stems/chords.wav", "stems/lead.wav", "session.yaml", "main.wav", "main-cd.wav", "report.json")
	// docs/cli.md: human text goes to stderr, stdout is kept for --json.
	if stdout != "" || !strings.Contains(stderr, "demo song: 30 s, 4 stems") || !strings.Contains(stderr, "-14.0") {
		t.Errorf("stdout %q; summary on stderr:\n%s", stdout, stderr)
	}
}
