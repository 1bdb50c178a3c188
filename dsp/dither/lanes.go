package dither

import "math/bits"

// Eight draws of a generator at once: lane k of a laneState holds the
// state k+1 steps after a scalar state, so that the eight lanes' outputs
// are the generator's next eight draws, in order, and every lane steps by
// eight (the generator's step composed with itself eight times, an affine
// map like the step itself: state·jumpMul + jumpInc mod 2¹²⁸). The kernel
// that runs them (flatLanes) gives the same draws, so the same bits, as the
// scalar loop.

// laneState is eight consecutive states of one generator.
type laneState struct {
	hi, lo [laneCount]uint64
}

// laneCount is how many draws the lanes take at once.
const laneCount = 8

// jump is the generator's step applied laneCount times: a multiplier and
// an increment, high word first.
var jump = func() (j [4]uint64) {
	// (a, c) is the affine map state → a·state + c; compose the step onto
	// it laneCount times, starting from the identity.
	ah, al, ch, cl := uint64(0), uint64(1), uint64(0), uint64(0)
	for range laneCount {
		ah, al = mul128(pcgMulHi, pcgMulLo, ah, al)
		ch, cl = mul128(pcgMulHi, pcgMulLo, ch, cl)
		var c uint64
		cl, c = bits.Add64(cl, pcgIncLo, 0)
		ch, _ = bits.Add64(ch, pcgIncHi, c)
	}
	return [4]uint64{ah, al, ch, cl}
}()

// mul128 returns (xh·2⁶⁴ + xl)·(yh·2⁶⁴ + yl) mod 2¹²⁸.
func mul128(xh, xl, yh, yl uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(xl, yl)
	hi += xh*yl + xl*yh
	return hi, lo
}

// spread sets the lanes to the eight states after p's next eight steps.
func (l *laneState) spread(p pcg) {
	for k := range laneCount {
		p.step()
		l.hi[k], l.lo[k] = p.hi, p.lo
	}
}
