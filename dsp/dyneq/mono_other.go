//go:build !amd64 || purego

package dyneq

const bellAccelerated = false

func bellKernel(x []float32, k *bellArgs) { panic("dyneq: no bell kernel") }

func bellGains(v, y, g []float64, k *bellArgs) { panic("dyneq: no bell kernel") }

func msBandInFast(l, r []float32, v []float64, s float64) int { return 0 }

func msBellOutFast(l, r []float32, y, g []float64, s float64) int { return 0 }

func detectKernel(x0, x1, g []float64, k *bellArgs) { panic("dyneq: no detector kernel") }
