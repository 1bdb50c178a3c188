package envelope

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"stemmaster/dsp/internal/dsptest"
)

// TestCurveLanes: one to four detectors with their BandCurves stepped
// in curveLanesAVX (the gain computers inline) give the bits of each
// detector's own Process with BandCurve.Gain per run — the gains, the detectors' and
// the curves' state: compressors with soft and hard knees, an expander,
// makeup up and down, mono and stereo detectors, bursts with silences
// (the quiet path, reductions starting and ending), NaNs, blocks of uneven
// lengths crossing the runs, runs of 1, 5 and 16. laneArgs's curve fields
// are where the kernel's assembly reads them.
func TestCurveLanes(t *testing.T) {
	t.Parallel()
	var k laneArgs
	dsptest.CheckOffsets(t, "laneArgs", "thr makeupDB makeup qb gr maxGR tiny runF run seg", []uintptr{
		unsafe.Offsetof(k.thr), unsafe.Offsetof(k.makeupDB), unsafe.Offsetof(k.makeup), unsafe.Offsetof(k.quietBelow), unsafe.Offsetof(k.gr),
		unsafe.Offsetof(k.maxGR), unsafe.Offsetof(k.tiny), unsafe.Offsetof(k.runF), unsafe.Offsetof(k.run), unsafe.Offsetof(k.seg),
	}, 328, 584, 616, 648, 776, 808, 840, 936, 952, 984)
	if !lanesAccelerated {
		t.Skip("no lanes kernel on this machine or build")
	}
	curve := func(i int, run int) BandCurve {
		thr, knee, ratio, ethr, eratio, makeup := -30+4*float64(i), 6*float64(i%2), 2+float64(i), -60+5*float64(i), 1+float64(i%3), float64(i-1)*1.5
		b := BandCurve{Thr: thr, HalfKnee: knee / 2, Knee: knee, Slope: 1 - 1/ratio, ExpThr: ethr, ExpSlope: eratio - 1, Range: 20,
			MakeupDB: makeup, Makeup: Exp2(makeup * Log2PerDB), QuietBelow: math.Pow(10, (thr-knee/2-1e-6)/20), QuietAbove: -1,
			Smooth: NewBlockSmoother(float64(run)*8/48, 80, 48000), Run: run}
		if knee > 0 {
			b.Inv2W = 1 / (2 * knee)
		}
		if eratio > 1 {
			b.QuietAbove = math.Pow(10, (ethr+1e-6)/20)
		}
		return b
	}
	for _, run := range []int{1, 5, 16} {
		for lanes := 1; lanes <= MaxLanes; lanes++ {
			rng := rand.New(rand.NewPCG(uint64(run), uint64(lanes)))
			var la, lg Lanes
			ca, cg := make([]*ControlRate, lanes), make([]*ControlRate, lanes)
			curves, sa, sg := make([]*BandCurve, lanes), make([]*CurveState, lanes), make([]*CurveState, lanes)
			for i := range ca {
				b := curve(i, run)
				a := NewControlRate(run, 0.999-0.001*float64(i))
				a.Reset(b.Makeup)
				g := a
				ca[i], cg[i], curves[i], sa[i], sg[i] = &a, &g, &b, &CurveState{}, &CurveState{}
			}
			for blk, n := range []int{1, 7, 300, 256, 513, 0, 3, 1000, 16, 15, 2000} {
				dets, ga, gg := make([][][]float64, lanes), make([][]float64, lanes), make([][]float64, lanes)
				for i := range dets {
					dets[i] = make([][]float64, 1+i%2)
					for c := range dets[i] {
						x := make([]float64, n)
						for f := range x {
							lvl := math.Pow(10, -float64((f+blk+7*i)/97%6))
							if (f+300*blk)/700%3 == 2 {
								lvl = 1e-7 // silence: the quiet path
							}
							x[f] = (2*rng.Float64() - 1) * lvl
							if (f+13*c+29*i)%997 == 5 {
								x[f] = math.NaN()
							}
						}
						dets[i][c] = x
					}
					ga[i], gg[i] = make([]float64, n), make([]float64, n)
				}
				la.processCurves(ca, dets, ga, curves, sa, true)
				lg.processCurves(cg, dets, gg, curves, sg, false)
				for i := range ga {
					for f := range ga[i] {
						if math.Float64bits(ga[i][f]) != math.Float64bits(gg[i][f]) {
							t.Fatalf("run %d, %d lanes, block %d, lane %d, frame %d: gain %v, want %v", run, lanes, blk, i, f, ga[i][f], gg[i][f])
						}
					}
				}
			}
			for i := range ca {
				if *ca[i] != *cg[i] || *sa[i] != *sg[i] || sg[i].MaxGR < 1 {
					t.Fatalf("run %d, %d lanes, lane %d: state %+v %+v, want %+v %+v", run, lanes, i, *ca[i], *sa[i], *cg[i], *sg[i])
				}
			}
		}
	}
}

// BenchmarkLanes: four stereo detectors with their BandCurves (runs of
// 16, compressing) over 512 frames, stepped as Lanes and one after
// another (per frame and detector).
func BenchmarkLanes(b *testing.B) {
	const n, lanes = 512, MaxLanes
	rng := rand.New(rand.NewPCG(1, 2))
	cs, curves, sts := make([]*ControlRate, lanes), make([]*BandCurve, lanes), make([]*CurveState, lanes)
	dets, gs := make([][][]float64, lanes), make([][]float64, lanes)
	for i := range cs {
		c := NewControlRate(16, 0.999)
		cs[i], sts[i] = &c, &CurveState{}
		curves[i] = &BandCurve{Thr: -30, Slope: 0.5, ExpThr: -120, Range: 40, Makeup: 1, QuietBelow: 0.03, QuietAbove: -1,
			Smooth: NewBlockSmoother(10, 150, 48000), Run: 16}
		dets[i] = [][]float64{make([]float64, n), make([]float64, n)}
		for _, x := range dets[i] {
			for f := range x {
				x[f] = (2*rng.Float64() - 1) * 0.5
			}
		}
		gs[i] = make([]float64, n)
	}
	for _, kernel := range []bool{true, false} {
		b.Run(map[bool]string{true: "lanes", false: "apart"}[kernel], func(b *testing.B) {
			var l Lanes
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				l.processCurves(cs, dets, gs, curves, sts, kernel && lanesAccelerated)
			}
			dsptest.ReportPerSample(b, cpu0, n*lanes)
		})
	}
}
