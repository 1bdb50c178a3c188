package dither

import "math/bits"

// pcg is a PCG-DXSM generator: a 128-bit linear congruential state and
// the "double xorshift multiply" output of M. E. O'Neill's PCG family. Its
// multiplier, increment and output function are math/rand/v2's PCG, so a
// pcg{hi: a, lo: b} yields the same numbers as rand.NewPCG(a, b)
// (TestPCGMatchesStandardLibrary). It is a value type with a method the
// compiler inlines, so the dither loop keeps the state in registers
// instead of calling through a pointer per sample.
type pcg struct {
	hi, lo uint64
}

const (
	pcgMulHi = 2549297995355413924
	pcgMulLo = 4865540595714422341
	pcgIncHi = 6364136223846793005
	pcgIncLo = 1442695040888963407
	dxsmMul  = 0xda942042e4dd58b5
)

// step advances the state: state = state·mul + inc (mod 2¹²⁸).
func (p *pcg) step() {
	hi, lo := bits.Mul64(p.lo, pcgMulLo)
	hi += p.hi*pcgMulLo + p.lo*pcgMulHi
	lo, c := bits.Add64(lo, pcgIncLo, 0)
	hi, _ = bits.Add64(hi, pcgIncHi, c)
	p.hi, p.lo = hi, lo
}

// next advances the state and returns the DXSM output of the new state.
func (p *pcg) next() uint64 {
	p.step()
	hi := p.hi
	hi ^= hi >> 32
	hi *= dxsmMul
	hi ^= hi >> 48
	return hi * (p.lo | 1)
}

// skip advances the state by n draws.
func (p *pcg) skip(n int) {
	for range n {
		p.step()
	}
}
