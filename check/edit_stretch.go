package check

import (
	"math"

	"stemmaster/analysis"
)

// Edits: reading one stretch of a stem against the mix (its lag, layout, polarity) and the projections that weigh it.

// searchPoint reads the lag of a stretch that is not in step: first at
// last, the move of the stretch before it off the stem's lag (a passage
// at one other lag holds it along its length), then by the search over
// ±maxLag. ref is the mix under it at the stem's lag.
func (c *checker) searchPoint(in *input, x, ref [][]float32, p editPoint, last, maxLag int) (editPoint, error) {
	if last != 0 {
		moved, err := c.mixWindow(in, p.at, p.n, last)
		if err != nil {
			return p, err
		}
		if holds(in, x, moved) && prefers(in, x, moved, ref, editAlt{move: last}, editAlt{}) {
			p.move = last
			return p, nil
		}
	}
	wide, err := c.alignExcerpt(c.mix, p.at-in.lagAt(p.s)-int64(maxLag), p.n+2*maxLag)
	if err != nil {
		return p, err
	}
	a := analysis.Align(alignView(x), monoInPlace(wide), maxLag)
	// The search window lies at the lag of the stretch's centre, where
	// the moves of a drifting stem's stretch are measured from its line.
	p.move = a.Lag
	// A match of the other polarity is none (a held chord matches
	// itself inverted half a period away).
	p.ok = a.Peak*polarity(in) >= analysis.MinAlignPeak
	if p.ok && absInt(p.move) > editLagSlack {
		// Music that repeats matches a bar away too: the other lag must
		// explain far more of the mix than the stem's own.
		moved, err := c.mixWindow(in, p.at, p.n, p.move)
		if err != nil {
			return p, err
		}
		p.ok = prefers(in, x, moved, ref, editAlt{move: p.move}, editAlt{})
	}
	return p, nil
}

// swapPoint reads a stretch of a stereo stem for its layout: left and right
// exchanged, or as the joint fit laid them; it counts for the one that
// explains far more. ref is the mix under it at the stem's lag.
func swapPoint(in *input, x, ref [][]float32, p editPoint) editPoint {
	q := editPoint{s: p.s, at: p.at, n: p.n, move: swapMark}
	eSwap, share := explains(in, x, ref, editAlt{swap: true}, true)
	eStay, _ := explains(in, x, ref, editAlt{}, true)
	sw := eSwap > 0 && eSwap >= editMargin*eStay && share >= editSideShare
	st := eStay > 0 && eStay >= editMargin*eSwap
	if st {
		q.move = 0
	}
	q.ok = sw || st
	return q
}

// flipPoint reads a stretch for its polarity: inverted against the rest
// of the stem (its projection on the mix at the stem's lag, of the other
// sign, editHoldShare or more of what its fitted gain puts there, and
// editFlipShare or more of the mix's energy there), or in step (holds);
// it matches neither otherwise. ref is the mix under it at
// the stem's lag.
func flipPoint(in *input, x, ref [][]float32, p editPoint) editPoint {
	q := editPoint{s: p.s, at: p.at, n: p.n}
	xy, xx, mm := projectionSums(in, x, ref, editAlt{}, false)
	g := editHoldShare * math.Abs(in.fitGain) * xx
	switch {
	case g <= 0:
	case -xy >= g && xy*xy >= editFlipShare*xx*mm:
		q.move, q.ok = flipMark, true
	case xy >= g:
		q.ok = true
	}
	return q
}

// holds says whether x, the stem's frames, is in step with ref, the mix
// under them: its projection on the mix there is editHoldShare or more of
// what its fitted gain puts in the mix (near all of it in step, a chance
// share a bar off). The costly search runs only where it is not.
func holds(in *input, x, ref [][]float32) bool {
	xy, xx, _ := projectionSums(in, x, ref, editAlt{}, false)
	g := math.Abs(in.fitGain)
	return xx > 0 && g > 0 && xy >= editHoldShare*g*xx
}

// swapMark and flipMark are an editPoint's move for a stretch with its
// channels exchanged against the stem's layout, and with its polarity
// inverted against the rest of it.
const (
	swapMark = math.MaxInt32
	flipMark = math.MaxInt32
)

// editAlt is a way to lay a stretch of a stem on the mix: at the stem's
// lag plus move samples, with its channels exchanged (against the joint
// fit's layout) or not, its polarity inverted (against the fit's) or not.
type editAlt struct {
	move   int
	swap   bool
	invert bool
}

// prefers says whether x, the stem's frames, explains editMargin times or
// more as much of the mix laid as a (on refA, the mix under it so) as
// laid as b (on refB), and something.
func prefers(in *input, x, refA, refB [][]float32, a, b editAlt) bool {
	side := a.swap != b.swap
	ea, share := explains(in, x, refA, a, side)
	eb, _ := explains(in, x, refB, b, side)
	// The channels' difference of a stem with little of its own is
	// mostly the other stems': to be exchanged there, it must explain a
	// good part of the mix's.
	return ea > 0 && ea >= editMargin*eb && (!a.swap || share >= editSideShare)
}

// readPrefers is prefers on the stretch of n stem frames from at on, read
// with the mix under it at either alt's move.
func (c *checker) readPrefers(in *input, at int64, n int, a, b editAlt) (bool, error) {
	x, err := c.alignExcerpt(in, at, n)
	if err != nil {
		return false, err
	}
	refA, refB, err := c.mixWindows(in, at, n, a.move, b.move)
	if err != nil {
		return false, err
	}
	return prefers(in, x, refA, refB, a, b), nil
}

// mixWindows is the mix under the stem's n frames from at on at two moves,
// read once when they are one.
func (c *checker) mixWindows(in *input, at int64, n, moveA, moveB int) (a, b [][]float32, err error) {
	if a, err = c.mixWindow(in, at, n, moveA); err != nil || moveB == moveA {
		return a, a, err
	}
	b, err = c.mixWindow(in, at, n, moveB)
	return a, b, err
}

// mixWindow reads the mix's frames under the stem's n frames from at on,
// laid at the stem's lag plus move samples: frame i of it lies under the
// stem's frame at+i. Along a drifting stem the lag moves within the
// stretch, and each frame is taken at its own lag (to the nearest
// sample).
func (c *checker) mixWindow(in *input, at int64, n, move int) ([][]float32, error) {
	first := at - in.lagAt(at) - int64(move)
	end := at + int64(n) - 1 - in.lagAt(at+int64(n)-1) - int64(move)
	if end-first == int64(n)-1 {
		return c.alignExcerpt(c.mix, first, n)
	}
	raw, err := c.alignExcerpt(c.mix, first, int(max(end-first+1, 1)))
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(raw))
	for ch, src := range raw {
		out[ch] = make([]float32, n)
		for i := range out[ch] {
			s := at + int64(i)
			j := s - in.lagAt(s) - int64(move) - first
			if j >= 0 && j < int64(len(src)) {
				out[ch][i] = src[j]
			}
		}
	}
	return out, nil
}

// explains returns how much of ref's energy x, the stem's frames, takes
// out laid on it as alt lays them (ref is the mix under them at alt's
// move) with the best gain — the energy of its projection on the mix,
// nothing at the other polarity than the stem's — and the share of the
// mix's energy there (of its channels' difference, with side) that is.
// With side, only the channels' difference counts: exchanging them
// inverts it and leaves their sum, which is most of a stereo stem, alone.
func explains(in *input, x, ref [][]float32, alt editAlt, side bool) (e, share float64) {
	xy, xx, mm := projectionSums(in, x, ref, alt, side)
	if xx == 0 || xy <= 0 {
		return 0, 0
	}
	return xy * xy / xx, xy * xy / (xx * mm)
}

// projectionSums are x's correlation with ref, laid as alt lays it (each
// channel as the fit lays it on the mix: the joint fit's channel
// polarities and the sign of the stem's fitted gain), x's energy and
// ref's, over both channels or their difference (side).
func projectionSums(in *input, x, ref [][]float32, alt editAlt, side bool) (xy, xx, mm float64) {
	swap := alt.swap != in.swapped
	fs := in.fitSign()
	if alt.invert {
		fs = -fs
	}
	sg := [2]float32{float32(in.sign[0] * fs), float32(in.sign[1] * fs)}
	if side && len(x) == 2 && len(ref) == 2 {
		l, r, sl, sr := x[0], x[1], sg[0], sg[1]
		if swap {
			l, r, sl, sr = r, l, sr, sl
		}
		for i := range l {
			d, m := float64(sl*l[i])-float64(sr*r[i]), float64(ref[0][i])-float64(ref[1][i])
			xy += d * m
			xx += d * d
			mm += m * m
		}
		return xy, xx, mm
	}
	for ch := range min(len(x), len(ref)) {
		src, g := x[ch], sg[ch]
		if swap && len(x) == 2 {
			src, g = x[1-ch], sg[1-ch]
		}
		for i, v := range src {
			m := float64(ref[ch][i])
			xy += float64(g*v) * m
			xx += float64(v) * float64(v)
			mm += m * m
		}
	}
	return xy, xx, mm
}

// polarity is the stem's polarity in the mix: the sign of its fitted gain,
// times the joint fit's when both channels are inverted.
func polarity(in *input) float64 {
	if in.sign[0] < 0 && in.sign[1] < 0 {
		return -in.fitSign()
	}
	return in.fitSign()
}

// fitSign is the sign of the stem's gain in the plain fit (+1 for none).
func (in *input) fitSign() float64 {
	if in.fitGain < 0 {
		return -1
	}
	return 1
}
