package stemsum

import (
	"math"
	"testing"

	"stemmaster/audio"
)

// TestSummerLoad sums a stereo stem (exchanged, its right channel
// inverted) and a mono stem with weights, and checks every converted
// sample and the sum against the placement written out by hand.
func TestSummerLoad(t *testing.T) {
	t.Parallel()
	st := []Stem{{Channels: 2, Swap: true, Sign: [2]float64{1, -1}}, {Channels: 1, Sign: [2]float64{-1, 1}}}
	s := NewSummer(st, 2, 8)
	l, r, m := []float32{0.5, -0.25, 0.125}, []float32{0.75, 0.5, -1}, []float32{0.5, 1, -0.5}
	s.Load([][][]float32{{l, r}, {m}}, 3, []float64{2, 0.5})
	for i := range 3 {
		// Exchanged: the sum's left is the file's right, inverted.
		wantL, wantR := -float64(r[i]), float64(l[i])
		mono := -float64(m[i]) * math.Sqrt(0.5)
		checks := []struct{ got, want float64 }{
			{s.Conv[0][0][i], wantL}, {s.Conv[0][1][i], wantR},
			{s.Conv[1][0][i], mono}, {s.Conv[1][1][i], mono},
			{s.Sum[0][i], 2*wantL + 0.5*mono}, {s.Sum[1][i], 2*wantR + 0.5*mono},
		}
		for k, c := range checks {
			if math.Abs(c.got-c.want) > 1e-15 {
				t.Errorf("frame %d check %d: %v, want %v", i, k, c.got, c.want)
			}
		}
	}
	// Unity gains (nil) on a second block replace the first.
	s.Load([][][]float32{{l, r}, {m}}, 3, nil)
	if got, want := s.Sum[0][1], -float64(r[1])-float64(m[1])*math.Sqrt(0.5); math.Abs(got-want) > 1e-15 {
		t.Errorf("unity sum %v, want %v", got, want)
	}
}

// TestAddPlain places a mono stem at −3 dB in each channel and adds a
// stereo one as it is.
func TestAddPlain(t *testing.T) {
	t.Parallel()
	sum := audio.NewBuffer(2, 2)
	mono := audio.NewBuffer(1, 2)
	mono.Data[0][0], mono.Data[0][1] = 1, -0.5
	stereo := audio.NewBuffer(2, 2)
	stereo.Data[0][0], stereo.Data[1][1] = 0.25, 0.5
	AddPlain(sum, mono, 2)
	AddPlain(sum, stereo, 2)
	g := float32(math.Sqrt(0.5))
	want := [2][2]float32{{g + 0.25, -0.5 * g}, {g, -0.5*g + 0.5}}
	for c := range 2 {
		for i := range 2 {
			if d := sum.Data[c][i] - want[c][i]; d > 1e-7 || d < -1e-7 {
				t.Errorf("channel %d frame %d: %v, want %v", c, i, sum.Data[c][i], want[c][i])
			}
		}
	}
}
