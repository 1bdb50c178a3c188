package envelope

import "fmt"

// MaxLanes is how many detectors Lanes steps together.
const MaxLanes = 4

// Lanes steps up to MaxLanes ControlRate detectors of the same run length
// and position together (the bands of a multiband processor): each
// envelope's recursion (a product and a comparison per frame) is bound by
// its latency, so one detector leaves the processor mostly idle; the
// kernel carries one detector per vector lane, so the four recursions cost
// about what one did. Each detector gets the bits its own Process would
// give (TestLanesMatchProcess).
type Lanes struct {
	k laneArgs
}

// laneArgs is controlLanesAVX's argument block (offsets L_* of
// lanes_amd64.s): each lane's frame pointers (its detector's two
// channels, the second the first again for a mono detector, and its
// gains), its state and decay, the run's position, the kernel's constants
// in every lane, and the scratch the unused lanes read and write.
type laneArgs struct {
	x0, x1, g             [MaxLanes]*float64
	env, peak, from, step [MaxLanes]float64
	decay                 [MaxLanes]float64
	pos                   float64 // frames into the run, the same in every lane
	ones                  [MaxLanes]float64
	abs                   [MaxLanes]uint64 // clears a float64's sign bit
	spareIn, spareOut     [MaxRun]float64
	// curveLanesAVX: each lane's BandCurve and CurveState, the
	// constants, the run (as a float64, its inverse, as an integer), the
	// position in it, and the block's frames done, left and in the segment
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

// Process is cs[i].Process(dets[i], gs[i], …) for every detector at once
// (dets[i] of one or two channels, gs[i] all of one length), with
// control(i, peak) the gain computer of detector i. The detectors must
// satisfy SameRun.
func (l *Lanes) Process(cs []*ControlRate, dets [][][]float64, gs [][]float64, control func(lane int, peak float64) float64) {
	l.process(cs, dets, gs, control, lanesAccelerated)
}

// process is Process in the kernel (kernel set) or in Go.
func (l *Lanes) process(cs []*ControlRate, dets [][][]float64, gs [][]float64, control func(lane int, peak float64) float64, kernel bool) {
	if !SameRun(cs) || len(dets) != len(cs) || len(gs) != len(cs) {
		panic(fmt.Sprintf("envelope: Lanes.Process of %d detectors, %d inputs and %d outputs not in step", len(cs), len(dets), len(gs)))
	}
	n := len(gs[0])
	for i, d := range dets {
		if len(gs[i]) != n || len(d) < 1 || len(d) > 2 || len(d[0]) < n || len(d[len(d)-1]) < n {
			panic("envelope: Lanes.Process with inputs shorter than the gains or of more than two channels")
		}
	}
	l.k.ones, l.k.abs = [MaxLanes]float64{1, 1, 1, 1}, [MaxLanes]uint64{1<<63 - 1, 1<<63 - 1, 1<<63 - 1, 1<<63 - 1}
	c0 := cs[0]
	for at := 0; at < n; {
		end := min(at+c0.run-c0.pos, n)
		l.frames(cs, dets, gs, at, end, kernel)
		at = end
		if c0.pos == c0.run {
			for i, c := range cs {
				c.from += c.step * float64(c.pos)
				c.step = (control(i, c.peak) - c.from) * c.invRun
				c.peak, c.pos = 0, 0
			}
		}
	}
}

// frames runs frames [at, end) of every detector, which end at or before
// the end of the current run: in the kernel (kernel set), or with
// process2's frame arithmetic lane by lane.
func (l *Lanes) frames(cs []*ControlRate, dets [][][]float64, gs [][]float64, at, end int, kernel bool) {
	if end == at {
		return
	}
	if !kernel {
		for i, c := range cs {
			d := dets[i]
			framesGo(d[0][at:end], d[len(d)-1][at:end], gs[i][at:end], c)
		}
		return
	}
	k := &l.k
	for i := range MaxLanes {
		if i >= len(cs) {
			k.x0[i], k.x1[i], k.g[i] = &k.spareIn[0], &k.spareIn[0], &k.spareOut[0]
			k.decay[i] = 0
			continue
		}
		c, d := cs[i], dets[i]
		k.x0[i], k.x1[i], k.g[i] = &d[0][at], &d[len(d)-1][at], &gs[i][at]
		k.env[i], k.peak[i], k.from[i], k.step[i], k.decay[i] = c.env, c.peak, c.from, c.step, c.decay
	}
	k.pos = float64(cs[0].pos)
	controlLanes(k, end-at)
	for i, c := range cs {
		c.env, c.peak = k.env[i], k.peak[i]
		c.pos += end - at
	}
}

// framesGo is process2Go's frame arithmetic over frames that end at or
// before the end of the current run.
func framesGo(x0, x1, g []float64, c *ControlRate) {
	env, decay, peak, pos, from, step := c.env, c.decay, c.peak, c.pos, c.from, c.step
	x1 = x1[:len(x0)]
	for i, v := range x0[:len(g)] {
		env, peak = envStep(env, decay, peak, v, x1[i])
		pos++
		g[i] = from + step*float64(pos)
	}
	c.env, c.peak, c.pos = env, peak, pos
}

// ProcessCurves is Process with curves[i].Gain(sts[i], peak) the gain
// computer of detector i, every BandCurve's Run that of the detectors: in
// one kernel call for the whole block where it runs (curveLanesAVX: the
// detectors' frames and, at each run's end, the four gain computers side
// by side; the same bits, TestCurveLanes).
func (l *Lanes) ProcessCurves(cs []*ControlRate, dets [][][]float64, gs [][]float64, curves []*BandCurve, sts []*CurveState) {
	if len(curves) != len(cs) || len(sts) != len(cs) {
		panic("envelope: Lanes.ProcessCurves with a curve and a state per detector missing")
	}
	for _, c := range curves {
		if c.Run != cs[0].run {
			panic("envelope: Lanes.ProcessCurves with a curve of another run")
		}
	}
	l.processCurves(cs, dets, gs, curves, sts, lanesAccelerated)
}

// processCurves is ProcessCurves in the kernel (kernel set) or through
// Process.
func (l *Lanes) processCurves(cs []*ControlRate, dets [][][]float64, gs [][]float64, curves []*BandCurve, sts []*CurveState, kernel bool) {
	if !kernel {
		l.process(cs, dets, gs, func(i int, peak float64) float64 { return curves[i].Gain(sts[i], peak) }, false)
		return
	}
	if !SameRun(cs) || len(dets) != len(cs) || len(gs) != len(cs) {
		panic(fmt.Sprintf("envelope: Lanes.ProcessCurves of %d detectors, %d inputs and %d outputs not in step", len(cs), len(dets), len(gs)))
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
