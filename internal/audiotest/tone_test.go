package audiotest

import (
	"math"
	"testing"

	"stemmaster/audio"
)

// TestToneAmplitude reads a -6 dBFS 1 kHz sine beside a -12 dBFS 3 kHz one:
// each frequency reads its own amplitude, and a frequency absent from the
// signal reads (almost) nothing.
func TestToneAmplitude(t *testing.T) {
	t.Parallel()
	const fs = 48000.0
	x := Add(Sine(fs, 1, 4801, 1000, -6, 0.3), Sine(fs, 1, 4801, 3000, -12, 1.1))
	for _, tc := range []struct {
		f, want float64
	}{{1000, audio.Amplitude(-6)}, {3000, audio.Amplitude(-12)}, {5000, 0}} {
		if got := ToneAmplitude(x.Data[0], tc.f, fs); math.Abs(got-tc.want) > 1e-4 {
			t.Errorf("%g Hz: amplitude %.6f, want %.6f", tc.f, got, tc.want)
		}
	}
}
