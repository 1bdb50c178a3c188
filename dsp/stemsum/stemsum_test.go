package stemsum

import (
	"math"
	"slices"
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

// TestConvAddBitExact pins convAdd (the kernel where there is one) to
// convAddGo bit for bit, at lengths around the kernel's step.
func TestConvAddBitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 5, 8, 4095, 4096} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37) * 0.9)
		}
		d1, d2, a1, a2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range a1 {
			a1[i] = math.Cos(float64(i)) * 0.3
			a2[i] = a1[i]
		}
		convAdd(d1, a1, x, -math.Sqrt(0.5), 0.8123)
		convAddGo(d2, a2, x, -math.Sqrt(0.5), 0.8123)
		for i := range d1 {
			if math.Float64bits(d1[i]) != math.Float64bits(d2[i]) || math.Float64bits(a1[i]) != math.Float64bits(a2[i]) {
				t.Fatalf("n=%d, element %d: %v, %v; want %v, %v", n, i, d1[i], a1[i], d2[i], a2[i])
			}
		}
	}
}

// TestAddPlaceBitExact pins Add, Set and Place (the kernels where there are
// some) to their Go loops bit for bit, at lengths around the kernels' step.
func TestAddPlaceBitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 4095, 4096} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37) * 0.9)
			y[i] = float32(math.Cos(float64(i)*0.11) * 0.7)
		}
		if n > 2 {
			x[2] = float32(math.Copysign(0, -1))
		}
		a1, a2 := slices.Clone(y), slices.Clone(y)
		Add(a1, x)
		addGo(a2, x)
		s1, s2 := make([]float32, n), make([]float32, n)
		for i := range s1 {
			s1[i], s2[i] = 5, 5 // overwritten
		}
		Set(s1, x)
		setGo(s2, x)
		for i := range n {
			z := make([]float32, 1)
			Add(z, x[i:i+1])
			if math.Float32bits(s1[i]) != math.Float32bits(s2[i]) || math.Float32bits(s2[i]) != math.Float32bits(z[0]) {
				t.Fatalf("n=%d, element %d: set %v (Go %v), want %v", n, i, s1[i], s2[i], z[0])
			}
		}
		if n > 2 && math.Signbit(float64(s1[2])) {
			t.Fatalf("n=%d: Set kept −0", n)
		}
		l1, r1, l2, r2 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		Place(l1, r1, x, y, 0.7071068, -1.3)
		scale2Go(l2, r2, x, y, 0.7071068, -1.3)
		for i := range n {
			if math.Float32bits(a1[i]) != math.Float32bits(a2[i]) || math.Float32bits(l1[i]) != math.Float32bits(l2[i]) ||
				math.Float32bits(r1[i]) != math.Float32bits(r2[i]) {
				t.Fatalf("n=%d, element %d: add %v place %v, %v; want %v, %v, %v", n, i, a1[i], l1[i], r1[i], a2[i], l2[i], r2[i])
			}
			if a2[i] != y[i]+x[i] || l2[i] != 0.7071068*x[i] {
				t.Fatalf("n=%d, element %d: the Go loops are off", n, i)
			}
		}
	}
}
