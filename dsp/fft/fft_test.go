package fft

import (
	"math"
	"math/big"
	"math/cmplx"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// naiveDFT is the DFT by its definition with the angles reduced exactly
// (jk mod n) and the sums in big.Float, so its error is far below the
// transform's.
func naiveDFT(x []complex128) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	for k := range n {
		re, im := new(big.Float).SetPrec(120), new(big.Float).SetPrec(120)
		for j, v := range x {
			s, c := math.Sincos(-2 * math.Pi * float64(j*k%n) / float64(n))
			t := new(big.Float).SetPrec(120)
			re.Add(re, t.SetFloat64(real(v)*c))
			re.Sub(re, t.SetFloat64(imag(v)*s))
			im.Add(im, t.SetFloat64(real(v)*s))
			im.Add(im, t.SetFloat64(imag(v)*c))
		}
		r, _ := re.Float64()
		i, _ := im.Float64()
		out[k] = complex(r, i)
	}
	return out
}

func noise(n int, seed uint64) []complex128 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]complex128, n)
	for i := range x {
		x[i] = complex(r.NormFloat64(), r.NormFloat64())
	}
	return x
}

// maxErr returns the largest |a[k] − b[k]| over the root-sum-square of x.
func maxErr(a, b, x []complex128) float64 {
	var e, rss float64
	for k := range a {
		e = max(e, cmplx.Abs(a[k]-b[k]))
	}
	for _, v := range x {
		rss += real(v)*real(v) + imag(v)*imag(v)
	}
	return e / math.Sqrt(rss)
}

// tolerance: a transform off by one twiddle, a swapped output or a lost
// sign is off by O(1) of the input's root-sum-square; rounding alone stays
// near 1e-16·log2(n).
const tolerance = 1e-12

func TestAgainstDFT(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 4, 8, 16, 32, 64, 128, 512, 1024} {
		x := noise(n, uint64(n))
		got := New(n).Transform(nil, x)
		if e := maxErr(got, naiveDFT(x), x); e > tolerance {
			t.Errorf("n=%d: error %.3g of the input's rss, want ≤ %g", n, e, tolerance)
		}
	}
}

func TestAgainstGonum(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 8, 2048, 4096, 8192, 32768} {
		x := noise(n, uint64(n)+7)
		got := New(n).Transform(nil, x)
		want := fourier.NewCmplxFFT(n).Coefficients(nil, x)
		if e := maxErr(got, want, x); e > tolerance {
			t.Errorf("n=%d: %.3g of the input's rss from gonum, want ≤ %g", n, e, tolerance)
		}
		in := append([]complex128(nil), x...)
		New(n).Transform(in, in)
		for k := range in {
			if in[k] != got[k] {
				t.Fatalf("n=%d in place: X[%d] = %v, %v out of place", n, k, in[k], got[k])
			}
		}
	}
}

// TestAnalytic: a complex exponential at bin b transforms to n at b and
// zero elsewhere; a unit impulse at j to exp(−2πi·jk/n).
func TestAnalytic(t *testing.T) {
	t.Parallel()
	const n = 4096
	f := New(n)
	for _, b := range []int{0, 1, 7, n / 4, n/2 - 1, n / 2, n - 1} {
		x := make([]complex128, n)
		for j := range x {
			x[j] = twiddle((n-b)*j%n, n) // exp(+2πi·bj/n)
		}
		got := f.Transform(nil, x)
		for k, v := range got {
			want := complex(0, 0)
			if k == b {
				want = n
			}
			if cmplx.Abs(v-want) > 1e-9 {
				t.Fatalf("tone at bin %d: X[%d] = %v, want %v", b, k, v, want)
			}
		}
	}
	x := make([]complex128, n)
	x[3] = 1
	got := f.Transform(x, x) // in place
	for k, v := range got {
		s, c := math.Sincos(-2 * math.Pi * float64(3*k%n) / n)
		if cmplx.Abs(v-complex(c, s)) > 1e-15 {
			t.Fatalf("impulse at 3: X[%d] = %v, want %v", k, v, complex(c, s))
		}
	}
}

func TestTwiddle(t *testing.T) {
	t.Parallel()
	for _, l := range []int{2, 4, 8, 64, 8192} {
		for k := range 2 * l {
			s, c := math.Sincos(-2 * math.Pi * float64(k%l) / float64(l))
			if w := twiddle(k, l); math.Abs(real(w)-c) > 2e-15 || math.Abs(imag(w)-s) > 2e-15 {
				t.Fatalf("twiddle(%d, %d) = %v, want %v", k, l, w, complex(c, s))
			}
		}
	}
}

func TestBadLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -4, 3, 12, 1000} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d) did not panic", n)
				}
			}()
			New(n)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("Transform of 8 values on a length-16 FFT did not panic")
		}
	}()
	New(16).Transform(nil, make([]complex128, 8))
}

func FuzzTransform(f *testing.F) {
	f.Add(uint64(1), uint8(6))
	f.Add(uint64(99), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, logn uint8) {
		n := 1 << (logn % 10)
		x := noise(n, seed)
		got := New(n).Transform(nil, x)
		want := fourier.NewCmplxFFT(n).Coefficients(nil, x)
		if e := maxErr(got, want, x); e > tolerance {
			t.Fatalf("n=%d seed=%d: %.3g from gonum", n, seed, e)
		}
	})
}

// BenchmarkTransform times the complex and real transforms against
// gonum's.
func BenchmarkTransform(b *testing.B) {
	for _, n := range []int{1024, 8192, 65536} {
		x, xr := noise(n, 1), realNoise(n, 1)
		dst, half := make([]complex128, n), make([]complex128, n/2+1)
		own, ownReal := New(n), NewReal(n)
		g, gReal := fourier.NewCmplxFFT(n), fourier.NewFFT(n)
		for _, c := range []struct {
			name string
			run  func()
		}{
			{"own", func() { own.Transform(dst, x) }},
			{"gonum", func() { g.Coefficients(dst, x) }},
			{"own-real", func() { ownReal.Coefficients(half, xr) }},
			{"gonum-real", func() { gReal.Coefficients(half, xr) }},
		} {
			b.Run(c.name+"/"+strconv.Itoa(n), func(b *testing.B) {
				for b.Loop() {
					c.run()
				}
			})
		}
	}
}

// TestFirstStageBits: the first stage's loop is radix4Go's, bit for bit.
func TestFirstStageBits(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4, 8, 64, 8192} {
		f := New(n)
		st := &f.stages[0]
		x := noise(n, 11)
		want, got := make([]complex128, n), make([]complex128, n)
		radix4Go(st, x, want, 0, st.m)
		radix4First(st, x, got)
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("n=%d: y[%d] = %v, radix4Go %v", n, k, got[k], want[k])
			}
		}
	}
}
