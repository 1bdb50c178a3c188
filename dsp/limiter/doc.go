// Package limiter is a look-ahead true-peak limiter: the last stage of the
// master bus, which keeps the output's true peak (ITU-R BS.1770-4 Annex 2:
// the peak of the signal reconstructed between the samples) at or below a
// ceiling in dBTP, with smooth gain changes that start before a peak arrives.
//
// # Detection
//
// The input is oversampled for detection only, with a short linear-phase
// Nyquist filter from package oversample (8 zero crossings each side, Kaiser
// β for 60 dB): 4× at base rates below 88.2 kHz, 2× from 88.2 kHz and 1×
// (none) from 176.4 kHz, so detection always runs at 176.4 kHz or more, as
// BS.1770-4 Annex 2 recommends. The absolute values are linked over channels
// (one gain for all channels), and each local maximum of the oversampled
// stream is refined by a parabola through it and its two neighbours, which
// cuts the error of sampling a peak at 4× (up to −0.44 dB for a 20 kHz tone
// at 44.1 kHz) to within about −0.06 … +0.02 dB of the true peak for any
// tone up to 0.4535·fs (measured; see the tests). Each base-rate frame n
// gets the largest refined peak between n − ½ and n + ½.
//
// # Gain
//
// The required gain of frame n is r[n] = min(1, c / peak[n]), c the
// internal ceiling (CeilingDBTP lowered by SafetyMarginDB). Then:
//
//  1. hold: h[n] = min r[n−P … n+L+P−1], a sliding-window minimum over the
//     look-ahead L plus a guard of P frames each side (monotonic deque,
//     O(1) amortised);
//  2. release: e[n] = min(h[n], e[n−1] + (1 − e[n−1])·(1 − exp(−1/(τ·fs)))),
//     a one-pole return towards unity gain with time constant ReleaseMS;
//  3. smoothing: g[n] = the mean of e over two cascaded boxes whose lengths
//     add up to L+1, a triangular kernel of L frames: the gain ramps down
//     along a smooth S curve that reaches the held value exactly when the
//     peak arrives.
//
// Because every e[m] in the kernel's reach of frames n0−P … n0+P holds
// r[n0], g ≤ r[n0] on all of them: the gain is at its target on and around
// the peak, never a step, and the largest change from one frame to the
// next is 2·(1 − g)/L plus the release step.
//
// # Latency
//
// The audio is delayed by the detector's latency (8 frames at 4× and 2×,
// plus 1 or 2 frames for the peak refinement at 2× and 1×) plus L+P−1, so
// that the gain for frame n is applied to input frame n. Latency reports the
// total in frames exactly.
//
// # Overshoot
//
// The gain is applied at the base rate, so the output between samples is
// the interpolation of g[n]·x[n], not g(t)·x(t); where g changes the two
// differ slightly. Together with the detector's under-read this is covered
// by SafetyMarginDB (default 0.05 dB); the tests measure the output true
// peak with an independent 16× interpolator on adversarial signals.
//
// # Statistics
//
// Stats reports the gain reduction since Reset: its maximum, its mean in dB
// over all frames (frames without reduction count as 0 dB) and over active
// frames only, and the share of frames that are active (reduction above
// ActiveThresholdDB = 0.01 dB). BlockMaxGRDB returns the largest reduction in
// the last Process call, for drawing a gain-reduction picture.
package limiter
