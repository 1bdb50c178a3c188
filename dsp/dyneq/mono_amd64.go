//go:build amd64 && !purego

package dyneq

import "golang.org/x/sys/cpu"

// bellAccelerated is true when the processor and the operating system
// support AVX (bellAVX's three-operand scalar forms and VBLENDVPD).
var bellAccelerated = cpu.X86.HasAVX

// bellAVX is bellMono's loop over x with the state and constants in k.
//
//go:noescape
func bellAVX(x []float32, k *bellArgs)

func bellKernel(x []float32, k *bellArgs) { bellAVX(x, k) }
