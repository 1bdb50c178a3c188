package envelope

// ApplyGain multiplies x by the gains g (len ≥ len(x)), each product in
// float64 rounded once to float32: the compressor's gain on its samples.
func ApplyGain(x []float32, g []float64) { applyGain(x, x, nil, g) }

// DelayGain passes x through the delay line d (as long as x) with the
// gains g: x[i] becomes d[i]·g[i] (rounded as ApplyGain) and d[i] the old
// x[i]; the look-ahead limiter's output.
func DelayGain(x, d []float32, g []float64) { applyGain(x, d, d, g) }

// applyGain sets dst[i] = src[i]·g[i], saving the old dst[i] to save[i]
// first unless save is nil.
func applyGain(dst, src, save []float32, g []float64) {
	src, g = src[:len(dst)], g[:len(dst)]
	if save != nil {
		save = save[:len(dst)]
	}
	for i := applyFast(dst, src, save, g); i < len(dst); i++ {
		v := dst[i]
		dst[i] = float32(float64(src[i]) * g[i])
		if save != nil {
			save[i] = v
		}
	}
}
