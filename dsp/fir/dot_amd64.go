//go:build amd64 && !purego

package fir

import (
	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/floats"
)

// accelerated is true when the processor (and the operating system, which
// must save the YMM registers; x/sys/cpu checks that too) supports AVX2 and
// FMA.
var accelerated = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The implementation in use, chosen once. Function values rather than a
// test in Dot and Dot2 keep those small enough to be inlined, so a call
// costs one indirect call into the kernel.
var (
	dotImpl  = dotSSE2
	dot2Impl = dot2SSE2
	kernel   = "sse2 (gonum)"
)

func init() {
	if accelerated {
		dotImpl, dot2Impl, kernel = dotAVX2, dot2AVX2, "avx2+fma"
	}
}

// dotSSE2 and dot2SSE2 are the fallback for amd64 without AVX2 or FMA:
// gonum's floats.Dot, SSE2 assembly.
func dotSSE2(a, b []float64) float64 { return floats.Dot(a, b[:len(a)]) }

func dot2SSE2(a, b0, b1 []float64) (float64, float64) {
	return floats.Dot(a, b0[:len(a)]), floats.Dot(a, b1[:len(a)])
}

// dotAVX2 is Dot in AVX2+FMA assembly. len(b) must be at least len(a).
//
//go:noescape
func dotAVX2(a, b []float64) float64

// dot2AVX2 is Dot2 in AVX2+FMA assembly: one row of dot2RowsAVX2.
func dot2AVX2(a, b0, b1 []float64) (s0, s1 float64) {
	if len(a) == 0 {
		return 0, 0
	}
	var offs [2]int
	var out [2]float64
	dot2RowsAVX2(&rowsJob{a: &a[0], b0: &b0[0], b1: &b1[0], k: len(a), offs: &offs[0], n: 1, out: &out[0]})
	return out[0], out[1]
}

// rowsJob is dot2RowsAVX2's arguments (the assembly reads the fields by
// offset: keep the order).
type rowsJob struct {
	a, b0, b1 *float64
	k         int
	offs      *int
	n         int
	out       *float64
}

// dot2RowsAVX2 is Dot2Rows in AVX2+FMA assembly, its arguments checked.
//
//go:noescape
func dot2RowsAVX2(j *rowsJob)

// dot2Rows2AVX512 is dot2RowsAVX2 in 512-bit registers, two frames at a
// time (n even, k ≥ 4), the same bits.
//
//go:noescape
func dot2Rows2AVX512(j *rowsJob)

// wide selects dot2Rows2AVX512 for Dot2Rows.
var wide = accelerated && cpu.X86.HasAVX512F

// rowsImpl runs Dot2Rows' checked work.
func rowsImpl(a []float64, k int, b0, b1 []float64, offs []int, out []float64) {
	rowsKernels(a, k, b0, b1, offs, out, wide)
}

// rowsKernels is rowsImpl with the AVX-512 pairs used only when wide512 is
// set, so that the tests can run the AVX2 rows alone on a machine that has
// both.
func rowsKernels(a []float64, k int, b0, b1 []float64, offs []int, out []float64, wide512 bool) {
	if !accelerated || k == 0 {
		rowsGeneric(a, k, b0, b1, offs, out)
		return
	}
	j := rowsJob{a: &a[0], b0: &b0[0], b1: &b1[0], k: k, offs: &offs[0], n: len(offs) / 2, out: &out[0]}
	if wide512 && k >= 4 && j.n >= 2 {
		pairs := j.n &^ 1
		j.n = pairs
		dot2Rows2AVX512(&j)
		if pairs == len(offs)/2 {
			return
		}
		j.offs, j.out, j.n = &offs[2*pairs], &out[2*pairs], 1
	}
	dot2RowsAVX2(&j)
}

// lanesAccelerated selects dot4LanesAVX (AVX is enough: it uses no FMA).
var lanesAccelerated = cpu.X86.HasAVX

// dot4LanesAVX continues DotPortable's four partial sums (acc[4j:4j+4])
// for b[j] over the first n elements, n a multiple of 4.
//
//go:noescape
func dot4LanesAVX(a *float64, b *[4]*float64, n int, acc *[16]float64)

// shiftsAccelerated selects Dot2Shifts' blocked path, which continues
// dot2RowsAVX2's sums (the kernel Dot2 uses when accelerated).
var shiftsAccelerated = accelerated

// dot2LanesAVX continues dot2RowsAVX2's whole steps for one row over n
// elements (a multiple of 16), its accumulators in acc.
//
//go:noescape
func dot2LanesAVX(a, b0, b1 *float64, n int, acc *[32]float64)
