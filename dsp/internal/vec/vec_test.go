package vec

import (
	"math"
	"slices"
	"testing"
)

// input returns n values over twelve decades of both signs, with zeros of
// both signs, float32's extremes and repeated values among them.
func input(n int, seed uint64) []float64 {
	v := make([]float64, n)
	special := []float64{0, math.Copysign(0, -1), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1, -1}
	for i := range v {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		v[i] = float64(int64(seed)) / (1 << 63) * math.Pow(10, float64(i%7)-4)
		if i%11 == 0 {
			v[i] = special[(i/11)%len(special)]
		}
	}
	return v
}

// narrow rounds v to float32 (Narrow, held to Go's conversion by
// TestWidenNarrowBitExact).
func narrow(v []float64) []float32 {
	out := make([]float32, len(v))
	Narrow(out, v)
	return out
}

// TestKernelsBitExact: every kernel as dispatched (AVX for all but the
// last frames, where it runs) gives exactly the Go loop's bits, for every
// tail length, with channels equal, opposite and unrelated.
func TestKernelsBitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 7, 64, 1001} {
		a, b, c, d := input(n, 1), input(n, 2), input(n, 3), input(n, 4)
		for i := 0; i < n; i += 5 {
			b[i] = a[i] * float64(1-2*(i/5%2)) // R = L or R = −L
		}
		l, r := narrow(a), narrow(b)
		type pair struct{ fast, ref func() ([]float32, []float64) }
		cases := map[string]pair{}
		for _, side := range []bool{false, true} {
			type coder = func(l, r, x []float32, resid, rest []float64, side bool)
			enc := func(f, f2 coder) func() ([]float32, []float64) {
				return func() ([]float32, []float64) {
					x, resid, rest := make([]float32, n), make([]float64, n), make([]float64, n)
					f(l, r, x, resid, rest, side)
					for i := range x { // the processed part, as a processor leaves it
						x[i] *= 0.7
					}
					ll, rr := slices.Clone(l), slices.Clone(r)
					f2(ll, rr, x, resid, rest, side)
					return append(ll, rr...), append(resid, rest...)
				}
			}
			cases[map[bool]string{false: "mid", true: "side"}[side]] = pair{enc(MSEncode, MSDecode), enc(msEncodeGo, msDecodeGo)}
		}
		width := func(f func(l, r []float32, h float64)) func() ([]float32, []float64) {
			return func() ([]float32, []float64) {
				ll, rr := slices.Clone(l), slices.Clone(r)
				f(ll, rr, 0.7)
				return append(ll, rr...), nil
			}
		}
		cases["width"] = pair{width(Width), width(widthGo)}
		sums := func(madd func(s, x, g []float64), wadd func(sl, sr, l, r, g []float64, h float64)) func() ([]float32, []float64) {
			return func() ([]float32, []float64) {
				sl, sr := slices.Clone(c), slices.Clone(d)
				madd(sl, a, b)
				wadd(sl, sr, a, b, c, 1.3)
				return nil, append(sl, sr...)
			}
		}
		cases["band sums"] = pair{sums(MulAdd, WidthAdd), sums(maddGo, widthAddGo)}
		outs := func(bell func(x []float32, b, g []float64), split func(x []float32, lo, b, g []float64)) func() ([]float32, []float64) {
			return func() ([]float32, []float64) {
				x, y := slices.Clone(l), slices.Clone(r)
				bell(x, b, c)
				split(y, a, b, c)
				return append(x, y...), nil
			}
		}
		cases["band outputs"] = pair{outs(BellOut, SplitOut), outs(bellOutGo, splitOutGo)}
		stages := func(ilv func(out, even, odd []float64), split func(v0, v1, a, b []float64)) func() ([]float32, []float64) {
			return func() ([]float32, []float64) {
				out := make([]float64, 2*n)
				ilv(out, a, b)
				v0, v1 := make([]float64, n/2), make([]float64, n/2)
				split(v0, v1, c, d)
				return nil, slices.Concat(out, v0, v1)
			}
		}
		cases["oversampling stages"] = pair{stages(Interleave, HalfSumSplit), stages(interleaveGo, halfSumSplitGo)}
		for name, p := range cases {
			f32, f64 := p.fast()
			g32, g64 := p.ref()
			same32 := slices.EqualFunc(f32, g32, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
			same64 := slices.EqualFunc(f64, g64, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
			if !same32 || !same64 {
				t.Errorf("%s, %d frames: the kernel's bits differ from the Go loop's", name, n)
			}
		}
	}
}
