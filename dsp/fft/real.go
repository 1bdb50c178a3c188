package fft

import (
	"fmt"
	"sync"
)

// Real transforms real sequences of one even power-of-two length n through
// a complex transform of n/2 points (the even samples as real parts, the
// odd ones as imaginary parts) and one pass that separates the two halves'
// spectra. Its methods have the conventions of gonum's fourier.FFT, so the
// analyses that used that swap over call for call.
type Real struct {
	n    int
	half *FFT
	// w[k] = exp(−2πi·k/n), k ≤ n/2: the separating pass's twiddles,
	// shared like the FFT's.
	w []complex128
	z []complex128 // the half-length sequence
}

var sharedW sync.Map // length → Real.w

// NewReal returns a real transform of length n, an even power of two. It
// panics otherwise.
func NewReal(n int) *Real {
	if n < 2 || n&(n-1) != 0 {
		panic(fmt.Sprintf("fft: real length %d is not an even power of two", n))
	}
	m := n / 2
	return &Real{n: n, half: New(m), w: realTwiddles(n), z: make([]complex128, m)}
}

func realTwiddles(n int) []complex128 {
	if w, ok := sharedW.Load(n); ok {
		return w.([]complex128)
	}
	w := make([]complex128, n/2+1)
	for k := range w {
		w[k] = twiddle(k, n)
	}
	if n <= maxShared {
		v, _ := sharedW.LoadOrStore(n, w)
		return v.([]complex128)
	}
	return w
}

// Coefficients returns the first n/2+1 coefficients of the DFT of seq,
// X[k] = Σ_j seq[j]·exp(−2πi·jk/n), not normalised (the rest are their
// conjugates), in dst, which it allocates when nil and which must
// otherwise hold n/2+1 values. It panics when len(seq) is not n.
func (r *Real) Coefficients(dst []complex128, seq []float64) []complex128 {
	if len(seq) != r.n {
		panic(fmt.Sprintf("fft: %d values for a real transform of length %d", len(seq), r.n))
	}
	m := r.n / 2
	if dst == nil {
		dst = make([]complex128, m+1)
	}
	if len(dst) != m+1 {
		panic(fmt.Sprintf("fft: %d coefficients for a real transform of length %d, want %d", len(dst), r.n, m+1))
	}
	z := r.z
	for j := range z {
		z[j] = complex(seq[2*j], seq[2*j+1])
	}
	z = r.half.Transform(z, z)
	// With E and O the spectra of the even and odd samples,
	// Z[k] = E[k] + i·O[k], and E[k] = (Z[k] + conj(Z[m−k]))/2,
	// O[k] = (Z[k] − conj(Z[m−k]))/(2i), X[k] = E[k] + w^k·O[k].
	for k := 0; k <= m/2; k++ {
		a, b := z[k%m], conj(z[(m-k)%m])
		e, o := (a+b)*0.5, mulNegI(a-b)*0.5
		// X[m−k] from the same pair: E[m−k] = conj(E[k]), O[m−k] = conj(O[k]).
		dst[k] = e + mul(r.w[k], o)
		dst[m-k] = conj(e) + mul(r.w[m-k], conj(o))
	}
	return dst
}

// Sequence returns the real sequence whose first n/2+1 coefficients are
// coeff, x[j] = Σ_k X[k]·exp(2πi·jk/n) over all n coefficients (the upper
// ones the conjugates of the lower), not normalised: Sequence of
// Coefficients of x is n·x. The imaginary parts of coeff[0] and
// coeff[n/2] are ignored. dst is allocated when nil and must otherwise
// hold n values. It panics when len(coeff) is not n/2+1.
func (r *Real) Sequence(dst []float64, coeff []complex128) []float64 {
	m := r.n / 2
	if len(coeff) != m+1 {
		panic(fmt.Sprintf("fft: %d coefficients for a real transform of length %d, want %d", len(coeff), r.n, m+1))
	}
	if dst == nil {
		dst = make([]float64, r.n)
	}
	if len(dst) != r.n {
		panic(fmt.Sprintf("fft: %d values for a real transform of length %d", len(dst), r.n))
	}
	// The even samples' spectrum is 2E[k] = X[k] + conj(X[m−k]), the odd
	// ones' 2O[k] = (X[k] − conj(X[m−k]))·conj(w^k); z = 2E + i·2O goes
	// through the inverse (the conjugate of the forward transform of the
	// conjugate).
	z := r.z
	x := coeff
	for k := range m {
		a, b := x[k], conj(x[m-k])
		if k == 0 { // X[0] and X[m] as real
			a, b = complex(real(a), 0), complex(real(b), 0)
		}
		z[k] = conj(a + b + mulI(mul(a-b, conj(r.w[k]))))
	}
	z = r.half.Transform(z, z)
	for j, v := range z {
		dst[2*j], dst[2*j+1] = real(v), -imag(v)
	}
	return dst
}

func conj(z complex128) complex128    { return complex(real(z), -imag(z)) }
func mulI(z complex128) complex128    { return complex(-imag(z), real(z)) }
func mulNegI(z complex128) complex128 { return complex(imag(z), -real(z)) }
