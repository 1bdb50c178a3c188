package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
	"stemmaster/report"
)

// TestFailedRenderLeavesNoDirectory: a master that fails once it has made
// its output and report directories (stems the render refuses, at two
// sample rates) takes the directories it made away again, however deep;
// a directory that was there stays, and so does one holding a master.
// An empty out/song tree was left behind by every failed run.
func TestFailedRenderLeavesNoDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	b := audiotest.WriteWAV(t, dir, "b.wav", audiotest.Sine(44100, 2, 4410, 440, -12, 0), 44100, 24)
	out := filepath.Join(dir, "new", "deep", "out")
	rep := filepath.Join(dir, "pictures", "song")
	code, _, stderr := runCLI("master", "--no-check", "-o", out, "--report", rep, a, b)
	if code != exitInputError || !strings.Contains(stderr, "different sample rates") {
		t.Fatalf("exit %d, %s; want %d refusing the rates", code, stderr, exitInputError)
	}
	testkit.DirHolds(t, dir, "a.wav", "b.wav")

	// An existing directory is left as it was.
	kept := filepath.Join(dir, "kept")
	if err := os.Mkdir(kept, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCLI("master", "--no-check", "-o", kept, a, b); code != exitInputError {
		t.Fatalf("exit %d, want %d", code, exitInputError)
	}
	if fi, err := os.Stat(kept); err != nil || !fi.IsDir() {
		t.Errorf("the existing output directory: %v", err)
	}
	// A render that succeeds keeps the directory it made.
	if code, _, stderr := runCLI("master", "--no-check", "-o", out, a); code != 0 {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	testkit.DirHolds(t, out, "main.wav", "report.json")
}

// TestReportInOrBesideOut: the HTML report is written where --report
// says, -o itself, a folder inside it or elsewhere, beside the masters
// (engine.Options.Committed writes it while the render holds -o:
// TestCommittedWhileOutHeld in engine).
func TestReportInOrBesideOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	for _, tc := range []struct{ name, report string }{
		{"the same directory", ""},
		{"inside it", "pictures"},
		{"elsewhere", "../elsewhere"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		report := filepath.Join(out, tc.report)
		if code, _, stderr := runCLI("master", "--no-check", "-o", out, "--report", report, a); code != 0 {
			t.Fatalf("%s: exit %d, %s", tc.name, code, stderr)
		}
		for _, f := range []string{filepath.Join(report, "report.html"), filepath.Join(out, "main.wav")} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		// Nothing holds -o once master has returned.
		unlock, err := atomicfile.LockDir(out)
		if err != nil {
			t.Errorf("%s: -o after the run: %v", tc.name, err)
		} else {
			unlock()
		}
	}
}

// TestReportIsOfThisRender: a report directory an earlier report was
// written into (another session's, with a de-esser picture) holds, after
// the render, this render's pictures alone, and report.html shows none of
// the earlier ones: report.html embedded every picture it found in the
// directory, so a song without a de-esser showed another song's de-esser.
func TestReportIsOfThisRender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	rep := testkit.Mkdir(t, dir, "report")
	stale := []byte("another song's de-esser picture")
	testkit.WriteFile(t, rep, report.DeEsserPNG, stale)
	code, _, stderr := runCLI("master", "--no-check", "-o", filepath.Join(dir, "out"), "--report", rep, a)
	if code != 0 {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	html := testkit.ReadFile(t, filepath.Join(rep, report.HTMLName))
	if bytes.Contains(html, []byte(base64.StdEncoding.EncodeToString(stale))) {
		t.Error("report.html shows the earlier report's de-esser picture")
	}
	testkit.Absent(t, filepath.Join(rep, report.DeEsserPNG))
	testkit.Exist(t, rep, report.HTMLName, report.WaveformPNG)
}

// TestFailedReportLeavesTheEarlierOne: a report that cannot be written
// whole (a full disk, after the first picture) leaves the report directory
// as it was, the earlier report's HTML and pictures together and no
// temporary folder; a stage folder a killed render left is removed. The
// pictures were written one by one into the directory, so a full disk
// left this render's first pictures beside the earlier render's HTML.
func TestFailedReportLeavesTheEarlierOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testkit.WriteFile(t, dir, report.HTMLName, []byte("earlier html"))
	testkit.WriteFile(t, dir, report.WaveformPNG, []byte("earlier waveform"))
	left := testkit.Mkdir(t, dir, atomicfile.TempName(reportStage, 12345))
	testkit.WriteFile(t, left, report.WaveformPNG, []byte("killed render's waveform"))
	err := writeReport(dir, &stemmaster.Report{}, func(stage string, _ *stemmaster.Report) error {
		testkit.WriteFile(t, stage, report.WaveformPNG, []byte("this render's waveform"))
		return errors.New("report: " + filepath.Join(stage, report.LoudnessPNG) + ": no space left on device")
	})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), filepath.Join(dir, report.LoudnessPNG)) {
		t.Errorf("error %v: want the disk's, naming %s", err, filepath.Join(dir, report.LoudnessPNG))
	}
	if got := testkit.ReadFile(t, filepath.Join(dir, report.WaveformPNG)); string(got) != "earlier waveform" {
		t.Errorf("waveform.png holds %q: want the earlier report's", got)
	}
	testkit.DirHolds(t, dir, report.HTMLName, report.WaveformPNG)
}

// TestEarlierReportIsNamed: a render into -o without --report, where an
// earlier render wrote its HTML report (in -o or a folder in it), warns
// that the report is not of these masters; one that writes that report
// again does not. Re-rendering after changing one gain left the earlier
// figures and pictures beside the new masters without a word.
func TestEarlierReportIsNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	out := filepath.Join(dir, "out")
	for _, rep := range []string{out, filepath.Join(out, "report")} {
		master := func(extra ...string) string {
			t.Helper()
			code, _, stderr := runCLI(append([]string{"master", "--no-check", "-o", out, a}, extra...)...)
			if code != 0 {
				t.Fatalf("exit %d, %s", code, stderr)
			}
			return stderr
		}
		master("--report", rep)
		html := filepath.Join(rep, report.HTMLName)
		if stderr := master(); !strings.Contains(stderr, "warning: "+html+" is an earlier render's report") {
			t.Errorf("report in %s, render without --report: stderr %q does not name %s", rep, stderr, html)
		}
		// A batch reads --json and report.json, not stderr: the warning is
		// there too (it was on stderr alone).
		code, stdout, stderr := runCLI("master", "--no-check", "--json", "-o", out, a)
		var got struct{ Warnings []string }
		if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil {
			t.Fatalf("--json: exit %d, stdout %q, stderr %s", code, stdout, stderr)
		}
		if !slices.ContainsFunc(got.Warnings, func(w string) bool { return strings.HasPrefix(w, html+" is an earlier render's report") }) {
			t.Errorf("report in %s: --json warnings %q do not name %s", rep, got.Warnings, html)
		}
		if onDisk := string(testkit.ReadFile(t, filepath.Join(out, engine.ReportFile))); !strings.Contains(onDisk, html+" is an earlier render's report") {
			t.Errorf("report in %s: report.json does not name %s", rep, html)
		}
		if stderr := master("--report", rep); strings.Contains(stderr, "earlier render's report") {
			t.Errorf("report in %s written again: stderr %q", rep, stderr)
		}
		os.Remove(html)
	}
}

// TestReportIntoAnotherRendersOutputIsRefused: --report naming another
// render's output directory (it holds that render's report.json), or a
// folder directly in it, is refused before rendering, exit 1, nothing
// written there; it used to put this render's report.html beside masters
// it does not describe, which only the next render there warned of. The
// render's own -o, and a folder in it, stay allowed.
func TestReportIntoAnotherRendersOutputIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	other := filepath.Join(dir, "other")
	if code, _, stderr := runCLI("master", "--no-check", "-o", other, a); code != 0 {
		t.Fatalf("first render: exit %d, %s", code, stderr)
	}
	for _, rep := range []string{other, filepath.Join(other, "report")} {
		out := filepath.Join(dir, "out")
		code, _, stderr := runCLI("master", "--no-check", "-o", out, "--report", rep, a)
		if code != 1 || !strings.Contains(stderr, "report directory "+rep) || !strings.Contains(stderr, "another render's masters") {
			t.Errorf("--report %s: exit %d, stderr %q: want 1 naming it as another render's", rep, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(rep, report.HTMLName)); err == nil {
			t.Errorf("--report %s: report.html written", rep)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--report %s: -o %s made for a refused run", rep, out)
		}
	}
	for _, rep := range []string{other, filepath.Join(other, "report")} {
		if code, _, stderr := runCLI("master", "--no-check", "-o", other, "--report", rep, a); code != 0 {
			t.Errorf("-o %s --report %s: exit %d, %s", other, rep, code, stderr)
		}
	}
}
