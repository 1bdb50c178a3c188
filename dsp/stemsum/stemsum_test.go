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

// TestScaleBitExact pins Scale (the kernel where there is one) to scaleGo
// bit for bit, at lengths around the kernel's steps, with the destination
// also the source (in place).
func TestScaleBitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 4095, 4096} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37) * 0.9)
		}
		for _, g := range []float32{1, -1, 0.70710677, -0.3981, 1e-30} {
			d1, d2 := make([]float32, n), make([]float32, n)
			Scale(d1, x, g)
			scaleGo(d2, x, g)
			for i := range d1 {
				if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) {
					t.Fatalf("n=%d, g=%v, element %d: %v; want %v", n, g, i, d1[i], d2[i])
				}
			}
			in := append([]float32(nil), x...)
			Scale(in, in, g)
			for i := range in {
				if math.Float32bits(in[i]) != math.Float32bits(d2[i]) {
					t.Fatalf("in place: n=%d, g=%v, element %d: %v; want %v", n, g, i, in[i], d2[i])
				}
			}
		}
	}
}

// BenchmarkScale places a block of 4096 frames, one channel: the kernel
// against the Go loop.
func BenchmarkScale(b *testing.B) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) * 0.37))
	}
	dst := make([]float32, len(x))
	b.Run("kernel", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			Scale(dst, x, 0.7)
		}
	})
	b.Run("go", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			scaleGo(dst, x, 0.7)
		}
	})
}
