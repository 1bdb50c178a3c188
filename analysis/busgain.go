package analysis

import (
	"math"
)

// Bus-gain tracking.
//
// The peak-following index (ResidualProfile) recognises a limiter or a
// clipper, whose residual sits on the peaks. A master-bus compressor is
// different: it turns whole passages down, so its residual is the sum
// itself times a factor that moves with time, and the residual's energy
// sits at the loud passages' typical level rather than on their peaks.
// The index then reads between the two patterns (−1.5 to −6 dB measured on
// the francium stems through fast compressors), and the fitted stem gains,
// all pulled down together (or up, by the makeup gain), look like fader
// errors on every stem.
//
// BusGainTrack tests that model directly: mix ≈ g(t)·u, u the stems' sum
// as delivered (unity gains, polarity as fitted). Over short blocks
// (BusGainBlockSeconds) it fits one scalar per block,
// gₖ = ⟨m, u⟩ₖ / ⟨u, u⟩ₖ, which removes ⟨m, u⟩ₖ²/⟨u, u⟩ₖ of the block's
// mix energy. The explained fraction is the part of the residual left by
// one constant gain that the per-block gains remove:
//
//	E = 1 − Σₖ (⟨m,m⟩ₖ − ⟨m,u⟩ₖ²/⟨u,u⟩ₖ) / (Σ⟨m,m⟩ − Σ⟨m,u⟩²/Σ⟨u,u⟩).
//
// A gain that moves with time (a compressor, a limiter, gain riding or
// automation on the master) gives E close to 1: what one constant gain
// leaves is almost all a multiple of the sum, block by block. Content of
// its own (a missing stem) is no multiple of the sum: a scalar per block
// takes only the chance projection of that content on the sum, about one
// part in the block's number of independent samples, so E stays small.
// Measured through package check on the francium excerpt and a generated
// song, and by hand on ffmpeg acompressor and sox compand output: 0.85 … 0.995
// for feed-forward compressors (threshold −20 and −30 dBFS, ratio 4,
// attack 1 … 50 ms, release 30 … 1000 ms, with and without makeup), 0.87 …
// 0.96 for peak limiters, 0.00 … 0.12 for every stem of francium and of a
// generated song left out of the delivery. BusGainExplainedMin sits
// between.
//
// How the gain moves tells what did it: the per-block gain in dB is
// correlated with the block's level of u (over the blocks above
// busGainGateDBFS, each counted once). A compressor turns the loud blocks
// down most: a clearly negative correlation (≤ CompressionMaxCorrelation;
// −0.37 … −0.98 measured for the compressors above). The 10th, 50th and
// 90th percentiles of the block gains give its range; the 90th (the
// quieter passages, below the threshold) is the makeup gain when positive.
const (
	// BusGainBlockSeconds is the length of the blocks over which the gain
	// is taken as constant: 20 ms is shorter than a compressor's release
	// (30 ms and up) and holds several periods of all but the lowest
	// fundamentals, so a missing stem's chance projection on the sum stays
	// small.
	BusGainBlockSeconds = 0.020
	// BusGainExplainedMin is the explained fraction at or above which the
	// residual is a gain that moves with time: master-bus processing.
	BusGainExplainedMin = 0.6
	// CompressionMaxCorrelation: a correlation of the block gain (dB) with
	// the block level (dB) at or below this is a compressor (or limiter).
	CompressionMaxCorrelation = -0.3
	// MovingGainMinSpreadDB: block gains whose 10th and 90th percentiles
	// are within this of each other move on fewer than a tenth of the
	// blocks (a limiter catching the odd peak, a short automated passage):
	// too few for the percentiles or the correlation to say how.
	MovingGainMinSpreadDB = 0.5

	busGainGateDBFS = -60.0 // blocks quieter than this (mean square of u) are left out of the gain statistics
	busGainBins     = 1920  // histogram of block gains: ±48 dB in 0.05 dB bins
	busGainBinDB    = 0.05
	busGainRangeDB  = 48.0
)

// BusGainTrack accumulates the per-block gain fit of a mix against the
// stems' sum as delivered (see the package's bus-gain notes):
// BlockGrams.Track hands it each block's sums (endBlock) and reads the
// Result.
type BusGainTrack struct {
	// the block being filled
	ch         int // channels
	n          int
	yy, my, mm float64

	// totals
	totYY, totMY, totMM float64
	perBlockRes         float64

	// statistics of the gated blocks: level L and gain G in dB
	count                    float64
	sL, sG, sLL, sGG, sLG    float64
	hist                     []float64
	nonPositive, gatedBlocks float64
}

// endBlock folds the block being filled into the totals.
func (t *BusGainTrack) endBlock() {
	if t.n == 0 {
		return
	}
	t.totYY += t.yy
	t.totMY += t.my
	t.totMM += t.mm
	res := t.mm
	if t.yy > 0 {
		res -= t.my * t.my / t.yy
	}
	t.perBlockRes += max(res, 0)
	ms := t.yy / float64(t.n*t.ch)
	if ms > 0 && 10*math.Log10(ms) >= busGainGateDBFS {
		t.gatedBlocks++
		if g := t.my / t.yy; g > 0 {
			l := 10 * math.Log10(ms)
			gdb := 20 * math.Log10(g)
			t.count++
			t.sL += l
			t.sG += gdb
			t.sLL += l * l
			t.sGG += gdb * gdb
			t.sLG += l * gdb
			b := int(math.Floor((gdb + busGainRangeDB) / busGainBinDB))
			t.hist[min(max(b, 0), busGainBins-1)]++
		} else {
			t.nonPositive++
		}
	}
	t.n, t.yy, t.my, t.mm = 0, 0, 0, 0
}

// BusGainResult is what a BusGainTrack found.
type BusGainResult struct {
	// Explained is the fraction of the constant-gain residual that the
	// per-block gains remove (NaN when there is no residual to explain).
	Explained float64
	// Correlation of the block gain with the block level, both in dB (NaN
	// with fewer than two gated blocks or a constant gain or level).
	Correlation float64
	// LowDB, HighDB are the 10th and 90th percentiles of the block gains
	// in dB; MedianDB the 50th.
	LowDB, MedianDB, HighDB float64
	// Slope is the gain's change per dB of level (dB/dB; −0.75 is a 4:1
	// compressor's above its threshold).
	Slope float64
}

// Result finishes the block being filled and returns the statistics. Add
// may not be called after it.
func (t *BusGainTrack) Result() BusGainResult {
	t.endBlock()
	r := BusGainResult{Explained: math.NaN(), Correlation: math.NaN(), Slope: math.NaN(),
		LowDB: math.NaN(), MedianDB: math.NaN(), HighDB: math.NaN()}
	if t.totYY > 0 {
		if r0 := t.totMM - t.totMY*t.totMY/t.totYY; r0 > 0 {
			r.Explained = 1 - t.perBlockRes/r0
		}
	}
	if t.count >= 2 {
		n := t.count
		vl := t.sLL/n - (t.sL/n)*(t.sL/n)
		vg := t.sGG/n - (t.sG/n)*(t.sG/n)
		cov := t.sLG/n - (t.sL/n)*(t.sG/n)
		if vl > 0 && vg > 0 {
			r.Correlation = cov / math.Sqrt(vl*vg)
		}
		if vl > 0 {
			r.Slope = cov / vl
		}
		r.LowDB, r.MedianDB, r.HighDB = t.percentile(0.1), t.percentile(0.5), t.percentile(0.9)
	}
	return r
}

// percentile returns the p-quantile of the gated block gains in dB (the
// centre of its histogram bin).
func (t *BusGainTrack) percentile(p float64) float64 {
	want := p * t.count
	var acc float64
	for b, c := range t.hist {
		acc += c
		if acc >= want && c > 0 {
			return (float64(b)+0.5)*busGainBinDB - busGainRangeDB
		}
	}
	return busGainRangeDB
}

// BusKind says what kind of master-bus processing a diagnosis found.
type BusKind int

// Kinds of master-bus processing. A constant bus gain is not among them:
// it nulls after the least-squares fit, so it never leaves a residual to
// diagnose (package check reports it from the fitted gains).
const (
	BusNone        BusKind = iota // not master-bus processing
	BusPeaks                      // the residual sits on the peaks: a limiter or clipper
	BusCompression                // a gain that falls as the sum gets louder: a compressor (or limiter)
	BusVarying                    // a gain that moves with time but not clearly with the level: automation, or dynamics keyed from elsewhere
)

// ResidualDiagnosis is the diagnosis of a residual with the figures behind
// it.
type ResidualDiagnosis struct {
	Cause           ResidualCause
	Kind            BusKind
	PeakFollowingDB float64
	Bus             BusGainResult
}

// DiagnoseResidual combines the peak-following index and the bus-gain
// track. A residual that a gain moving with time explains
// (BusGainExplainedMin) is master-bus processing: compression when the
// gain clearly falls with the level (CompressionMaxCorrelation, over a
// spread of at least MovingGainMinSpreadDB), else a limiter or clipper when
// the residual sits on the peaks (BusProcessingMinDB), else a gain that
// moves otherwise. A residual the track does not explain is diagnosed by
// the peak-following index alone, as Diagnose does.
func DiagnoseResidual(peakFollowingDB float64, bus BusGainResult) ResidualDiagnosis {
	d := ResidualDiagnosis{Cause: Diagnose(peakFollowingDB), PeakFollowingDB: peakFollowingDB, Bus: bus}
	onPeaks := d.Cause == CauseBusProcessing
	if bus.Explained >= BusGainExplainedMin { // false for NaN
		d.Cause = CauseBusProcessing
		switch {
		case bus.HighDB-bus.LowDB >= MovingGainMinSpreadDB && bus.Correlation <= CompressionMaxCorrelation:
			d.Kind = BusCompression
		case onPeaks:
			d.Kind = BusPeaks
		default:
			d.Kind = BusVarying
		}
		return d
	}
	if onPeaks {
		d.Kind = BusPeaks
	}
	return d
}
