package limiter

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

func TestZZSkipPotential(t *testing.T) {
	d := newDetector4x(1, 256)
	var s1, s2 float64
	for _, c := range d.s1.c {
		s1 += 2 * math.Abs(c)
	}
	for _, c := range d.s2.c {
		s2 += 2 * math.Abs(c)
	}
	t.Logf("S1 %.3f S2 %.3f bound factor %.3f (%.2f dB)", s1, s2, 1.125*s1*s2, audio.DB(1.125*s1*s2))
	path := filepath.Join(moduleRoot(t), "..", "shared", "testdata", "francium", "mix.wav")
	if _, err := os.Stat(path); err != nil {
		t.Skip()
	}
	x, _ := readAll(t, path, 45*48000)
	ceil := audio.Amplitude(-1.05)
	for _, gain := range []float64{-6, 0, 6} {
		y := x.Clone()
		audiotest.Scale(y, audio.Amplitude(gain))
		skipped, total := 0, 0
		for at := 0; at+256 <= y.Frames(); at += 256 {
			m := 0.0
			for _, ch := range y.Data {
				for _, v := range ch[max(0, at-63) : at+256] {
					m = max(m, math.Abs(float64(v)))
				}
			}
			total++
			if 1.125*s1*s2*m <= ceil {
				skipped++
			}
		}
		t.Logf("mix %+g dB: %d of %d chunks skippable (%.1f%%)", gain, skipped, total, 100*float64(skipped)/float64(total))
	}
}
