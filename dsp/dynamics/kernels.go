package dynamics

import "stemmaster/dsp/envelope"

// The compressor's block passes, each a loop without a dependency from one
// frame to the next (assembly where the processor allows, the same bits:
// TestKernelsMatchGo): the linear peak level of the key, the static curve
// from the log2 level to the target reduction, and the gain applied to the
// samples. The serial smoothing between them is envelope.Smoother.Run.

// curve holds the static curve's constants, as curveAVX reads them.
//
// GR = (1 − 1/R)·(k²/(2W) + max(d − W/2, 0)) with k = clamp(d + W/2, 0, W),
// d = level − threshold, which equals x − StaticCurve(x) in all three
// regions of eq. (4) and is 0 below the knee.
type curve struct {
	scale, thr            float64 // dB per log2 unit of the level; threshold
	halfKnee, knee, inv2W float64
	slope                 float64 // 1 − 1/R
}

// targets replaces the log2 levels lg by the target gain reductions (dB).
func (g *curve) targets(lg []float64) {
	for i := curveFast(lg, g); i < len(lg); i++ {
		d := g.scale*lg[i] - g.thr
		k := envelope.MinPos(envelope.Relu(d+g.halfKnee), g.knee)
		lg[i] = g.slope * (k*k*g.inv2W + envelope.Relu(d-g.halfKnee))
	}
}

// peakLevel writes the largest |x| across det's channels per frame,
// floored at floor (so silence stays finite in the log domain), to lv,
// from frame from on (the frames before it are done: peakFast).
func peakLevel[T float32 | float64](det [][]T, lv []float64, floor float64, from int) {
	switch len(det) {
	case 1:
		x := det[0][:len(lv)]
		for i := from; i < len(lv); i++ {
			lv[i] = envelope.MaxPos(envelope.Abs(float64(x[i])), floor)
		}
	case 2:
		x, y := det[0][:len(lv)], det[1][:len(lv)]
		for i := from; i < len(lv); i++ {
			lv[i] = envelope.MaxPos(envelope.MaxPos(envelope.Abs(float64(x[i])), envelope.Abs(float64(y[i]))), floor)
		}
	default:
		for i := from; i < len(lv); i++ {
			l := floor
			for _, d := range det {
				l = envelope.MaxPos(l, envelope.Abs(float64(d[i])))
			}
			lv[i] = l
		}
	}
}

// applyGain multiplies x by the gains g (in float64, rounded once).
func applyGain(x []float32, g []float64) {
	g = g[:len(x)]
	for i := applyFast(x, g); i < len(x); i++ {
		x[i] = float32(float64(x[i]) * g[i])
	}
}
