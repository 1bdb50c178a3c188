package engine

import (
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
)

// TestNoAudioNamesFiles: stems with no frames are refused naming each file,
// its length and its offset.
func TestNoAudioNamesFiles(t *testing.T) {
	t.Parallel()
	err := noAudio([]stemInput{
		{path: "/up/drums.wav", info: audio.Info{Frames: 0}},
		{path: "/up/bass.wav", info: audio.Info{Frames: 100}, spec: stemmaster.StemSpec{OffsetSamples: -100}},
	})
	for _, s := range []string{"drums.wav (0 frames)", "bass.wav (100 frames, offset_samples -100)"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
}

// TestCorrelationNoSignal: a silent master has no correlation (null
// figures), not a perfect +1; a mono one has +1 and an inverted pair −1.
func TestCorrelationNoSignal(t *testing.T) {
	t.Parallel()
	const n = 9600
	sine := make([]float32, n)
	neg := make([]float32, n)
	for i := range sine {
		sine[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/48000))
		neg[i] = -sine[i]
	}
	zero := make([]float32, n)
	tests := []struct {
		name    string
		l, r    []float32
		defined bool
		want    float64
	}{
		{"silence", zero, zero, false, 0},
		{"one channel silent", sine, zero, false, 0},
		{"mono", sine, sine, true, 1},
		{"inverted", sine, neg, true, -1},
	}
	for _, tc := range tests {
		c := dsp.NewCorrelation(48000)
		c.Add(tc.l, tc.r)
		rep := correlation(c)
		if rep.Overall.Defined() != tc.defined || rep.MinWindow.Defined() != tc.defined {
			t.Errorf("%s: correlation %v / %v, want defined %v", tc.name, rep.Overall, rep.MinWindow, tc.defined)
			continue
		}
		if tc.defined && math.Abs(float64(rep.Overall)-tc.want) > 1e-6 {
			t.Errorf("%s: correlation %v, want %v", tc.name, rep.Overall, tc.want)
		}
	}
}
