package analysis

import (
	"math"
)

// Residual diagnosis.
//
// When the stems, at their solved gains and offsets, do not null against
// the mix, the residual r = mix − Σ gᵢ·sᵢ is either something the mix
// engineer did to the whole mix (a limiter, clipper or compressor on the
// master bus, or a bus gain) or content that is in the mix and in no stem
// (a missing stem). The two differ in where the residual's energy sits
// against the level of the fitted sum y = Σ gᵢ·sᵢ, sample by sample:
//
//   - master-bus dynamics act on the loudest samples: a limiter or clipper
//     removes the peaks, a compressor turns the loud passages down. The
//     residual's energy is concentrated where |y| is large;
//   - a pure gain change scales every sample alike: the residual is a
//     copy of y and its energy sits exactly where y's does;
//   - a missing stem is independent of y: its energy is spread over the
//     samples whatever |y| is, so it sits at the typical (not the
//     energy-weighted) level of y, and wherever y is silent.
//
// The measure is the peak-following index: the energy-weighted mean level
// of |y| (in dB) under the residual's energy minus the same under y's own
// energy, ΔL = Σ r²·L(y)/Σ r² − Σ y²·L(y)/Σ y², with L(y) = 20·log10|y|
// on 6 dB bins (a float32's binary exponent), floored at −120 dBFS. A gain
// change gives ΔL = 0; for a Gaussian y an independent residual gives
// ΔL = E[L] − E_energy[L] = −5.5 − 3.2 = −8.7 dB (E[ln|z|] = −0.635 and
// E[z²·ln|z|] = 0.365 for a unit normal z); a hard clip at twice the RMS
// gives about +4 dB. The thresholds sit between these: ΔL ≥
// BusProcessingMinDB reads as master-bus processing, ΔL ≤ OwnContentMaxDB
// as content of its own; in between it is reported as unclear. The tests
// check both diagnoses on generated and real stems. A compressor's
// residual often reads in between; the bus-gain track (busgain.go) and
// DiagnoseResidual, which combines the two, recognise it.
const (
	BusProcessingMinDB = -2.0
	OwnContentMaxDB    = -4.5
	levelFloorDB       = -120.0
	binDB              = 20 * math.Ln2 / math.Ln10 // 6.02 dB: one binary exponent
)

// numBins covers float32 exponents 0…255.
const numBins = 256

// ResidualProfile accumulates residual and sum energy by the level of the
// fitted sum (see the package's residual diagnosis notes). The zero value
// is ready to use.
type ResidualProfile struct {
	res, sum [numBins]float64
}

// Add accumulates one channel of one block: y the fitted sum, r the
// residual (equal lengths). It allocates nothing.
func (p *ResidualProfile) Add(y, r []float32) {
	r = r[:len(y)]
	for i, v := range y {
		e := math.Float32bits(v) >> 23 & 0xff
		rv := float64(r[i])
		p.res[e] += rv * rv
		p.sum[e] += float64(v) * float64(v)
	}
}

// binLevel is the level of bin e in dBFS (the lower edge of the octave),
// floored.
func binLevel(e int) float64 {
	return max(float64(e-127)*binDB, levelFloorDB)
}

// PeakFollowingDB returns ΔL, the peak-following index; NaN when there is
// no residual or no sum.
func (p *ResidualProfile) PeakFollowingDB() float64 {
	var er, lr, es, ls float64
	for e := range numBins {
		l := binLevel(e)
		er += p.res[e]
		lr += p.res[e] * l
		es += p.sum[e]
		ls += p.sum[e] * l
	}
	if er <= 0 || es <= 0 {
		return math.NaN()
	}
	return lr/er - ls/es
}

// ResidualCause is the diagnosis of a residual.
type ResidualCause int

// Diagnoses.
const (
	CauseUnclear       ResidualCause = iota // neither pattern clearly
	CauseBusProcessing                      // master-bus dynamics or gain left on the mix
	CauseOwnContent                         // content of its own: a missing stem
	CauseStemDynamics                       // stems whose level moves against their part of the mix (DiagnoseStems)
	CauseStemExtra                          // content in one stem, where it is otherwise quiet, that the mix lacks (DiagnoseStems)
	CauseBusEQ                              // the mix is the sum through an equaliser (SpectralFit)
	CauseLossy                              // a stem or the mix decoded from a lossy codec (SpectralFitResult.Lossy)
	CauseStemFiltered                       // one stem through a filter (a reverb, a delay, an EQ) is the residual (StemSmear)
)

// Diagnose classifies a peak-following index (see BusProcessingMinDB).
func Diagnose(peakFollowingDB float64) ResidualCause {
	switch {
	case math.IsNaN(peakFollowingDB):
		return CauseUnclear
	case peakFollowingDB >= BusProcessingMinDB:
		return CauseBusProcessing
	case peakFollowingDB <= OwnContentMaxDB:
		return CauseOwnContent
	}
	return CauseUnclear
}
