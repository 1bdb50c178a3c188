package check

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"stemmaster"
	"stemmaster/analysis"
)

// Drift: a stem whose lag against the mix changes along the file.
//
// A stem exported or converted at a slightly wrong rate (an interface
// clocked at another rate than the session's, a resampler given a wrong
// ratio, a varispeed left on) plays the same music a few samples per
// second earlier or later: no one offset lines it up, so the joint window
// finds the lag of its own stretch, the fit at that lag cancels the stem
// only there (a stem "30 dB hot"), and the rest reads as missing content.
// Only a delivery that fails the null is measured: the stem's lag is
// found again in DriftWindows stretches along it, and a lag that moves
// along one straight line is the drift, reported alone.

// Drift parameters.
const (
	// DriftWindows is how many stretches along a stem its lag is measured
	// in; at least minDriftPoints of them must hold enough of it.
	DriftWindows   = 5
	minDriftPoints = 3
	// driftExcerptSeconds is each stretch's length: short enough that a
	// drift of MaxDriftPPM moves the lag by under a period of 1 kHz in it.
	driftExcerptSeconds = 1.0
	// MinDriftSamples is the smallest change of the lag over the stretches
	// measured that is a drift; below it the lags are one offset.
	MinDriftSamples = 4
	// MaxDriftPPM bounds the drifts reported: a mix or stem further off
	// (0.5 %, a render at another tempo) is another version, which the
	// length and the sum findings say.
	MaxDriftPPM = 2000
	// driftLineSlack is how far, in samples (or as a share of the change,
	// when larger), a stretch's lag may lie off the line: more, and the
	// lags jump (an edit, a moved region), which is no drift.
	driftLineSlack      = 1.5
	driftLineSlackShare = 0.1
	// driftMinSearch is the smallest radius, in samples, each stretch is
	// searched over.
	driftMinSearch = 1024
	// driftMinCover: the stretches measured must span this share of the
	// stem.
	driftMinCover = 0.4
	// driftAlikeShare and driftAlikeSamples: drifts this close share one
	// rate (alike).
	driftAlikeShare   = 0.15
	driftAlikeSamples = 3
	// driftMinPeak is the smallest exact correlation peak a stretch's lag
	// is taken at: under analysis.MinAlignPeak, since the stem is known to
	// be in the mix and a drift smears its top octaves over the stretch
	// (unrelated audio stays under 0.05); the line decides.
	driftMinPeak = 0.08
)

// drift is a stem's lag along the file: lag(s) = at0 + slope·s samples
// late at the stem's frame s.
type drift struct {
	in         *input
	at0, slope float64
}

func (d drift) ppm() float64 { return d.slope * 1e6 }

// lagAt is the lag, rounded to a sample, at the stem's frame s.
func (d drift) lagAt(s int64) int64 { return int64(math.Round(d.at0 + d.slope*float64(s))) }

// lagAt is the stem's lag (samples late) at its frame s: its drift's
// line where it drifts, else its one lag; inside the passage of an edit
// being undone, plus its move.
func (in *input) lagAt(s int64) int64 {
	lag := int64(in.lag)
	if in.drift != nil {
		lag = in.drift.lagAt(s)
	}
	return lag + in.undone.moveAt(s)
}

// measureDrift measures the lag of each aligned stem in DriftWindows
// stretches along it and returns the stems whose lags lie on a line that
// moves by MinDriftSamples or more, and how many stems keep one lag along
// them.
func (c *checker) measureDrift(sum []*input) (drifts []drift, steady int, err error) {
	var todo []*input
	for _, in := range sum {
		if in.aligned && !in.silent && !in.copyOf() && !in.dcOnly && in.st.frames > 0 {
			todo = append(todo, in)
		}
	}
	found := make([]drift, len(todo))
	state := make([]driftState, len(todo))
	err = c.parallel(todo, func(in *input) error {
		k := indexOf(todo, in)
		var err error
		found[k], state[k], err = c.stemDrift(in)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	for k, d := range found {
		if state[k] == driftSteady {
			steady++
		}
		if state[k] == driftFound {
			drifts = append(drifts, d)
		}
	}
	return drifts, steady, nil
}

// driftState is what the lags along a stem say.
type driftState int

const (
	driftUnmeasured driftState = iota // too few stretches hold enough of it
	driftSteady                       // one lag along it
	driftJumps                        // lags on no line (an edit, a narrow-band stem's periods)
	driftFound                        // lags on a line
)

// stemDrift measures one stem's lag along it and fits the line.
func (c *checker) stemDrift(in *input) (drift, driftState, error) {
	n := int(driftExcerptSeconds * float64(c.rate))
	// Each stretch is searched around the stem's lag as far as the
	// largest drift reported moves it over the file, and no further:
	// music that repeats matches one beat away too.
	maxLag := min(max(driftMinSearch, int(MaxDriftPPM*1e-6*float64(in.st.frames))), analysis.MaxAlignLag)
	seg := in.st.frames / DriftWindows
	if seg < int64(n) {
		return drift{}, driftUnmeasured, nil
	}
	// The two end stretches first: a stem with one lag at both ends
	// keeps it (a drift moves it most between them), which is all most
	// deliveries need.
	order := []int64{0, DriftWindows - 1}
	for w := int64(1); w < DriftWindows-1; w++ {
		order = append(order, w)
	}
	type point struct {
		s, lag float64
		step   bool // in the passage of the edit undone
	}
	var pts []point
	for i, w := range order {
		if i == 2 && len(pts) == 2 && math.Abs(pts[1].lag-pts[0].lag) <= driftLineSlack {
			return drift{}, driftSteady, nil
		}
		at, length, ok := loudestInSegment(in, w, seg, n)
		if !ok {
			continue
		}
		x, err := c.alignExcerpt(in, at, length)
		if err != nil {
			return drift{}, driftUnmeasured, err
		}
		// Around the stem's lag there (inside an edit being undone, the
		// edit's lag), and read off it without the edit.
		ref, err := c.alignExcerpt(c.mix, at-in.lagAt(at)-int64(maxLag), length+2*maxLag)
		if err != nil {
			return drift{}, driftUnmeasured, err
		}
		a := analysis.Align(alignView(x), monoInPlace(ref), maxLag)
		if math.Abs(a.Peak) < driftMinPeak {
			continue
		}
		mid := at + int64(length)/2
		pts = append(pts, point{float64(mid), float64(in.lagAt(at) - in.undone.moveAt(at) + int64(a.Lag)), in.undone.moveAt(at) != 0})
	}
	slices.SortFunc(pts, func(a, b point) int { return cmp.Compare(a.s, b.s) })
	var s, lags []float64
	var step []bool
	for _, p := range pts {
		s, lags = append(s, p.s), append(lags, p.lag)
		if in.undone != nil {
			step = append(step, p.step)
		}
	}
	d, state := driftLine(s, lags, step, in.st.frames)
	d.in = in
	return d, state, nil
}

// driftLine fits lag = at0 + slope·s to the stretches' lags by least
// squares and says what they are: a drift when every lag lies on the line
// and it moves by MinDriftSamples or more between the first stretch and
// the last, within MaxDriftPPM; steady when every lag lies within
// driftLineSlack of their mean; unmeasured with fewer than minDriftPoints
// stretches over less than driftMinCover of the stem's frames. One
// stretch may have matched the wrong beat (music that repeats) or nothing
// at all: when the lags lie on no line, each stretch is left out in turn
// and the others read again, and the reading whose lags lie closest to
// their line stands. The stretches marked in step (nil:
// none) lie in an edit's passage, read at the edit's lag: their lags get
// one offset of their own (the edit's move as measured is off the line's
// by what the drift moved it where it was measured).
func driftLine(s, lags []float64, step []bool, frames int64) (drift, driftState) {
	covers := func(s []float64) bool {
		return len(s) >= minDriftPoints && s[len(s)-1]-s[0] >= driftMinCover*float64(frames)
	}
	if !covers(s) {
		return drift{}, driftUnmeasured
	}
	d, _, state := lineState(s, lags, step)
	if state != driftJumps {
		return d, state
	}
	// Each stretch left out in turn: the reading whose lags lie closest
	// to their line.
	best, bestOff, bestState := drift{}, math.Inf(1), driftJumps
	for i := range s {
		si, li := slices.Delete(slices.Clone(s), i, i+1), slices.Delete(slices.Clone(lags), i, i+1)
		var st []bool
		if step != nil {
			st = slices.Delete(slices.Clone(step), i, i+1)
		}
		if !covers(si) {
			continue
		}
		d, off, state := lineState(si, li, st)
		if state == driftJumps {
			continue
		}
		if worst := slices.Max(off); worst < bestOff {
			best, bestOff, bestState = d, worst, state
		}
	}
	if bestState == driftJumps {
		return d, driftJumps
	}
	return best, bestState
}

// lineState fits the line (with the offset of the stretches in step, when
// some are and some not) and reads it (driftLine); off is each lag's
// distance from it.
func lineState(s, lags []float64, step []bool) (drift, []float64, driftState) {
	n := float64(len(s))
	in := 0
	for _, v := range step {
		if v {
			in++
		}
	}
	var ms, ml float64
	for i := range s {
		ms += s[i] / n
		ml += lags[i] / n
	}
	// Least squares on s and the step's indicator, centred.
	var sxx, sxy, sxz, szz, szy float64
	var mz float64
	if in > 0 && in < len(s) {
		mz = float64(in) / n
	}
	z := func(i int) float64 {
		if mz > 0 && step[i] {
			return 1 - mz
		}
		return -mz
	}
	for i := range s {
		ds, dl, dz := s[i]-ms, lags[i]-ml, z(i)
		sxx += ds * ds
		sxy += ds * dl
		sxz += ds * dz
		szz += dz * dz
		szy += dz * dl
	}
	slope, jump := sxy/sxx, 0.0
	if det := sxx*szz - sxz*sxz; mz > 0 && det > 0 {
		slope, jump = (sxy*szz-szy*sxz)/det, (szy*sxx-sxy*sxz)/det
	}
	d := drift{at0: ml - slope*ms - jump*mz, slope: slope}
	// the lags with the step's offset taken out
	flat := make([]float64, len(lags))
	var mf float64
	for i, l := range lags {
		flat[i] = l
		if mz > 0 && step[i] {
			flat[i] -= jump
		}
		mf += flat[i] / n
	}
	off := make([]float64, len(s))
	steady := true
	for i, l := range flat {
		off[i] = math.Abs(l - (d.at0 + slope*s[i]))
		steady = steady && math.Abs(l-mf) <= driftLineSlack
	}
	change := math.Abs(slope * (s[len(s)-1] - s[0]))
	switch {
	case steady:
		return d, off, driftSteady
	case change < MinDriftSamples || math.Abs(d.ppm()) > MaxDriftPPM:
		return d, off, driftJumps
	}
	slack := max(driftLineSlack, driftLineSlackShare*change)
	for _, o := range off {
		if o > slack {
			return d, off, driftJumps
		}
	}
	return d, off, driftFound
}

// driftFindings reports the drifts found, in place of the offset and the
// length findings they cause: one on the mix when two stems or more drift
// alike and none keeps one lag (the mix is what runs at another rate; a
// narrow-band stem's lags may jump between its periods instead), one per
// stem otherwise. It returns the stems whose fitted gains mean nothing
// (every stem, when the mix drifts).
func (c *checker) driftFindings(sum []*input, drifts []drift, steady int) []*input {
	mixDrifts := len(drifts) >= 2 && steady == 0 && alike(drifts)
	var moved []*input
	for _, d := range drifts {
		moved = append(moved, d.in)
	}
	c.findings = slices.DeleteFunc(c.findings, func(f stemmaster.Finding) bool {
		if f.Code != stemmaster.CodeOffset && f.Code != stemmaster.CodeLengthMismatch {
			return false
		}
		return mixDrifts || slices.ContainsFunc(moved, func(in *input) bool { return in.Name == f.File })
	})
	if mixDrifts {
		var ppm float64
		for _, d := range drifts {
			ppm += d.ppm() / float64(len(drifts))
		}
		// The stems falling later means the mix runs fast against them.
		end := int64(math.Round(ppm * 1e-6 * float64(c.mix.st.frames)))
		c.add(stemmaster.CodeDrift, c.mix.Name, -ppm,
			fmt.Sprintf("the mix %s drifts against every stem: it runs %s %s, %s by its end, so no one offset lines the stems up with it: the mix was rendered or converted at a slightly wrong sample rate (a clock or a resampling ratio off), or time-stretched", c.mix.Name, ppmText(ppm), map[bool]string{true: "fast", false: "slow"}[ppm > 0], lateText(-end, c.rate)),
			"export the mix again from the session at the session's sample rate, with no varispeed or time-stretch on the master bus (check the interface's clock); the stems need no change")
		return sum
	}
	for _, d := range drifts {
		in := d.in
		start, end := d.lagAt(0), d.lagAt(in.st.frames)
		c.add(stemmaster.CodeDrift, in.Name, d.ppm(),
			fmt.Sprintf("%s drifts against the mix: it runs %s %s, from %s at its start to %s at its end, so no one offset lines it up: it was exported or converted at a slightly wrong sample rate (a clock or a resampling ratio off), or time-stretched", in.Name, ppmText(d.ppm()), map[bool]string{true: "slow", false: "fast"}[d.ppm() > 0], lateText(start, c.rate), lateText(end, c.rate)),
			fmt.Sprintf("export %s again from the session at the session's sample rate, with no varispeed or time-stretch on it (check the interface's clock and the resampler's rates); an offset cannot correct it", in.Name))
	}
	return moved
}

// alike says whether every drift has the rate of their median, to within
// driftAlikeShare of it or driftAlikeSamples over the stem (the lags are
// whole samples).
func alike(drifts []drift) bool {
	ppms := make([]float64, len(drifts))
	for i, d := range drifts {
		ppms[i] = d.ppm()
	}
	slices.Sort(ppms)
	mid := ppms[len(ppms)/2]
	for _, d := range drifts {
		tol := max(driftAlikeShare*math.Abs(mid), driftAlikeSamples*1e6/float64(max(d.in.st.frames, 1)))
		if math.Abs(d.ppm()-mid) > tol {
			return false
		}
	}
	return true
}

// ppmText says a drift's rate: "100 ppm (0.010 %)".
func ppmText(ppm float64) string {
	return fmt.Sprintf("%.0f ppm (%.3f %%)", math.Abs(ppm), math.Abs(ppm)/1e4)
}

// lateText says a lag as late, early or in step.
func lateText(lag int64, rate int) string {
	switch {
	case lag > 0:
		return samplesText(lag, rate) + " late"
	case lag < 0:
		return samplesText(lag, rate) + " early"
	}
	return "in step"
}
