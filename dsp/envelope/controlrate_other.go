//go:build !amd64 || purego

package envelope

const controlAccelerated = false

func controlFrames(x0, x1, g []float64, c *ControlRate) { panic("envelope: no control kernel") }
