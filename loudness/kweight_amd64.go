//go:build amd64 && !purego

package loudness

import "golang.org/x/sys/cpu"

// kAccelerated is true when the processor (and the operating system)
// supports AVX, which kweight2AVX needs (three-operand forms, VINSERTPS,
// unaligned memory operands).
var kAccelerated = cpu.X86.HasAVX

//go:noescape
func kweight2AVX(xa, xb []float32, k *wideK, st *[14]float64)

func kweight2(xa, xb []float32, k *wideK, st *[14]float64) { kweight2AVX(xa, xb, k, st) }

// peakAccelerated is true when peakBitsAVX2 can run.
var peakAccelerated = cpu.X86.HasAVX2

//go:noescape
func peakBitsAVX2(x []float32) uint32

func peakBits(x []float32) uint32 { return peakBitsAVX2(x) }

//go:noescape
func tpLoadAVX2(x []float32, ws, bmax []float64)

func tpLoad(x []float32, ws, bmax []float64) { tpLoadAVX2(x, ws, bmax) }

//go:noescape
func d2MaxAVX2(w *[tpRun + 2]float64) float64

func d2Max(w *[tpRun + 2]float64) float64 { return d2MaxAVX2(w) }
