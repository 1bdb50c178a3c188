package check

import "math"

// Where the alignment looks: the window of the joint fit, the loudest
// stretch of a stem, and the view of a stem the first search correlates.

// jointWindow chooses the start (in the mix's frames) of the w-frame
// window where the stems, at their first lags, have the most material:
// the largest sum over stems of the log of each one's energy there (so
// that a window where every stem plays beats one where a few are loud),
// and says which stems have enough material in it to be aligned.
func (c *checker) jointWindow(ins []*input, w int, focus *input) (int64, []bool) {
	nb := max(w/BlockFrames, 1)
	blocks := int(c.mix.st.frames/BlockFrames) - nb + 1
	if blocks < 1 {
		blocks = 1
	}
	prefix := make([][]float64, len(ins))
	best := make([]float64, len(ins))
	energy := func(k, b int) float64 {
		// Blocks of the stem under mix blocks b … b+nb−1 at its lag.
		off := 0
		if ins[k].aligned {
			off = ins[k].lag / BlockFrames
		}
		p := prefix[k]
		lo := min(max(b+off, 0), len(p)-1)
		hi := min(max(b+off+nb, 0), len(p)-1)
		return p[hi] - p[lo]
	}
	for k, in := range ins {
		p := make([]float64, len(in.st.blockEnergy)+1)
		for i, e := range in.st.blockEnergy {
			p[i+1] = p[i] + e
		}
		prefix[k] = p
		for b := range blocks {
			best[k] = max(best[k], energy(k, b))
		}
	}
	at, top := 0, math.Inf(-1)
	for b := range blocks {
		var score float64
		for k, in := range ins {
			if focus == nil || in == focus {
				score += math.Log(energy(k, b) + 1e-3*best[k] + 1e-300)
			}
		}
		if score > top {
			at, top = b, score
		}
	}
	active := make([]bool, len(ins))
	for k := range ins {
		active[k] = best[k] > 0 && energy(k, at) >= jointActive*best[k]
	}
	return int64(at) * BlockFrames, active
}

// loudestInSegment is the loudest stretch of about n frames in the stem's
// segment w (segments of seg frames from its start), as its first frame
// and length; ok is false when the segment holds no block or the stretch
// is shorter than n/2, too little to align.
func loudestInSegment(in *input, w, seg int64, n int) (at int64, length int, ok bool) {
	from := w * seg / BlockFrames
	to := min((w+1)*seg/BlockFrames, int64(len(in.st.blockEnergy)))
	if to <= from {
		return 0, 0, false
	}
	at, length = loudestStretch(in.st.blockEnergy[from:to], BlockFrames, n, (to-from)*BlockFrames)
	at += from * BlockFrames
	length = int(min(int64(length), in.st.frames-at))
	return at, length, length >= n/2
}

// loudestStretch returns the start frame and length of the stretch of
// about want frames (whole blocks) with the most energy.
func loudestStretch(blockEnergy []float64, block, want int, frames int64) (start int64, length int) {
	nb := max((want+block-1)/block, 1)
	if nb >= len(blockEnergy) {
		return 0, int(frames)
	}
	var s float64
	for _, e := range blockEnergy[:nb] {
		s += e
	}
	best, at := s, 0
	for i := nb; i < len(blockEnergy); i++ {
		s += blockEnergy[i] - blockEnergy[i-nb]
		if s > best {
			best, at = s, i-nb+1
		}
	}
	start = int64(at) * int64(block)
	return start, int(min(int64(nb*block), frames-start))
}

// alignView is the stem's signal to align with the mono mix: the mean of
// its channels, or half their difference when the mean nearly cancels (a
// stem with one channel inverted; a wide stem whose channels are merely
// unrelated keeps its mean, which is what the mono mix holds).
func alignView(chs [][]float32) []float32 {
	if len(chs) != 2 {
		return mono(chs)
	}
	var sum, diff float64
	for i, l := range chs[0] {
		r := chs[1][i]
		sum += float64(l+r) * float64(l+r)
		diff += float64(l-r) * float64(l-r)
	}
	if diff <= 10*sum {
		return mono(chs)
	}
	out := make([]float32, len(chs[0]))
	for i, l := range chs[0] {
		out[i] = (l - chs[1][i]) / 2
	}
	return out
}
