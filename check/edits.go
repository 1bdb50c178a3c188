package check

import (
	"fmt"
	"math"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
)

// Edits: a stem from another arrangement of the song.
//
// A stem exported from a version where a passage was moved by a bar, or a
// bar cut (or inserted) and the rest shifted, is in step with the mix up
// to the edit and off by the bar from there: no one offset lines it up, the
// fit cancels it only before the edit (a stem "5 dB hot", "a stem
// missing", a codec) and the drift's narrow search sees lags that jump.
// Only a delivery that fails the null and does not drift is measured: the
// stem's lag is searched again over ±EditSearchSeconds in stretches every
// EditStepSeconds along it, and a run of editRun stretches or more at one
// other lag, beside stretches in step, is the edit; where it starts is
// found to editResolutionSeconds between the last stretch in step and the
// first moved one.

// Edit parameters.
const (
	// EditStepSeconds is how far apart the stretches lie (at most
	// editMaxStretches of them, spread over a longer stem): a 2-bar edit
	// at 120 bpm covers 4 s, two stretches.
	EditStepSeconds  = 2.0
	editMaxStretches = 32
	// editExcerptSeconds is each stretch's length.
	editExcerptSeconds = 1.0
	// EditSearchSeconds is how far either way each stretch is searched
	// (at most analysis.MaxAlignLag): a bar of 4/4 down to 96 bpm.
	EditSearchSeconds = 2.5
	// EditMinSeconds is the smallest move that is an edit: more than any
	// drift the drift measurement leaves (MaxDriftPPM over a song) and
	// less than a beat.
	EditMinSeconds = 0.1
	// editRun is how many stretches in a row must hold the one other lag.
	editRun = 2
	// editLagSlack is how far apart, in samples, the lags of one run may
	// lie, and how far from the stem's lag a stretch in step may lie.
	editLagSlack = 2
	// editResolutionSeconds is how closely the edit's start is found, in
	// windows of editProbeSeconds.
	editResolutionSeconds = 0.05
	editProbeSeconds      = 0.25
	// editMargin: a stretch is at another lag when the stem's frames
	// there, at that lag, explain this many times more of the mix's
	// energy than at the stem's own lag (music that repeats matches a bar
	// away nearly as well).
	editMargin = 4.0
	// editSideShare: a layout is told by the channels' difference only
	// where the stem's explains this share of the mix's or more (the
	// stem's own side, not the other stems' by chance).
	editSideShare = 0.25
	// editHoldShare: a stretch whose projection on the mix at the stem's
	// lag is this share or more of what the stem's fitted gain puts there
	// is in step (holds).
	editHoldShare = 0.5
)

// stemEdit is a passage of a stem at another lag than the rest of it.
type stemEdit struct {
	in *input
	// from is the mix's frame where the stem parts from it (−1: it is off
	// from its start); to where it is in step again (−1: it stays off to
	// its end).
	from, to int64
	// move is how many samples later the stem plays the mix's music there
	// (negative: earlier); 0 when swap.
	move int
	// swap: the passage has its left and right channels exchanged
	// against the rest of the stem, in step.
	swap bool
}

// measureEdits returns the aligned stems that hold a passage at another
// lag (or channel layout) than the rest of them; gains are the fit's.
func (c *checker) measureEdits(sum []*input, gains []float64) ([]stemEdit, error) {
	var todo []*input
	for k, in := range sum {
		in.fitGain = gains[k]
		if in.aligned && !in.silent && !in.copyOf() && !in.dcOnly && in.st.frames > 0 {
			todo = append(todo, in)
		}
	}
	found := make([][]stemEdit, len(todo))
	err := c.parallel(todo, func(in *input) error {
		e, err := c.findEdits(in)
		found[indexOf(todo, in)] = e
		return err
	})
	if err != nil {
		return nil, err
	}
	var edits []stemEdit
	for _, e := range found {
		edits = append(edits, e...)
	}
	return edits, nil
}

// editPoint is one stretch's lag against the stem's: move samples, at the
// stem's frame s (its centre); ok when the stretch matched the mix.
type editPoint struct {
	s    int64
	move int
	ok   bool
	// at and n are the stretch's first frame and length
	at int64
	n  int
}

// findEdits searches one stem's stretches and reads them (editRunIn): for
// a passage at another lag, and for a stereo stem, a passage with its
// channels exchanged against the rest of it.
func (c *checker) findEdits(in *input) ([]stemEdit, error) {
	n := int(editExcerptSeconds * float64(c.rate))
	step := int64(EditStepSeconds * float64(c.rate))
	count := min(int64(editMaxStretches), in.st.frames/step)
	if count < editRun+1 {
		return nil, nil
	}
	maxLag := min(int(EditSearchSeconds*float64(c.rate)), analysis.MaxAlignLag)
	seg := in.st.frames / count
	pts := make([]editPoint, 0, count)
	var swaps []editPoint
	for w := range count {
		at, length, ok := loudestInSegment(in, w, seg, n)
		if !ok {
			continue
		}
		x, err := c.alignExcerpt(in, at, length)
		if err != nil {
			return nil, err
		}
		held, err := c.holds(in, x, at)
		if err != nil {
			return nil, err
		}
		// A stretch in step at the stem's lag needs no search.
		p := editPoint{s: at + int64(length)/2, ok: true, at: at, n: length}
		if !held {
			ref, err := c.alignExcerpt(c.mix, at-int64(in.lag)-int64(maxLag), length+2*maxLag)
			if err != nil {
				return nil, err
			}
			a := analysis.Align(alignView(x), monoInPlace(ref), maxLag)
			// A match of the other polarity is none (a held chord matches
			// itself inverted half a period away).
			p.move, p.ok = a.Lag, a.Peak*polarity(in) >= analysis.MinAlignPeak
			if p.ok && absInt(a.Lag) > editLagSlack {
				// Music that repeats matches a bar away too: the other lag
				// must explain far more of the mix than the stem's own.
				p.ok, err = c.prefers(in, x, at, editAlt{move: a.Lag}, editAlt{})
				if err != nil {
					return nil, err
				}
			}
		}
		pts = append(pts, p)
		if len(x) == 2 {
			sw, err := c.swapPoint(in, x, p)
			if err != nil {
				return nil, err
			}
			swaps = append(swaps, sw)
		}
	}
	var out []stemEdit
	for _, e := range []struct {
		pts  []editPoint
		swap bool
	}{{pts, false}, {swaps, true}} {
		edit, err := c.readEdit(in, e.pts, e.swap)
		if err != nil {
			return nil, err
		}
		if edit != nil {
			out = append(out, *edit)
		}
	}
	return out, nil
}

// swapPoint reads a stretch of a stereo stem for its layout: left and right
// exchanged, or as the joint fit laid them; it counts for the one that
// explains far more.
func (c *checker) swapPoint(in *input, x [][]float32, p editPoint) (editPoint, error) {
	q := editPoint{s: p.s, at: p.at, n: p.n, move: swapMark}
	// prefers both ways round, each layout's projection taken once.
	eSwap, share, err := c.explainsShare(in, x, p.at, editAlt{swap: true}, true)
	if err != nil {
		return q, err
	}
	eStay, err := c.explains(in, x, p.at, editAlt{}, true)
	if err != nil {
		return q, err
	}
	sw := eSwap > 0 && eSwap >= editMargin*eStay && share >= editSideShare
	st := eStay > 0 && eStay >= editMargin*eSwap
	if st {
		q.move = 0
	}
	q.ok = sw || st
	return q, nil
}

// holds says whether x, the stem's frames from at on, is in step with the
// mix at the stem's lag: its projection on the mix there is editHoldShare
// or more of what its fitted gain puts in the mix (near all of it in step,
// a chance share a bar off). The costly search runs only where it is not.
func (c *checker) holds(in *input, x [][]float32, at int64) (bool, error) {
	ref, err := c.alignExcerpt(c.mix, at-int64(in.lag), len(x[0]))
	if err != nil {
		return false, err
	}
	g := math.Abs(in.fitGain)
	var xy, xx float64
	for ch := range min(len(x), len(ref)) {
		sg := in.sign[ch] * in.fitSign()
		for i, v := range x[ch] {
			xy += sg * float64(v) * float64(ref[ch][i])
			xx += float64(v) * float64(v)
		}
	}
	return xx > 0 && g > 0 && xy >= editHoldShare*g*xx, nil
}

// swapMark is an editPoint's move for a stretch with its channels
// exchanged against the stem's layout.
const swapMark = math.MaxInt32

// editAlt is a way to lay a stretch of a stem on the mix: at the stem's
// lag plus move samples, with its channels exchanged (against the joint
// fit's layout) or not.
type editAlt struct {
	move int
	swap bool
}

// prefers says whether x, the stem's frames from at on, explains editMargin
// times or more as much of the mix laid as a as laid as b (and something).
func (c *checker) prefers(in *input, x [][]float32, at int64, a, b editAlt) (bool, error) {
	side := a.swap != b.swap
	ea, share, err := c.explainsShare(in, x, at, a, side)
	if err != nil {
		return false, err
	}
	eb, err := c.explains(in, x, at, b, side)
	if err != nil {
		return false, err
	}
	// The channels' difference of a stem with little of its own is
	// mostly the other stems': to be exchanged there, it must explain a
	// good part of the mix's.
	return ea > 0 && ea >= editMargin*eb && (!a.swap || share >= editSideShare), nil
}

// readEdit reads the stretches of one stem (a lag's, or a layout's when
// swap) into the edit they show, with its bounds found; nil when none.
func (c *checker) readEdit(in *input, pts []editPoint, swap bool) (*stemEdit, error) {
	minMove := int(EditMinSeconds * float64(c.rate))
	if swap {
		minMove = swapMark
	}
	r := editRunIn(pts, minMove)
	if r == nil {
		return nil, nil
	}
	alt := editAlt{move: r.move}
	if swap {
		alt = editAlt{swap: true}
	}
	if r.endLo >= 0 {
		// Back in step only where the stem's own lag explains far more
		// than the edit's (after a bar cut, music that repeats by the
		// bar matches at both).
		p := pts[r.endHi]
		x, err := c.alignExcerpt(in, p.at, p.n)
		if err != nil {
			return nil, err
		}
		back, err := c.prefers(in, x, p.at, editAlt{}, alt)
		if err != nil {
			return nil, err
		}
		if !back {
			if r.startLo < 0 {
				return nil, nil
			}
			r.endLo, r.endHi = -1, -1
		}
	}
	edit := &stemEdit{in: in, from: -1, to: -1, move: r.move, swap: swap}
	if swap {
		edit.move = 0
	}
	if r.startLo >= 0 {
		start, err := c.editBoundary(in, pts[r.startLo].s, pts[r.startHi].s, alt, true)
		if err != nil {
			return nil, err
		}
		edit.from = start - int64(in.lag)
	}
	if r.endLo >= 0 {
		end, err := c.editBoundary(in, pts[r.endLo].s, pts[r.endHi].s, alt, false)
		if err != nil {
			return nil, err
		}
		edit.to = end - int64(in.lag)
	}
	return edit, nil
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
// more stretches at one lag at least minMove from the stem's, beside a
// stretch in step before or after it; nil when there is none. Stretches
// that matched nothing neither make nor break a run.
func editRunIn(pts []editPoint, minMove int) *editRead {
	var ok []int // indices of the stretches that matched
	for i, p := range pts {
		if p.ok {
			ok = append(ok, i)
		}
	}
	inStep := func(i int) bool { return absInt(pts[ok[i]].move) <= editLagSlack }
	for a := 0; a < len(ok); {
		move := pts[ok[a]].move
		if absInt(move) < minMove {
			a++
			continue
		}
		b := a + 1
		for b < len(ok) && absInt(pts[ok[b]].move-move) <= editLagSlack {
			b++
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
// leaving, back when not. Each probe compares how much of the mix a short
// window of the stem explains at either lag.
func (c *checker) editBoundary(in *input, lo, hi int64, alt editAlt, leaving bool) (int64, error) {
	h := int64(editProbeSeconds * float64(c.rate) / 2)
	for float64(hi-lo) > editResolutionSeconds*float64(c.rate) {
		m := (lo + hi) / 2
		x, err := c.alignExcerpt(in, m-h, int(2*h))
		if err != nil {
			return 0, err
		}
		still, err := c.explains(in, x, m-h, editAlt{}, alt.swap)
		if err != nil {
			return 0, err
		}
		moved, err := c.explains(in, x, m-h, alt, alt.swap)
		if err != nil {
			return 0, err
		}
		// Where the stem is silent it matches at neither lag: the edit
		// lies at the silence's start (a bar of silence inserted, a
		// passage moved out leaving a gap).
		if still == 0 && moved == 0 || (moved > still) == leaving {
			hi = m
		} else {
			lo = m
		}
	}
	return (lo + hi) / 2, nil
}

// explains returns how much of the mix's energy x, the stem's frames from
// at on, takes out laid as alt with the best gain (the energy of its
// projection on the mix); nothing at the other polarity than the stem's.
// With side, only the channels' difference counts: exchanging them
// inverts it and leaves their sum, which is most of a stereo stem, alone.
func (c *checker) explains(in *input, x [][]float32, at int64, alt editAlt, side bool) (float64, error) {
	e, _, err := c.explainsShare(in, x, at, alt, side)
	return e, err
}

// explainsShare is explains with the share of the mix's energy (or of its
// channels' difference, with side) that it is.
func (c *checker) explainsShare(in *input, x [][]float32, at int64, alt editAlt, side bool) (e, share float64, err error) {
	ref, err := c.alignExcerpt(c.mix, at-int64(in.lag)-int64(alt.move), len(x[0]))
	if err != nil {
		return 0, 0, err
	}
	swap := alt.swap != in.swapped
	// Each channel as the fit lays it on the mix: the joint fit's
	// channel polarities and the sign of the stem's fitted gain.
	fs := in.fitSign()
	sg := [2]float32{float32(in.sign[0] * fs), float32(in.sign[1] * fs)}
	var xy, xx, mm float64
	switch {
	case side && len(x) == 2 && len(ref) == 2:
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
	default:
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
	}
	if xx == 0 || xy <= 0 {
		return 0, 0, nil
	}
	return xy * xy / xx, xy * xy / (xx * mm), nil
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

// editFindings reports each edit as the delivery's sum_mismatch, in place
// of the diagnosis of its residual, and returns the stems whose fitted
// gains mean nothing (the fit cancels them only where they are in step).
func (c *checker) editFindings(sum []*input, edits []stemEdit, residualDB, threshold float64) []*input {
	var moved []*input
	msg := fmt.Sprintf("the stems, even at their fitted gains, offsets and polarities, differ from the mix %s by a residual of %.1f dB (relative to the mix, threshold %.0f dB; as delivered %s)", c.mix.Name, residualDB, threshold, residualWords(float64(c.report.Mix.NullResidualDB)))
	var fixes []string
	for i, e := range edits {
		moved = append(moved, e.in)
		sep := "; "
		if i > 0 {
			sep = "; and "
		}
		n, d, when := e.in.Name, samplesText(int64(absInt(e.move)), c.rate), earlyLate(-e.move)
		cut := "cut out of it"
		if e.move > 0 {
			cut = "inserted in it"
		}
		from, to := secondsText(float64(e.from)/float64(c.rate)), secondsText(float64(e.to)/float64(c.rate))
		where := from
		switch {
		case e.swap:
			span := fmt.Sprintf("from %s to %s of the mix", from, to)
			switch {
			case e.from < 0:
				span, where = "from its start to "+to+" of the mix", to
			case e.to < 0:
				span = "from " + from + " of the mix to its end"
			}
			msg += fmt.Sprintf("%s%s has its left and right channels exchanged against the mix %s, and as the mix has them elsewhere: a channel swap (or a region's pan) on part of its track", sep, n, span)
		case e.from < 0:
			where = to
			msg += fmt.Sprintf("%s%s plays the mix's music %s %s from its start to %s of the mix, and is in step with it after: an edit (a bar or more %s there, or its opening moved)", sep, n, d, when, to, cut)
		case e.to < 0:
			msg += fmt.Sprintf("%s%s is in step with the mix up to %s of the mix, but from there to its end it plays the mix's music %s %s: an edit (a bar or more %s there)", sep, n, from, d, when, cut)
		default:
			msg += fmt.Sprintf("%s%s is in step with the mix except from %s to %s of the mix, where it plays the mix's music %s %s: an edit (that passage moved)", sep, n, from, to, d, when)
		}
		if e.swap {
			fixes = append(fixes, fmt.Sprintf("export %s again with its left and right channels as the mix has them over the whole song (listen to its stereo image against the mix around %s); exchanging its channels would break the rest of it", n, where))
			continue
		}
		msg += " in the arrangement it was exported from, which the mix does not have"
		fixes = append(fixes, fmt.Sprintf("export %s again from the same session and arrangement as the mix, over the whole song (listen to it against the mix around %s); no offset corrects it, since the rest of it is in step", n, where))
	}
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, residualDB, msg, strings.Join(fixes, "; "))
	return moved
}

// earlyLate words a move of the stem's music: positive, early.
func earlyLate(v int) string {
	if v > 0 {
		return "early"
	}
	return "late"
}
