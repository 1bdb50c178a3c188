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
	type point struct{ s, lag float64 }
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
		ref, err := c.alignExcerpt(c.mix, at-int64(in.lag)-int64(maxLag), length+2*maxLag)
		if err != nil {
			return drift{}, driftUnmeasured, err
		}
		a := analysis.Align(alignView(x), monoInPlace(ref), maxLag)
		if math.Abs(a.Peak) < driftMinPeak {
			continue
		}
		pts = append(pts, point{float64(at) + float64(length)/2, float64(in.lag + a.Lag)})
	}
	slices.SortFunc(pts, func(a, b point) int { return cmp.Compare(a.s, b.s) })
	var s, lags []float64
	for _, p := range pts {
		s, lags = append(s, p.s), append(lags, p.lag)
	}
	d, state := driftLine(s, lags, in.st.frames)
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
// at all: when the lags lie on no line, the one furthest off it is left
// out once, and the others read again.
func driftLine(s, lags []float64, frames int64) (drift, driftState) {
	for drop := 0; ; drop++ {
		if len(s) < minDriftPoints || s[len(s)-1]-s[0] < driftMinCover*float64(frames) {
			return drift{}, driftUnmeasured
		}
		d, state := lineState(s, lags)
		if state != driftJumps || drop == 1 {
			return d, state
		}
		worst, off := 0, -1.0
		for i := range s {
			if o := math.Abs(lags[i] - (d.at0 + d.slope*s[i])); o > off {
				worst, off = i, o
			}
		}
		s = slices.Delete(slices.Clone(s), worst, worst+1)
		lags = slices.Delete(slices.Clone(lags), worst, worst+1)
	}
}

// lineState fits the line and reads it (driftLine).
func lineState(s, lags []float64) (drift, driftState) {
	n := float64(len(s))
	var ms, ml float64
	for i := range s {
		ms += s[i] / n
		ml += lags[i] / n
	}
	var sxx, sxy float64
	for i := range s {
		sxx += (s[i] - ms) * (s[i] - ms)
		sxy += (s[i] - ms) * (lags[i] - ml)
	}
	slope := sxy / sxx
	d := drift{at0: ml - slope*ms, slope: slope}
	steady := true
	for _, l := range lags {
		steady = steady && math.Abs(l-ml) <= driftLineSlack
	}
	change := math.Abs(slope * (s[len(s)-1] - s[0]))
	switch {
	case steady:
		return d, driftSteady
	case change < MinDriftSamples || math.Abs(d.ppm()) > MaxDriftPPM:
		return d, driftJumps
	}
	slack := max(driftLineSlack, driftLineSlackShare*change)
	for i := range s {
		if math.Abs(lags[i]-(d.at0+slope*s[i])) > slack {
			return d, driftJumps
		}
	}
	return d, driftFound
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
