package service

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"stemmaster"
	"strings"
	"testing"

	_ "stemmaster/audio/flac"
	_ "stemmaster/audio/wav"
	"stemmaster/internal/audiotest"
	"stemmaster/sessionfile"
)

// TestRendererPublishesReport renders a one-stem session with the
// real engine: report.json must be in OutDir under its final name (written
// atomically by engine.Render, not by a non-atomic fallback here), parse as
// the report, and no temporary file may be left behind.
func TestRendererPublishesReport(t *testing.T) {
	t.Parallel()
	dir, out := t.TempDir(), t.TempDir()
	// 2 s of a -18 dBFS sine: long enough for a gated integrated loudness.
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(48000, 2, 96000, 440, -18, 0), 48000, 24)
	in := RenderInput{Session: parseSession(t, `{"stems": [{"file": "keys.wav"}]}`), Dir: dir, OutDir: out}
	res, err := EngineRenderer{Workers: 1}.Render(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("report.json not published: %v", err)
	}
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report.json does not parse: %v", err)
	}
	if _, ok := rep["outputs"]; !ok {
		t.Errorf("report.json has no outputs: %.200s", data)
	}
	if len(res.Outputs) == 0 {
		t.Error("the returned report has no outputs")
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left in OutDir", e.Name())
		}
	}
}

// TestRendererBoundsSongLength: a session whose offset_samples would
// make the song longer than the service renders is refused before the
// engine allocates its bus — by the service default, and by a set limit.
func TestRendererBoundsSongLength(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(48000, 2, 4800, 440, -18, 0), 48000, 24)
	for _, tc := range []struct {
		name    string
		r       EngineRenderer
		session string
	}{
		// 21 minutes of offset: over MaxSongS (20 minutes).
		{"service default", EngineRenderer{Workers: 1}, `{"stems": [{"file": "keys.wav", "offset_samples": 60480000}]}`},
		{"set limit", EngineRenderer{Workers: 1, MaxDurationS: 1}, `{"stems": [{"file": "keys.wav", "offset_samples": 48000}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := RenderInput{Session: parseSession(t, tc.session), Dir: dir, OutDir: t.TempDir()}
			_, err := tc.r.Render(context.Background(), in)
			if err == nil || !strings.Contains(err.Error(), "the engine renders at most") {
				t.Errorf("error %v; want the song-length limit", err)
			}
		})
	}
}

func parseSession(t *testing.T, doc string) *stemmaster.Session {
	t.Helper()
	s, err := sessionfile.Parse([]byte(doc), "session")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRecordConfirmed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := &stemmaster.Report{Warnings: []string{}}
	if err := recordConfirmed(dir, rep, []string{"offset: the mix mix.wav starts 10 samples late"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got stemmaster.Report
	if err := json.Unmarshal(data, &got); err != nil || len(got.MasteredAnyway) != 1 || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "mastered anyway") {
		t.Errorf("report.json %s (%v)", data, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("recordConfirmed left %d files, want report.json alone", len(entries))
	}
}

// TestCheckStopsAtTheDeclaredLength: a FLAC's frames may go on past the
// length STREAMINFO declares, an RF64's past its ds64 data size; the check
// reads an upload to the length it was taken by, as the preview and the
// render do. 18 MB of FLAC frames of silence declaring one second held a
// check for minutes, its memory growing, reading 400 hours. A streamed
// WAV (data size 0 or 0xFFFFFFFF) declares none: it is read to its end.
func TestCheckStopsAtTheDeclaredLength(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const declared, whole = 12000, 96000
	sig := audiotest.Sine(48000, 2, whole, 440, -20, 0)
	for _, c := range audiotest.DeclaredLengthFiles(t, dir, sig, 48000, declared) {
		for _, open := range []func(string) (io.ReadSeekCloser, error){nil, func(p string) (io.ReadSeekCloser, error) { return os.Open(p) }} {
			rep, err := StemChecker{}.CheckFrom(context.Background(), []string{c.Path}, c.Path, open)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Stems) != 1 || rep.Stems[0].Frames != int64(c.Frames) {
				t.Errorf("%s: checked %+v, want %d frames", filepath.Base(c.Path), rep.Stems, c.Frames)
			}
		}
	}
}
