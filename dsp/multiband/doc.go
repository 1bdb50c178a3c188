// Package multiband splits a signal into 2 to 4 bands on Linkwitz-Riley
// crossovers and processes each band on its own: dynamics (a compressor
// above a threshold and an expander below another, per band) and stereo
// width, then sums the bands again.
//
// # Crossover
//
// Each crossover frequency f_j is an LR4 pair (24 dB/oct, the square of a
// 2nd-order Butterworth; −6.02 dB at f_j). LR4 low- and high-pass sum to a
// 2nd-order all-pass AP_j (biquad.AllPass with Q = 1/√2), so band k is
//
//	HP_1 ⋯ HP_k · LP_{k+1} · AP_{k+2} ⋯ AP_{n−1}
//
// (the last band without the low-pass): every band carries the all-pass of
// the crossovers it is not split by, and the bands sum to AP_1 ⋯ AP_{n−1},
// magnitude exactly 1 at every frequency (tested within 0.01 dB, analytically
// and on tones through the processor). The phase is that of the all-passes,
// as in every IIR crossover; Latency is 0.
//
// # Band processing
//
// Per band and frame the detector follows the largest |x| over the
// channels (stereo link) with a peak envelope (instant rise, decaying with
// the release time, so a steady tone reads its peak level). At a control
// rate of one run of attack/8 samples (1 … 16), the run's largest envelope,
// in log2 units, goes through the static curve for the gain reduction
// (soft-knee compression above ThresholdDB by Ratio; downward expansion
// below ExpandThresholdDB by ExpandRatio, at most RangeDB), smoothed by the
// branching attack/release smoother of package envelope stepped a run at a
// time (envelope.BlockSmoother), and the band's gain with its makeup ramps
// linearly to the new value over the next run (one run behind the
// detector, so blocks do not change the result). The gain computer is
// envelope.BandCurve; the compressing bands' detectors and gain computers
// run side by side, one band per vector lane (envelope.Lanes), with each
// band's own bits.
// ProcessSidechain reads the same bands of a key signal instead, so
// signals processed each keyed by their sum add up to the processed sum
// (stem-aware limiting after a master multiband).
// Width then scales the band's side signal (0 = mono, 1 = as is, 2 = twice
// the side); the mid is untouched.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package multiband
