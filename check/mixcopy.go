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
// stems beside it, not a copy. Failing a copy, the stem that nulls best
// against the mix, to MasterCandidateDB or lower, may be a master of it
// (masterAmong).
func (c *checker) mixCopies(sum []*input) error {
	g := c.gram
	if g.MM <= 0 {
		return nil
	}
	copied := false
	candAt, candNull, candRho := -1, MasterCandidateDB, 0.0
	for k, in := range sum {
		if in.silent || in.copyOf() || g.Energy(k) <= 0 || !othersCarryAudio(sum, k, g.Energy) {
			continue
		}
		rho := g.B[k] / math.Sqrt(g.Energy(k)*g.MM)
		null := nullOf(rho)
		if null > DuplicateDB {
			if null <= candNull {
				candAt, candNull, candRho = k, null, rho
			}
			continue
		}
		copied = true
		in.mixCopy = true
		how := "a copy"
		if rho < 0 {
			how = "a polarity-inverted copy"
		}
		c.add(stemmaster.CodeDuplicate, in.Name, null,
			fmt.Sprintf("%s is %s of the mix %s (%s), not a stem: summed with the other stems it plays the song twice; the comparison with the mix leaves it out", in.Name, how, c.mix.Name, nullText(null)),
			mixCopyFix(in.Name))
	}
	if !copied && candAt >= 0 {
		return c.masterAmong(sum, candAt, candNull, candRho)
	}
	return nil
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
// finding: once the copy is known, the others are the stems. Failing a
// copy, the stem that nulls best against the others, to MasterCandidateDB
// or lower, may be their master (masterAmong).
func (c *checker) sumCopies(sum []*input) error {
	s := c.sumStats
	if s == nil {
		return nil
	}
	copyAt, copyNull, copyRho := -1, 0.0, 0.0
	candAt, candNull, candRho := -1, MasterCandidateDB, 0.0
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
		if null <= candNull {
			candAt, candNull, candRho = k, null, rho
		}
	}
	if copyAt < 0 {
		if candAt >= 0 {
			return c.masterAmong(sum, candAt, candNull, candRho)
		}
		return nil
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
	return nil
}

// A master of the song among the stems, without a mix: the mix of the
// other stems through a limiter or compressor nulls against their sum
// only to the depth of its gain reduction (−17 dB for francium through a
// true-peak limiter driven 8 dB, −10 dB driven 14 dB), far from
// DuplicateDB. But its gain is the one thing that differs: one gain per
// RidingFrames (5.3 ms at 48 kHz, under a limiter's release) leaves
// almost nothing of it (−36 dB and −31 dB), while a stem of its own is
// new music that no gain turns into the others' sum (a stem with the
// others' sum leaves −1 dB at most on francium and generated songs), and
// a bounce of the others less one stem leaves that stem (the mix less
// francium's effects: −13.5 dB).
const (
	// MasterCandidateDB: a stem that nulls against the sum of the other
	// stems to this (after one gain) is read again, block by block.
	MasterCandidateDB = -6.0
	// MasterRidingDB: a candidate that one gain per RidingFrames nulls to
	// this or lower is the others' mix with its level riding.
	MasterRidingDB = -25.0
	// MasterRidingGainDB: … and leaves at least this much less than one
	// gain does: the gain that rides is what makes it the others' mix
	// (a limiter's 3 dB of reduction already gives 17 dB), where a bounce
	// of all the others but a quiet stem nulls alike at any gain (the
	// quiet stem is its residual).
	MasterRidingGainDB = 10.0
	// RidingFrames is the block of the riding gain, in frames.
	RidingFrames = 256
)

// ridingFit accumulates the fit of a stem x to another signal o with one
// gain per RidingFrames block.
type ridingFit struct{ total, res float64 }

// addBlocks takes frames i0…i1−1 of x and y (per channel), in blocks of
// RidingFrames. o is y, or y − x when lessX (y is a sum that holds x).
func (f *ridingFit) addBlocks(x, y [][]float64, i0, i1 int, lessX bool) {
	for a := i0; a < i1; a += RidingFrames {
		b := min(a+RidingFrames, i1)
		var xx, xy, yy float64
		for ch := range y {
			d, e := fir.Dot2(x[ch][a:b], y[ch][a:b], x[ch][a:b])
			xy += d
			xx += e
			yy += fir.Dot(y[ch][a:b], y[ch][a:b])
		}
		xo, oo := xy, yy
		if lessX {
			// ⟨x, y − x⟩ and |y − x|²
			xo, oo = xy-xx, yy-2*xy+xx
		}
		f.total += xx
		if !(oo > 0) || xo == 0 {
			f.res += xx
			continue
		}
		f.res += max(xx-xo*xo/oo, 0)
	}
}

// nullDB is the residual, dB of x's energy (0 dB without any).
func (f *ridingFit) nullDB() float64 {
	if !(f.total > 0) {
		return 0
	}
	return 10 * math.Log10(max(f.res/f.total, 1e-30))
}

// openStreams opens inputs again for a pass; the caller closes them
// (closeStreams), also on error.
func (c *checker) openStreams(ins []*input) ([]*stream, error) {
	var streams []*stream
	for _, in := range ins {
		r, err := c.reader(in)
		if err != nil {
			return streams, err
		}
		streams = append(streams, newStream(r, BlockFrames, 0))
	}
	return streams, nil
}

func closeStreams(streams []*stream) {
	for _, s := range streams {
		s.close()
	}
}

// streamsErr is the first failure of a pass's streams over ins that the
// main pass did not already report.
func streamsErr(ins []*input, streams []*stream) error {
	for i, s := range streams {
		if s.err != nil && !knownEnd(ins[i], s.err) {
			return fmt.Errorf("check: reread %s: %w", ins[i].Name, s.err)
		}
	}
	return nil
}

// riding reads the summable stems again and fits stem k to the sum of the
// others with one gain per RidingFrames.
func (c *checker) riding(sum []*input, k int) (float64, error) {
	streams, err := c.openStreams(sum)
	defer closeStreams(streams)
	if err != nil {
		return 0, err
	}
	sm := newSummer(sum, c.sumCh, false)
	var f ridingFit
	err = lockstep(c.ctx, streams, nil, func(slot, n int) {
		sm.load(streams, nil, slot, n, nil)
		f.addBlocks(sm.Conv[k], sm.Sum, 0, n, true)
	})
	if err == nil {
		err = streamsErr(sum, streams)
	}
	return f.nullDB(), err
}

// ridingMix reads stem k and the mix again (only them: a stem that
// carries most of the mix's energy, a bass in electronic music, is a
// candidate too) and fits the stem to the mix with one gain per
// RidingFrames.
func (c *checker) ridingMix(sum []*input, k int) (float64, error) {
	ins := []*input{sum[k], c.mix}
	streams, err := c.openStreams(ins)
	defer closeStreams(streams)
	if err != nil {
		return 0, err
	}
	sm := newSummer(ins[:1], c.sumCh, true)
	if c.dcHP {
		sm.withDCBlock(ins[:1], c.rate)
	}
	var f ridingFit
	err = lockstep(c.ctx, streams, nil, func(slot, n int) {
		sm.load(streams[:1], streams[1], slot, n, nil)
		f.addBlocks(sm.Conv[0], sm.mix, 0, n, false)
	})
	if err == nil {
		err = streamsErr(ins, streams)
	}
	return f.nullDB(), err
}

// masterAmong reports stem k, which nulls against the sum of the others
// to null (correlation rho) with one gain, when one gain per RidingFrames
// nulls it to MasterRidingDB, MasterRidingGainDB deeper: a master or a
// bounce through the master bus, delivered as a stem. With a mix, the
// stem is fitted to the mix instead.
func (c *checker) masterAmong(sum []*input, k int, null, rho float64) error {
	ride, against := c.riding, "their sum"
	if c.mix != nil {
		ride, against = c.ridingMix, "the mix "+c.mix.Name
	}
	riding, err := ride(sum, k)
	if err != nil || riding > MasterRidingDB || riding > null-MasterRidingGainDB {
		return err
	}
	in := sum[k]
	in.mixCopy = true
	how := "the mix"
	if rho < 0 {
		how = "the polarity-inverted mix"
	}
	ms := RidingFrames * 1000 / float64(c.rate)
	c.add(stemmaster.CodeDuplicate, in.Name, riding,
		fmt.Sprintf("%s is %s of the other stems with its level riding, not a stem: a master of the song, or a bounce through a limiter or compressor on the master bus (one gain nulls it against %s only to %.1f dB, one gain per %.1f ms to %.1f dB); summed with them it plays the song twice", in.Name, how, against, null, ms, riding),
		masterFix(in.Name))
	return nil
}

// masterFix is the fix of a stem that is the whole song, processed.
func masterFix(name string) string {
	return fmt.Sprintf("leave %s out of the delivery and check again: it is the whole song, processed, not one stem (if a stem was meant in its place, export that stem)", name)
}

// copiedStem returns the first stem of sum left out of the comparison as a
// copy of another stem or of the mix (nil when none is): against a mix
// that the others do not sum to, what they lack is most probably the part
// that file was meant to hold.
func (c *checker) copiedStem(sum []*input) *input {
	for _, in := range sum {
		if !in.silent && in.copyOf() {
			return in
		}
	}
	return nil
}

// copyWhy words a residual beside a stem that is a copy (copiedStem): the
// part it was meant to hold is missing. Which of two identical stems is
// misnamed no figure tells; both are named.
func (c *checker) copyWhy(in *input) (why, fix string) {
	if in.mixCopy {
		why = fmt.Sprintf("%s is a copy of the mix (its duplicate finding), left out of the comparison: what the other stems lack is probably the part %s was meant to hold — the mix exported under its name, its own stem missing", in.Name, in.Name)
		fix = fmt.Sprintf("export %s again from its own track (or group); the other stems need no change", in.Name)
		return why, fix
	}
	orig := c.stems[in.duplicateOf].Name
	why = fmt.Sprintf("%s holds the same audio as %s (its duplicate finding) and is left out of the comparison: what the stems lack is probably the part one of the two was meant to hold — one track exported twice under two names, another part missing", in.Name, orig)
	fix = fmt.Sprintf("check which of %s and %s is not what its name says, and export that part again from its own track", orig, in.Name)
	return why, fix
}
