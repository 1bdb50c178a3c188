// Package fft computes discrete Fourier transforms of power-of-two
// lengths, complex (FFT) and real (Real, with gonum's conventions), for
// the analyses that transform many frames of a few sizes: the report's
// long-term spectra, the check's alignment and band residual, the
// assistant's spectra.
//
// gonum's fourier package (a port of FFTPACK) is exact and general but
// reaches its work arrays through accessor methods and runs scalar code;
// at the sizes the analyses use (8192 to 65536 points) this package is 4
// to 9 times faster (go test -bench Transform). The transform is a
// Stockham autosort FFT (no bit reversal: each stage reads one buffer and
// writes the other in order), radix 4 with a last radix-2 stage (sums and
// differences) when the length is an odd power of two, over complex128,
// with every stage's twiddle factors tabulated once from math.Sincos and
// shared by the transforms of a length. The stages after the first run
// over contiguous complex values with one set of twiddles, two values per
// 256-bit register in the amd64 kernel (radix4AVX, selected at run time;
// the purego build tag or another architecture gives the Go loop, which
// gives the same bits). A real transform of n points is a complex one of
// n/2 points and one pass that separates the even and odd samples'
// spectra.
//
// Accuracy: the result agrees with the exact DFT within a few units of
// the last place times log2(n) of the input's energy (the tests hold it
// to 1e-12 relative to the root-sum-square of the input, against a DFT in
// extended arithmetic and against gonum).
//
// docs/architecture.md shows where this package sits in stemmaster.
package fft

import (
	"fmt"
	"math"
	"sync"
)

// FFT transforms sequences of one length. It keeps a work buffer, so it
// is not safe for concurrent use; make one per goroutine (the twiddle
// tables are shared).
type FFT struct {
	n      int
	stages []stage
	work   []complex128
}

// stage is one pass of the Stockham recursion: sub-transforms of length
// m·radix, stride s (the number of interleaved sequences), m = n/(radix·s).
type stage struct {
	radix int
	m, s  int
	// tw holds, for p in [0, m), the twiddles w^p, w^2p, w^3p (radix 4) or
	// w^p (radix 2), w = exp(−2πi/(m·radix)).
	tw []complex128
}

// New returns an FFT of length n, a power of two ≥ 1. It panics otherwise.
func New(n int) *FFT {
	if n < 1 || n&(n-1) != 0 {
		panic(fmt.Sprintf("fft: length %d is not a power of two", n))
	}
	return &FFT{n: n, stages: stagesFor(n), work: make([]complex128, n)}
}

// maxShared is the largest length whose tables are kept for the process's
// life and shared by every FFT of that length (the analyses make many
// transforms of a few sizes); longer ones are made for each FFT.
const maxShared = 1 << 16

var shared sync.Map // length → []stage

func stagesFor(n int) []stage {
	if n <= maxShared {
		if st, ok := shared.Load(n); ok {
			return st.([]stage)
		}
	}
	var stages []stage
	s := 1
	for l := n; l > 1; {
		radix := 4
		if l == 2 {
			radix = 2 // an odd power of two ends with a radix-2 stage, whose twiddle is 1
		}
		m := l / radix
		st := stage{radix: radix, m: m, s: s, tw: make([]complex128, 0, (radix-1)*m)}
		for p := range m {
			for j := 1; j < radix; j++ {
				st.tw = append(st.tw, twiddle(j*p, l))
			}
		}
		stages = append(stages, st)
		l = m
		s *= radix
	}
	if n <= maxShared {
		st, _ := shared.LoadOrStore(n, stages)
		return st.([]stage)
	}
	return stages
}

// twiddle returns exp(−2πi·k/l), from the first octant so that the table
// is accurate to the last place and exactly symmetric.
func twiddle(k, l int) complex128 {
	// exp(−2πi·k/l) with k/l reduced to [0, 1/8] by the symmetries of
	// sine and cosine.
	k %= l
	neg := false
	if 2*k > l { // exp(−2πi(l−k)/l) is the conjugate
		k, neg = l-k, true
	}
	var re, im float64
	switch {
	case 8*k <= l:
		s, c := math.Sincos(2 * math.Pi * float64(k) / float64(l))
		re, im = c, -s
	case 8*k <= 3*l: // angle in (π/4, 3π/4]: through π/2
		s, c := math.Sincos(2 * math.Pi * float64(l-4*k) / float64(4*l))
		re, im = s, -c
	default: // (3π/4, π]
		s, c := math.Sincos(2 * math.Pi * float64(2*l-4*k) / float64(4*l))
		re, im = -c, -s
	}
	if neg {
		im = -im
	}
	return complex(re, im)
}

// Transform returns the DFT of src, X[k] = Σ_j src[j]·exp(−2πi·jk/n)
// (not normalised), in dst, which it allocates when nil or short. dst may
// be src. It panics when len(src) is not the transform's length.
func (f *FFT) Transform(dst, src []complex128) []complex128 {
	if len(src) != f.n {
		panic(fmt.Sprintf("fft: %d values for a transform of length %d", len(src), f.n))
	}
	if cap(dst) < f.n {
		dst = make([]complex128, f.n)
	}
	dst = dst[:f.n]
	if len(f.stages) == 0 {
		copy(dst, src)
		return dst
	}
	// The stages alternate between dst and the work buffer, the last
	// writing dst; the first reads src itself, unless it would write the
	// dst that src is (in place, an odd number of stages): then it reads
	// a copy.
	x, y := src, f.work
	if len(f.stages)%2 == 1 {
		y = dst
		if &src[0] == &dst[0] {
			copy(f.work, src)
			x = f.work
		}
	}
	for i := range f.stages {
		st := &f.stages[i]
		if st.radix == 4 {
			radix4(st, x, y)
		} else {
			radix2(st, x, y)
		}
		if &y[0] == &dst[0] {
			x, y = dst, f.work
		} else {
			x, y = f.work, dst
		}
	}
	return dst
}

// radix2 is the last stage of an odd power of two: m = 1, so its twiddle
// is 1 and each pair of values goes to its sum and difference.
func radix2(st *stage, x, y []complex128) {
	s := st.s
	a, b := x[:s], x[s:2*s]
	y0, y1 := y[:s], y[s:2*s]
	for q := range a {
		u, v := a[q], b[q]
		y0[q] = u + v
		y1[q] = u - v
	}
}

// radix4First is radix4Go for the first stage (s = 1), without the inner
// loop over q.
func radix4First(st *stage, x, y []complex128) {
	m := st.m
	a, b, c, d := x[:m], x[m:2*m], x[2*m:3*m], x[3*m:4*m]
	y = y[:4*m]
	tw := st.tw[:3*m]
	for p := range a {
		apc, amc := a[p]+c[p], a[p]-c[p]
		bpd, bmd := b[p]+d[p], b[p]-d[p]
		jbmd := complex(-imag(bmd), real(bmd))
		o := y[4*p : 4*p+4]
		o[0] = apc + bpd
		o[1] = mul(amc-jbmd, tw[3*p])
		o[2] = mul(apc-bpd, tw[3*p+1])
		o[3] = mul(amc+jbmd, tw[3*p+2])
	}
}

// radix4Go is a radix-4 Stockham stage from x to y: for each p and q,
// with a, b, c, d the values at q + s·(p + {0, 1, 2, 3}·m),
//
//	y[q + s·4p]     = (a + c) + (b + d)
//	y[q + s·(4p+1)] = ((a − c) − i(b − d))·w^p
//	y[q + s·(4p+2)] = ((a + c) − (b + d))·w^2p
//	y[q + s·(4p+3)] = ((a − c) + i(b − d))·w^3p
func radix4Go(st *stage, x, y []complex128, p0, p1 int) {
	m, s := st.m, st.s
	for p := p0; p < p1; p++ {
		w1, w2, w3 := st.tw[3*p], st.tw[3*p+1], st.tw[3*p+2]
		a := x[s*p : s*p+s]
		b := x[s*(p+m) : s*(p+m)+s]
		c := x[s*(p+2*m) : s*(p+2*m)+s]
		d := x[s*(p+3*m) : s*(p+3*m)+s]
		y0 := y[s*4*p : s*4*p+s]
		y1 := y[s*(4*p+1) : s*(4*p+1)+s]
		y2 := y[s*(4*p+2) : s*(4*p+2)+s]
		y3 := y[s*(4*p+3) : s*(4*p+3)+s]
		b, c, d = b[:len(a)], c[:len(a)], d[:len(a)]
		y0, y1, y2, y3 = y0[:len(a)], y1[:len(a)], y2[:len(a)], y3[:len(a)]
		for q := range a {
			apc, amc := a[q]+c[q], a[q]-c[q]
			bpd, bmd := b[q]+d[q], b[q]-d[q]
			jbmd := complex(-imag(bmd), real(bmd))
			y0[q] = apc + bpd
			y1[q] = mul(amc-jbmd, w1)
			y2[q] = mul(apc-bpd, w2)
			y3[q] = mul(amc+jbmd, w3)
		}
	}
}

// mul is the complex product written out, as the kernel computes it
// (Go's complex multiply checks for infinities and NaN, which costs
// branches in the inner loop and which the kernel cannot mirror).
func mul(a, b complex128) complex128 {
	ar, ai, br, bi := real(a), imag(a), real(b), imag(b)
	return complex(ar*br-ai*bi, ar*bi+ai*br)
}
