package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/engine"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// renderPlain renders stems in dir (the session's stems, in order) with a
// PreviewWriter as the engine's plain-sum sink and returns the sink's
// result.
func renderPlain(t *testing.T, dir string, stems []stemmaster.StemSpec, path string) (float64, error) {
	t.Helper()
	out := t.TempDir()
	s := &stemmaster.Session{Dir: dir, Stems: stems, Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}}
	pw := NewPreviewWriter(path)
	if _, err := engine.Render(context.Background(), s, engine.Options{OutDir: out, PlainSum: pw}); err != nil {
		t.Fatal(err)
	}
	return pw.Result()
}

// samePreview fails unless the two preview files hold the same samples.
func samePreview(t *testing.T, got, want string) {
	t.Helper()
	g, gi := audiotest.ReadFile(t, got)
	w, wi := audiotest.ReadFile(t, want)
	if gi.Format != wi.Format || g.Frames() != w.Frames() {
		t.Fatalf("render's sum %v, %d frames; decoded sum %v, %d frames", gi.Format, g.Frames(), wi.Format, w.Frames())
	}
	audiotest.SameSamples(t, g, w, "the decoded sum")
}

// TestPlainSumMatchesPreview: the plain sum the render hands over while it
// decodes the stems is, sample for sample, the preview WriteSumPreviewFrom
// makes by decoding them again — whatever the stems' offsets, gains, pans,
// lengths, channels and rates (a stem converted to the song's rate).
func TestPlainSumMatchesPreview(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, rate int, b *audio.Buffer, bits int, float bool) {
		f := audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: bits, SampleFormat: audio.Int}
		if float {
			f.SampleFormat = audio.Float
		}
		audiotest.WriteFile(t, filepath.Join(dir, name), "wav", f, b)
	}
	write("a.wav", 48000, audiotest.PinkNoise(1, 2, 100000, -6), 24, false)
	write("b.wav", 48000, audiotest.WhiteNoise(2, 1, 70000, -3), 16, false)
	write("c.wav", 44100, audiotest.Sine(44100, 2, 50000, 220, -1, 0), 32, true)
	stems := []stemmaster.StemSpec{
		{File: "a.wav", GainDB: -3, EQ: []stemmaster.EQBand{{Type: stemmaster.EQHighPass, FreqHz: 40}}},
		{File: "b.wav", OffsetSamples: 30000, Pan: 0.4},
		{File: "c.wav", OffsetSamples: -700, Resample: true, Polarity: stemmaster.PolarityInverted},
	}
	tmp := t.TempDir()
	got, want := filepath.Join(tmp, "render.wav"), filepath.Join(tmp, "decoded.wav")
	lufs, err := renderPlain(t, dir, stems, got)
	if err != nil {
		t.Fatal(err)
	}
	wantLUFS, err := WriteSumPreviewFrom(context.Background(), want, []string{filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav"), filepath.Join(dir, "c.wav")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	samePreview(t, got, want)
	if lufs != wantLUFS {
		t.Errorf("render's sum %v LUFS, decoded sum %v LUFS", lufs, wantLUFS)
	}

	// A muted stem plays no part in the master, but the plain sum holds it
	// as delivered: the render reads it for the sum alone (at the song's
	// rate when it is converted), and hands over the same sum.
	for _, muted := range []int{1, 2} {
		mutedStems := append([]stemmaster.StemSpec(nil), stems...)
		mutedStems[muted].Mute = true
		path := filepath.Join(tmp, "muted-"+mutedStems[muted].File)
		lufs, err := renderPlain(t, dir, mutedStems, path)
		if err != nil {
			t.Fatalf("%s muted: %v", mutedStems[muted].File, err)
		}
		samePreview(t, path, want)
		if lufs != wantLUFS {
			t.Errorf("%s muted: render's sum %v LUFS, decoded sum %v LUFS", mutedStems[muted].File, lufs, wantLUFS)
		}
	}
}

// TestPlainSumMatchesPreviewFrancium is TestPlainSumMatchesPreview on real
// stems (STEMMASTER_FRANCIUM).
func TestPlainSumMatchesPreviewFrancium(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("STEMMASTER_FRANCIUM")
	if dir == "" {
		t.Skip("STEMMASTER_FRANCIUM not set")
	}
	names := []string{"backing_vocals.wav", "drums.wav", "fx.wav", "instruments.wav", "lead_vocal.wav"}
	var stems []stemmaster.StemSpec
	var paths []string
	for _, n := range names {
		stems = append(stems, stemmaster.StemSpec{File: n})
		paths = append(paths, filepath.Join(dir, n))
	}
	tmp := t.TempDir()
	got, want := filepath.Join(tmp, "render.wav"), filepath.Join(tmp, "decoded.wav")
	lufs, err := renderPlain(t, dir, stems, got)
	if err != nil {
		t.Fatal(err)
	}
	wantLUFS, err := WriteSumPreviewFrom(context.Background(), want, paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	samePreview(t, got, want)
	if lufs != wantLUFS {
		t.Errorf("render's sum %v LUFS, decoded sum %v LUFS", lufs, wantLUFS)
	}
}

// TestPreviewPanic: a panic encoding the preview (internal/faultpoint) is
// the writer's error, naming the stage; writes after it never wait on the
// goroutine, which drains the queue and ends; no partial file is left.
func TestPreviewPanic(t *testing.T) {
	disarm := faultpoint.Arm("render.preview:panic")
	defer disarm()
	path := filepath.Join(t.TempDir(), "preview.wav")
	pw := NewPreviewWriter(path)
	if err := pw.Begin(48000); err != nil {
		t.Fatal(err)
	}
	b := audiotest.PinkNoise(1, 2, 4096, -12)
	var werr error
	for range 4 * previewQueue { // more blocks than the queue holds
		if werr = pw.Write(b); werr != nil {
			break
		}
	}
	if werr == nil {
		werr = pw.End()
	}
	_, rerr := pw.Result()
	var pe *safego.PanicError
	for _, err := range []error{werr, rerr} {
		if !errors.As(err, &pe) || pe.Stage != "render's preview" {
			t.Errorf("got %v; want the preview's panic", err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial preview left: %v", err)
	}
}
