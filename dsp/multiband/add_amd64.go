//go:build amd64 && !purego

package multiband

import "golang.org/x/sys/cpu"

// addAccelerated is true where the band sums run with AVX.
var addAccelerated = cpu.X86.HasAVX

//go:noescape
func maddAVX(s, x, g []float64)

//go:noescape
func widthAddAVX(sl, sr, l, r, g []float64, h float64)

func maddAsm(s, x, g []float64) { maddAVX(s, x, g) }

func widthAddAsm(sl, sr, l, r, g []float64, h float64) { widthAddAVX(sl, sr, l, r, g, h) }
