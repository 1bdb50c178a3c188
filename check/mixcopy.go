package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/dsp/fir"
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
		null := nullOf(rho)
		if null > DuplicateDB || !othersCarryAudio(sum, k, g.Energy) {
			continue
		}
		in.mixCopy = true
		how := "a copy"
		if rho < 0 {
			how = "a polarity-inverted copy"
		}
		c.add(stemmaster.CodeDuplicate, in.Name, null,
			fmt.Sprintf("%s is %s of the mix %s (%s), not a stem: summed with the other stems it plays the song twice; the comparison with the mix leaves it out", in.Name, how, c.mix.Name, nullText(null)),
			mixCopyFix(in.Name))
	}
}

// othersCarryAudio: the stems of sum other than k, not silent and not
// copies, hold at least a hundredth (−20 dB) of stem k's energy (energy
// of a stem's index: the Gram's, or the sums' without a mix).
func othersCarryAudio(sum []*input, k int, energy func(int) float64) bool {
	var e float64
	for j, in := range sum {
		if j != k && !in.silent && !in.copyOf() {
			e += energy(j)
		}
	}
	return e >= 0.01*energy(k)
}

// nullOf is the residual, in dB of a stem's energy, left by the best gain
// of a signal whose correlation with it is rho.
func nullOf(rho float64) float64 { return 10 * math.Log10(max(1-rho*rho, 1e-30)) }

// mixCopyFix is the fix of a stem that is the whole mix.
func mixCopyFix(name string) string {
	return fmt.Sprintf("check the export: %s was probably meant to be one stem, not the whole mix; leave it out of the delivery if the other stems are complete", name)
}

// sumStats holds, without a mix, what sumCopies needs of the main pass's
// unity sum S: each stem's product with S and its energy, and S's energy,
// over every frame and channel. They come from the sum already formed for
// the sum's meter, one pass over each stem's block, where the Gram of
// every pair would cost what dupScreen avoids.
type sumStats struct {
	dot, energy []float64 // [stem]: ⟨sₖ, S⟩, |sₖ|²
	sum         float64   // |S|²
}

func newSumStats(stems int) *sumStats {
	return &sumStats{dot: make([]float64, stems), energy: make([]float64, stems)}
}

// add takes the block loaded in sm (n frames, unity gains). Its products
// run over every stem's block: the machine's fastest dot product
// (fir.Dot2, both sums in one pass over the stem).
func (s *sumStats) add(sm *summer, n int) {
	for c, sum := range sm.Sum {
		sum = sum[:n]
		s.sum += fir.Dot(sum, sum)
		for k, conv := range sm.Conv {
			// A mono stem's channels share one slice, which feeds each
			// channel of the sum (MonoCentreGain applied).
			x := conv[c][:n]
			d, e := fir.Dot2(x, sum, x)
			s.dot[k] += d
			s.energy[k] += e
		}
	}
}

// sumCopies finds, without a mix, a stem that is the mix of the other
// stems: stem k nulls (after its best gain) to DuplicateDB against the sum
// of the others, S₋ₖ = S − sₖ, while they carry audio of their own. The
// mix dropped among the stems is exactly that, and summed with them it
// plays the song twice. ⟨sₖ, S₋ₖ⟩ = ⟨sₖ, S⟩ − |sₖ|² and
// |S₋ₖ|² = |S|² − 2⟨sₖ, S⟩ + |sₖ|², so the main pass's sums suffice.
// A polarity-inverted copy cancels the sum, and then every stem is the
// inverted sum of the others: the copy is the loudest of them. One
// finding: once the copy is known, the others are the stems.
func (c *checker) sumCopies(sum []*input) {
	s := c.sumStats
	if s == nil {
		return
	}
	copyAt, copyNull, copyRho := -1, 0.0, 0.0
	for k, in := range sum {
		ek := s.energy[k]
		if in.silent || in.copyOf() || ek <= 0 || (copyAt >= 0 && ek <= s.energy[copyAt]) {
			continue
		}
		if !othersCarryAudio(sum, k, func(j int) float64 { return s.energy[j] }) {
			continue
		}
		rest := s.sum - 2*s.dot[k] + ek
		if !(rest > 0) {
			continue
		}
		rho := (s.dot[k] - ek) / math.Sqrt(ek*rest)
		null := nullOf(rho)
		if null <= DuplicateDB {
			copyAt, copyNull, copyRho = k, null, rho
		}
	}
	if copyAt < 0 {
		return
	}
	in := sum[copyAt]
	in.mixCopy = true
	how, sums := "a copy", "summed with them it plays the song twice"
	if copyRho < 0 {
		how, sums = "a polarity-inverted copy", "summed with them it cancels the song"
	}
	c.add(stemmaster.CodeDuplicate, in.Name, copyNull,
		fmt.Sprintf("%s is %s of the mix of the other stems (%s), not a stem: %s", in.Name, how, nullText(copyNull), sums),
		mixCopyFix(in.Name))
}
