package check

import (
	"math"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// steady is a stereo pair of sines (one per channel) under a tremolo: a
// signal that repeats exactly every second when its frequencies are whole.
func steady(n int, fl, fr, trem, depth, amp float64) *audio.Buffer {
	b := audio.NewBuffer(2, n)
	for i := range n {
		t := float64(i) / testRate
		g := amp * (1 - depth/2 + depth/2*math.Sin(2*math.Pi*trem*t))
		b.Data[0][i] = float32(g * math.Sin(2*math.Pi*fl*t))
		b.Data[1][i] = float32(g * math.Sin(2*math.Pi*fr*t))
	}
	return b
}

// TestPeriodicStemNotMoved: a stem that repeats every second fits a
// whole number of periods away all but as well as where it is; beside a
// mix that is the stems' sum 6 dB down (so the alignment runs), it must
// stay at lag 0, not be reported 2 s late.
func TestPeriodicStemNotMoved(t *testing.T) {
	t.Parallel()
	n := testRate * 20
	names := []string{"pink.wav", "low.wav", "steady.wav", "high.wav", "air.wav"}
	b := []*audio.Buffer{
		audiotest.PinkNoise(1, 2, n, -12), steady(n, 55, 55.2, 4, 0.6, 0.3), steady(n, 440, 443, 5, 0.5, 0.2),
		steady(n, 660, 550, 3, 0.4, 0.1), audiotest.WhiteNoise(2, 2, n, -30),
	}
	mix := memSource("mix.wav", scaled(sumOf(b...), 0.5), pcm24(testRate, 2))
	rep := run(t, memSet(names, b, testRate), &mix)
	assertFindings(t, rep, []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(-6.02)}})
	if rep.Mix.FittedResidualDB > ResidualFloorDB {
		t.Errorf("fitted residual %v, want the floor (every stem at lag 0)", rep.Mix.FittedResidualDB)
	}
}
