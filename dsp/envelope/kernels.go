package envelope

import "math"

// Block forms of the per-frame gain path. Each gives exactly the bits of
// the per-value functions it is made of (Log2, Curve, Smoother.Step, Exp2),
// in assembly where the processor allows: TestKernelsMatchGo holds the two
// to the same bits. The Go loops are the reference and the fallback.

// Log2Block sets dst[i] = Log2(src[i]) for every value of src (positive
// normal values; len(dst) ≥ len(src)).
func Log2Block(dst, src []float64) {
	dst = dst[:len(src)]
	for i := log2Fast(dst, src); i < len(src); i++ {
		dst[i] = Log2(src[i])
	}
}

// Exp2Block sets dst[i] = Exp2(scale·src[i]) for every value of src
// (len(dst) ≥ len(src)).
func Exp2Block(dst, src []float64, scale float64) {
	dst = dst[:len(src)]
	for i := exp2Fast(dst, src, scale); i < len(src); i++ {
		dst[i] = Exp2(scale * src[i])
	}
}

// Curve is a compressor's static curve (the gain computer of Giannoulis et
// al. 2012, eq. 4) on the log2 detector level l:
//
//	GR = Slope·(k²·Inv2W + max(d − HalfKnee, 0)), d = Scale·l − Thr,
//	k = clamp(d + HalfKnee, 0, Knee)
//
// with Scale the dB per log2 unit of the level, Thr the threshold (dB),
// Knee the knee's width W (dB), HalfKnee = W/2, Inv2W = 1/(2W) (0 for a
// hard knee) and Slope = 1 − 1/ratio. GR equals x − dynamics.StaticCurve(x)
// in all three regions of eq. 4 and is 0 below the knee.
type Curve struct {
	Scale, Thr, HalfKnee, Knee, Inv2W, Slope float64
}

// Target returns the gain reduction (dB, ≥ 0) for the log2 level l.
func (g *Curve) Target(l float64) float64 {
	return kneeReduction(g.Scale*l-g.Thr, g.HalfKnee, g.Knee, g.Inv2W, g.Slope)
}

// kneeReduction is eq. 4's reduction for d dB over the threshold, the one
// formula of Curve and BandCurve (their kernels hold the same operations).
func kneeReduction(d, halfKnee, knee, inv2W, slope float64) float64 {
	k := MinPos(Relu(d+halfKnee), knee)
	return slope * (k*k*inv2W + Relu(d-halfKnee))
}

// GainComputer is a compressor's path from detector level to gain: the
// level's log2, the static curve, the attack/release smoothing and the
// gain with makeup (dB, and as an amplitude: exactly that where the
// reduction is 0). QuietBelow is the curve's QuietLevel, set with it: the
// assembly skips the log2 and the curve of levels under it (0 skips none).
type GainComputer struct {
	Curve               Curve
	Smooth              Smoother
	MakeupDB, MakeupLin float64
	QuietBelow          float64
}

// Run takes the detector levels lv (linear, positive normal values; they
// are overwritten) and the smoothed reduction gr before them, writes the
// gain of each frame to gain (len ≥ len(lv)) and returns the reduction
// after the last frame and the largest reduction of the block.
//
// The frames' levels, curve and gains have no dependency from one frame to
// the next; only the smoothing is serial. The assembly does four frames at
// a time in one loop, so the out-of-order core runs the vector work of the
// next frames while the smoothing's recursion waits on its latencies.
func (g *GainComputer) Run(gr float64, lv, gain []float64) (float64, float64) {
	gain = gain[:len(lv)]
	i, gr, peak := runFast(g, gr, lv, gain)
	lv, gain = lv[i:], gain[i:]
	Log2Block(lv, lv)
	for j, l := range lv {
		gr = g.Smooth.Step(gr, g.Curve.Target(l))
		v := g.MakeupLin
		if gr != 0 {
			v = Exp2((g.MakeupDB - gr) * Log2PerDB)
		}
		gain[j] = v
		peak = MaxPos(peak, gr)
	}
	return gr, peak
}

// QuietLevel returns the linear detector level under which a knee's
// reduction (kneeReduction, so Curve.Target and BandCurve's) is exactly +0:
// the level scale·log2(x) dB lies under the knee's foot thr − halfKnee
// (d + halfKnee < 0, so both Relu give +0) by 1e-6 log2 units, a margin far
// above Log2's error (4e-9), so a kernel may skip the Log2 and the curve
// under it and give the same bits. scale is the detector's dB per log2 unit
// (DBPerLog2 for an amplitude, half that for a mean square); a hard knee
// has halfKnee 0. 0 (never skip) when the curve has no such level.
func QuietLevel(thr, halfKnee, scale float64) float64 {
	foot := (thr - halfKnee) / scale
	if !(scale > 0) || math.IsNaN(foot) || math.IsInf(foot, 0) {
		return 0
	}
	return math.Exp2(max(foot-1e-6, -1000))
}
