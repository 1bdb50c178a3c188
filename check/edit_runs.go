package check

import "stemmaster/dsp"

// Edits: a run of stretches at another lag read as an edit, and where it starts.

// readEdit reads the stretches of one stem (a lag's; or a layout's or a
// polarity's, as kind lays the stem, when its points say so) into the
// edit they show, with its bounds found; nil when none.
func (c *checker) readEdit(in *input, pts []editPoint, kind editAlt) (*stemEdit, error) {
	minMove := int(EditMinSeconds * float64(c.rate))
	if kind.swap || kind.invert {
		minMove = swapMark
	}
	r := editRunIn(pts, minMove)
	if r == nil {
		return nil, nil
	}
	alt := kind
	if !kind.swap && !kind.invert {
		alt = editAlt{move: r.move}
	}
	// In step beside the run only where a stretch there is explained far
	// better at the stem's own lag than at the edit's: music that
	// repeats by the bar matches at both, so the stretches that held
	// before the run may all be the run's (the opening of a stem cut
	// early, read at the lag of the rest: it is off from its start), and
	// the first stretch back in step may straddle the edit (a bar cut
	// partway through it explains the mix at both lags there). The edit's
	// bounds are searched between the stretches beside the run all the
	// same: the stretches further out, in step or not, lie past them.
	if r.startLo >= 0 {
		k, ran, err := c.ownStretch(in, pts, r.startLo, -1, alt, minMove)
		if err != nil {
			return nil, err
		}
		if k < 0 && ran {
			r.startLo, r.startHi = -1, -1
		}
	}
	if r.endLo >= 0 {
		k, _, err := c.ownStretch(in, pts, r.endHi, 1, alt, minMove)
		if err != nil {
			return nil, err
		}
		if k < 0 {
			r.endLo, r.endHi = -1, -1
		}
	}
	if r.startLo < 0 && r.endLo < 0 {
		return nil, nil // off everywhere: an offset, not an edit
	}
	edit := &stemEdit{in: in, from: -1, to: -1, fromS: -1, toS: -1, move: r.move, swap: kind.swap, invert: kind.invert}
	if kind.swap || kind.invert {
		edit.move = 0
	}
	if r.startLo >= 0 {
		start, err := c.editBoundary(in, pts[r.startLo].s, pts[r.startHi].s, alt, true)
		if err != nil {
			return nil, err
		}
		edit.from, edit.fromS = start-in.lagAt(start), start
	}
	if r.endLo >= 0 {
		end, err := c.editBoundary(in, pts[r.endLo].s, pts[r.endHi].s, alt, false)
		if err != nil {
			return nil, err
		}
		edit.to, edit.toS = end-in.lagAt(end), end
	}
	return edit, nil
}

// ownStretch looks at the stretches in step from pts[k] on, by step (−1:
// back towards the stem's start), up to editRun+1 of them before another
// run, and returns the first where the stem's own lag explains
// editMargin times or more as much of the mix as laid as alt; −1 when
// none does, with ran when the stretches ran out first (every one from k
// to the stem's end that way matched at both).
func (c *checker) ownStretch(in *input, pts []editPoint, k, step int, alt editAlt, minMove int) (int, bool, error) {
	looked := 0
	for ; k >= 0 && k < len(pts) && looked <= editRun; k += step {
		p := pts[k]
		if !p.ok {
			continue
		}
		if absInt(p.move) >= minMove {
			return -1, false, nil
		}
		looked++
		own, err := c.readPrefers(in, p.at, p.n, editAlt{}, alt)
		if err != nil || own {
			return k, false, err
		}
	}
	return -1, k < 0 || k >= len(pts), nil
}

// editRead is what editRunIn found: the stem leaves its lag between the
// stretches startLo and startHi (−1: it is off from its start) and comes
// back between endLo and endHi (−1: it stays off to its end), by move
// samples.
type editRead struct {
	startLo, startHi, endLo, endHi int
	move                           int
}

// editRunIn finds, in the stretches' lags, the first run of editRun or
// more stretches at one lag at least minMove from the stem's (a lone
// stretch in step inside it is music that repeats), beside a stretch in
// step before or after it (less than minMove off); nil when there is
// none. Stretches
// that matched nothing neither make nor break a run.
func editRunIn(pts []editPoint, minMove int) *editRead {
	var ok []int // indices of the stretches that matched
	for i, p := range pts {
		if p.ok {
			ok = append(ok, i)
		}
	}
	// Beside the run, a stretch less than minMove off the stem's lag is
	// in step: the run moves by a bar, the stretch at most by a drift
	// the drift measurement did not see (the edit hid it).
	inStep := func(i int) bool { return absInt(pts[ok[i]].move) < minMove }
	for a := 0; a < len(ok); {
		move := pts[ok[a]].move
		if absInt(move) < minMove {
			a++
			continue
		}
		// A run's lags lie within editLagSlack of each other, or of
		// the one before by less than half minMove: a drift the drift
		// measurement did not see (the edit hid it) moves them along it.
		follows := func(i, j int) bool { // stretch ok[i] holds the run's lag, as ok[j] does
			return absInt(pts[ok[i]].move-move) <= editLagSlack || absInt(pts[ok[i]].move-pts[ok[j]].move) < minMove/2
		}
		b := a + 1
		for b < len(ok) {
			switch {
			case follows(b, b-1):
				b++
				continue
			case b+1 < len(ok) && inStep(b) && follows(b+1, b-1):
				// One stretch in step inside the run is music that
				// repeats by the bar, matching at both lags.
				b += 2
				continue
			}
			break
		}
		r := &editRead{startLo: -1, startHi: -1, endLo: -1, endHi: -1, move: move}
		if a > 0 && inStep(a-1) {
			r.startLo, r.startHi = ok[a-1], ok[a]
		}
		if b < len(ok) && inStep(b) {
			r.endLo, r.endHi = ok[b-1], ok[b]
		}
		if b-a >= editRun && (r.startLo >= 0 || r.endLo >= 0 && a == 0) {
			return r
		}
		a = b
	}
	return nil
}

// editBoundary finds the stem frame between lo and hi where its music goes
// from one lag to the other: from its lag to move samples off it when
// leaving, back when not. It is the split of the frames between them, to
// editResolutionSeconds, that lays the most of the stem's correlation
// with the mix on it: before the split at the lag it leaves, after it at
// the lag it takes (the stem's energy is the same at either, so this is
// the split that leaves the least of the mix at its fitted gain). Where
// the stem is silent it matches at neither lag, and the edit lies at the
// silence's start (a bar of silence inserted, a passage moved out leaving
// a gap).
func (c *checker) editBoundary(in *input, lo, hi int64, alt editAlt, leaving bool) (int64, error) {
	block := int64(editResolutionSeconds * float64(c.rate))
	n := int((hi - lo + block - 1) / block)
	if n <= 1 {
		return lo, nil
	}
	x, err := c.alignExcerpt(in, lo, n*int(block))
	if err != nil {
		return 0, err
	}
	refStill, refMoved, err := c.mixWindows(in, lo, n*int(block), 0, alt.move)
	if err != nil {
		return 0, err
	}
	first, then := editAlt{swap: false}, alt
	refFirst, refThen := refStill, refMoved
	if !leaving {
		first, then, refFirst, refThen = then, first, refThen, refFirst
	}
	// At the split at b, blocks b … n−1 are laid as after the edit: the
	// split takes the sum of gain over them, how much more each block
	// correlates with the mix so than as before the edit. The earliest
	// split of the most wins, so a silence ties it at its start.
	xb, fb, tb := make([][]float32, len(x)), make([][]float32, len(refFirst)), make([][]float32, len(refThen))
	sl := func(dst, src [][]float32, b int) [][]float32 {
		for k, v := range src {
			dst[k] = v[int64(b)*block : int64(b+1)*block]
		}
		return dst
	}
	// A block with too little of the stem to match anything (under
	// editSilentShare of its mean energy) is silent: it correlates by
	// chance, and takes nothing.
	quiet := editSilentShare * dsp.Sum(in.st.blockEnergy) / float64(in.st.frames) * float64(block)
	var after, best float64
	at := n
	for b := n - 1; b >= 0; b-- {
		sl(xb, x, b)
		if framesEnergy(xb) > quiet {
			a, _, _ := projectionSums(in, xb, sl(fb, refFirst, b), first, alt.swap)
			t, _, _ := projectionSums(in, xb, sl(tb, refThen, b), then, alt.swap)
			after += t - a
		}
		if after >= best {
			best, at = after, b
		}
	}
	return lo + int64(at)*block, nil
}
