// Package fir holds what stemmaster's FIR filters share: the windowed-sinc
// design (Sinc, the Kaiser window and the Bessel function it needs, Kaiser's
// formulas for the window's shape and the filter's length) and the
// dot-product kernels that run the filters. The oversampler
// (dsp/oversample, and through it the true-peak limiter), the sample-rate
// converter (dsp/resample) and the true-peak meter (loudness) design their
// filters with it; the least-squares fit of the stem checks uses its dot
// product.
//
// # Design formulas
//
// A low-pass of cut-off fc (cycles per sample) is the ideal response
// 2·fc·sinc(2·fc·t), sinc(x) = sin(πx)/(πx), under a window. The Kaiser
// window of shape β over |t| ≤ T is w(t) = I0(β·√(1 − (t/T)²)) / I0(β), I0
// the zeroth-order modified Bessel function of the first kind. For a
// stopband attenuation of A dB, Kaiser's empirical formulas give
//
//	β = 0.1102·(A − 8.7)                          A > 50
//	β = 0.5842·(A − 21)^0.4 + 0.07886·(A − 21)    21 ≤ A ≤ 50
//	β = 0                                         A < 21
//	N = (A − 7.95) / (2.285·Δω)                   the filter order, Δω the transition width in radians per sample
//
// (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh
// window function", Proc. IEEE ISCAS 1974; A. V. Oppenheim and R. W.
// Schafer, Discrete-Time Signal Processing, eqs. 7.62 and 7.63). The
// window's ripple is the same in both bands, so a design sized for the
// stopband is also flat in the passband.
//
// BlackmanSinc is a short Blackman-windowed sinc for signals that are only
// analysed, never listened to (the alignment's decimators).
//
// # Dot products
//
// Dot and Dot2 are the filters' inner loop. On amd64 processors with AVX2
// and FMA (checked at run time with golang.org/x/sys/cpu) they are Go
// assembly (dot_amd64.s): 256-bit fused multiply-adds, four doubles per
// instruction, with independent accumulators to hide the FMA latency. Go
// assembly is built by the Go toolchain and needs no C compiler, so
// stemmaster still builds with CGO_ENABLED=0. On amd64 without AVX2 or FMA
// they are gonum's floats.Dot (SSE2 assembly); on other architectures, or
// with the build tag purego, plain Go.
//
// The assembly keeps 4–8 partial sums, so its results agree with the Go
// kernels to rounding, not bit for bit; each is deterministic and
// independent of the slices' memory alignment. DotPortable is the plain Go
// kernel under its own name, for results that must be the same bits on
// every machine. DotPortable4 gives four DotPortable sums of one vector
// against four others in one pass, the same bits (AVX without FMA: lane k
// of each accumulator is DotPortable's k-th partial sum), for the stem
// checks' least-squares sums. Dot2Rows is Dot2 over a block of filter rows
// and windows in one call (the resampler's output frames), the same bits;
// where AVX-512 is there it runs two frames at a time in 512-bit registers
// (each holding two of the AVX2 kernel's accumulators, so every sum adds
// in the same order), which keeps both FMA units busy.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package fir
