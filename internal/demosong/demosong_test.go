package demosong

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

func TestStems(t *testing.T) {
	t.Parallel()
	const rate = 48000
	stems := Stems(rate)
	again := Stems(rate)
	// Expected figures: the song is 30 s long (DurationS); every stem is
	// audible (a stem mastering delivery sits between about -35 and -12
	// LUFS per stem) and leaves headroom (sample peak below -1 dBFS).
	const (
		minLUFS, maxLUFS = -35.0, -12.0
		maxPeakDBFS      = -1.0
	)
	if len(stems) < 4 {
		t.Fatalf("%d stems, want drums, bass, chords and lead", len(stems))
	}
	for i, s := range stems {
		if s.Buf.Frames() != int(DurationS*rate) {
			t.Errorf("%s: %d frames, want %d", s.Name, s.Buf.Frames(), int(DurationS*rate))
		}
		r := loudness.Measure(s.Buf, rate, loudness.Options{})
		peak := audio.DB(float64(s.Buf.Peak()))
		t.Logf("%s (%s): %.1f LUFS, LRA %.1f LU, peak %.1f dBFS", s.Name, s.Role, r.IntegratedLUFS, r.LoudnessRangeLU, peak)
		if r.IntegratedLUFS < minLUFS || r.IntegratedLUFS > maxLUFS || math.IsNaN(r.IntegratedLUFS) {
			t.Errorf("%s: %.1f LUFS outside %g … %g", s.Name, r.IntegratedLUFS, minLUFS, maxLUFS)
		}
		if peak > maxPeakDBFS {
			t.Errorf("%s: peak %.1f dBFS above %g", s.Name, peak, maxPeakDBFS)
		}
		audiotest.SameSamples(t, again[i].Buf, s.Buf, s.Name+" of the first run")
	}
}
