//go:build amd64 && !purego

package loudness

import "golang.org/x/sys/cpu"

// kAccelerated is true when the processor (and the operating system)
// supports AVX, which kweight2AVX, kweightPeak2AVX and kweight4AVX need
// (three-operand forms, VINSERTPS, 256-bit double arithmetic, unaligned
// memory operands).
var kAccelerated = cpu.X86.HasAVX

//go:noescape
func kweight2AVX(xa, xb []float32, k *wideK, st *[14]float64)

func kweight2(xa, xb []float32, k *wideK, st *[14]float64) { kweight2AVX(xa, xb, k, st) }

//go:noescape
func kweightPeak2AVX(xa, xb []float32, k *wideK, st *[22]float64)

func kweightPeak2(xa, xb []float32, k *wideK, st *[22]float64) { kweightPeak2AVX(xa, xb, k, st) }

//go:noescape
func kweight4AVX(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64)

func kweight4(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64) {
	kweight4AVX(xa0, xa1, xb0, xb1, k, st)
}

// peakAccelerated is true when peakBitsAVX2 can run.
var peakAccelerated = cpu.X86.HasAVX2

//go:noescape
func peakBitsAVX2(x []float32) uint32

func peakBits(x []float32) uint32 { return peakBitsAVX2(x) }

//go:noescape
func extremeKeysAVX2(x []float32) (lo, hi int32)

func extremeKeys(x []float32) (lo, hi int32) { return extremeKeysAVX2(x) }

//go:noescape
func tpLoadAVX2(x []float32, ws, bmax []float64)

func tpLoad(x []float32, ws, bmax []float64) { tpLoadAVX2(x, ws, bmax) }

func d2Max(w *[tpRun + 2]float64) float64 {
	var d [1]float64
	d2BlocksAVX2(&w[0], d[:])
	return d[0]
}

//go:noescape
func d2BlocksAVX2(w *float64, dmax []float64)

// d2Blocks sets dmax[i] = d2Max of the tpRun + 2 values w[tpRun·i:]
// (len(w) ≥ tpRun·len(dmax) + 2).
func d2Blocks(w []float64, dmax []float64) {
	if len(dmax) == 0 {
		return
	}
	_ = w[tpRun*len(dmax)+1]
	d2BlocksAVX2(&w[0], dmax)
}

// octAccelerated is true when kweight8AVX512 can run (it transposes in
// 256-bit registers 16–31: AVX-512VL).
var octAccelerated = kAccelerated && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

//go:noescape
func kweight8AVX512(x *[8]*float32, n int, k *octK, st *[56]float64)

func kweight8(x *[8][]float32, k *octK, st *[56]float64) {
	n := len(x[0])
	if n == 0 {
		return
	}
	var p [8]*float32
	for j := range p {
		p[j] = &x[j][:n][0]
	}
	kweight8AVX512(&p, n, k, st)
}
