//go:build !amd64 || purego

package dyneq

const bellAccelerated = false

func bellKernel(x []float32, k *bellArgs) { panic("dyneq: no bell kernel") }

func bellGains(x []float32, y, g []float64, k *bellArgs) { panic("dyneq: no bell kernel") }

func detectKernel(x, y, g []float64, k *bellArgs) { panic("dyneq: no detector kernel") }
