//go:build amd64 && !purego

package limiter

import (
	"math"

	"golang.org/x/sys/cpu"
)

// nyquistKernel is runNyquistPair's memory laid out for nyquistPairAVX:
// the coefficients b0, b1, b2, a1, a2 of section 0 then section 1, each
// twice (one per lane); the state x1, x2, y1, y2 of section 0 then 1, lane
// 0 channel A and lane 1 channel B; the sign of the modulation (twice);
// the sign-bit and magnitude masks.
type nyquistKernel struct {
	coef         [10][2]float64
	state        [8][2]float64
	sign         [2]float64
	signBit, abs [2]uint64
}

// hasAVX is true when the processor and the operating system support AVX;
// hasAVX2 for the kernels that permute across the lanes.
var (
	hasAVX  = cpu.X86.HasAVX
	hasAVX2 = cpu.X86.HasAVX2
)

//go:noescape
func nyquistPairAVX(k *nyquistKernel, inA, inB, hf []float64)

// nyquistPairFast is runNyquistPair in assembly where AVX is there (the
// same bits: TestNyquistPairAssembly); it reports whether it ran.
func nyquistPairFast(na, nb *nyquistBand, inA, inB, hf []float64) bool {
	if !hasAVX || len(inA) == 0 {
		return false
	}
	var k nyquistKernel
	for s := range 2 {
		for j, c := range [5]float64{na.b0[s], na.b1[s], na.b2[s], na.a1[s], na.a2[s]} {
			k.coef[5*s+j] = [2]float64{c, c}
		}
		for j, v := range [4][2]float64{{na.x1[s], nb.x1[s]}, {na.x2[s], nb.x2[s]}, {na.y1[s], nb.y1[s]}, {na.y2[s], nb.y2[s]}} {
			k.state[4*s+j] = v
		}
	}
	k.sign = [2]float64{na.sign, na.sign}
	k.signBit = [2]uint64{1 << 63, 1 << 63}
	k.abs = [2]uint64{math.MaxInt64, math.MaxInt64}
	nyquistPairAVX(&k, inA, inB[:len(inA)], hf[:len(inA)])
	for s := range 2 {
		na.x1[s], nb.x1[s] = k.state[4*s][0], k.state[4*s][1]
		na.x2[s], nb.x2[s] = k.state[4*s+1][0], k.state[4*s+1][1]
		na.y1[s], nb.y1[s] = k.state[4*s+2][0], k.state[4*s+2][1]
		na.y2[s], nb.y2[s] = k.state[4*s+3][0], k.state[4*s+3][1]
	}
	na.sign, nb.sign = k.sign[0], k.sign[0]
	return true
}
