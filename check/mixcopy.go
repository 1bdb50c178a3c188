package check

import (
	"fmt"
	"math"

	"stemmaster"
)

// copyOf says whether a stem repeats other audio of the delivery (another
// stem, or the mix itself): it stays in the sum as delivered, but out of
// the alignment and the fit, whose gains it would make meaningless.
func (in *input) copyOf() bool { return in.duplicateOf >= 0 || in.mixCopy }

// mixCopies finds stems that are the mix itself under another name: a
// stem that nulls against the mix (after its best gain) to DuplicateDB
// while the other stems carry audio of their own. Left in the fit, the
// copy and the stems it repeats share the mix between them, and the fit
// reads that as one gain on every stem (a master-fader gain) or a fader
// error per stem; one finding on the copy says what happened instead.
// A delivery whose other stems are silent is a stereo master with empty
// stems beside it, not a copy.
func (c *checker) mixCopies(sum []*input) {
	g := c.gram
	if g.MM <= 0 {
		return
	}
	for k, in := range sum {
		if in.silent || in.copyOf() || g.Energy(k) <= 0 {
			continue
		}
		rho := g.B[k] / math.Sqrt(g.Energy(k)*g.MM)
		null := 10 * math.Log10(max(1-rho*rho, 1e-30))
		if null > DuplicateDB || !c.othersCarryAudio(sum, k) {
			continue
		}
		in.mixCopy = true
		how := "a copy"
		if rho < 0 {
			how = "a polarity-inverted copy"
		}
		c.add(stemmaster.CodeDuplicate, in.Name, null,
			fmt.Sprintf("%s is %s of the mix %s (%s), not a stem: summed with the other stems it plays the song twice; the comparison with the mix leaves it out", in.Name, how, c.mix.Name, nullText(null)),
			fmt.Sprintf("check the export: %s was probably meant to be one stem, not the whole mix; leave it out of the delivery if the other stems are complete", in.Name))
	}
}

// othersCarryAudio: the stems of sum other than k, not silent and not
// copies, hold at least a hundredth (−20 dB) of stem k's energy.
func (c *checker) othersCarryAudio(sum []*input, k int) bool {
	var e float64
	for j, in := range sum {
		if j != k && !in.silent && !in.copyOf() {
			e += c.gram.Energy(j)
		}
	}
	return e >= 0.01*c.gram.Energy(k)
}
