package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/audio"
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
	// FoundGainDB: a stem aligned with the mix whose fitted gain lies
	// within this of unity is in it (what aligns by chance with another
	// song fits 12 dB down or more).
	FoundGainDB = 6.0
)

// unrelatedMix reports, as one finding on the mix, a mix that none of the
// stems is found in, and says whether it did. The offsets, gains,
// polarities and channel faults fitted against such a mix are noise: the
// findings already made of them are withdrawn, and none is added.
func (c *checker) unrelatedMix(sum []*input, fittedDB float64, gains []float64) bool {
	if !(fittedDB > UnrelatedMixDB) {
		return false
	}
	n, aligned := 0, false
	for k, in := range sum {
		if in.silent || in.copyOf() || in.dcOnly {
			continue
		}
		if in.aligned && math.Abs(audio.DB(math.Abs(gains[k]))) <= FoundGainDB {
			// In the mix near its level: these stems are a small part
			// of the mix (the others missing), not another song's.
			return false
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
	what := "it is another song, another version or another section of it"
	if r := float64(c.mix.st.frames)/float64(c.stemFrames) - 1; c.stemFrames > 0 && math.Abs(r) >= TempoMinShare && math.Abs(r) <= TempoMaxShare {
		// A mix a fraction longer or shorter than the stems holds
		// nothing of them at any one lag: the same song at another
		// tempo or speed drifts away from every stem.
		what = fmt.Sprintf("it is %.2f %% %s than the stems: the mix rendered at another tempo or speed (the tempo changed after the stems were bounced, a varispeed, or a file played at another sample rate), or another song, version or section", 100*math.Abs(r), map[bool]string{true: "longer", false: "shorter"}[r > 0])
	}
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, fittedDB,
		fmt.Sprintf("the mix %s is not the mix of these stems: none of them is found in it (at their best gains, offsets and polarities together they explain %.0f %% of it, residual %.1f dB, threshold %.0f dB); %s",
			c.mix.Name, 100*max(0, 1-math.Pow(10, fittedDB/10)), math.Round(fittedDB*10)/10+0, SumMismatchDB, what),
		fixText("unrelated"))
	return true
}

// TempoMinShare and TempoMaxShare bound the difference in length, as a
// share of the stems', at which a mix that holds none of the stems is
// said to be perhaps their mix at another tempo or speed: under 0.1 % is
// an end point (45 ms of a 45 s song), over 10 % another arrangement.
const (
	TempoMinShare = 0.001
	TempoMaxShare = 0.10
)
