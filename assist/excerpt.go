package assist

import (
	"cmp"
	"math"
	"slices"
)

// ReadTrackSpan decodes lengthS seconds of a file from startS on (the
// start rounded down, the length up, to whole frames), padded with
// silence where the file ends sooner: stems excerpted on one timeline stay
// aligned sample for sample. It holds only the excerpt in memory, whatever
// the file's length, which is how a service bounds what one request
// decodes (see ExcerptS).
func ReadTrackSpan(path string, startS, lengthS float64) (*Track, error) {
	return readSpan(path, max(0, startS), max(0, lengthS))
}

// ExcerptS returns the longest excerpt, in seconds, such that every track
// read for at most that long fits a budget of sample frames: track i lasts
// durS[i] at rates[i] frames a second, and a track shorter than the
// excerpt gives back what it does not use. It returns +Inf when every
// track fits whole.
func ExcerptS(durS, rates []float64, budgetFrames float64) float64 {
	idx := make([]int, len(durS))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(durS[a], durS[b]) })
	left, rate := budgetFrames, 0.0
	for _, r := range rates {
		rate += r
	}
	for _, i := range idx {
		share := left / rate
		if durS[i] > share {
			return share
		}
		left -= durS[i] * rates[i]
		rate -= rates[i]
	}
	return math.Inf(1)
}
