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

// bellGainsAVX is bellAVX storing the band signal y and the gain − 1 g
// of each frame of x instead of the output (len(x) = len(g)).
//
//go:noescape
func bellGainsAVX(x []float32, y, g []float64, k *bellArgs)

func bellGains(x []float32, y, g []float64, k *bellArgs) { bellGainsAVX(x, y, g, k) }

// detectAVX is Process's detector over the channels x and y of the band
// signal, the gain − 1 of each frame to g, the state and constants in k.
//
//go:noescape
func detectAVX(x, y, g []float64, k *bellArgs)

func detectKernel(x, y, g []float64, k *bellArgs) { detectAVX(x, y, g, k) }
