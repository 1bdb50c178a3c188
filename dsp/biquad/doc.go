// Package biquad implements the second-order IIR filters of stemmaster's
// equalisers: the peak, shelf, pass, band-pass and notch filters of Robert
// Bristow-Johnson's "Cookbook formulae for audio EQ biquad filter
// coefficients" (published by the W3C as the Audio EQ Cookbook,
// https://www.w3.org/TR/audio-eq-cookbook/), Butterworth high- and low-pass
// filters of any order built by cascading sections with the Butterworth pole
// Qs, and Linkwitz-Riley crossovers (two cascaded Butterworth filters of half
// the order).
//
// Coefficients are immutable values computed from (sample rate, parameters);
// they report their exact magnitude and phase at any frequency (evaluated from
// the transfer function on the unit circle), which is the test oracle for the
// filters and the source of EQ response pictures. Filter state lives apart
// from coefficients, in Filter (a cascade with per-channel state over float64
// samples) and EQ (a dsp.Processor running a list of Bands on audio.Buffers).
//
// # Structure and precision
//
// Sections run in transposed direct form II with float64 coefficients and
// state (with the output substituted into the state updates, which shortens
// the recursion's critical path by a third; see run in filter.go); samples are converted to float64 once per block and every section of
// the cascade runs on the float64 copy, so intermediate results are never
// rounded to float32. At 10 Hz and 192 kHz the poles sit about 3·10⁻⁴ from the
// unit circle; float64 leaves more than 100 dB of margin there (the tests run
// a 10 Hz sine through at 192 kHz and compare with Magnitude). Filter state
// that decays below 1e-30 (−600 dB) is flushed to zero at the end of every
// chunk of at most 512 frames, so silence after a signal never reaches the
// subnormal range, which is slow on x86 SSE arithmetic (Go does not set
// flush-to-zero).
//
// On amd64 with AVX, Filter.Process2 runs the sections four at a time
// through the quad kernel (quad.go: the four sections skewed in time so
// that their recursions run side by side in two 4-lane registers, about
// 0.32 ns per sample, channel and section), then in pairs through an
// assembly kernel that holds the two channels side by side in one register
// (about 1.5 times as fast per section as the Go loop); per channel both
// do exactly the arithmetic of the Go loop, so the output is bit-identical
// (TestPairKernelExact, TestQuadKernelExact; the purego build tag turns
// them off). Where AVX-512 is there, Filter.Process2Rider runs a
// one-section filter on another buffer in the quad kernel's loop, whose
// latency leaves room for it; StereoMidSide uses it to run an EQ's
// stereo bands with the mid/side band after them a chunk behind, for
// about the cost of the stereo bands alone (TestQuadRiderExact,
// TestStereoMidSideExact).
//
// # Parameters and Linkwitz-Riley polarity
//
// A Band is what a session file describes (type, freq_hz, gain_db, q, slope).
// For high_pass and low_pass, slope 12 is the cookbook filter with the given
// Q (0.7071 = Butterworth); slopes 6, 24 and 48 are Butterworth filters of
// order 1, 4 and 8 and ignore Q. lr_high_pass and lr_low_pass are
// Linkwitz-Riley filters of 12, 24 or 48 dB/oct: LR2 (12 dB/oct) is the square
// of a first-order Butterworth filter, i.e. one section with Q = 0.5; LR4 is
// two cascaded second-order Butterworth sections of Q = 1/√2; LR8 is two
// cascaded fourth-order Butterworth filters. The high-pass outputs are not
// polarity-inverted: LR4 and LR8 low and high outputs sum to an all-pass with
// unit magnitude as they are, while an LR2 (or LR6) pair sums flat only as
// LP − HP (LP + HP has a null at the crossover frequency): the sign is +1
// when the order is a multiple of 4, −1 otherwise.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package biquad
