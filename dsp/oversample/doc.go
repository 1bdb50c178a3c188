// Package oversample changes the sample rate of a stream by an integer
// factor of 2, 4 or 8 with linear-phase polyphase FIR filters, for processing
// that needs headroom above the base Nyquist frequency (true-peak detection
// after ITU-R BS.1770-4 Annex 2, saturation) and back again.
//
// The prototype filter (Design) is a Kaiser-windowed sinc whose cut-off is the
// base Nyquist frequency, a so-called Nyquist or L-th-band filter: every
// factor-th tap is zero except the centre, which is 1, so the upsampler passes
// the original samples through unchanged on phase 0 and both directions have a
// latency of a whole number of base-rate frames. Its figures, at every base
// rate fs (measured in the package tests):
//
//   - 2·39·factor+1 taps (K = 39 zero crossings each side, Kaiser β = 11.16);
//   - passband 0 … 0.4535·fs (20 kHz at 44.1 kHz) flat within 0.0001 dB
//     (measured 0.00003 dB);
//   - stopband from 0.5465·fs (the image of 20 kHz) attenuated by ≥ 100 dB
//     (designed for 110 dB, measured 109.7 dB);
//   - the band 0.4535·fs … 0.5465·fs is the transition band, symmetric about
//     fs/2 (−6 dB at fs/2 exactly), as in every half-band design.
//
// Latency is Design's zero-crossing count K (39) in base-rate frames for each
// direction (upsampler output sample factor·n+p is the input at time
// n − K + p/factor; the downsampler's output n is the high-rate input at base
// time n − K), so an up→down round trip delays by exactly 2K frames.
//
// Processing state (histories) is float64 per channel; coefficients are
// immutable and may be shared. Upsample and Downsample never allocate when
// given a dst of the right size; Reset clears the histories.
//
// In stemmaster, DesignNyquist gives the half-band prototype of package
// halfband, whose block kernel runs the true-peak limiter's detector and
// the saturation's oversampling. The Upsampler and Downsampler are the
// plain per-sample polyphase form of the same filters: the reference those
// kernels are tested against (halfband's TestInterpolateMatchesUpsampler,
// saturate's TestMatchesOversample), not a path the program renders
// through.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package oversample
