package envelope

// BandCurve is a multiband band's gain computer at the control rate: on
// the run's peak envelope in dB, a soft-knee compressor above Thr (knee
// Knee wide, HalfKnee its half, Inv2W = 1/(2·Knee) or 0 for a hard knee,
// Slope = 1 − 1/ratio) plus a downward expander below ExpThr (ExpSlope =
// ratio − 1, at most Range dB), the reduction smoothed by Smooth a run of
// Run samples at a time, and the gain with the makeup (MakeupDB, and
// Makeup = Exp2(MakeupDB·Log2PerDB), the gain with no reduction).
//
// With no reduction under way and the peak strictly between QuietAbove
// (the expander's threshold, 1e-6 dB inside it, beyond Log2's error) and
// QuietBelow (the knee's QuietLevel) the target is exactly 0: Gain
// returns Makeup at once, the bits the full path would give.
type BandCurve struct {
	Thr, HalfKnee, Knee, Inv2W, Slope float64
	ExpThr, ExpSlope, Range           float64
	MakeupDB, Makeup                  float64
	QuietBelow, QuietAbove            float64
	Smooth                            BlockSmoother
	Run                               int
}

// CurveState is a BandCurve's memory: the smoothed reduction (dB, ≥ 0)
// and the largest it has reached.
type CurveState struct {
	GR, MaxGR float64
}

// Gain advances st by one run towards the curve's target for the run's
// peak envelope and returns the band's gain for the run's end.
func (b *BandCurve) Gain(st *CurveState, peak float64) float64 {
	gr := st.GR
	if gr == 0 && peak < b.QuietBelow && peak > b.QuietAbove {
		return b.Makeup
	}
	lev := DBPerLog2 * Log2(MaxPos(peak, 1e-12))
	target := kneeReduction(lev-b.Thr, b.HalfKnee, b.Knee, b.Inv2W, b.Slope)
	target += min(b.ExpSlope*Relu(b.ExpThr-lev), b.Range)
	gr = b.Smooth.Step(gr, target, b.Run)
	st.MaxGR = max(st.MaxGR, gr)
	if gr < 1e-9 {
		gr = 0
	}
	st.GR = gr
	if gr == 0 {
		return b.Makeup
	}
	return Exp2((b.MakeupDB - gr) * Log2PerDB)
}
