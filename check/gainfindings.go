package check

import (
	"fmt"
	"math"
	"slices"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// polarityFinding reports a stem whose fitted gain is negative.
func (c *checker) polarityFinding(in *input) {
	c.add(stemmaster.CodePolarityInverted, in.Name, math.NaN(),
		fmt.Sprintf("%s has its polarity inverted against the mix", in.Name),
		fmt.Sprintf("export it again without the polarity flip, or set polarity: inverted for %s in the session", in.Name))
}

// gainFindings reports polarity and, when withGains, gains from the fit.
// It returns the spread of the fitted gains in dB.
func (c *checker) gainFindings(sum []*input, use []bool, fit analysis.Fit, chFit *channelFit, withGains bool) float64 {
	type gain struct {
		in *input
		db float64
	}
	var gains []gain
	for k, in := range sum {
		if !use[k] || c.gram.Energy(k) == 0 {
			continue // nothing of it in the span compared (a cut file ended before it plays)
		}
		g := fit.Gains[k]
		db := audio.DB(math.Abs(g))
		if db < AbsentGainDB {
			// The value is the message's level, floor included: below
			// the floor the fit's rounding is all there is, and "hot by
			// 278 dB" would be a figure of that rounding.
			c.add(stemmaster.CodeGainMismatch, in.Name, -max(db, gainWordsFloorDB),
				fmt.Sprintf("%s is not in the mix: its best fitted level there is %s (limit %.0f dB)", in.Name, gainWords(db), AbsentGainDB),
				"check that this stem belongs to this song and this mix")
			continue
		}
		if g < 0 {
			c.polarityFinding(in)
		}
		gains = append(gains, gain{in, db})
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range gains {
		lo, hi = min(lo, g.db), max(hi, g.db)
	}
	if !withGains || len(gains) == 0 {
		return max(hi-lo, 0)
	}
	// Every stem off by the same amount is one bus or master-fader gain on
	// the mix, not a fader per stem: one finding on the mix says so. A
	// stem off by more than that beside it (hot, or leaned on by what the
	// mix holds and the stems do not) is off against the others, by the
	// difference.
	whole := 0 // the stems a gain could be fitted for
	for k, in := range sum {
		if c.gram.Energy(k) != 0 && !in.silent && !in.copyOf() && !in.dcOnly {
			whole++
		}
	}
	if mid, ok := commonGainDB(gains, func(g gain) float64 { return g.db }, c.gainTol(), len(gains) == whole); ok {
		c.add(stemmaster.CodeGainMismatch, c.mix.Name, mid,
			fmt.Sprintf("the mix %s is %.1f dB %s than the stems' sum: a master-fader or bus gain that is not in the stems", c.mix.Name, math.Abs(mid), map[bool]string{true: "louder", false: "quieter"}[mid > 0]),
			"export the stems and the mix with the same master-fader setting (or let the master stage set the level)")
		for _, g := range gains {
			if d := g.db - mid; math.Abs(d) > c.gainTol() {
				c.add(stemmaster.CodeGainMismatch, g.in.Name, -d,
					fmt.Sprintf("%s is %.1f dB %s against the mix once the mix's own %.1f dB is taken out", g.in.Name, math.Abs(d), hotOrQuiet(d), math.Abs(mid)),
					fmt.Sprintf("export it again at the mix's fader level, or set gain_db: %.1f for %s in the session", d, g.in.Name))
			}
		}
		return hi - lo
	}
	// A stem with a channel silent where the mix has it leaves that
	// channel's fit leaning on every stem that shares a little with it
	// (a reverb return reads hot there): only the stem's own finding
	// comes from the fit per channel, the others' from the one-gain fit,
	// with the tolerance of content missing.
	dead := -1
	for k, g := range gains {
		if chFit != nil && chFit.deadChannel(g.in, indexOf(sum, g.in)) >= 0 {
			dead = k
			c.gainTolDB = max(c.gainTol(), MissingGainToleranceDB)
			break
		}
	}
	for k, g := range gains {
		if chFit != nil && (dead < 0 || k == dead) && c.channelGainFindings(g.in, chFit, indexOf(sum, g.in)) {
			continue
		}
		if math.Abs(g.db) <= c.gainTol() {
			continue
		}
		why, how := "", "export it again at the mix's fader level"
		if peak := g.in.res.SamplePeakDBFS; g.db < 0 && peak >= NormalisedPeakDBFS {
			why = fmt.Sprintf(": it peaks at %s, as a stem normalised on export does", dbfs(peak))
			how = "turn off normalisation in the export dialog and export it again at the mix's fader level"
		}
		c.add(stemmaster.CodeGainMismatch, g.in.Name, -g.db,
			fmt.Sprintf("%s is %.1f dB %s against the mix%s", g.in.Name, math.Abs(g.db), hotOrQuiet(g.db), why),
			fmt.Sprintf("%s, or set gain_db: %.1f for %s in the session", how, g.db, g.in.Name))
	}
	return hi - lo
}

// commonGainDB finds one gain shared by the stems that is itself off by
// more than tol: a gain on the mix rather than on the stems. The gain is
// the median's; three stems or more within tol of it, with at most one
// other, share it, as do two or more that are every stem (whole) within
// GainToleranceDB of each other. Two stems of five off alike are two
// faders (the median is one of the other three), and two stems left when
// the others have no one level (dynamics on them) are too few to say.
func commonGainDB[T any](gains []T, db func(T) float64, tol float64, whole bool) (float64, bool) {
	n := len(gains)
	if n < 2 {
		return 0, false
	}
	v := make([]float64, n)
	for i, g := range gains {
		v[i] = db(g)
	}
	slices.Sort(v)
	mid := v[n/2]
	if n%2 == 0 {
		mid = (v[n/2-1] + v[n/2]) / 2
	}
	if math.Abs(mid) <= tol {
		return 0, false
	}
	off := 0
	for _, x := range v {
		if math.Abs(x-mid) > tol {
			off++
		}
	}
	switch {
	case n-off >= 3 && off <= 1:
		return mid, true
	case whole && v[n-1]-v[0] <= GainToleranceDB:
		return mid, true
	}
	return 0, false
}

// signedDB formats a level change to 0.1 dB with its sign, without "-0.0".
func signedDB(db float64) string {
	r := math.Round(db*10) / 10
	if r == 0 {
		r = 0 // drops the sign of a negative zero
	}
	return fmt.Sprintf("%+.1f", r)
}

func gainWords(db float64) string {
	switch {
	case math.IsInf(db, -1):
		return "nothing at all"
	case db < gainWordsFloorDB:
		// Deeper than 24-bit quantisation: the fit's rounding, not a level.
		return fmt.Sprintf("below %.0f dB", gainWordsFloorDB)
	}
	return fmt.Sprintf("%.0f dB", db)
}

// gainWordsFloorDB is the lowest fitted level a message prints.
const gainWordsFloorDB = -140.0

// NormalisedPeakDBFS is the sample peak from which a hot stem is said to
// have been normalised on export (an export dialog's normalisation goes to
// 0 dBFS or just under it: −0.1, −0.3, −1 dBFS); a fader pushed up after
// the mix rarely lands a stem's peak there.
const NormalisedPeakDBFS = -1.0
