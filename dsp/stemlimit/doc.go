// Package stemlimit is stem-aware true-peak limiting: the master limiter
// detects on the sum of the stems, as a plain limiter does, but may take
// the gain reduction out of the stems that take part in each peak,
// weighted per stem (protect the lead vocal, let the drums take it), and
// always attributes the reduction to the stems that caused it.
//
// # Detection and attribution (both modes)
//
// A limiter.TruePeakLimiter runs on the sum (the first sharing stage's
// detector in stem-aware mode) and gives the gain g[n] a plain limiter
// applies to output frame n. Each stem has a level envelope e_s (the
// largest |x| over its channels, rising with a 1 ms and falling with a
// 60 ms time constant) taken on the input side, so at the output it
// already covers the look-ahead in which the gain ramps down. The
// reduction of frame n, −20·log10 g[n] dB, is attributed to the stems in
// proportion to e_s[n]: "drums caused 71 % of it" is the drums' share of
// Σ_n GR[n] (left out with Params.SkipAttribution, for a caller that
// attributes it itself). In plain mode every stem gets g[n].
//
// # Stem-aware mode
//
// Two sharing stages run in series, then a plain true-peak limiter on the
// sum. Each sharing stage detects on the sum of its input stems and turns
// its reduction GR (dB) into stem reductions GR_s = α_s·GR with
// α_s = k·w_s, so that their average weighted by the stems' shares of the
// peak c_s = e_s/Σe is the stage's reduction: Σ c_s·α_s = 1. A stem under
// 1 % of the peak's level takes no part and keeps its gain; no α_s exceeds
// 3·min(1, w_s) (a stem takes at most 3× the reduction in dB, a protected
// one less); stems at their cap drop out and the rest share what is left
// (water-filling).
//
// Nor does a stem take more than 6 dB beyond the stages' reductions: the
// first stage caps α_s at 1 + 6/GR, the second at what the first left of
// that (from the stem's pilot and the first stage's gain at the frame),
// but never under 1. What the caps leave goes to the next stage and the
// final limiter, on the sum. Without it a heavy-weight stem that is a
// small part of a hard peak (drums at weight 2 under a loud chorus at
// −9 LUFS) took the share rule's 2–3× of a 13 dB reduction, over 35 dB on
// one peak for a level change of a few percent in the sum; bounded, it
// takes 24 dB there, and the other stems, the protected vocal included,
// take a little more of that peak (the vocal 8.8 dB instead of 6.5).
//
// The sharing stages release four times faster than the limiter (punchy
// character: 20 ms at the default 80 ms), so the other stems dip at the
// peaks only instead of holding a reduction that costs loudness: on
// francium at −9 LUFS the master then needs about 2.5 dB less gain than
// with the plain limiter, where a sharing release as slow as the limiter's
// needed 2 dB more and pushed the protected vocal's own peaks into the
// final limiter.
//
// The stem gains average to less reduction than the stage's gain (the
// exponential is convex) and stems are not always in phase at a peak, so
// the recombined sum can still peak over the ceiling: the second stage
// shares out most of what is left the same way, and the final limiter
// takes the rest on the sum, so the ceiling holds exactly as for the plain
// limiter, and the loudness targeting around it lands the same target. The
// final limiter's reduction applies to every stem and is counted in its
// statistics; each stem's gain is followed exactly by a pilot channel (a
// constant 1 carried beside its audio through the stages' delays and
// gains).
//
// Latency: one limiter's (plain) or three (stem-aware).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package stemlimit
