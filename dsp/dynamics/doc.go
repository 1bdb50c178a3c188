// Package dynamics implements stemmaster's feed-forward compressor, after
// D. Giannoulis, M. Massberg and J. D. Reiss, "Digital Dynamic Range
// Compressor Design — A Tutorial and Analysis", J. Audio Eng. Soc. 60(6),
// 399–408, 2012.
//
// Signal flow per frame:
//
//	key (the input, or an external sidechain) → optional sidechain high-pass
//	→ level detector (peak |x|, or RMS) → stereo link → dB
//	→ static gain computer (threshold, ratio, quadratic soft knee; eq. 4)
//	→ gain reduction smoothed in the log domain (branching attack/release; eq. 16)
//	→ linear gain × makeup → applied to every channel
//
// Levels are in dBFS with 0 dB = amplitude 1.0. The peak detector reads
// 20·log10|x|, so a steady sine registers its peak level. The RMS detector
// reads 10·log10 of the mean square averaged by a one-pole filter whose time
// constant is the RMS window, so a steady sine registers its peak level
// − 3.01 dB.
//
// Time constants: attack and release are the times the smoothed gain
// reduction takes to cover 1 − 1/e ≈ 63.2 % of a step of its target,
// α = exp(−1 / (τ·fs)) per sample. In RMS mode the mean-square average
// (with its own window) comes before this smoothing, so the response to a
// level step is slower than the attack time alone.
//
// Stereo link (the default): one detector level per frame, the maximum of the
// channels' |x| for peak detection and the mean of the channels' squares
// (their power average) for RMS, so identical channels read like one channel
// and the image does not shift. Unlinked, each channel has its own detector
// and gain.
//
// The sidechain high-pass (SidechainHPFHz > 0, off by default; ~100 Hz suits
// a master bus) is a 12 dB/oct Butterworth high-pass on the detector path
// only, so bass energy does not pump the whole mix. ProcessSidechain keys the
// detector from another buffer (e.g. chosen stems) instead of the input.
// Gain reduction is exposed for metering, safe to read from another goroutine.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package dynamics
