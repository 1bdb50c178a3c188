//go:build amd64 && !purego

package saturate

import "golang.org/x/sys/cpu"

// tanhAccelerated is true where the tanh kernel runs (AVX2: the gather and
// the 4-lane integer operations); tanhWide where its eight-lane form does
// (AVX-512F).
var (
	tanhAccelerated = cpu.X86.HasAVX2
	tanhWide        = tanhAccelerated && cpu.X86.HasAVX512F
)

//go:noescape
func tanhAVX2(v []float64, k *tanhConsts, tab *[256][2]uint64)

//go:noescape
func tanhAVX512(v []float64, k *tanhConsts, tab *[256][2]uint64)

// tanhAsm does v (len a multiple of 4) in the kernels: eight lanes a step
// where AVX-512 is there, the last four in the AVX2 kernel.
func tanhAsm(v []float64, k *tanhConsts) {
	if tanhWide {
		n := len(v) &^ 7
		tanhAVX512(v[:n], k, &exp2Bits)
		v = v[n:]
	}
	tanhAVX2(v, k, &exp2Bits)
}
