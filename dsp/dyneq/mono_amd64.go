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

// half is ½, for the mid/side kernels.
//
//lint:ignore U1000 read by the assembly only
var half = 0.5

// bellGainsAVX is bellAVX storing the band signal y and the gain − 1 g
// of each frame of v instead of the output.
//
//go:noescape
func bellGainsAVX(v, y, g []float64, k *bellArgs)

func bellGains(v, y, g []float64, k *bellArgs) { bellGainsAVX(v, y, g, k) }

//go:noescape
func msBandInAVX(l, r []float32, v []float64, s float64)

//go:noescape
func msBellOutAVX(l, r []float32, y, g []float64, s float64)

// msBandInFast does the first multiple of four frames of msBandIn in the
// kernel and returns how many it did.
func msBandInFast(l, r []float32, v []float64, s float64) int {
	n := len(l) &^ 3
	msBandInAVX(l[:n], r[:n], v[:n], s)
	return n
}

// msBellOutFast does the first multiple of four frames of msBellOut in
// the kernel and returns how many it did.
func msBellOutFast(l, r []float32, y, g []float64, s float64) int {
	n := len(l) &^ 3
	msBellOutAVX(l[:n], r[:n], y[:n], g[:n], s)
	return n
}

// detectAVX is Process's detector over the channels x0 and x1 of the band
// signal, the gain − 1 of each frame to g, the state and constants in k.
//
//go:noescape
func detectAVX(x0, x1, g []float64, k *bellArgs)

func detectKernel(x0, x1, g []float64, k *bellArgs) { detectAVX(x0, x1, g, k) }
