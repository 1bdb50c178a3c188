package engine

import (
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
)

// Where the stem-aware limiter would not act, its work is skipped. Its
// first sharing stage detects on the classes' sum as the plain limiter
// detects on the bus (the same detector and ceiling; the classes add up
// to the bus to float32 rounding), and a stage whose every reading stays
// at or below the ceiling leaves every gain exactly 1, so the stages after
// it see their input delayed, and the same holds for them: the output is
// the classes' sum, the bus, with no reduction for any stem. So until a
// pass needs it, targeting runs the plain limiter on the bus, which keeps
// its largest reading (TrackReading): a pass whose reading stays under
// the ceiling by quietMargin is the stem-aware limiter's output (the bus
// itself rather than the classes' sum, which differs from it by float32
// rounding) and the classes' chains never run; a pass that reads above it
// is run again stem-aware, from then on. A pass that the gain model
// predicts to reach the ceiling goes stem-aware at once.
//
// quietMargin covers what the classes' sum can read above the bus: the
// two differ by the float32 rounding of the chains, the pass's gain and
// the sum (TestStemAwareChainsAddUp holds the chains' part under 2e-6 of
// full scale), which the detector's interpolation amplifies at most a few
// times; 1e-3 (0.009 dB) of the ceiling holds it a hundred times over.
const quietMargin = 1e-3

// awarePending reports whether lim is the plain limiter of a stem-aware
// main version whose classes' chains have not started.
func (tr *targeting) awarePending(lim busLimiter) bool {
	if tr.sa == nil || tr.sa.running || lim == nil {
		return false
	}
	_, ok := lim.(*limiter.TruePeakLimiter)
	return ok
}

// readsQuiet reports whether the plain limiter lim's largest reading over
// its last pass stayed under its ceiling by quietMargin.
func readsQuiet(lim busLimiter) bool {
	l, ok := lim.(*limiter.TruePeakLimiter)
	if !ok {
		return false
	}
	peak, ceiling := l.PeakReading()
	return peak <= ceiling*(1-quietMargin)
}

// awareLimiter starts the classes' chains and returns the stem-aware
// limiter with the targeting's parameters, whose latency becomes the
// targeting's.
func (tr *targeting) awareLimiter(rate float64, step int) (busLimiter, error) {
	tr.sa.start()
	lim, err := newBusLimiter(tr.params, rate, step, tr.sa)
	if err != nil {
		return nil, err
	}
	tr.latency = lim.Latency()
	return lim, nil
}

// reduces reports whether the model's peaks (an estimate of the
// detector's: the sample peak and a cubic estimate between samples) reach
// lim's ceiling at gainDB; false without a model, so that the plain pass
// decides.
func (m *gainModel) reduces(gainDB float64, lim busLimiter) bool {
	l, ok := lim.(*limiter.TruePeakLimiter)
	if m == nil || !ok {
		return false
	}
	_, ceiling := l.PeakReading()
	g := audio.Amplitude(gainDB)
	for _, p := range m.peak {
		if float64(p)*g > ceiling {
			return true
		}
	}
	return false
}

// awareMissLU is how much loudness the gain model predicts the plain
// limiter takes at the first pass's gain beyond which that pass, run
// stem-aware, is not expected to land: the model predicts the plain
// limiter, and the stem-aware one keeps part of that loudness (on
// francium at −9 LUFS the stem-aware master needs 2.3 dB less gain), so
// the first pass misses by a part of the loss, and the deliverables are
// better not streamed behind it.
const awareMissLU = 0.5

// awareMisses reports whether the first targeting pass, at gainDB, is
// stem-aware and expected to miss the target (awareMissLU); the outputs
// do not depend on it, only which pass the deliverables stream behind.
func (tr *targeting) awareMisses(m *gainModel, gainDB float64) bool {
	if tr.sa == nil || !tr.limiterOn || m == nil {
		return false
	}
	return m.loudness(gainDB, nil)-m.loudness(gainDB, &tr.params) > awareMissLU
}
