//go:build amd64 && !purego

package envelope

import (
	"math"

	"golang.org/x/sys/cpu"
)

// hasAVX2 is true when the processor and the operating system support
// AVX2 (the table lookups are gathers); hasAVX for the smoother.
var (
	hasAVX2 = cpu.X86.HasAVX2
	hasAVX  = cpu.X86.HasAVX
)

// kernelConsts are the constants of the assembly kernels, laid out as
// kernels_amd64.s reads them (byte offsets in the comments), computed here
// so the bits are those the Go code uses.
var kernelConsts = [...]uint64{
	0:  1<<52 - 1,                              // mantissa mask
	1:  1023 << 52,                             // exponent of [1, 2)
	2:  0x4330000000000000,                     // 2⁵² as bits: Log2's exponent trick
	3:  math.Float64bits(1<<52 + 1023),         // … and its value plus the bias
	4:  math.Float64bits(math.Log2E),           // l1
	5:  math.Float64bits(math.Log2E / 2),       // l2
	6:  math.Float64bits(1),                    // 1
	7:  math.Float64bits(tableSize),            // Exp2's 256
	8:  math.Float64bits(roundShifter),         // 1.5·2⁵²
	9:  math.Float64bits(math.Ln2 / tableSize), // ln2/256
	10: math.Float64bits(1.0 / 2),              // ½
	11: tableSize - 1,                          // index mask
	12: math.Float64bits(Log2PerDB),            // dB → log2
}

//go:noescape
func log2AVX2(dst, src []float64)

//go:noescape
func gainAVX2(gain, gr []float64, k *gainConsts)

//go:noescape
func smoothAVX(s *Smoother, gr float64, target, out []float64)

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

// gainFast does the first multiple of four values of GainBlock, setting
// k.peak to their largest reduction, and returns how many it did.
func gainFast(gain, gr []float64, k *gainConsts) int {
	n := len(gr) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	gainAVX2(gain[:n], gr[:n], k)
	return n
}

// smoothFast runs Smoother.Run in assembly where AVX is there and reports
// whether it did.
func smoothFast(s *Smoother, gr float64, target, out []float64) bool {
	if !hasAVX {
		return false
	}
	if len(target) > 0 {
		smoothAVX(s, gr, target, out)
	}
	return true
}
