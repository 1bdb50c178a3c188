package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"stemmaster/assist"
	"stemmaster/internal/audiotest"
	"stemmaster/sessionfile"
)

// assist writes a session that loads and masters, with every decision's
// amount and reason in it; --json prints the same decisions; bad flags are
// usage errors (exit 2), unreadable stems input errors (exit 1).
func TestAssistCLI(t *testing.T) {
	dir, stems := masterStems(t)
	ref := audiotest.WriteWAV(t, t.TempDir(), "ref.wav", audiotest.PinkNoise(9, 2, 4*48000, -10), 48000, 24)
	session := filepath.Join(dir, "session.yaml")
	code, stdout, stderr := runCLI(append([]string{"assist", "--json", "--amount", "0.8", "--reference", ref, "-o", session}, stems...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var p assist.Proposal
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if p.Amount != 0.8 || len(p.Decisions) == 0 || len(p.References) != 1 {
		t.Errorf("proposal: amount %g, %d decisions, %d references", p.Amount, len(p.Decisions), len(p.References))
	}
	data, err := os.ReadFile(session)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Decisions {
		if d.Value != "advice" && !strings.Contains(string(data), oneLine(d.Reason)) {
			t.Errorf("the session file lacks the reason %q", d.Reason)
		}
	}
	s, err := sessionfile.Load(session)
	if err != nil {
		t.Fatalf("the proposed session does not load: %v\n%s", err, data)
	}
	if s.Stems[0].File != "drums.wav" || len(s.Master.MatchEQ) == 0 {
		t.Errorf("stems named %q (want relative to the session), match EQ %v", s.Stems[0].File, s.Master.MatchEQ)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI("master", "-s", session, "--no-check", "-o", out); code != exitOK {
		t.Fatalf("master of the proposal: exit %d: %s", code, stderr)
	}
	for _, bad := range [][]string{{"--amount", "1.5"}, {"--family", "metal"}, {"--smoothing", "9"}, {"--reference-weight", "2"}} {
		if code, _, _ := runCLI(append(append([]string{"assist"}, bad...), stems...)...); code != exitUsage {
			t.Errorf("assist %v: exit %d, want %d", bad, code, exitUsage)
		}
	}
	if code, _, stderr := runCLI("assist", filepath.Join(dir, "missing.wav")); code != exitInputError || !strings.Contains(stderr, "missing.wav") {
		t.Errorf("missing stem: exit %d, stderr %q", code, stderr)
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestAssistOutUnwritable: a session file that could not be written (-o a
// directory, under a file, in a directory no file can be created in) fails
// with the path named before the analysis, whose decisions would be lost.
func TestAssistOutUnwritable(t *testing.T) {
	t.Parallel()
	_, stems := masterStems(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ out, want string }{
		{dir, dir + " is a directory"},
		{filepath.Join(file, "new", "session.yaml"), file},
	}
	if runtime.GOOS == "linux" { // no file can be created in /proc, even by root
		cases = append(cases, struct{ out, want string }{"/proc/session.yaml", "/proc is not writable"})
	}
	for _, tc := range cases {
		code, _, stderr := runCLI(append([]string{"assist", "-o", tc.out}, stems...)...)
		if code != exitInputError || !strings.Contains(stderr, tc.want) {
			t.Errorf("-o %s: exit %d, stderr %q; want exit %d naming %q", tc.out, code, stderr, exitInputError, tc.want)
		}
		if strings.Contains(stderr, "family ") {
			t.Errorf("-o %s: refused only after the analysis:\n%s", tc.out, stderr)
		}
	}
}

// TestAssistBudget: assist reads at most --budget-s track-seconds, as the
// server's /suggest does: a longer song is proposed from a centred window,
// which stderr and --json's excerpt name; --budget-s 0 reads every file
// whole; a budget that leaves under 5 s a file is a usage error.
func TestAssistBudget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const rate, n = 48000, 12 * 48000
	stems := []string{
		audiotest.WriteWAV(t, dir, "drums.wav", audiotest.PinkNoise(3, 2, n, -8), rate, 24),
		audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(rate, 2, n, 330, -12, 0), rate, 24)}
	for _, tc := range []struct {
		budget  string
		code    int
		excerpt *assist.Excerpt
		stderr  string
	}{
		{"16", exitOK, &assist.Excerpt{StartS: 2, LengthS: 8, SongS: 12}, "rests on 8.0 s from the middle of the song (12.0 s, from 2.0 s on)"},
		{"0", exitOK, nil, ""},
		{"9", exitUsage, nil, "under the 5 s a proposal needs"},
	} {
		out := filepath.Join(t.TempDir(), "s.yaml")
		code, stdout, stderr := runCLI(append([]string{"assist", "--json", "--budget-s", tc.budget, "-o", out}, stems...)...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("--budget-s %s: exit %d, want %d with %q:\n%s", tc.budget, code, tc.code, tc.stderr, stderr)
			continue
		}
		if code != exitOK {
			continue
		}
		var p struct{ Excerpt *assist.Excerpt }
		if err := json.Unmarshal([]byte(stdout), &p); err != nil {
			t.Fatal(err)
		}
		if (p.Excerpt == nil) != (tc.excerpt == nil) || p.Excerpt != nil && *p.Excerpt != *tc.excerpt {
			t.Errorf("--budget-s %s: excerpt %+v, want %+v", tc.budget, p.Excerpt, tc.excerpt)
		}
	}
}

// TestAssistSessionPaths: `assist -o` names the stems and the mix
// relative to the session file's directory when they lie under it or
// beside it (under its parent), absolute when further off; each name
// resolves, through the session loaded as master loads it, to the file
// given, whatever the working directory.
func TestAssistSessionPaths(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	song := filepath.Join(root, "album", "song")
	if err := os.MkdirAll(filepath.Join(song, "stems"), 0o755); err != nil {
		t.Fatal(err)
	}
	n := 2 * 48000
	drums := audiotest.WriteWAV(t, filepath.Join(song, "stems"), "drums.wav", audiotest.PinkNoise(3, 2, n, -8), 48000, 24)
	keys := audiotest.WriteWAV(t, song, "keys.wav", audiotest.Sine(48000, 2, n, 330, -12, 0), 48000, 24)
	mix := audiotest.WriteWAV(t, root, "mix.wav", audiotest.Add(audiotest.PinkNoise(3, 2, n, -8), audiotest.Sine(48000, 2, n, 330, -12, 0)), 48000, 24)
	for _, tc := range []struct {
		session string
		want    []string // the session's names of drums, keys, mix
	}{
		{filepath.Join(song, "s.yaml"), []string{filepath.Join("stems", "drums.wav"), "keys.wav", mix}},
		{filepath.Join(song, "sessions", "s.yaml"), []string{filepath.Join("..", "stems", "drums.wav"), filepath.Join("..", "keys.wav"), mix}},
		{filepath.Join(song, "sessions", "v1", "s.yaml"), []string{drums, keys, mix}},
		{filepath.Join(root, "album", "s.yaml"), []string{filepath.Join("song", "stems", "drums.wav"), filepath.Join("song", "keys.wav"), filepath.Join("..", "mix.wav")}},
	} {
		if code, _, stderr := runCLI("assist", "--mix", mix, "-o", tc.session, drums, keys); code != exitOK {
			t.Fatalf("assist -o %s: exit %d: %s", tc.session, code, stderr)
		}
		s, err := sessionfile.Load(tc.session)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{s.Stems[0].File, s.Stems[1].File, s.Mix}
		for i, file := range []string{drums, keys, mix} {
			if got[i] != tc.want[i] || s.Path(got[i]) != file {
				t.Errorf("-o %s: %s named %q (resolves to %s), want %q", tc.session, filepath.Base(file), got[i], s.Path(got[i]), tc.want[i])
			}
		}
	}
}
