//go:build amd64 && !purego

package dither

import "golang.org/x/sys/cpu"

// lanesAccelerated is true when flatLanesAVX512 can run: AVX-512
// foundation, and DQ for the 64-bit products and conversions.
var lanesAccelerated = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ

// flatArgs is flatLanesAVX512's argument block: the lanes, the jump, and
// the quantiser's constants (offsets F_* of flat_amd64.s).
type flatArgs struct {
	lanes              laneState
	jump               [4]uint64
	scale, inv, lo, hi float64
}

// flatLanesAVX512 dithers a with the lanes of ka and, where b is not
// empty, b (as long as a) with those of kb in the same loop.
//
//go:noescape
func flatLanesAVX512(a, b []float32, ka, kb *flatArgs)

// flatFast dithers the first multiple of laneCount samples of ch as
// processFlat does, in the kernel where the processor has one, advancing
// *rng by as many draws; it returns how many it did.
func (d *Ditherer) flatFast(ch []float32, rng *pcg) int {
	n := len(ch) &^ (laneCount - 1)
	if !lanesAccelerated || n == 0 {
		return 0
	}
	k := flatArgs{jump: jump, scale: d.scale, inv: 1 / d.scale, lo: d.minCode, hi: d.maxCode}
	k.lanes.spread(*rng)
	flatLanesAVX512(ch[:n], nil, &k, nil)
	// The kernel leaves the lanes at the last eight draws: the last is the
	// generator's state now.
	*rng = pcg{hi: k.lanes.hi[laneCount-1], lo: k.lanes.lo[laneCount-1]}
	return n
}

// flatFast2 is flatFast over two channels of the same length at once.
func (d *Ditherer) flatFast2(a, b []float32, ra, rb *pcg) int {
	n := len(a) &^ (laneCount - 1)
	if !lanesAccelerated || n == 0 {
		return 0
	}
	ka := flatArgs{jump: jump, scale: d.scale, inv: 1 / d.scale, lo: d.minCode, hi: d.maxCode}
	kb := ka
	ka.lanes.spread(*ra)
	kb.lanes.spread(*rb)
	flatLanesAVX512(a[:n], b[:n], &ka, &kb)
	*ra = pcg{hi: ka.lanes.hi[laneCount-1], lo: ka.lanes.lo[laneCount-1]}
	*rb = pcg{hi: kb.lanes.hi[laneCount-1], lo: kb.lanes.lo[laneCount-1]}
	return n
}
