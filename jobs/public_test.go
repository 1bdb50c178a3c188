package jobs

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
	"strings"
	"testing"
)

func TestPublicMessage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"open /srv/stemmaster/tmp/render-1/files/drums.wav: corrupt":                         "open drums.wav: corrupt",
		"store: put projects/0123456789abcdef0123456789abcdef/jobs/j/a1/main.wav: disk full": "store: put main.wav: disk full",
		"connect postgres://app:s3cret@db:5432/x failed":                                     "connect (database) failed",
		`C:\data\x\bass.wav: bad`:                                                            "bass.wav: bad",
	} {
		if got := PublicMessage(in); got != want {
			t.Errorf("PublicMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteSumPreview(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Two stems: a stereo sine and a mono sine half as long. The sum's
	// loudness is measured with the loudness package on the same sum built
	// in memory, so the expected value is independent of the preview code.
	a := audiotest.Sine(48000, 2, 48000, 440, -12, 0)
	m := audiotest.Sine(48000, 1, 24000, 1000, -18, 0)
	audiotest.WriteWAV(t, dir, "a.wav", a, 48000, 24)
	audiotest.WriteWAV(t, dir, "m.wav", m, 48000, 24)
	// The mono stem sits in the centre at −3 dB per channel (cos π/4), as
	// the engine places it.
	want := a.Clone()
	centre := float32(math.Cos(math.Pi / 4))
	for c := 0; c < 2; c++ {
		for i, v := range m.Data[0] {
			want.Data[c][i] += centre * v
		}
	}
	wantLUFS := loudness.Measure(want, 48000, loudness.Options{}).IntegratedLUFS

	out := filepath.Join(dir, PreviewName)
	got, err := WriteSumPreviewFrom(context.Background(), out, []string{filepath.Join(dir, "a.wav"), filepath.Join(dir, "m.wav")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const tolLU = 0.01 // 24-bit stems against float sums
	if math.Abs(got-wantLUFS) > tolLU {
		t.Errorf("preview loudness %.3f LUFS, want %.3f", got, wantLUFS)
	}
	f, err := audio.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info := f.Info()
	if info.Frames != 48000 || info.Format != (audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}) {
		t.Errorf("preview is %+v, want 48000 frames of 48 kHz 24-bit stereo", info)
	}

	if _, err := WriteSumPreviewFrom(context.Background(), out, nil, nil); err == nil {
		t.Error("no stems: no error")
	}
	writeRate(t, dir, "r44.wav", 44100)
	// Mixed rates: the 44.1 kHz stem is converted to 48 kHz (a tie goes to
	// the higher rate).
	mixed := filepath.Join(dir, "x.wav")
	if _, err := WriteSumPreviewFrom(context.Background(), mixed, []string{filepath.Join(dir, "a.wav"), filepath.Join(dir, "r44.wav")}, nil); err != nil {
		t.Errorf("mixed sample rates: %v", err)
	} else if x, err := audio.Stat(mixed); err != nil || x.Format.SampleRate != 48000 || x.Frames < 48000 {
		t.Errorf("mixed-rate preview %+v, %v; want 48 kHz, at least 48000 frames", x, err)
	}
	// A rate the loudness meter refuses (it panics in NewMeter) must be an
	// error, with no preview file left behind.
	writeRate(t, dir, "r768k.wav", 768000)
	bad := filepath.Join(dir, "bad.wav")
	if _, err := WriteSumPreviewFrom(context.Background(), bad, []string{filepath.Join(dir, "r768k.wav")}, nil); err == nil || !strings.Contains(err.Error(), "r768k.wav") {
		t.Errorf("768 kHz stem: error %v; want one naming r768k.wav", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("768 kHz stem left %s behind (%v)", bad, err)
	}
}

// TestSumPreviewFormat: the sum preview is what a musician downloads to
// compare, 24-bit at the song's rate up to 48 kHz: a 96 kHz song's is
// converted to 48 kHz (the same tone, at its level, half the frames),
// while its figure is metered on the sum at 96 kHz; a sum that peaks above
// full scale is clipped in the file as a bounce would be, and its figure
// is the sum's, before.
func TestSumPreviewFormat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.Sine(96000, 2, 96000, 1000, -12, 0)
	audiotest.WriteWAV(t, dir, "a96.wav", a, 96000, 24)
	out := filepath.Join(dir, "p96.wav")
	lufs, err := WriteSumPreviewFrom(context.Background(), out, []string{filepath.Join(dir, "a96.wav")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := loudness.Measure(a, 96000, loudness.Options{}).IntegratedLUFS; math.Abs(lufs-want) > 0.01 {
		t.Errorf("96 kHz sum: %.3f LUFS, want %.3f (metered at the song's rate)", lufs, want)
	}
	got, info := audiotest.ReadFile(t, out)
	if info.Frames != 48000 || info.Format != (audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}) {
		t.Fatalf("96 kHz sum's preview is %+v, %d frames; want 48000 frames of 48 kHz 24-bit stereo", info.Format, info.Frames)
	}
	want := audiotest.Sine(48000, 2, 48000, 1000, -12, 0)
	worst := 0.0
	for c := range 2 {
		for i := 100; i < 47900; i++ { // the converter's edges aside
			worst = max(worst, math.Abs(float64(got.Data[c][i]-want.Data[c][i])))
		}
	}
	if worst > 1e-3 {
		t.Errorf("96 kHz sum's preview differs from the tone at 48 kHz by up to %.2g, want under 1e-3 (-60 dB)", worst)
	}

	// Two stems at -3 dBFS sum to +3 dBFS.
	hot := audiotest.Sine(48000, 2, 48000, 440, -3, 0)
	audiotest.WriteWAV(t, dir, "h1.wav", hot, 48000, 24)
	audiotest.WriteWAV(t, dir, "h2.wav", hot, 48000, 24)
	out = filepath.Join(dir, "hot.wav")
	lufs, err = WriteSumPreviewFrom(context.Background(), out, []string{filepath.Join(dir, "h1.wav"), filepath.Join(dir, "h2.wav")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := hot.Clone()
	for c := range sum.Data {
		for i := range sum.Data[c] {
			sum.Data[c][i] *= 2
		}
	}
	if want := loudness.Measure(sum, 48000, loudness.Options{}).IntegratedLUFS; math.Abs(lufs-want) > 0.01 {
		t.Errorf("a sum at +3 dBFS: %.3f LUFS, want %.3f (the sum's, before clipping)", lufs, want)
	}
	got, _ = audiotest.ReadFile(t, out)
	peak := 0.0
	for _, ch := range got.Data {
		for _, v := range ch {
			peak = max(peak, math.Abs(float64(v)))
		}
	}
	if peak > 1 || peak < 0.999 {
		t.Errorf("a sum at +3 dBFS peaks at %.4f in the preview, want full scale (clipped)", peak)
	}
}

// writeRate writes a short 16-bit mono tone at rate to dir/name.
func writeRate(t *testing.T, dir, name string, rate int) {
	t.Helper()
	audiotest.WriteWAV(t, dir, name, audiotest.Sine(float64(rate), 1, 100, 440, -6, 0), rate, 16)
}
