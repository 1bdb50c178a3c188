package limiter

import (
	"math"

	"stemmaster/audio"
)

// Stats summarise the gain reduction (GR, a positive number of dB) since
// Reset.
type Stats struct {
	Frames         int64   // frames processed
	MaxGRDB        float64 // largest reduction
	MeanGRDB       float64 // mean over all frames (0 dB where inactive)
	MeanActiveGRDB float64 // mean over active frames only (0 when none)
	ActiveShare    float64 // share of frames with GR > ActiveThresholdDB, 0 … 1
}

// statRun is the number of frames whose gains are averaged before one
// conversion to dB for the statistics: the gain moves by at most
// (1 − g_min)/⌊L/2⌋ per frame, so over 16 frames the dB of the mean differs
// from the mean of the dBs by far less than 0.001 dB, for a sixteenth of the
// logarithms.
const statRun = 16

// gainRun accumulates the gains of one class of frames within a run.
type gainRun struct {
	sum float64
	n   int64
}

func (r gainRun) db() float64 { return float64(r.n) * reductionDB(r.sum/float64(r.n)) }

// accountChunk adds the gains of a chunk's frames to the statistics, with
// the state in locals.
func (l *TruePeakLimiter) accountChunk(gains []float64) {
	blockMin, minGain, activeBelow := l.blockMin, l.minGain, l.activeBelow
	runActive, runQuiet, runLen := l.runActive, l.runQuiet, l.runLen
	for _, g := range gains {
		if g < 1 {
			if g < blockMin { // not min: its NaN handling would sit on this chain
				blockMin = g
			}
			if g < activeBelow {
				runActive.sum += g
				runActive.n++
			} else {
				runQuiet.sum += g
				runQuiet.n++
			}
		}
		if runLen++; runLen == statRun {
			l.runActive, l.runQuiet = runActive, runQuiet
			l.sumGR, l.sumActiveGR, l.active = l.pendingStats()
			runActive, runQuiet, runLen = gainRun{}, gainRun{}, 0
		}
	}
	l.frames += int64(len(gains))
	l.blockMin, l.minGain = blockMin, min(minGain, blockMin)
	l.runActive, l.runQuiet, l.runLen = runActive, runQuiet, runLen
}

// pendingStats returns the statistics' sums including the current run.
func (l *TruePeakLimiter) pendingStats() (sumGR, sumActiveGR float64, active int64) {
	sumGR, sumActiveGR, active = l.sumGR, l.sumActiveGR, l.active
	if r := l.runActive; r.n > 0 {
		d := r.db()
		sumGR += d
		sumActiveGR += d
		active += r.n
	}
	if r := l.runQuiet; r.n > 0 {
		sumGR += r.db()
	}
	return sumGR, sumActiveGR, active
}

// BlockMaxGRDB returns the largest gain reduction (dB, ≥ 0) applied during
// the last Process call.
func (l *TruePeakLimiter) BlockMaxGRDB() float64 { return -audio.DB(l.blockMin) + 0 }

// Stats returns the gain-reduction statistics since Reset.
func (l *TruePeakLimiter) Stats() Stats {
	s := Stats{Frames: l.frames, MaxGRDB: -audio.DB(l.minGain) + 0}
	sumGR, sumActiveGR, active := l.pendingStats()
	if l.frames > 0 {
		s.MeanGRDB = sumGR / float64(l.frames)
		s.ActiveShare = float64(active) / float64(l.frames)
	}
	if active > 0 {
		s.MeanActiveGRDB = sumActiveGR / float64(active)
	}
	return s
}

// reductionDB returns −20·log10(g) for 0 < g < 1 within 1e-6 dB, several
// times faster than math.Log10: the statistics take one per frame.
// ln g = e·ln 2 + ln m with g = m·2^e, m in [√½, √2), and
// ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …), s = (m−1)/(m+1), |s| < 0.172.
func reductionDB(g float64) float64 {
	bits := math.Float64bits(g) // g is normal: 0 < g ≤ 1 and far above 2^−1022
	e := int(bits>>52&0x7ff) - 1023
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // [1, 2)
	if m > math.Sqrt2 {
		m *= 0.5
		e++
	}
	s := (m - 1) / (m + 1)
	s2 := s * s
	ln := float64(e)*math.Ln2 + 2*s*(1+s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9+s2/11)))))
	return -ln * (20 / math.Ln10)
}
