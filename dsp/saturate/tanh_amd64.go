//go:build amd64 && !purego

package saturate

import "golang.org/x/sys/cpu"

// tanhAccelerated is true where the tanh kernel runs (AVX2: the gather and
// the 4-lane integer operations).
var tanhAccelerated = cpu.X86.HasAVX2

//go:noescape
func tanhAVX2(v []float64, k *tanhConsts, tab *[256][2]uint64)

func tanhAsm(v []float64, k *tanhConsts) { tanhAVX2(v, k, &exp2Bits) }
