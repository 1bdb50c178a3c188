package check

import (
	"slices"

	"stemmaster/analysis"
	"stemmaster/dsp"
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
	quiet := editQuietShare * dsp.Sum(in.st.blockEnergy) / float64(count)
	out := make([]editStretch, 0, count)
	for w := range count {
		at, end := w*in.st.frames/count, (w+1)*in.st.frames/count
		if stretchEnergy(in, at, int(end-at)) > quiet {
			out = append(out, editStretch{at, int(end - at)})
		}
	}
	return out
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
	return dsp.Sum(b[from:to])
}
