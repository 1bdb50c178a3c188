package check

import (
	"fmt"

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
)

// stemEdit is a passage of a stem at another lag than the rest of it.
type stemEdit struct {
	in *input
	// from is the mix's frame where the stem parts from it (−1: it is off
	// from its start); to where it is in step again (−1: it stays off to
	// its end).
	from, to int64
	// move is how many samples later the stem plays the mix's music there
	// (negative: earlier).
	move int
}

// measureEdits returns the aligned stems that hold a passage at another
// lag than the rest of them.
func (c *checker) measureEdits(sum []*input) ([]stemEdit, error) {
	var todo []*input
	for _, in := range sum {
		if in.aligned && !in.silent && !in.copyOf() && !in.dcOnly && in.st.frames > 0 {
			todo = append(todo, in)
		}
	}
	found := make([]*stemEdit, len(todo))
	err := c.parallel(todo, func(in *input) error {
		e, err := c.findEdit(in)
		found[indexOf(todo, in)] = e
		return err
	})
	if err != nil {
		return nil, err
	}
	var edits []stemEdit
	for _, e := range found {
		if e != nil {
			edits = append(edits, *e)
		}
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

// findEdit searches one stem's stretches and reads them (editRunIn).
func (c *checker) findEdit(in *input) (*stemEdit, error) {
	n := int(editExcerptSeconds * float64(c.rate))
	step := int64(EditStepSeconds * float64(c.rate))
	count := min(int64(editMaxStretches), in.st.frames/step)
	if count < editRun+1 {
		return nil, nil
	}
	maxLag := min(int(EditSearchSeconds*float64(c.rate)), analysis.MaxAlignLag)
	seg := in.st.frames / count
	pts := make([]editPoint, 0, count)
	for w := range count {
		from := w * seg / BlockFrames
		to := min((w+1)*seg/BlockFrames, int64(len(in.st.blockEnergy)))
		if to <= from {
			continue
		}
		at, length := loudestStretch(in.st.blockEnergy[from:to], BlockFrames, n, (to-from)*BlockFrames)
		at += from * BlockFrames
		length = int(min(int64(length), in.st.frames-at))
		if length < n/2 {
			continue
		}
		x, err := c.alignExcerpt(in, at, length)
		if err != nil {
			return nil, err
		}
		ref, err := c.alignExcerpt(c.mix, at-int64(in.lag)-int64(maxLag), length+2*maxLag)
		if err != nil {
			return nil, err
		}
		a := analysis.Align(alignView(x), monoInPlace(ref), maxLag)
		// A match of the other polarity is none (a held chord matches
		// itself inverted half a period away).
		p := editPoint{s: at + int64(length)/2, move: a.Lag, ok: a.Peak*polarity(in) >= analysis.MinAlignPeak, at: at, n: length}
		if p.ok && absInt(a.Lag) > editLagSlack {
			// Music that repeats matches a bar away too: the other lag
			// must explain far more of the mix than the stem's own.
			x, err := c.alignExcerpt(in, at, length)
			if err != nil {
				return nil, err
			}
			still, err := c.explains(in, x, at, 0)
			if err != nil {
				return nil, err
			}
			moved, err := c.explains(in, x, at, a.Lag)
			if err != nil {
				return nil, err
			}
			p.ok = moved > 0 && moved >= editMargin*still
		}
		pts = append(pts, p)
	}
	r := editRunIn(pts, int(EditMinSeconds*float64(c.rate)))
	if r == nil {
		return nil, nil
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
		still, err := c.explains(in, x, p.at, 0)
		if err != nil {
			return nil, err
		}
		moved, err := c.explains(in, x, p.at, r.move)
		if err != nil {
			return nil, err
		}
		if !(still > 0 && still >= editMargin*moved) {
			if r.startLo < 0 {
				return nil, nil
			}
			r.endLo, r.endHi = -1, -1
		}
	}
	edit := &stemEdit{in: in, from: -1, to: -1, move: r.move}
	if r.startLo >= 0 {
		start, err := c.editBoundary(in, pts[r.startLo].s, pts[r.startHi].s, r.move, true)
		if err != nil {
			return nil, err
		}
		edit.from = start - int64(in.lag)
	}
	if r.endLo >= 0 {
		end, err := c.editBoundary(in, pts[r.endLo].s, pts[r.endHi].s, r.move, false)
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
func (c *checker) editBoundary(in *input, lo, hi int64, move int, leaving bool) (int64, error) {
	h := int64(editProbeSeconds * float64(c.rate) / 2)
	for float64(hi-lo) > editResolutionSeconds*float64(c.rate) {
		m := (lo + hi) / 2
		x, err := c.alignExcerpt(in, m-h, int(2*h))
		if err != nil {
			return 0, err
		}
		still, err := c.explains(in, x, m-h, 0)
		if err != nil {
			return 0, err
		}
		moved, err := c.explains(in, x, m-h, move)
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
// at on, takes out at the stem's lag plus extra samples with the best gain
// (the energy of its projection on the mix, channel by channel).
func (c *checker) explains(in *input, x [][]float32, at int64, extra int) (float64, error) {
	ref, err := c.alignExcerpt(c.mix, at-int64(in.lag)-int64(extra), len(x[0]))
	if err != nil {
		return 0, err
	}
	var xy, xx float64
	for ch := range min(len(x), len(ref)) {
		for i, v := range x[ch] {
			xy += float64(v) * float64(ref[ch][i])
			xx += float64(v) * float64(v)
		}
	}
	// At the other polarity than the stem's, it explains nothing.
	if xx == 0 || xy*polarity(in) <= 0 {
		return 0, nil
	}
	return xy * xy / xx, nil
}

// polarity is the stem's polarity in the mix as the joint fit found it:
// −1 when both channels are inverted, else 1.
func polarity(in *input) float64 {
	if in.sign[0] < 0 && in.sign[1] < 0 {
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
		case e.from < 0:
			where = to
			msg += fmt.Sprintf("%s%s plays the mix's music %s %s from its start to %s of the mix, and is in step with it after: an edit (a bar or more %s there, or its opening moved)", sep, n, d, when, to, cut)
		case e.to < 0:
			msg += fmt.Sprintf("%s%s is in step with the mix up to %s of the mix, but from there to its end it plays the mix's music %s %s: an edit (a bar or more %s there)", sep, n, from, d, when, cut)
		default:
			msg += fmt.Sprintf("%s%s is in step with the mix except from %s to %s of the mix, where it plays the mix's music %s %s: an edit (that passage moved)", sep, n, from, to, d, when)
		}
		msg += " in the arrangement it was exported from, which the mix does not have"
		fixes = append(fixes, fmt.Sprintf("export %s again from the same session and arrangement as the mix, over the whole song (listen to it against the mix around %s); no offset corrects it, since the rest of it is in step", n, where))
	}
	fix := fixes[0]
	for _, f := range fixes[1:] {
		fix += "; " + f
	}
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, residualDB, msg, fix)
	return moved
}

// earlyLate words a move of the stem's music: positive, early.
func earlyLate(v int) string {
	if v > 0 {
		return "early"
	}
	return "late"
}
