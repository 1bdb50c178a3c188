//go:build amd64 && !purego

package dyneq

import "golang.org/x/sys/cpu"

// outAccelerated is true where the output loops run with AVX.
var outAccelerated = cpu.X86.HasAVX

//go:noescape
func bellOutAVX(x []float32, b, g []float64)

//go:noescape
func splitOutAVX(x []float32, lo, b, g []float64)

func bellOutAsm(x []float32, b, g []float64) { bellOutAVX(x, b, g) }

func splitOutAsm(x []float32, lo, b, g []float64) { splitOutAVX(x, lo, b, g) }
