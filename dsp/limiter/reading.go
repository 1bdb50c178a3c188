package limiter

// reading is the largest value the detector compared with the ceiling
// since Reset: each frame's peak reading (the refined 4× peak and the
// near-Nyquist term) where a chunk is detected, the bound on every such
// reading where it takes the exact skip. At or below the ceiling, no
// frame asked for any reduction and every gain was exactly 1.
type reading struct {
	max    float64
	margin float64 // a chunk skips only with its bound under ceiling·(1 − margin)
}

// TrackReading makes the limiter keep its largest reading (PeakReading).
// A chunk then takes the exact skip only when its bound lies a margin
// (a fraction of the ceiling) under the ceiling, so that a reading within
// the margin of the ceiling is the frames' own, not the looser bound; the
// output is the same (the skip is exact). Limiters that do not ask do no
// more work. Call it before Prepare, or Reset after it.
func (l *TruePeakLimiter) TrackReading(margin float64) {
	l.reading = &reading{margin: margin}
	l.skipAt = l.reading.skipAt(l.ceiling)
}

// skipAt is the exact skip's bound for the internal ceiling: the ceiling
// itself unless a reading is kept.
func (r *reading) skipAt(ceiling float64) float64 {
	if r == nil {
		return ceiling
	}
	return ceiling * (1 - r.margin)
}

// PeakReading returns the largest reading since Reset (see TrackReading;
// 0 when not tracked) and the internal ceiling it is compared with (the
// ceiling less the safety margin, linear). A NaN reading (a NaN input)
// compares above any ceiling.
func (l *TruePeakLimiter) PeakReading() (peak, ceiling float64) {
	if l.reading == nil {
		return 0, l.ceiling
	}
	return l.reading.max, l.ceiling
}

func (r *reading) reset() {
	if r != nil {
		r.max = 0
	}
}

// bound takes a chunk's bound on its readings (exact skip).
func (r *reading) bound(b float64) {
	if r != nil && (b > r.max || b != b) {
		r.max = b
	}
}

// frames takes a chunk's readings (before they become gains).
func (r *reading) frames(peaks []float64) {
	if r == nil {
		return
	}
	m := r.max
	for _, v := range peaks {
		if v > m || v != v { // a NaN sticks
			m = v
		}
	}
	r.max = m
}
