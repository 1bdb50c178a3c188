package biquad

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestForkBitExact: Fork.Process2 gives exactly the bits of copying the
// input, then the band filter's and the split's Process2, for filters of
// one to five sections (with and without the kernel), over blocks of
// uneven lengths (the state carried from block to block).
func TestForkBitExact(t *testing.T) {
	t.Parallel()
	const fs = 48000
	lr := func(f float64, high bool) Cascade {
		if high {
			return LinkwitzRileyHighPass(nil, fs, f, 4)
		}
		return LinkwitzRileyLowPass(nil, fs, f, 4)
	}
	bands := []Cascade{
		{Peak(fs, 300, 1, 3)},
		lr(120, false),
		append(lr(1000, false), AllPass(fs, 6000, math.Sqrt2/2)),
		append(lr(120, false), AllPass(fs, 1000, math.Sqrt2/2), AllPass(fs, 6000, math.Sqrt2/2)),
		append(lr(150, false), ButterworthLowPass(nil, fs, 9000, 6)...),
		{Peak(fs, 300, 1, 3), LowShelf(fs, 200, 0.7, -2), AllPass(fs, 4000, 0.7)},
	}
	// (the sections of a Linkwitz-Riley filter are alike, so some have
	// sections that differ, which a kernel mixing them up would show)
	splits := []Cascade{lr(120, true), {HighPass(fs, 80, 0.7)}, append(lr(300, true), Peak(fs, 2000, 2, -4)), {HighPass(fs, 80, 0.7), Peak(fs, 5000, 1, 2)}}
	rng := rand.New(rand.NewPCG(7, 1))
	noise := func() float64 { return 2*rng.Float64() - 1 }
	for bi, bc := range bands {
		for si, sc := range splits {
			fa, ga := NewFilter(2, bc), NewFilter(2, sc)
			fb, gb := NewFilter(2, bc), NewFilter(2, sc)
			fork := NewFork(fa, ga)
			for _, n := range []int{1, 5, 256, 3, 100} {
				r := [2][]float64{make([]float64, n), make([]float64, n)}
				for c := range r {
					for i := range r[c] {
						r[c][i] = noise()
					}
				}
				ra := [2][]float64{append([]float64(nil), r[0]...), append([]float64(nil), r[1]...)}
				xa := [2][]float64{make([]float64, n), make([]float64, n)}
				fork.Process2(xa[0], xa[1], ra[0], ra[1])
				xb := [2][]float64{append([]float64(nil), r[0]...), append([]float64(nil), r[1]...)}
				fb.Process2(0, xb[0], 1, xb[1])
				gb.Process2(0, r[0], 1, r[1])
				for c := range 2 {
					for i := range n {
						if math.Float64bits(xa[c][i]) != math.Float64bits(xb[c][i]) || math.Float64bits(ra[c][i]) != math.Float64bits(r[c][i]) {
							t.Fatalf("band %d split %d, %d frames, channel %d frame %d: fork %g %g, apart %g %g", bi, si, n, c, i, xa[c][i], ra[c][i], xb[c][i], r[c][i])
						}
					}
				}
			}
		}
	}
}
