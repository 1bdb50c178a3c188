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

// addAVX is addGo eight elements at a time; len(dst) is a multiple of 8
// and src as long.
//
//go:noescape
func addAVX(dst, src []float32)

// scale2AVX is scale2Go eight elements at a time; len(l) is a multiple of
// 8 and the other slices as long.
//
//go:noescape
func scale2AVX(l, r, inL, inR []float32, gl, gr float32)

// setAVX is setGo eight elements at a time; len(dst) is a multiple of 8
// and src as long.
//
//go:noescape
func setAVX(dst, src []float32)
