// Package check checks a stem delivery before mastering, the way a
// mastering engineer would: every file readable, one sample rate, 24-bit or
// float, the same length, the same time-zero as the reference mix (offsets
// by cross-correlation, exact to the sample, or from BWF time references
// when there is no mix), the stems summing to the mix (least-squares gains
// and polarity, the null residual and what it looks like), headroom on the
// sum, clipping, silence, DC offset, mono files stored as stereo,
// duplicates and the stem count — and turns the result into the findings,
// advice and report of docs/checks.md (stemmaster.CheckReport).
//
// The check streams. One pass reads every stem and the mix in lockstep in
// 4096-frame blocks and keeps only running figures: a BS.1770-4 loudness
// meter (package loudness) per stem, per family and for the sum, peaks, DC
// sums, clipping runs, the left-minus-right energy, each stem's energy per
// block, and the Gram accumulators of the least-squares fit (analysis.Gram:
// Σ sᵢ·sⱼ, Σ sᵢ·mix, Σ mix²), from which gains, polarity and the residual
// follow without keeping any audio. Alignment reads a bounded excerpt of
// each stem (its loudest AlignSeconds) and of the mix around it. A second
// pass re-accumulates the fit with the offsets compensated, only when a
// stem is offset, and a third profiles the residual, only when the sum does
// not match the mix. Memory grows with the number of stems, not with their
// length.
//
// An offset is reported only when the alignment is trustworthy
// (analysis.MinAlignPeak); a stem that cannot be aligned is fitted where it
// lies and named in the sum_mismatch finding. When some stems cannot enter
// the sum (another sample rate, another channel layout, unreadable) the
// sum is not compared with the mix: their own findings say why.
//
// Thresholds (each is a named constant below, with its reason):
// clipping is a run of ClipRunSamples full-scale samples in an integer stem,
// or ClipSamplesMin full-scale samples in runs or not (one per
// ClipSamplesSeconds of each channel at least), or any sample beyond ±1.0
// in a float stem; a stem is silent when no
// 400 ms block reaches BS.1770's absolute gate (−70 LUFS); DC offset is a
// channel mean beyond DCOffsetDBFS; mono-as-stereo is L − R at least
// MonoAsStereoDB below the channels; a duplicate is a pair whose best
// null (after a gain) is at least DuplicateDB down; gains are off by more
// than GainToleranceDB; the sum mismatches when the residual after the fit
// is above SumMismatchDB relative to the mix.
package check
