package loudness

import (
	"math"
	"slices"
)

// The gated loudness (BS.1770's relative gate) and the loudness range (EBU Tech 3342) over the meter's blocks.

// GatedLoudness gates 400 ms blocks, given as their channel-weighted mean
// squares (BS.1770-4 §2.8): keep blocks above the absolute gate, then those
// above the relative gate 10 LU under the mean of the kept ones, and return
// the loudness of their mean in LUFS. NaN when none pass. The meter uses it
// for the integrated loudness; a model of a signal's blocks (the engine's
// targeting) can use it on its own.
func GatedLoudness(blocks []float64) float64 {
	abs := meanSquareAt(absoluteGateLUFS)
	mean, n := gatedMean(blocks, abs)
	if n == 0 || math.IsNaN(mean) {
		return math.NaN()
	}
	rel := mean * math.Pow(10, relativeGateLU/10)
	mean, _ = gatedMean(blocks, max(abs, rel))
	return LUFS(mean)
}

// GatedLoudnessWhere is GatedLoudness of blocks, and the loudness of
// other's blocks over the same stretch: the mean of other's blocks at the
// indices where blocks pass both gates (an index past other's end counts
// as silence). blocks and other are gating blocks on one grid (Blocks of
// two meters fed from the same first frame). It measures a part against
// the whole where the part plays: a family that plays in half a song
// reads its loudness against the sum's over that half, not over the
// stretch where it is silent, which the whole's own gate takes in. NaN
// for both when no block of blocks passes.
func GatedLoudnessWhere(blocks, other []float64) (own, over float64) {
	abs := meanSquareAt(absoluteGateLUFS)
	mean, n := gatedMean(blocks, abs)
	if n == 0 || math.IsNaN(mean) {
		return math.NaN(), math.NaN()
	}
	gate := max(abs, mean*math.Pow(10, relativeGateLU/10))
	var s, o float64
	n = 0
	for i, e := range blocks {
		if e > gate {
			s += e
			n++
			if i < len(other) {
				o += other[i]
			}
		}
	}
	return LUFS(s / float64(n)), LUFS(o / float64(n))
}

// gatedMean returns the mean of the values above gate, and their count.
// A NaN value (from a NaN or infinite sample) makes the mean NaN.
func gatedMean(v []float64, gate float64) (float64, int) {
	var s float64
	n := 0
	for _, e := range v {
		if math.IsNaN(e) {
			return math.NaN(), 1
		}
		if e > gate {
			s += e
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return s / float64(n), n
}

// loudnessRange computes LRA per EBU Tech 3342 from short-term mean squares:
// absolute gate -70 LUFS, relative gate 20 LU under the energy mean of the
// values above it, then the 95th minus the 10th percentile. NaN when no value
// passes.
func loudnessRange(shortTerm []float64) float64 {
	abs := meanSquareAt(absoluteGateLUFS)
	mean, n := gatedMean(shortTerm, abs)
	if n == 0 || math.IsNaN(mean) {
		return math.NaN()
	}
	gate := max(abs, mean*math.Pow(10, lraRelativeGateLU/10))
	kept := make([]float64, 0, n)
	for _, e := range shortTerm {
		if e > gate {
			kept = append(kept, e)
		}
	}
	slices.Sort(kept)
	last := float64(len(kept) - 1)
	lo := kept[int(math.Round(last*lraLowPercentile))]
	hi := kept[int(math.Round(last*lraHighPercentile))]
	return LUFS(hi) - LUFS(lo)
}
