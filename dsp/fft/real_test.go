package fft

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

func realNoise(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func rss(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// TestRealAgainstGonum: Coefficients and Sequence agree with gonum's
// real FFT within tolerance (of the input's root-sum-square), and
// Sequence of Coefficients is n·x.
func TestRealAgainstGonum(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 4, 8, 16, 64, 1024, 2048, 8192, 32768} {
		x := realNoise(n, uint64(n))
		r, g := NewReal(n), fourier.NewFFT(n)
		got, want := r.Coefficients(nil, x), g.Coefficients(nil, x)
		if len(got) != n/2+1 {
			t.Fatalf("n=%d: %d coefficients", n, len(got))
		}
		var e float64
		for k := range want {
			e = max(e, cmplx.Abs(got[k]-want[k]))
		}
		if e > tolerance*rss(x) {
			t.Errorf("n=%d: coefficients %.3g of the input's rss from gonum", n, e/rss(x))
		}
		// An arbitrary spectrum, imaginary parts at 0 and n/2 included
		// (both ignore them).
		spec := make([]complex128, n/2+1)
		for k := range spec {
			spec[k] = complex(x[k%n], x[(3*k+1)%n])
		}
		var srss float64
		for _, v := range spec {
			srss += real(v)*real(v) + imag(v)*imag(v)
		}
		srss = math.Sqrt(2 * srss)
		gs, ws := r.Sequence(nil, spec), g.Sequence(nil, spec)
		e = 0
		for j := range ws {
			e = max(e, math.Abs(gs[j]-ws[j]))
		}
		if e > tolerance*srss*math.Sqrt(float64(n)) {
			t.Errorf("n=%d: sequence %.3g from gonum", n, e/(srss*math.Sqrt(float64(n))))
		}
		back := r.Sequence(nil, r.Coefficients(nil, x))
		for j := range x {
			if math.Abs(back[j]/float64(n)-x[j]) > tolerance*rss(x) {
				t.Fatalf("n=%d: round trip x[%d] = %g, want %g", n, j, back[j]/float64(n), x[j])
			}
		}
	}
}

// TestRealAnalytic: a cosine at bin b has X[b] = n/2 (n at 0 and n/2)
// and nothing else; a sine has −i·n/2.
func TestRealAnalytic(t *testing.T) {
	t.Parallel()
	const n = 512
	r := NewReal(n)
	for _, b := range []int{0, 1, 5, n / 4, n/2 - 1, n / 2} {
		c, s := make([]float64, n), make([]float64, n)
		for j := range c {
			c[j] = math.Cos(2 * math.Pi * float64(b*j%n) / n)
			s[j] = math.Sin(2 * math.Pi * float64(b*j%n) / n)
		}
		for _, tc := range []struct {
			name string
			x    []float64
			want complex128
		}{{"cos", c, n / 2}, {"sin", s, complex(0, -n/2)}} {
			want := tc.want
			if b == 0 || b == n/2 {
				want = complex(2*real(want), 0) // sine is zero there
			}
			for k, v := range r.Coefficients(nil, tc.x) {
				w := complex(0, 0)
				if k == b {
					w = want
				}
				if cmplx.Abs(v-w) > 1e-10 {
					t.Fatalf("%s at bin %d: X[%d] = %v, want %v", tc.name, b, k, v, w)
				}
			}
		}
	}
}

func TestRealBadLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 6, 100} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewReal(%d) did not panic", n)
				}
			}()
			NewReal(n)
		}()
	}
}

func FuzzReal(f *testing.F) {
	f.Add(uint64(3), uint8(5))
	f.Fuzz(func(t *testing.T, seed uint64, logn uint8) {
		n := 2 << (logn % 10)
		x := realNoise(n, seed)
		got, want := NewReal(n).Coefficients(nil, x), fourier.NewFFT(n).Coefficients(nil, x)
		for k := range want {
			if cmplx.Abs(got[k]-want[k]) > tolerance*rss(x) {
				t.Fatalf("n=%d seed=%d: X[%d] = %v, gonum %v", n, seed, k, got[k], want[k])
			}
		}
	})
}
