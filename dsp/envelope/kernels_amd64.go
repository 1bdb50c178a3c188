//go:build amd64 && !purego

package envelope

import (
	"math"

	"golang.org/x/sys/cpu"
)

// hasAVX2 is true when the processor and the operating system support
// AVX2 (the table lookups are gathers).
var hasAVX2 = cpu.X86.HasAVX2

// hasFMA is true when the processor has FMA3, which the gain computer's
// smoothing step (Smoother.Step, one fused multiply-add) needs.
var hasFMA = cpu.X86.HasFMA

// kernelConsts are the assembly's constants, each four times (one per
// lane) at the byte offsets K_* of kernels_amd64.s, computed here so the
// bits are those the Go code uses.
//
//lint:ignore U1000 read by the assembly only
var kernelConsts = func() (k [15][4]uint64) {
	for i, v := range [...]uint64{
		1<<52 - 1,                              // mantissa mask
		1023 << 52,                             // exponent of [1, 2)
		0x4330000000000000,                     // 2⁵² as bits: Log2's exponent trick
		math.Float64bits(1<<52 + 1023),         // … and its value plus the bias
		math.Float64bits(math.Log2E),           // l1
		math.Float64bits(math.Log2E / 2),       // l2
		math.Float64bits(1),                    // 1
		math.Float64bits(tableSize),            // Exp2's 256
		math.Float64bits(roundShifter),         // 1.5·2⁵²
		math.Float64bits(math.Ln2 / tableSize), // ln2/256
		math.Float64bits(1.0 / 2),              // ½
		tableSize - 1,                          // index mask
		math.Float64bits(Log2PerDB),            // dB → log2
		0,                                      // +0
	} {
		k[i] = [4]uint64{v, v, v, v}
	}
	return k
}()

// runArgs is gainComputerAVX2's argument block (offsets C_* of
// kernels_amd64.h): the curve and the makeup four times each, the
// reduction in and out and the block's largest, the smoother's 1 − α, its
// α four times, room for the four frames' α·target of each coefficient
// (the products off the recursion, made a pass ahead), the level under
// which the curve's reduction is exactly 0, four times, and flushBelow.
type runArgs struct {
	curve             [6][4]float64
	makeup, makeupLin [4]float64
	gr, peak          float64
	keepA, keepR      float64
	attack4, release4 [4]float64
	//lint:ignore U1000 written and read by the assembly only
	stepA, stepR [4]float64
	quiet        [4]float64
	flush        float64
}

//go:noescape
func log2AVX2(dst, src []float64)

//go:noescape
func exp2AVX2(dst, src []float64, scale float64)

// exp2Fast does the first multiple of four values of Exp2Block in
// assembly where AVX2 is there and returns how many it did.
func exp2Fast(dst, src []float64, scale float64) int {
	n := len(src) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	exp2AVX2(dst[:n], src[:n], scale)
	return n
}

//go:noescape
func applyAVX(dst, src, save []float32, g []float64)

// applyFast does the first multiple of four samples of applyGain in
// assembly where AVX2 is there and returns how many it did.
func applyFast(dst, src, save []float32, g []float64) int {
	n := len(dst) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	if save != nil {
		save = save[:n]
	}
	applyAVX(dst[:n], src[:n], save, g[:n])
	return n
}

//go:noescape
func gainComputerAVX2(k *runArgs, lv, gain []float64)

// log2Fast does the first multiple of four values of Log2Block in
// assembly where AVX2 is there and returns how many it did.
func log2Fast(dst, src []float64) int {
	n := len(src) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	log2AVX2(dst[:n], src[:n])
	return n
}

// runFast does the first multiple of four frames of GainComputer.Run in
// assembly where AVX2 is there; it returns how many it did, the reduction
// after them and their largest.
func runFast(g *GainComputer, gr float64, lv, gain []float64) (int, float64, float64) {
	n := len(lv) &^ 3
	if !hasAVX2 || !hasFMA || n == 0 {
		return 0, gr, 0
	}
	c := &g.Curve
	a, r := math.Float64frombits(g.Smooth.attack), math.Float64frombits(g.Smooth.release)
	k := runArgs{
		gr:       gr,
		keepA:    math.Float64frombits(g.Smooth.keepA),
		keepR:    math.Float64frombits(g.Smooth.keepR),
		attack4:  [4]float64{a, a, a, a},
		release4: [4]float64{r, r, r, r},
	}
	for i, v := range [...]float64{c.Scale, c.Thr, c.HalfKnee, c.Knee, c.Inv2W, c.Slope} {
		k.curve[i] = [4]float64{v, v, v, v}
	}
	k.makeup = [4]float64{g.MakeupDB, g.MakeupDB, g.MakeupDB, g.MakeupDB}
	k.makeupLin = [4]float64{g.MakeupLin, g.MakeupLin, g.MakeupLin, g.MakeupLin}
	q := g.QuietBelow
	k.quiet = [4]float64{q, q, q, q}
	k.flush = flushBelow
	gainComputerAVX2(&k, lv[:n], gain[:n])
	return n, k.gr, k.peak
}
