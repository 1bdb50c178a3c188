package check

import (
	"errors"
	"fmt"
	"io"
	"math"

	"stemmaster/analysis"
)

// Without a mix the Gram of the stems serves one finding only: two stems
// that null against each other (checkDuplicates). Summing every pair of
// stems over every block costs more than the rest of the sum's work, and
// almost always shows that no two stems are alike. So the main pass sums
// the pairs exactly over one block in screenEvery only, and bounds the
// rest of each pair's product by the blocks' energies (Cauchy–Schwarz,
// block by block, from levelStats' block energies): for stems that are
// not copies of one another the bound alone puts their null far above
// DuplicateDB. Only when some pair's bound cannot rule it out are the
// stems read again and the whole Gram summed, exactly as the main pass
// would have (the same blocks, the same sums, the same bits), for
// checkDuplicates to decide as before.

// screenEvery: the main pass sums the pairs exactly over block 0, then one
// block in this many.
const screenEvery = 4

// screenMarginDB: a pair is ruled out only when its bound leaves it this
// far above DuplicateDB, far beyond the rounding of the sums.
const screenMarginDB = 3.0

// dupScreen is the main pass's share of the screen.
type dupScreen struct {
	grams  []*analysis.Gram // per channel of the sum: the sampled blocks' sums
	blocks int              // blocks consumed
}

func newDupScreen(stems, channels int) *dupScreen {
	return &dupScreen{grams: newGrams(stems, channels)}
}

// add takes the block loaded in sm (n frames): its pairs are summed when
// it is a sampled block.
func (d *dupScreen) add(sm *summer, n int) {
	if d.blocks%screenEvery == 0 {
		sm.addGrams(d.grams, 0, n)
	}
	d.blocks++
}

// candidates says whether some pair of the stems may null to DuplicateDB
// or below. energy(k) is stem k's energy in the sum's channels per unit of
// its block energies (levelStats.blockEnergy).
func (d *dupScreen) candidates(sum []*input, energy func(k int) float64) bool {
	sampled := sumGrams(d.grams)
	limit := math.Pow(10, (DuplicateDB+screenMarginDB)/10) // 1 − ρ² at the margin
	total := make([]float64, len(sum))
	for k, in := range sum {
		for _, e := range in.st.blockEnergy {
			total[k] += e
		}
		total[k] *= energy(k)
	}
	for j := range sum {
		for i := range j {
			if total[i] == 0 || total[j] == 0 {
				continue // silent: never a duplicate (Gram.Correlation is 0)
			}
			bi, bj := sum[i].st.blockEnergy, sum[j].st.blockEnergy
			var rest float64
			for b := range min(len(bi), len(bj)) {
				if b%screenEvery != 0 {
					rest += math.Sqrt(bi[b] * bj[b])
				}
			}
			rest *= math.Sqrt(energy(i) * energy(j))
			rho := (math.Abs(sampled.G[i][j]) + rest) / math.Sqrt(total[i]*total[j])
			// NaN (non-finite samples) is not ruled out either.
			if !(1-rho*rho > limit) {
				return true
			}
		}
	}
	return false
}

// exactGrams reads the summable stems again and sums their Gram per
// channel over every block, as the main pass does: in its blocks, whose
// length the longest input it read sets (frames, the last block's length
// decides how its sums are split).
func (c *checker) exactGrams(sum []*input, frames int64) ([]*analysis.Gram, error) {
	streams, err := c.openStreams(sum)
	defer closeStreams(streams)
	if err != nil {
		return nil, err
	}
	gs := newGrams(len(sum), c.sumCh)
	sm := newSummer(sum, c.sumCh, false)
	var pos int64
	err = lockstep(c.ctx, streams, nil, func(slot, n int) {
		// Past the stems' ends the blocks hold zeros (stream.fill).
		n = int(min(BlockFrames, max(frames-pos, int64(n))))
		pos += int64(n)
		sm.load(streams, nil, slot, n, nil)
		sm.addGrams(gs, 0, n)
	})
	if err != nil {
		return nil, err
	}
	for i, s := range streams {
		if s.err != nil && !knownEnd(sum[i], s.err) && !errors.Is(s.err, io.EOF) {
			return nil, fmt.Errorf("check: reread %s: %w", sum[i].Name, s.err)
		}
	}
	return gs, nil
}
