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
	if info.Frames != 48000 || info.Format.Channels != 2 || info.Format.SampleFormat != audio.Float {
		t.Errorf("preview is %+v, want 48000 stereo float frames", info)
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

// writeRate writes a short 16-bit mono tone at rate to dir/name.
func writeRate(t *testing.T, dir, name string, rate int) {
	t.Helper()
	audiotest.WriteWAV(t, dir, name, audiotest.Sine(float64(rate), 1, 100, 440, -6, 0), rate, 16)
}
