package check

import (
	"fmt"
	"math"
	"slices"
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
// Only a delivery that fails the null is measured: the stem's lag is
// searched again over ±EditSearchSeconds in stretches of EditStepSeconds
// end to end along the whole of it (a
// drifting stem's lag is its drift's line: the edit is measured on the
// stem with its drift corrected), and a run of editRun stretches or more
// at one other lag, beside stretches in step, is the edit; where it
// starts is found to editResolutionSeconds between the last stretch in
// step and the first moved one (editBoundary), and a stretch counts as in
// step beside the run only when the stem's own lag explains far more of
// it than the edit's (ownStretch). Every stretch is first screened at the
// stem's own lag (and then at the lag of the stretch before it), so the
// costly search runs only where the stem leaves the mix.

// Edit parameters.
const (
	// EditStepSeconds is the longest stretch, whatever the song's
	// length: the stretches lie end to end, so every second of a stem is
	// looked at, and a passage of 3·EditStepSeconds or longer
	// (EditMinPassageSeconds: two bars of 4/4 down to 160 bpm) always
	// holds editRun whole stretches.
	EditStepSeconds = 1.0
	// EditSearchSeconds is how far either way each stretch is searched
	// (at most analysis.MaxAlignLag): a bar of 4/4 down to 96 bpm.
	EditSearchSeconds = 2.5
	// EditMinSeconds is the smallest move that is an edit: more than any
	// drift the drift measurement leaves (MaxDriftPPM over a song) and
	// less than a beat.
	EditMinSeconds = 0.1
	// editRun is how many stretches in a row must hold the one other lag.
	editRun = 2
	// EditMinPassageSeconds is the shortest passage the search always
	// sees (EditStepSeconds).
	EditMinPassageSeconds = (editRun + 1) * EditStepSeconds
	// editQuietShare: a stretch with less than this share of the stem's
	// mean energy per stretch (20 dB under it) has too little of it to
	// be read: against the mix its projection is the other stems' by
	// chance (francium's tails, 60 dB down, matched a bar away or "in
	// step" at random), so it is passed over unread.
	editQuietShare = 0.01
	// editLagSlack is how far apart, in samples, the lags of one run may
	// lie, and how far from the stem's lag a stretch in step may lie.
	editLagSlack = 2
	// editResolutionSeconds is how closely the edit's bounds are found
	// (editBoundary).
	editResolutionSeconds = 0.01
	// editSilentShare: a block of editResolutionSeconds with less than
	// this share of the stem's mean energy (40 dB under it) is silent
	// where the bounds are found.
	editSilentShare = 1e-4
	// editMargin: a stretch is at another lag when the stem's frames
	// there, at that lag, explain this many times more of the mix's
	// energy than at the stem's own lag (music that repeats matches a bar
	// away nearly as well).
	editMargin = 4.0
	// editSideShare: a layout is told by the channels' difference only
	// where the stem's explains this share of the mix's or more (the
	// stem's own side, not the other stems' by chance).
	editSideShare = 0.25
	// editFlipShare: a stretch reads inverted only where its projection
	// explains this share of the mix's energy or more: a stem with next
	// to nothing of the mix in it (one the fit gives −40 dB, or its
	// noise floor where it is silent), or a stem drifting from a mix at
	// another speed, correlates by chance either way.
	editFlipShare = 0.25
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
	// fromS and toS are the same in the stem's frames
	fromS, toS int64
	// move is how many samples later the stem plays the mix's music there
	// (negative: earlier); 0 when swap.
	move int
	// swap: the passage has its left and right channels exchanged
	// against the rest of the stem, in step; invert: its polarity
	// inverted, in step.
	swap, invert bool
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

// editsBesideDrifts measures the edits (measureEdits), a drifting stem's
// along its drift's line. An edit found on a stem whose drift was not
// measured may have hidden it (the stretches past a bar cut match nothing
// near the stem's lag): its drift is measured again with the edit's
// passage read at the edit's lag, and when it drifts, the stem's edits
// are searched again along the line. It returns the edits and every drift.
func (c *checker) editsBesideDrifts(sum []*input, gains []float64, drifts []drift) ([]stemEdit, []drift, error) {
	defer func() {
		for _, in := range sum {
			in.drift, in.undone = nil, nil
		}
	}()
	lines := func() {
		for i := range drifts {
			drifts[i].in.drift = &drifts[i]
		}
	}
	lines()
	edits, err := c.measureEdits(sum, gains)
	if err != nil {
		return nil, nil, err
	}
	var hidden []drift
	for i, e := range edits {
		in := e.in
		if e.swap || e.invert || in.drift != nil || slices.ContainsFunc(hidden, func(d drift) bool { return d.in == in }) {
			continue
		}
		in.undone = &edits[i]
		d, state, err := c.stemDrift(in)
		in.undone = nil
		if err != nil {
			return nil, nil, err
		}
		if state == driftFound {
			hidden = append(hidden, d)
		}
	}
	if len(hidden) == 0 {
		return edits, drifts, nil
	}
	drifts = append(drifts, hidden...)
	lines()
	for _, d := range hidden {
		redo, err := c.findEdits(d.in)
		if err != nil {
			return nil, nil, err
		}
		edits = slices.DeleteFunc(edits, func(e stemEdit) bool { return e.in == d.in })
		edits = append(edits, redo...)
	}
	// in the stems' order, as measureEdits gives them
	slices.SortStableFunc(edits, func(a, b stemEdit) int { return indexOf(sum, a.in) - indexOf(sum, b.in) })
	return edits, drifts, nil
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
	stretches := editStretches(in, c.rate)
	maxLag := min(int(EditSearchSeconds*float64(c.rate)), analysis.MaxAlignLag)
	pts := make([]editPoint, 0, len(stretches))
	var swaps, flips []editPoint
	last := 0 // the move of the last stretch off the stem's lag (0: none)
	for _, sr := range stretches {
		at, length := sr.at, sr.n
		x, err := c.alignExcerpt(in, at, length)
		if err != nil {
			return nil, err
		}
		// The mix under the stretch at the stem's lag, read once for
		// every reading of it.
		ref, err := c.mixWindow(in, at, length, 0)
		if err != nil {
			return nil, err
		}
		p := editPoint{s: at + int64(length)/2, ok: true, at: at, n: length}
		// A stretch in step at the stem's lag needs no search.
		if !holds(in, x, ref) {
			if p, err = c.searchPoint(in, x, ref, p, last, maxLag); err != nil {
				return nil, err
			}
			if p.ok && absInt(p.move) > editLagSlack {
				last = p.move
			}
		}
		pts = append(pts, p)
		f := flipPoint(in, x, ref, p)
		flips = append(flips, f)
		if len(x) == 2 {
			q := swapPoint(in, x, ref, p)
			// A stretch with its polarity inverted has its channels'
			// difference inverted too, as an exchange would: it is
			// no exchange.
			q.ok = q.ok && f.move == 0
			swaps = append(swaps, q)
		}
	}
	var out []stemEdit
	for _, e := range []struct {
		pts []editPoint
		alt editAlt
	}{{pts, editAlt{}}, {swaps, editAlt{swap: true}}, {flips, editAlt{invert: true}}} {
		edit, err := c.readEdit(in, e.pts, e.alt)
		if err != nil {
			return nil, err
		}
		if edit != nil {
			out = append(out, *edit)
		}
	}
	return out, nil
}

// editStretch is one stretch of a stem the edit search reads: its first
// frame and its length.
type editStretch struct {
	at int64
	n  int
}

// editStretches lists the stretches of a stem the edit search reads: its
// frames cut into stretches of EditStepSeconds or a little less, end to
// end over the whole of it, passing over those with too little of it to
// match anything; nil when the stem is too short to hold a run beside a
// stretch in step.
func editStretches(in *input, rate int) []editStretch {
	step := int64(EditStepSeconds * float64(rate))
	count := (in.st.frames + step - 1) / step
	if count < editRun+1 {
		return nil
	}
	quiet := editQuietShare * energyOf(in.st.blockEnergy) / float64(count)
	out := make([]editStretch, 0, count)
	for w := range count {
		at, end := w*in.st.frames/count, (w+1)*in.st.frames/count
		if stretchEnergy(in, at, int(end-at)) > quiet {
			out = append(out, editStretch{at, int(end - at)})
		}
	}
	return out
}

// energyOf is the sum of a stem's block energies.
func energyOf(blocks []float64) float64 {
	var e float64
	for _, v := range blocks {
		e += v
	}
	return e
}

// framesEnergy is the energy of frames, Σ x² over their channels.
func framesEnergy(x [][]float32) float64 {
	var e float64
	for _, ch := range x {
		for _, v := range ch {
			e += float64(v) * float64(v)
		}
	}
	return e
}

// stretchEnergy is the energy of the stem's blocks under the stretch of
// length frames from at on.
func stretchEnergy(in *input, at int64, length int) float64 {
	b := in.st.blockEnergy
	from := min(at/BlockFrames, int64(len(b)))
	to := min((at+int64(length)+BlockFrames-1)/BlockFrames, int64(len(b)))
	return energyOf(b[from:to])
}

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
	quiet := editSilentShare * energyOf(in.st.blockEnergy) / float64(in.st.frames) * float64(block)
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

// editFindings reports each edit as the delivery's sum_mismatch, in place
// of the diagnosis of its residual, and returns the stems whose fitted
// gains mean nothing (the fit cancels them only where they are in step).
// drifts are the drifts found beside them: an edit on a drifting stem is
// measured along its drift's line, and says so.
func (c *checker) editFindings(sum []*input, edits []stemEdit, drifts []drift, residualDB, threshold float64) []*input {
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
		who, rest := n, "since the rest of it is in step"
		if slices.ContainsFunc(drifts, func(d drift) bool { return d.in == e.in }) {
			who, rest = n+", its drift corrected,", "and the drift finding's re-export at the session's rate alone leaves the edit"
		}
		// Music late up to the edit and in step after it is a bar cut
		// (what followed the opening comes early against it), late after
		// it a bar inserted.
		cut := "cut out of it"
		if (e.move > 0) == (e.from >= 0) {
			cut = "inserted in it"
		}
		from, to := secondsText(float64(e.from)/float64(c.rate)), secondsText(float64(e.to)/float64(c.rate))
		where := from
		span := fmt.Sprintf("from %s to %s of the mix", from, to)
		switch {
		case e.from < 0:
			span = "from its start to " + to + " of the mix"
		case e.to < 0:
			span = "from " + from + " of the mix to its end"
		}
		switch {
		case e.invert:
			if e.from < 0 {
				where = to
			}
			msg += fmt.Sprintf("%s%s has its polarity inverted against the mix %s, and as the mix has it elsewhere: a polarity flip on part of its track (its polarity_inverted finding)", sep, who, span)
			c.add(stemmaster.CodePolarityInverted, n, math.NaN(),
				fmt.Sprintf("%s has its polarity inverted against the mix %s only, and as the mix has it elsewhere: a polarity (phase) invert on part of its track — a region's, or an automated switch or plug-in", n, span),
				fmt.Sprintf("export %s again without the polarity flip over that passage (listen to it against the mix around %s); inverting the whole stem would break the rest of it", n, where))
			fixes = append(fixes, fmt.Sprintf("export %s again without the polarity flip (its polarity_inverted finding)", n))
			continue
		case e.swap:
			if e.from < 0 {
				where = to
			}
			msg += fmt.Sprintf("%s%s has its left and right channels exchanged against the mix %s, and as the mix has them elsewhere: a channel swap (or a region's pan) on part of its track", sep, who, span)
		case e.from < 0:
			where = to
			msg += fmt.Sprintf("%s%s plays the mix's music %s %s from its start to %s of the mix, and is in step with it after: an edit (a bar or more %s there, or its opening moved)", sep, who, d, when, to, cut)
		case e.to < 0:
			msg += fmt.Sprintf("%s%s is in step with the mix up to %s of the mix, but from there to its end it plays the mix's music %s %s: an edit (a bar or more %s there)", sep, who, from, d, when, cut)
		default:
			msg += fmt.Sprintf("%s%s is in step with the mix except from %s to %s of the mix, where it plays the mix's music %s %s: an edit (that passage moved)", sep, who, from, to, d, when)
		}
		if e.swap {
			fixes = append(fixes, fmt.Sprintf("export %s again with its left and right channels as the mix has them over the whole song (listen to its stereo image against the mix around %s); exchanging its channels would break the rest of it", n, where))
			continue
		}
		msg += " in the arrangement it was exported from, which the mix does not have"
		fixes = append(fixes, fmt.Sprintf("export %s again from the same session and arrangement as the mix, over the whole song (listen to it against the mix around %s); no offset corrects it, %s", n, where, rest))
	}
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, residualDB, msg, strings.Join(fixes, "; "))
	return moved
}

// moveAt is the edit's move at the stem's frame s: its move inside the
// passage, 0 outside it (and for a passage with its channels exchanged).
func (e *stemEdit) moveAt(s int64) int64 {
	if e == nil || e.swap || e.invert || s < e.fromS || e.toS >= 0 && s >= e.toS {
		return 0
	}
	return int64(e.move)
}

// earlyLate words a move of the stem's music: positive, early.
func earlyLate(v int) string {
	if v > 0 {
		return "early"
	}
	return "late"
}
