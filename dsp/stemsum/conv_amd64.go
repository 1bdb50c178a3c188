//go:build amd64 && !purego

package stemsum

import "golang.org/x/sys/cpu"

// convAccelerated is true when convAddAVX can run.
var convAccelerated = cpu.X86.HasAVX

// convAddAVX is convAddGo four elements at a time; len(dst) is a multiple
// of 4 and the other slices as long.
//
//go:noescape
func convAddAVX(dst, acc []float64, x []float32, gain, weight float64)

// scaleAVX is scaleGo eight elements at a time; len(dst) is a multiple of
// 8 and src as long.
//
//go:noescape
func scaleAVX(dst, src []float32, gain float32)
