package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// infoPeakTol allows for 24-bit quantisation of a generated peak (far below
// 0.01 dB) and for the two-decimal rounding of JSON levels.
const infoPeakTol = 0.006

// writeInfoFixture writes b to dir/name in the given container and format.
func writeInfoFixture(t *testing.T, dir, name, container string, f audio.Format, b *audio.Buffer) string {
	t.Helper()
	path := filepath.Join(dir, name)
	audiotest.WriteFile(t, path, container, f, b)
	return path
}

// bwfFixture is a hand-built Broadcast Wave file: 16-bit mono, 3 frames,
// bext time reference 172800000 (one hour at 48 kHz).
func bwfFixture(t *testing.T, dir string) string {
	t.Helper()
	le := binary.LittleEndian
	var b []byte
	chunk := func(id string, body []byte) {
		b = append(b, id...)
		b = le.AppendUint32(b, uint32(len(body)))
		b = append(b, body...)
	}
	b = append(b, "RIFF\x00\x00\x00\x00WAVE"...)
	bext := make([]byte, 602)
	le.PutUint64(bext[338:], 172800000)
	chunk("bext", bext)
	fmtBody := le.AppendUint16(nil, 1)
	fmtBody = le.AppendUint16(fmtBody, 1)
	fmtBody = le.AppendUint32(fmtBody, 48000)
	fmtBody = le.AppendUint32(fmtBody, 96000)
	fmtBody = le.AppendUint16(fmtBody, 2)
	fmtBody = le.AppendUint16(fmtBody, 16)
	chunk("fmt ", fmtBody)
	chunk("data", []byte{0, 0x40, 0, 0, 0, 0xC0}) // 0.5, 0, -0.5: peak -6.02 dBFS
	le.PutUint32(b[4:], uint32(len(b)-8))
	return testkit.WriteFile(t, dir, "bwf.wav", b)
}

func TestInfoJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	int24 := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	f32 := audio.Format{SampleRate: 44100, Channels: 1, BitDepth: 32, SampleFormat: audio.Float}
	flac16 := audio.Format{SampleRate: 96000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}
	// Expected peaks are the peaks the generators were asked for.
	tests := []struct {
		name    string
		path    string
		want    map[string]any // fields compared exactly
		peak    float64        // expected sample_peak_dbfs; NaN = null
		timeRef any            // expected time_reference; nil = absent
	}{
		{
			name: "24-bit wav sine at -6 dBFS",
			path: writeInfoFixture(t, dir, "sine.wav", "wav", int24, audiotest.Sine(48000, 2, 48000, 1000, -6, 0)),
			want: map[string]any{"format": "wav", "sample_rate": 48000.0, "channels": 2.0, "bit_depth": 24.0, "sample_format": "int", "frames": 48000.0, "duration_s": 1.0},
			peak: -6,
		},
		{
			name: "float wav silence has a null peak",
			path: writeInfoFixture(t, dir, "silence.wav", "wav", f32, audiotest.Silence(1, 22050)),
			want: map[string]any{"format": "wav", "sample_rate": 44100.0, "channels": 1.0, "bit_depth": 32.0, "sample_format": "float", "frames": 22050.0, "duration_s": 0.5},
			peak: math.NaN(),
		},
		{
			name: "flac with its content named .wav",
			path: writeInfoFixture(t, dir, "actually-flac.wav", "flac", flac16, audiotest.Sine(96000, 2, 9600, 440, -1, 0)),
			want: map[string]any{"format": "flac", "sample_rate": 96000.0, "channels": 2.0, "bit_depth": 16.0, "sample_format": "int", "frames": 9600.0, "duration_s": 0.1},
			peak: -1,
		},
		{
			name:    "BWF time reference",
			path:    bwfFixture(t, dir),
			want:    map[string]any{"format": "wav", "sample_rate": 48000.0, "channels": 1.0, "bit_depth": 16.0, "sample_format": "int", "frames": 3.0},
			peak:    audio.DB(0.5),
			timeRef: 172800000.0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI("info", "--json", tc.path)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
			if got["file"] != tc.path {
				t.Errorf("file = %v, want %s", got["file"], tc.path)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			switch p, ok := got["sample_peak_dbfs"].(float64); {
			case math.IsNaN(tc.peak):
				if got["sample_peak_dbfs"] != nil {
					t.Errorf("sample_peak_dbfs = %v, want null", got["sample_peak_dbfs"])
				}
			case !ok || math.Abs(p-tc.peak) > infoPeakTol:
				t.Errorf("sample_peak_dbfs = %v, want %.3f", got["sample_peak_dbfs"], tc.peak)
			}
			if tr, present := got["time_reference"]; tr != tc.timeRef || present != (tc.timeRef != nil) {
				t.Errorf("time_reference = %v (present %v), want %v", tr, present, tc.timeRef)
			}
		})
	}
}

func TestInfoErrorsAndTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeInfoFixture(t, dir, "good.wav", "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}, audiotest.Sine(48000, 2, 4800, 1000, -3, 0))
	text := testkit.WriteFile(t, dir, "notes.wav", []byte("not audio\n"))
	missing := filepath.Join(dir, "missing.wav")

	t.Run("unreadable files exit 1 and the others still print", func(t *testing.T) {
		code, stdout, stderr := runCLI("info", "--json", text, good, missing)
		if code != exitInputError {
			t.Errorf("exit %d, want %d", code, exitInputError)
		}
		// Each unreadable file has its {file, error} line, in order.
		lines := nonEmptyLines(stdout)
		if len(lines) != 3 || !strings.Contains(lines[1], `"file":"`+good+`","format"`) ||
			!strings.HasPrefix(lines[0], `{"file":"`+text+`","error":`) || !strings.HasPrefix(lines[2], `{"file":"`+missing+`","error":`) {
			t.Errorf("stdout = %q, want %s's error line, %s's figures, %s's error line", stdout, text, good, missing)
		}
		for _, p := range []string{text, missing} {
			if !strings.Contains(stderr, p) {
				t.Errorf("stderr %q does not name %s", stderr, p)
			}
		}
	})
	t.Run("human table", func(t *testing.T) {
		code, stdout, stderr := runCLI("info", good)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		// docs/cli.md: human text goes to stderr, stdout is kept for --json.
		if len(stdout) != 0 {
			t.Errorf("stdout = %q, want nothing without --json", stdout)
		}
		lines := nonEmptyLines(stderr)
		if len(lines) != 2 || !strings.Contains(lines[1], "48000 Hz") || !strings.Contains(lines[1], "-3.0") || !strings.Contains(lines[1], good) {
			t.Errorf("table = %q", stderr)
		}
	})
	t.Run("usage", func(t *testing.T) {
		if code, _, _ := runCLI("info"); code != exitUsage {
			t.Errorf("no files: exit %d, want %d", code, exitUsage)
		}
		if code, _, _ := runCLI("info", "--bogus", good); code != exitUsage {
			t.Errorf("unknown flag: exit %d, want %d", code, exitUsage)
		}
		if code, stdout, _ := runCLI("info", "--help"); code != exitOK || !strings.Contains(stdout, "Examples:") {
			t.Errorf("--help: exit %d, output %q", code, stdout)
		}
	})
}

// TestInfoFrancium checks info against the reference figure in the test
// set's README: mix.wav peaks at -2.95 dBFS.
func TestInfoFrancium(t *testing.T) {
	t.Parallel()
	dir := audiotest.FranciumDir(t)
	mix := filepath.Join(dir, "mix.wav")
	code, stdout, stderr := runCLI("info", "--json", mix)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Frames int64   `json:"frames"`
		Peak   float64 `json:"sample_peak_dbfs"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Frames != 45*48000 || math.Abs(got.Peak-(-2.95)) > infoPeakTol {
		t.Errorf("mix.wav: %d frames, peak %v dBFS; README: 2160000 frames, -2.95 dBFS", got.Frames, got.Peak)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	return out
}

// TestInfoNonFinite: a float file with NaN and infinite samples still gets
// its figures, measured around them (the peak of the rest), with their
// count and the first one's time on stderr and exit status 1 — what meter
// and check say of the same file.
func TestInfoNonFinite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f32 := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}
	path := writeInfoFixture(t, dir, "nan.wav", "wav", f32, audiotest.Sine(48000, 2, 48000, 1000, -6, 0))
	raw := testkit.ReadFile(t, path)
	data := bytes.Index(raw, []byte("data")) + 8
	for frame, v := range map[int]float32{24000: float32(math.NaN()), 30000: float32(math.Inf(1))} {
		binary.LittleEndian.PutUint32(raw[data+frame*8+4:], math.Float32bits(v)) // right channel
	}
	testkit.WriteFile(t, dir, "nan.wav", raw)
	for _, asJSON := range []bool{true, false} {
		args := []string{"info", path}
		if asJSON {
			args = []string{"info", "--json", path}
		}
		code, stdout, stderr := runCLI(args...)
		if code != exitInputError {
			t.Errorf("%v: exit %d, want %d", args, code, exitInputError)
		}
		if want := "2 NaN or infinite samples (the first at 0.500 s, frame 24000), read as silence: figures measured without them"; !strings.Contains(stderr, want) {
			t.Errorf("%v: stderr %q does not say %q", args, stderr, want)
		}
		if !asJSON {
			if !strings.Contains(stderr, "-6.0") || !strings.Contains(stderr, "48000") {
				t.Errorf("table without the figures (peak -6.0, 48000 frames): %s", stderr)
			}
			continue
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		if p, ok := got["sample_peak_dbfs"].(float64); !ok || math.Abs(p+6) > infoPeakTol {
			t.Errorf("sample_peak_dbfs = %v, want -6", got["sample_peak_dbfs"])
		}
		if got["frames"] != 48000.0 || got["non_finite_samples"] != 2.0 {
			t.Errorf("frames %v, non_finite_samples %v; want 48000 and 2", got["frames"], got["non_finite_samples"])
		}
	}
}

// TestFramesPastHeaderCLI: info and meter read a FLAC file to the length
// its STREAMINFO declares (as the check and the server do), count the
// frames after it in frames_past_header, say so on stderr and exit 0: the
// figures hold for the declared length.
func TestFramesPastHeaderCLI(t *testing.T) {
	t.Parallel()
	// 1 s of silence, then 1 s at -6 dBFS the header leaves out: a peak of
	// -6 would mean the frames past the header were read.
	b := audiotest.Concat(audiotest.Silence(2, 48000), audiotest.Sine(48000, 2, 48000, 1000, -6, 0))
	path := audiotest.WriteFLACDeclaring(t, t.TempDir(), "lie.flac", b, 48000, 48000)
	for _, cmd := range []string{"info", "meter"} {
		code, stdout, stderr := runCLI(cmd, "--json", path)
		if code != 0 {
			t.Errorf("%s: exit %d, want 0; stderr %s", cmd, code, stderr)
		}
		if want := "its header declares 48000 frames (1.000 s) but 48000 more frames (1.000 s) follow them, which no command reads"; !strings.Contains(stderr, want) {
			t.Errorf("%s: stderr %q does not say %q", cmd, stderr, want)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%s: %v: %s", cmd, err, stdout)
		}
		if got["frames"] != 48000.0 || got["frames_past_header"] != 48000.0 || got["sample_peak_dbfs"] != nil && got["sample_peak_dbfs"] != "-inf" {
			t.Errorf("%s: frames %v, frames_past_header %v, sample_peak_dbfs %v; want 48000, 48000 and -inf",
				cmd, got["frames"], got["frames_past_header"], got["sample_peak_dbfs"])
		}
	}
	// master reads the stem through its strip, and its check from the
	// strip's blocks: the finding still counts what follows.
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI("master", "-o", out, path)
	if code != 0 || !strings.Contains(stderr, "check warning (frames_past_header): lie.flac: its header declares 48000 frames (1.000 s) but 48000 more frames (1.000 s) follow them") {
		t.Errorf("master: exit %d, stderr %s; want 0 and the frames_past_header warning", code, stderr)
	}
}

// TestPerFileNoEmptyTable: info and meter print their table's header only
// over rows; when every file fails, stderr holds the errors alone.
func TestPerFileNoEmptyTable(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.wav")
	for _, c := range []struct{ cmd, header string }{{"info", "format"}, {"meter", "I LUFS"}} {
		code, _, stderr := runCLI(c.cmd, missing)
		if code != exitInputError || strings.Contains(stderr, c.header) || !strings.Contains(stderr, "nope.wav") {
			t.Errorf("%s of a missing file: exit %d, stderr %q; want exit %d, the error and no table header", c.cmd, code, stderr, exitInputError)
		}
	}
}
