//go:build !amd64 || purego

package dyneq

const bellAccelerated = false

func bellKernel(x []float32, k *bellArgs) { panic("dyneq: no bell kernel") }
