// Package limiter is a look-ahead true-peak limiter: the last stage of the
// master bus, which keeps the output's true peak (ITU-R BS.1770-4 Annex 2:
// the peak of the signal reconstructed between the samples, estimated by
// oversampling) at or below a ceiling in dBTP, with smooth gain changes that
// start before a peak arrives.
//
// # Detection
//
// The input is oversampled 4× for detection only, at every sample rate, by
// two cascaded linear-phase half-band stages (oversample.DesignNyquist): 32
// zero crossings at 2× (Kaiser, 80 dB, flat to 0.46·fs), then 6 zero
// crossings at 4× — 44 multiplications per frame and channel. BS.1770-4
// Annex 2 asks for at least 4× at 48 kHz; the common shortcut of 2× at
// 88.2/96 kHz and 1× at 176.4/192 kHz let full-band test signals (noise,
// square waves) through 1.6 dB (2×) to 5 dB (1×) above the ceiling when we
// measured it, so the detector stays at 4×. The absolute values are linked
// over channels (one gain for all channels), and each local maximum of the
// oversampled stream is refined by the vertex of a parabola through it and
// its two neighbours, which removes most of the error of sampling a peak at
// 4× (up to −0.44 dB for a tone at 0.45·fs). Each base-rate frame n gets the
// largest refined peak between n − ½ and n + ¼ (where the next frame
// starts).
//
// Near-Nyquist guard: every finite interpolator is in its transition band
// just below fs/2, and there they disagree. On full-band noise driven into
// the limiter, the loudness package's meter and ffmpeg's ebur128 read up to
// 0.3 dB above this detector (and a long-sinc 16× reference 0.2 dB above),
// while on music they agree within 0.01 dB. So each frame's peak is raised
// by ½ × the held envelope of the band 0.465 … 0.5·fs (the signal times
// (−1)^n through a 4th-order Butterworth low-pass at 0.035·fs, magnitude
// held with a 32-frame decay). Music, with little energy that high, is
// limited as without it; noise and square waves get the headroom every
// meter needs.
//
// # Speed
//
// The detector is the package's own block form of the two stages (taps from
// oversample.DesignNyquist): a channel's chunk at a time on linear buffers
// (history then chunk), each stage's interpolated values computed by
// package halfband (AVX assembly on amd64, sixteen outputs per pass over
// the taps, the same bits as its Go code). Its values are those of the
// oversample.Upsampler cascade to float64 rounding (only the order of the
// additions differs) and do not depend on the block size.
//
// Exact skip: a chunk's frames need no reduction when an upper bound on
// every peak they can be given is at or below the internal ceiling, plus
// the near-Nyquist term. The bound is the smaller of two: the largest |x|
// over the chunk and the stage-1 history times the stages' Σ|taps| (2.84
// and 1.82), times 9/8 for the parabola; and, for smooth signals, the
// largest |x| plus terms in the largest first and second differences of
// the input the chunk's values read (smoothbound.go: about 0.2 dB over the
// sample peak for a 1 kHz tone). Such a chunk only interpolates the values
// the next chunk reads; the output is the same bit for bit (the tests
// compare it, and the detector state, with the skip disabled).
//
// Idle gain path: when no frame of a chunk, nor any the hold and the
// smoothing still remember, asks for a reduction and the release is at
// rest, every gain is exactly 1, so the per-frame gain loop is skipped and
// the chunk is only delayed (the same bits again; the tests above cover
// it).
//
// # Gain
//
// The required gain of frame n is r[n] = min(1, c / peak[n]), c the
// internal ceiling (CeilingDBTP lowered by SafetyMarginDB, 0.05 dB by
// default). Then:
//
//  1. hold: h[n] = min r[n−P … n+L+P−1], a sliding-window minimum over the
//     look-ahead L plus a guard of P = 4 frames each side (monotonic deque,
//     O(1) amortised);
//  2. release (package envelope, shared with the compressor): the
//     reduction −log2 h[n] is held for a hold time after each rise, then
//     falls back exponentially in the log domain with a time constant that
//     adapts to the programme — fast where the reduction stands well above
//     its slow average (an isolated transient), slow where it stays near it
//     (sustained limiting); e[n] = min(h[n], 2^−reduction). The hold (10 ms
//     in the default "transparent" character) plus the look-ahead window
//     bridges the gap between the half-cycle peaks of bass down to 33 Hz,
//     so sustained limiting on bass holds the gain still instead of
//     rippling at twice the bass frequency, which intermodulates the rest
//     of the mix (SMPTE IMD at +12 dB of drive: a linear-domain one-pole
//     release of 80 ms −38.8 dB, this one −61 dB, x42-dpl −47.8 dB). Under
//     that, the periodic hold: once the required reduction has peaked at
//     three intervals in a row that agree (within 1/16, heights within
//     1/8) and are longer than the hold, up to 30 ms, each peak holds the
//     reduction for 5/4 of the interval, so a tone down to about 17 Hz
//     gets a still gain too (a 20 Hz sine driven +6 dB: THD+N −37.9 dB
//     without it, under −140 dB with it, x42-dpl −57.9 dB). The peaks are
//     read from the required reduction, not from the release's output,
//     so the hold never lengthens itself; on noise and music, whose peaks
//     come at irregular intervals, it does not engage (the francium mix
//     driven +15 dB nulls to −77 dB against the plain hold). Params.
//     Character maps transparent, punchy and dense onto these constants;
//  3. smoothing: g[n] = the mean of e over two cascaded boxes whose lengths
//     add up to L+1, a triangular kernel of L frames: the gain ramps down
//     along a smooth S curve that reaches the held value when the peak
//     arrives.
//
// Because every e[m] in the kernel's reach of frames n0−P … n0+P holds
// r[n0], g ≤ r[n0] on all of them: the gain is at its target on and around
// the peak, never a step, and the largest change from one frame to the
// next is (1 − g_min)/⌊L/2⌋ (the steepest slope of the shorter box).
//
// # Latency
//
// The audio is delayed by the detector's latency (32 + 6/2 = 35 frames) plus
// L+P−1, so that the gain for frame n is applied to input frame n. Latency
// reports the total in frames exactly: 35 + 240 + 3 = 278 at 48 kHz with
// the default 5 ms look-ahead.
//
// # Overshoot
//
// The gain is applied at the base rate, so the output between samples is
// the interpolation of g[n]·x[n], not g(t)·x(t), and the detector's
// parabola and filter leave small errors; SafetyMarginDB covers both. The
// tests measure the output's true peak with an independent 16× long-sinc
// interpolator, the loudness meter and ffmpeg on square waves, fs/4 sines
// at 45°, impulses, white noise at +12 dBFS (several seeds) and a real mix
// driven 12 dB into the limiter, and pink noise driven 12 dB with every
// character: all at or below the ceiling by every meter (ffmpeg's per-frame
// value to ±0.005 dB) and by the 16× reference (internal/audiotest).
//
// # Statistics
//
// Stats reports the gain reduction since Reset: its maximum, its mean in dB
// over all frames (frames without reduction count as 0 dB) and over active
// frames only, and the share of frames that are active (reduction above
// ActiveThresholdDB = 0.01 dB). BlockMaxGRDB returns the largest reduction in
// the last Process call, for drawing a gain-reduction picture.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package limiter
