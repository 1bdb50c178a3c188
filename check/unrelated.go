package check

import (
	"fmt"
	"math"

	"stemmaster"
)

// UnrelatedMixDB and NothingExplainedDB: the mix is not these stems' mix
// — another song, another version, another section — when no stem can be
// aligned with it and the stems at their best gains leave UnrelatedMixDB
// of it or more (they explain under half of its energy), or when, aligned
// or not, two stems or more explain under a tenth of it (what aligns then
// is a repeating note or beat at some lag, not the stem). A stem missing
// from a true mix leaves far less (a whole drum stem about −5 dB), and
// its other stems align.
const (
	UnrelatedMixDB     = -3.0
	NothingExplainedDB = -0.5
)

// unrelatedMix reports, as one finding on the mix, a mix that none of the
// stems is found in, and says whether it did. The offsets, gains,
// polarities and channel faults fitted against such a mix are noise: the
// findings already made of them are withdrawn, and none is added.
func (c *checker) unrelatedMix(sum []*input, fittedDB float64) bool {
	if !(fittedDB > UnrelatedMixDB) {
		return false
	}
	n, aligned := 0, false
	for _, in := range sum {
		if in.silent || in.copyOf() || in.dcOnly {
			continue
		}
		aligned = aligned || in.aligned
		n++
	}
	if n == 0 || aligned && !(fittedDB > NothingExplainedDB && n >= 2) {
		return false
	}
	kept := c.findings[:0]
	for _, f := range c.findings {
		switch f.Code {
		case stemmaster.CodeOffset, stemmaster.CodeGainMismatch, stemmaster.CodePolarityInverted, stemmaster.CodeChannelsSwapped:
			continue
		}
		kept = append(kept, f)
	}
	c.findings = kept
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, fittedDB,
		fmt.Sprintf("the mix %s is not the mix of these stems: none of them is found in it (at their best gains, offsets and polarities together they explain %.0f %% of it, residual %.1f dB, threshold %.0f dB); it is another song, another version or another section of it",
			c.mix.Name, 100*max(0, 1-math.Pow(10, fittedDB/10)), math.Round(fittedDB*10)/10+0, SumMismatchDB),
		fixText("unrelated"))
	return true
}
