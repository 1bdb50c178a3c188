//go:build !amd64 || purego

package dither

// flatFast does nothing where there is no kernel: processFlat's loop
// dithers every sample.
func (d *Ditherer) flatFast(ch []float32, rng *pcg) int { return 0 }

func (d *Ditherer) flatFast2(a, b []float32, ra, rb *pcg) int { return 0 }

// lanesAccelerated is false: there is no kernel.
const lanesAccelerated = false
