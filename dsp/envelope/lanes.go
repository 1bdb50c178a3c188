package envelope

import "fmt"

// MaxLanes is how many detectors Lanes steps together.
const MaxLanes = 4

// Lanes steps up to MaxLanes ControlRate detectors of the same run length
// and position, each with its BandCurve, together (the compressing bands
// of a multiband processor): each envelope's recursion (a product and a
// comparison per frame) is bound by its latency, so one detector leaves
// the processor mostly idle; the kernel carries one detector per vector
// lane, so the four recursions cost about what one did, and runs the four
// gain computers side by side at each run's end, with no call per run.
// Each detector gets the bits of its own Process with its BandCurve
// (TestCurveLanes).
type Lanes struct {
	k laneArgs
}

// laneArgs is curveLanesAVX's argument block (offsets L_* of
// lanes_amd64.s): each lane's frame pointers (its detector's two
// channels, the second the first again for a mono detector, and its
// gains, at the block's start), its detector's state and decay, the run's
// position, the kernel's constants in every lane, each lane's BandCurve
// and CurveState, the run (as a float64, its inverse, as an integer), the
// position in it, and the block's frames done, left and in the segment.
type laneArgs struct {
	x0, x1, g                         [MaxLanes]*float64
	env, peak, from, step             [MaxLanes]float64
	decay                             [MaxLanes]float64
	pos                               float64 // frames into the run, the same in every lane
	ones                              [MaxLanes]float64
	abs                               [MaxLanes]uint64 // clears a float64's sign bit
	thr, halfKnee, knee, inv2W, slope [MaxLanes]float64
	expThr, expSlope, rng             [MaxLanes]float64
	makeupDB, makeup                  [MaxLanes]float64 // side by side: GAIN reads them as a gain computer's
	quietBelow, quietAbove, att, rel  [MaxLanes]float64
	gr, maxGR                         [MaxLanes]float64
	tiny, dbPerLog2, minGR            [MaxLanes]float64
	runF, invRun                      float64
	run, posI, done, left, seg        int64
}

// SameRun reports whether the detectors can run in one Lanes: at most
// MaxLanes of them, with the same run length and position in the run.
func SameRun(cs []*ControlRate) bool {
	if len(cs) == 0 || len(cs) > MaxLanes {
		return false
	}
	for _, c := range cs[1:] {
		if c.run != cs[0].run || c.pos != cs[0].pos {
			return false
		}
	}
	return true
}

// ProcessCurves is cs[i].Process(dets[i], gs[i], …) with
// curves[i].Gain(sts[i], peak) the gain computer, for every detector at
// once (dets[i] of one or two channels, gs[i] all of one length), every
// BandCurve's Run that of the detectors, which must satisfy SameRun: in
// one kernel call for the whole block where it runs.
func (l *Lanes) ProcessCurves(cs []*ControlRate, dets [][][]float64, gs [][]float64, curves []*BandCurve, sts []*CurveState) {
	if !SameRun(cs) || len(dets) != len(cs) || len(gs) != len(cs) || len(curves) != len(cs) || len(sts) != len(cs) {
		panic(fmt.Sprintf("envelope: Lanes.ProcessCurves of %d detectors, %d inputs, %d outputs, %d curves and %d states not in step",
			len(cs), len(dets), len(gs), len(curves), len(sts)))
	}
	for _, c := range curves {
		if c.Run != cs[0].run {
			panic("envelope: Lanes.ProcessCurves with a curve of another run")
		}
	}
	l.processCurves(cs, dets, gs, curves, sts, lanesAccelerated)
}

// processCurves is ProcessCurves in the kernel (kernel set) or, as the
// kernel's reference, through each detector's Process.
func (l *Lanes) processCurves(cs []*ControlRate, dets [][][]float64, gs [][]float64, curves []*BandCurve, sts []*CurveState, kernel bool) {
	if !kernel {
		for i, c := range cs {
			b, st := curves[i], sts[i]
			c.Process(dets[i], gs[i], func(peak float64) float64 { return b.Gain(st, peak) })
		}
		return
	}
	n := len(gs[0])
	if n == 0 {
		return
	}
	k := &l.k
	for i := range MaxLanes {
		j := i
		if i >= len(cs) {
			j = 0 // a lane not in use repeats lane 0: the same values to the same places
		}
		d, g := dets[j], gs[j]
		if len(g) != n || len(d) < 1 || len(d) > 2 || len(d[0]) < n || len(d[len(d)-1]) < n {
			panic("envelope: Lanes.ProcessCurves with inputs shorter than the gains or of more than two channels")
		}
		c, b, st := cs[j], curves[j], sts[j]
		k.x0[i], k.x1[i], k.g[i] = &d[0][0], &d[len(d)-1][0], &g[0]
		k.env[i], k.peak[i], k.from[i], k.step[i], k.decay[i] = c.env, c.peak, c.from, c.step, c.decay
		k.thr[i], k.halfKnee[i], k.knee[i], k.inv2W[i], k.slope[i] = b.Thr, b.HalfKnee, b.Knee, b.Inv2W, b.Slope
		k.expThr[i], k.expSlope[i], k.rng[i], k.makeupDB[i], k.makeup[i] = b.ExpThr, b.ExpSlope, b.Range, b.MakeupDB, b.Makeup
		k.quietBelow[i], k.quietAbove[i] = b.QuietBelow, b.QuietAbove
		k.att[i], k.rel[i] = b.Smooth.Coefs(b.Run)
		k.gr[i], k.maxGR[i] = st.GR, st.MaxGR
	}
	c0 := cs[0]
	k.ones, k.abs = [MaxLanes]float64{1, 1, 1, 1}, [MaxLanes]uint64{1<<63 - 1, 1<<63 - 1, 1<<63 - 1, 1<<63 - 1}
	k.tiny, k.dbPerLog2, k.minGR = [MaxLanes]float64{1e-12, 1e-12, 1e-12, 1e-12}, [MaxLanes]float64{DBPerLog2, DBPerLog2, DBPerLog2, DBPerLog2}, [MaxLanes]float64{1e-9, 1e-9, 1e-9, 1e-9}
	k.runF, k.invRun, k.run, k.posI = float64(c0.run), c0.invRun, int64(c0.run), int64(c0.pos)
	k.pos = float64(c0.pos)
	k.done, k.left = 0, int64(n)
	curveLanes(k)
	for i, c := range cs {
		c.env, c.peak, c.from, c.step, c.pos = k.env[i], k.peak[i], k.from[i], k.step[i], int(k.posI)
		sts[i].GR, sts[i].MaxGR = k.gr[i], k.maxGR[i]
	}
}
