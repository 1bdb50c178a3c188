package check

import (
	"math"

	"stemmaster/analysis"
)

// Home lags: which side of an edit a stem is in step on.
//
// The joint fit reads each stem's lag in one window of the mix. A stem from
// another arrangement (a bar cut at 150 s of a 240 s song) has two lags,
// one either side of its edit, and the window gives it the lag of the side
// it falls on. After the edit, the stem reads as offset by the bar (an
// error whose correction breaks the rest of it), its part in step with the
// mix as the edit, and its fitted gain as a fader error; and a stem cut
// early (at 10 s of 45 s) reads as its opening moved, in times of the mix
// that hold only once the stem is moved by the bar. The stems of one
// session are exported from one start: where part of a stem is in step at
// the lag the other stems have, that lag is its own, and the rest of it
// the edit. So a stem whose lag lies a bar-scale move (EditMinSeconds or
// more) from the other stems' is read again along its length: up to
// homeProbes of its edit stretches are each searched over both lags, and
// when editRun+1 or more are in step at the others' lag, that lag is the
// stem's. The edit search then reads it in step up to the edit and moved
// after it (or the reverse), as a cut in a short song reads. A stem offset
// as a whole (exported from another start) is in step at the others' lag
// nowhere and keeps its own.

// Home-lag parameters.
const (
	// homeProbes is how many stretches, spread evenly along the stem, are
	// read: enough for a side of a fifth of the stem to hold several.
	homeProbes = 48
	// homeSlack is how far, in samples, a stretch's lag may lie from
	// either lag and still count for it: a drift of 100 ppm over 200 s.
	homeSlack = 1024
)

// homeLags gives each stem in step at the other stems' lag over part of
// its length that lag (see above).
func (c *checker) homeLags(sum []*input) error {
	minMove := int(EditMinSeconds * float64(c.rate))
	var todo []*input
	others := map[*input]int{}
	for _, in := range sum {
		if !in.aligned || in.silent || in.copyOf() || in.dcOnly || in.st.frames == 0 {
			continue
		}
		lag := othersLag(sum, in)
		if d := absInt(in.lag - lag); d >= minMove && d/2+homeSlack <= analysis.MaxAlignLag {
			others[in] = lag
			todo = append(todo, in)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	lags := make([]int, len(todo))
	err := c.parallel(todo, func(in *input) error {
		lag, err := c.homeLag(in, others[in])
		lags[indexOf(todo, in)] = lag
		return err
	})
	if err != nil {
		return err
	}
	for k, in := range todo {
		in.lag = lags[k]
	}
	return nil
}

// othersLag is the lag most of the other aligned stems have (0 when none
// is, or for a tie that includes it).
func othersLag(sum []*input, in *input) int {
	lag, _ := mostCommon(sum, func(o *input) (int, bool) {
		return o.lag, o != in && o.aligned && !o.silent && !o.copyOf() && !o.dcOnly
	}, 0)
	return lag
}

// homeLag reads the stem's stretches (up to homeProbes of them) each over
// both its lag and other, and returns other (to the sample, as most of
// the stretches there read it) when editRun+1 or more are in step there,
// else the stem's own lag.
func (c *checker) homeLag(in *input, other int) (int, error) {
	stretches := editStretches(in, c.rate)
	if n := len(stretches); n > homeProbes {
		picked := make([]editStretch, homeProbes)
		for k := range picked {
			picked[k] = stretches[k*n/homeProbes]
		}
		stretches = picked
	}
	centre := (in.lag + other) / 2
	maxLag := absInt(in.lag-other)/2 + homeSlack
	var there []int // the lags of the stretches in step at other
	for _, sr := range stretches {
		x, err := c.alignExcerpt(in, sr.at, sr.n)
		if err != nil {
			return 0, err
		}
		wide, err := c.alignExcerpt(c.mix, sr.at-int64(centre)-int64(maxLag), sr.n+2*maxLag)
		if err != nil {
			return 0, err
		}
		a := analysis.Align(alignView(x), monoInPlace(wide), maxLag)
		lag := centre + a.Lag
		if math.Abs(a.Peak) < analysis.MinAlignPeak || absInt(lag-other) > homeSlack {
			continue
		}
		// Music that repeats by the bar matches at both: the stretch
		// counts only where its lag explains far more of the mix than
		// the same stretch moved to the stem's own lag.
		alt := lag + in.lag - other
		e, err := c.explainedAt(in, x, sr.at, lag)
		if err != nil {
			return 0, err
		}
		eAlt, err := c.explainedAt(in, x, sr.at, alt)
		if err != nil {
			return 0, err
		}
		if e > 0 && e >= editMargin*eAlt {
			there = append(there, lag)
		}
	}
	if len(there) < editRun+1 {
		return in.lag, nil
	}
	lag, _ := mostCommon(there, func(l int) (int, bool) { return l, true }, other)
	return lag, nil
}

// explainedAt is how much of the mix x, the stem's frames from at on,
// explains at lag, whatever its polarity there (the fit has not given the
// stem one yet): the energy of its projection on the mix.
func (c *checker) explainedAt(in *input, x [][]float32, at int64, lag int) (float64, error) {
	ref, err := c.alignExcerpt(c.mix, at-int64(lag), len(x[0]))
	if err != nil {
		return 0, err
	}
	xy, xx, _ := projectionSums(in, x, ref, editAlt{}, false)
	if xx == 0 {
		return 0, nil
	}
	return xy * xy / xx, nil
}
