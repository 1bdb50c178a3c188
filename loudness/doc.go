// Package loudness is stemmaster's programme loudness meter: a streaming
// implementation of ITU-R BS.1770-4 (loudness and true peak) with the EBU R128
// measures built on it — momentary and short-term loudness, integrated
// loudness and loudness range.
//
// Standards:
//   - ITU-R BS.1770-4, "Algorithms to measure audio programme loudness and
//     true-peak audio level": https://www.itu.int/rec/R-REC-BS.1770
//   - EBU R 128, "Loudness normalisation and permitted maximum level of audio
//     signals": https://tech.ebu.ch/publications/r128
//   - EBU Tech 3341, "Loudness Metering: 'EBU Mode' metering to supplement EBU
//     R 128" (momentary, short-term, integrated, true peak; its test cases are
//     in this package's tests): https://tech.ebu.ch/publications/tech3341
//   - EBU Tech 3342, "Loudness Range: A measure to supplement EBU R 128"
//     (LRA): https://tech.ebu.ch/publications/tech3342
//
// # What is computed, exactly
//
// K-weighting: the two BS.1770 filter stages, with coefficients derived for the
// actual sample rate from the analog prototypes (see KWeighting), run in
// float64 per channel. At 48 kHz they reproduce the standard's table.
//
// Channels are weighted per BS.1770-4 by their position, assumed from the
// channel count (the WAVE/SMPTE order): 1 mono; 2 L R; 3 L R C; 4 L R Ls Rs;
// 5 L R C Ls Rs; 6 L R C LFE Ls Rs. L, R, C weigh 1.0, Ls and Rs 1.41, the LFE
// is not counted. Any other count weighs every channel 1.0 (see
// ChannelWeights).
//
// Time grid: the signal is cut into 10 ms sub-blocks whose boundaries are at
// frame round(k·fs/100), k = 0, 1, …, so that at rates where 10 ms is not a
// whole number of frames (22.05 kHz: 220.5) the grid still never drifts. The
// K-weighted, channel-weighted energy of each sub-block is summed exactly once.
// A window is a run of whole sub-blocks, and its mean square is the sum of its
// sub-block energies divided by its exact frame count:
//   - momentary loudness: 40 sub-blocks (400 ms), every 10 ms;
//   - short-term loudness: 300 sub-blocks (3 s), every 10 ms;
//   - the integrated gating blocks: the momentary windows that end at
//     k·100 ms (400 ms blocks overlapping by 75 %, BS.1770-4).
//
// The maxima of momentary and short-term loudness are taken over all windows
// on the 10 ms grid (EBU Tech 3341 asks for at least every 100 ms; on that
// coarser grid its cases 13 and 14 fail). A window that would reach before
// the first frame is not a window: the meter does not pad with silence.
// Frames after the last whole sub-block count for the peaks only. Each
// window's sum runs over its sub-blocks oldest first; the windows are
// computed in batches (every 64 sub-blocks and before a Result), eight side
// by side, which gives the same bits as one at a time at a fraction of the
// cost (each window is a chain of dependent additions).
//
// Integrated loudness (BS.1770-4): the energies of all gating blocks are kept
// (8 bytes per 100 ms, 576 KiB for two hours), so gating is exact, not
// histogram-binned: blocks at or below the -70 LUFS absolute gate are dropped,
// then those at or below the relative gate 10 LU under the mean of the rest.
//
// Loudness range (EBU Tech 3342): from the short-term values on the same 10 ms
// grid (the standard asks for at least ten a second; more values estimate the
// same distribution), gated at -70 LUFS and 20 LU below the energy mean of the
// values above -70 LUFS; LRA is the 95th minus the 10th percentile, the
// percentiles taken by nearest rank on the sorted values (index
// round((n-1)·p), as libebur128 does). On real music the 10 ms grid is the
// steadier estimate: a 100 ms grid's LRA moves with the grid's phase (by
// 0.7 LU on one of our test stems), the 10 ms grid averages over it.
//
// True peak (BS.1770-4 Annex 2): each channel is oversampled 4× below
// 88.2 kHz and 2× from 88.2 kHz up (an effective rate of at least 176.4 kHz
// up to 96 kHz, and more above) with a polyphase Kaiser-windowed sinc
// interpolator of 32 taps per phase (β = 5; flat within 0.05 dB to 0.45·fs),
// longer than the Annex's 12-tap example, which under-reads by up to 0.5 dB.
// The interpolator passes the original samples unchanged (phase 0 is the
// identity), so the true peak is never below the sample peak. The values
// between samples are computed in float64; a programme is taken to be
// silent before its first and after its last frame.
//
// For speed, runs of 16 sample positions are not interpolated when an exact
// bound shows that none of their values can exceed the true peak found so
// far (which is at least the sample peak of the 4096 frames at hand): either
// Σ|h|·max|x| over their windows, or — much tighter on smooth, loud music —
// linear interpolation between neighbours plus the filter's deviation from
// it, bounded through the second differences of the signal. The bounds are
// exact, so skipping never changes the result (TestTruePeakSkipIsExact).
//
// On amd64 with AVX the K-weighting runs two channels side by side in one
// register (four, two meters' streams, in ProcessPair; StereoKWeighting
// gives the same kernel, with a peak estimate in its loop, to the engine's
// gain model), and with AVX2 the sample peaks and the true-peak meter's
// conversion of each run take 4 to 8 samples at a time. Each kernel does
// per channel exactly the arithmetic of the Go loop it replaces, in the same
// order and without fused multiply-adds, so every figure is bit-identical
// with and without it (the kernel tests compare them bit for bit; the
// purego build tag turns the kernels off).
//
// # The formulas
//
// The loudness of a window is
//
//	L = −0.691 + 10·log10(Σᵢ Gᵢ·zᵢ)  LUFS
//
// zᵢ the mean square of channel i after K-weighting, Gᵢ its weight. The
// integrated loudness is the same formula over the mean energy of the
// gating blocks that pass both gates (absolute −70 LUFS; relative, 10 LU
// under the loudness of the blocks above the absolute gate). The
// K-weighting coefficients and their derivation are given at KWeighting.
// True peak is 20·log10 of the largest absolute interpolated value, in dBTP.
//
// # The EBU cases the tests run
//
// The tests run the cases of EBU Tech 3341 and 3342 (V4, 2023) at the
// specifications' tolerances: ±0.1 LU for momentary, short-term and
// integrated loudness, ±1 LU for the loudness range, +0.2/−0.4 dB for true
// peak. The signals are 1 kHz sines (levels are per-channel peak dBFS at
// 48 kHz; a stereo sine at −23 dBFS reads −23.0 LUFS):
//
//	3341-1, -2     20 s at −23 / −33 dBFS                      M, S, I = −23.0 / −33.0
//	3341-3, -4, -5 quieter (and gated-away) passages around −23 I = −23.0
//	3341-6         5.0 channels, L R −28, C −24, Ls Rs −30     I = −23.0
//	3341-9         (1.34 s at −20, 1.66 s at −30) × 5          S = −23.0 after 3 s
//	3341-10, -11   3 s bursts at shifting offsets               max S = each burst's level
//	3341-12        (0.18 s at −20, 0.22 s at −30) × 25         M = −23.0 after 1 s
//	3341-13, -14   0.4 s bursts at 20 ms offsets                max M = each burst's level
//	3341-15 … -19  fs/4, fs/6, fs/8 sines at 0.5 (1.41) of full scale, phases 0–67.5°  TP = −6.0 (+3.0)
//	3341-20 … -23  a fs/6 sine with one fs/4 period, decimated at offsets 0–3  TP = 0.0
//	3342-1 … -4    20 s steps: −20/−30, −20/−15, −40/−20, −50/−35/−20/−35/−50  LRA = 10, 5, 20, 15
//
// Cases 7 and 8 need the EBU's own programme files and are not run.
//
// # Undefined and silent results
//
// Result reports minus infinity (math.Inf(-1)) for a measure of digital
// silence (a peak of zero, a maximum over windows of zero energy) and NaN for
// a measure that is undefined: a maximum when the programme is shorter than
// the window (400 ms, 3 s), integrated loudness when no gating block passes
// the gates (which includes silence and content below -70 LUFS, as ITU-R
// BS.2217 expects), loudness range when no short-term value passes its
// gates, true peak when Options.TruePeak is false. A NaN or infinite sample
// (a damaged float file) makes the figures it reaches NaN. stemmaster.Level
// prints both as JSON null.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package loudness
