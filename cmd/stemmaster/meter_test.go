package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestMeterTruePeakAsReport: meter reads a file's true peak at the
// oversampling a master's report reads its outputs at (8× at 44.1 kHz),
// so that the two give one figure: on pulses between BS.1770's 4× points
// (where 4× reads about 0.15 dB low) within 0.02 dB of an ideal 16×
// reference.
func TestMeterTruePeakAsReport(t *testing.T) {
	t.Parallel()
	const rate = 44100
	b := audiotest.OffGridPulses(rate, 2, rate)
	ref := audiotest.NewTruePeak16x()
	tp, _ := ref.TruePeakDB(b, 0)
	audiotest.Scale(b, audio.Amplitude(-3-tp))
	path := audiotest.WriteWAV(t, t.TempDir(), "pulses.wav", b, rate, 24)
	written, _ := audiotest.ReadFile(t, path)
	want, _ := ref.TruePeakDB(written, 0)
	code, out, errOut := runCLI("meter", "--json", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var m struct {
		TP float64 `json:"true_peak_dbtp"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if math.Abs(m.TP-want) > 0.02 {
		t.Errorf("true peak %.2f dBTP, the 16× reference %.3f", m.TP, want)
	}
}

// TestMeterJSON checks the JSON contract of docs/cli.md: the exact keys, one
// object per line per file, figures of a known tone, null where undefined.
func TestMeterJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A 1 kHz tone at -23 dBFS peak in both channels reads -23.0 LUFS
	// (EBU Tech 3341 case 1); its peaks are -23 dBFS.
	tonePath := audiotest.WriteWAV(t, dir, "tone.wav", audiotest.Sine(48000, 2, 5*48000, 1000, -23, 0), 48000, 24)
	silentPath := audiotest.WriteWAV(t, dir, "silent.wav", audiotest.Silence(2, 48000), 48000, 24)

	code, out, errOut := runCLI("meter", "--json", tonePath, silentPath)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per file, got %q", out)
	}
	wantKeys := []string{"channels", "duration_s", "file", "frames", "integrated_lufs", "loudness_range_lu",
		"momentary_max_lufs", "sample_peak_dbfs", "sample_rate", "short_term_max_lufs", "true_peak_dbtp"}
	var objs []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("keys %v, want %v", keys, wantKeys)
		}
		objs = append(objs, m)
	}
	tone, silent := objs[0], objs[1]
	const tol = 0.1
	for k, want := range map[string]float64{"integrated_lufs": -23, "momentary_max_lufs": -23, "short_term_max_lufs": -23,
		"sample_peak_dbfs": -23, "true_peak_dbtp": -23, "loudness_range_lu": 0, "duration_s": 5, "frames": 240000, "sample_rate": 48000, "channels": 2} {
		got, ok := tone[k].(float64)
		if !ok || got < want-tol || got > want+tol {
			t.Errorf("tone: %s = %v, want %v ± %v", k, tone[k], want, tol)
		}
	}
	if tone["file"] != tonePath {
		t.Errorf("file = %v, want %s", tone["file"], tonePath)
	}
	// Silence: -Inf and undefined figures are null (1 s: no 3 s window).
	for _, k := range []string{"integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs", "momentary_max_lufs", "short_term_max_lufs"} {
		if v, ok := silent[k]; !ok || v != nil {
			t.Errorf("silence: %s = %v, want null", k, v)
		}
	}
}

func TestMeterSeries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := audiotest.WriteWAV(t, dir, "tone.wav", audiotest.Sine(44100, 2, 4*44100, 1000, -23, 0), 44100, 24)
	code, out, errOut := runCLI("meter", "--json", "--series", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var m struct {
		Series struct {
			StepS     float64    `json:"step_s"`
			Momentary []*float64 `json:"momentary_lufs"`
			ShortTerm []*float64 `json:"short_term_lufs"`
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	s := m.Series
	// 4 s: 400 windows ending at k·10 ms; the first 39 momentary and 299
	// short-term windows would start before the file: null.
	if s.StepS != 0.01 || len(s.Momentary) != 400 || len(s.ShortTerm) != 400 {
		t.Fatalf("step %v, %d momentary, %d short-term values; want 0.01, 400, 400", s.StepS, len(s.Momentary), len(s.ShortTerm))
	}
	if s.Momentary[38] != nil || s.Momentary[39] == nil || *s.Momentary[39] > -22.9 || *s.Momentary[39] < -23.1 {
		t.Errorf("momentary[38] = %v, [39] = %v; want null, then -23.0", s.Momentary[38], s.Momentary[39])
	}
	if s.ShortTerm[298] != nil || s.ShortTerm[299] == nil {
		t.Errorf("short-term[298] = %v, [299] = %v; want null, then a value", s.ShortTerm[298], s.ShortTerm[299])
	}
}

// TestMeterUnreadable: every readable file is metered, each unreadable one
// is named on stderr, and the exit status is 1.
func TestMeterUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := audiotest.WriteWAV(t, dir, "good.wav", audiotest.Sine(48000, 1, 48000, 1000, -20, 0), 48000, 24)
	garbage := filepath.Join(dir, "garbage.wav")
	if err := os.WriteFile(garbage, []byte("this is not audio at all, just some text to fill the header"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.wav")
	code, out, errOut := runCLI("meter", garbage, good, missing)
	if code != exitInputError {
		t.Errorf("exit %d, want %d", code, exitInputError)
	}
	for _, p := range []string{garbage, missing} {
		if !strings.Contains(errOut, p) {
			t.Errorf("stderr does not name %s:\n%s", p, errOut)
		}
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing without --json (docs/cli.md: human text goes to stderr)", out)
	}
	if !strings.Contains(errOut, good) || !strings.Contains(errOut, "-23.0") { // a mono -20 dBFS tone reads -23.0 LUFS
		t.Errorf("the good file is missing from the table:\n%s", errOut)
	}
}

func TestMeterUsage(t *testing.T) {
	t.Parallel()
	if code, _, _ := runCLI("meter"); code != exitUsage {
		t.Errorf("meter without files: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := runCLI("meter", "--bogus", "x.wav"); code != exitUsage {
		t.Errorf("meter --bogus: exit %d, want %d", code, exitUsage)
	}
}
