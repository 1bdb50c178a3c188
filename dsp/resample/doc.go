// Package resample converts audio between sample rates: a streaming
// polyphase windowed-sinc converter for any rational ratio between 8 and
// 384 kHz, linear phase, with the filter delay removed and an exactly
// predictable output length. stemmaster uses it for deliverables at another
// rate than the session's (a 44.1 kHz CD master from 48 kHz stems), and
// through Reader for a stem at another rate than the song's, converted as
// it is read.
//
// # What it guarantees
//
//   - Any pair of integer rates in [MinRate, MaxRate]. The ratio out/in is
//     reduced by the greatest common divisor: 48000 → 44100 is L/M = 147/160.
//   - Passband flat to within 0.01 dB up to 20 kHz when the output rate is
//     44.1 kHz or more (measured: 0.002 dB at worst, at 20 kHz), and in
//     general up to 20/22.05 of the lower Nyquist frequency.
//   - Everything above the lower Nyquist frequency (what would alias when
//     going down, or image when going up) attenuated by at least 140 dB.
//   - Time alignment: output frame j is the band-limited input signal at
//     input time j·in/out; the first output frame is input time 0. The
//     filter is symmetric, so the phase is linear and nothing is shifted.
//   - Length: a stream of n input frames gives OutputFrames(n) =
//     round(n·out/in) output frames (halves round up), Process and Flush
//     together, however the input is cut into blocks; block boundaries do
//     not change a single bit of the output.
//
// # Design
//
// One filter g(t) serves every phase: a sinc under a Kaiser window, its
// cutoff in the middle of the transition band that ends at the stopband edge
// f_N, the lower of the two Nyquist frequencies; the passband edge is
// fp = (20/22.05)·f_N. Kaiser's
// formulas size it (J. F. Kaiser, "Nonrecursive digital filter design using
// the I0-sinh window function", Proc. IEEE ISCAS 1974; A. V. Oppenheim and
// R. W. Schafer, Discrete-Time Signal Processing, 3rd ed., §7.6.1):
//
//	β = 0.1102·(A − 8.7)                 for a stopband attenuation A > 50 dB
//	N = (A − 7.95) / (2.285·Δω)          taps, Δω the transition in rad/sample
//	w(t) = I0(β·√(1 − (t/T)²)) / I0(β)   for |t| < T = N/2
//
// with A = StopbandDB (145 dB, for a measured 144.5 dB). The window gives
// the same ripple (1e-7) in both bands, the passband far flatter than the
// 0.01 dB asked, so Δω is taken 10 % wider than [fp, f_N], its lower end
// below fp: the droop at 20 kHz is then 0.002 dB and the filter 9 % shorter
// (see transitionStretch). Δω is measured at the input rate, which gives the
// taps per phase K directly: 204 for 48 → 44.1 kHz, 188 for 44.1 → 48 kHz,
// 408 for 96 → 44.1 kHz.
//
// Output j sits at input time q + r/L with jM = qL + r. Its phase row r
// holds g(K/2 − 1 − i + r/L) for taps i = 0…K−1 against input samples
// q − K/2 + 1 + i, so an output needs input up to q + K/2: the converter
// holds back K/2 input frames (not a latency in the output's time line,
// which is aligned, but the lookahead a stream needs before Flush).
// Coefficients, history and accumulation are float64; samples are float32
// only at the input and output.
//
// The table holds all L phases (147 × 204 coefficients, 240 KB, for
// 48 → 44.1 kHz). When L·K would exceed 2^21 coefficients (16 MB; e.g.
// 44100 → 44101 Hz, L = 44101) it holds 2^21/K evenly spaced phases instead
// and interpolates linearly between the two nearest (tested: THD+N and
// image residue below −140 dB). Equal rates copy the samples.
//
// # Speed
//
// The work is one dot product of K taps per output sample and channel. The
// kernel (fir.Dot2Rows) takes the channels in pairs, so each coefficient is
// loaded once for two channels, and up to 64 output frames per call, so
// the cost per frame is the kernel's; on amd64 processors with AVX2 and
// FMA (detected at run time) it is Go assembly, 256-bit fused multiply-adds
// into eight independent accumulators (512-bit, two frames at a time, where
// AVX-512 is there, with the same sums), all in float64 (package fir says
// more, and what runs elsewhere). The table's rows start on 64-byte
// boundaries, so the kernel's loads of the taps do not straddle cache lines.
// The kernels sum in different orders, so they agree to rounding (float64
// sums about 1e-15 apart, so float32 outputs at most one unit in the last
// place apart); each is deterministic, and block boundaries still change no
// bit of the output.
//
// Measured on the project's 2-core AMD EPYC (Zen 5; BenchmarkResampleCPU,
// CPU time per input sample and channel, stereo, block 4096): 48 → 44.1
// kHz 10.5 ns (15.5 with a kernel call per frame in 256-bit registers, 40
// with floats.Dot), 44.1 → 48 kHz 12.4 ns, 96 → 44.1 kHz 9.1 ns; with
// -tags purego about 50 ns. bench/resample.sh compares speed and quality
// with sox's `rate -v`.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package resample
