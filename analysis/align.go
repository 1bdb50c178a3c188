package analysis

import (
	"math"
	"sync"

	"stemmaster/dsp/fir"
)

// Alignment parameters.
const (
	// AlignDecimation is the decimation factor of the coarse pass.
	AlignDecimation = 8
	// MaxAlignLag is the largest maxLag Align searches: the coarse pass's
	// lags (2·maxLag/AlignDecimation of them) fit in half its transform,
	// 2.7 s at 48 kHz, 1.4 s at 96 kHz. A caller whose search is set in
	// seconds takes the smaller of the two.
	MaxAlignLag = (fftSize/2 - 2) * AlignDecimation / 2
	// fineRadius is how far, in full-rate samples, the exact pass searches
	// around the coarse lag: sixteen decimated samples either side, a few
	// for the coarse pass's error and the rest to measure the exact pass's
	// floor (FineConfidence).
	fineRadius = 16 * AlignDecimation
	// peakWidth: lags this close to the exact peak are its skirt, not floor.
	peakWidth = 4
	// ambiguousPeak: a correlation at lag 0 within this fraction of the
	// exact peak makes lag 0 as likely as the peak (see fineLag).
	ambiguousPeak = 0.95
	// coarseCandidates is how many coarse peaks of each view the exact
	// pass examines.
	coarseCandidates = 2
	// fineSpan is how much of the stem (its loudest part) the exact pass
	// correlates: about 2.7 s at 48 kHz.
	fineSpan = 2 * fftSize
	// fftSize is the transform length of both passes: the correlation is
	// accumulated over chunks of the stem (Welch-style), so that the
	// transforms stay small and fast whatever the excerpt's length.
	fftSize = 1 << 16
	// bandFloor: frequency bins where the stem's power is this far below
	// its mean (−40 dB) carry none of the stem, only the rest of the mix,
	// and are left out of the phase transform.
	bandFloor = 1e-4
	// MinAlignPeak is the smallest |Alignment.Peak| that Align's callers
	// should trust. Peak is 1 for an exact copy and about 1/√(bins used)
	// for unrelated signals (a stem from another song: below 0.05); a stem
	// that is part of the mix scores 0.35 or more (the francium stems, the
	// generated test stems, the filtered-noise stems of bench/check.sh), so
	// 0.15 leaves a margin both ways.
	MinAlignPeak = 0.15
)

// Alignment is where a stem sits against a reference that contains it.
type Alignment struct {
	// Lag is how many samples late x is against ref: x[t] ≈ a·ref[t-Lag]
	// in the time of x. Negative when x is early.
	Lag int
	// Peak is the exact pass's weighted phase-transform correlation at
	// Lag, in −1…1 (1: x is exactly a delayed copy of ref); its sign is the
	// polarity of x in ref, its size the measure to trust (MinAlignPeak).
	Peak float64
	// Confidence is the coarse correlation peak the exact pass started
	// from, over the RMS of the coarse correlation at every lag searched
	// (low for music that repeats: every bar is a peak).
	Confidence float64
	// FineConfidence is |Peak| over the RMS of the exact pass's correlation
	// at the other lags it searched (all but Lag ± peakWidth): high for a
	// broadband stem, low for a narrow-band one even when Lag is right.
	FineConfidence float64
}

// Align finds the lag of x (an excerpt of a stem, mono) against ref (the
// same stretch of the reference mix, mono, extended by maxLag samples on
// either side: ref[maxLag+i] is the mix at the time of x[i], zero-padded
// where the mix has no samples), searching lags −maxLag…maxLag.
//
// Both passes use the generalised cross-correlation with the phase
// transform (GCC-PHAT, Knapp & Carter 1976): the cross-spectrum is divided
// by its magnitude, so the correlation peak is a sharp spike at the delay
// rather than the broad hump that music's own autocorrelation gives (a bass
// line correlates with itself over hundreds of samples, and the rest of the
// mix would pull a plain correlation peak a sample or two off). Each bin is
// then weighted by the stem's share of the mix there (its power over the
// mix's, at most 1) — the high-SNR form of Knapp & Carter's maximum-
// likelihood weighting — so bins that hold mostly other stems count
// little, and bins where the stem has nothing (bandFloor) not at all. The coarse pass runs on both signals
// decimated by AlignDecimation over the whole range; the exact pass runs at
// the full rate within fineRadius of each of the coarseCandidates highest
// coarse peaks, on the stem's loudest fineSpan samples, and the strongest
// exact peak wins: exact to the sample.
//
// maxLag must be at most MaxAlignLag and len(ref) must be
// len(x)+2·maxLag; Align panics otherwise. A silent x
// gives a zero Alignment.
//
// A caller aligning several stems against one stretch of the mix keeps an
// AlignRef (NewAlignRef) instead: the same Alignments, the mix's side
// transformed once.
func Align(x, ref []float32, maxLag int) Alignment {
	checkAlignLag(ref, maxLag)
	// Nothing to share: the exact pass's segments go through one scratch.
	return (&AlignRef{ref: ref, maxLag: maxLag}).Align(x)
}

func checkAlignLag(ref []float32, maxLag int) {
	if maxLag < 0 || len(ref) < 2*maxLag || 2*maxLag/AlignDecimation+2 > fftSize/2 {
		panic("analysis: Align needs len(ref) == len(x)+2*maxLag and maxLag < fftSize/2·AlignDecimation")
	}
}

// AlignRef is the mix's side of Align for one stretch of the mix: its two
// coarse views decimated and transformed once, and the transforms of each
// segment the exact pass has correlated, shared by every stem aligned
// against that stretch (each stem whose loudest stretch is the same; every
// stem of a delivery shorter than the stretch). What it shares is computed
// by the first stem that needs it, in the order Align computes it, so a
// stem's Alignment has the same bits as Align's. Safe for concurrent use.
type AlignRef struct {
	ref    []float32
	maxLag int
	// coarse holds each view's decimated reference and the transforms of
	// its stretches.
	coarse [2]struct {
		once sync.Once
		spec *refSpectra
	}
	mu sync.Mutex
	// fine holds the exact pass's segments by their start in ref; nil for
	// Align's one stem, which keeps nothing.
	fine map[int]*fineSeg
}

// fineSeg is one segment of the exact pass, computed once.
type fineSeg struct {
	once sync.Once
	spec *refSpectra
}

// maxFineSegs bounds how many of the exact pass's segments an AlignRef
// keeps (about 2.6 MB each): stems share a segment only when their
// loudest spans and coarse lags coincide, which the first few stems show.
const maxFineSegs = 8

// NewAlignRef prepares ref (as Align's ref) for stems searched over
// −maxLag…maxLag. It panics as Align does when maxLag is out of range.
func NewAlignRef(ref []float32, maxLag int) *AlignRef {
	checkAlignLag(ref, maxLag)
	return &AlignRef{ref: ref, maxLag: maxLag, fine: map[int]*fineSeg{}}
}

// alignViews are the coarse pass's two views: the waveform below a quarter
// of the decimated rate, and the envelope of the top octaves (second
// difference, rectified), for stems with nothing low (cymbals, air,
// effects).
var alignViews = [2]func([]float32) []float32{lowBand, highEnvelope}

// Align finds the lag of x (an excerpt of a stem, mono, len(ref)−2·maxLag
// samples: ref[maxLag+i] is the mix at the time of x[i]) as Align does.
func (r *AlignRef) Align(x []float32) Alignment {
	ref, maxLag := r.ref, r.maxLag
	if len(ref) != len(x)+2*maxLag {
		panic("analysis: Align needs len(ref) == len(x)+2*maxLag and maxLag < fftSize/2·AlignDecimation")
	}
	// Each coarse view offers its highest peaks to the exact pass.
	var cands []int
	var confs []float64
	for v, view := range alignViews {
		xd := decimate(view(x), AlignDecimation)
		p := newPHAT(xd, (len(ref)+AlignDecimation-1)/AlignDecimation-len(xd))
		var c []float64
		var ok bool
		if r.fine == nil {
			// Align's one stem: nothing to keep
			c, ok = p.correlate(decimate(view(ref), AlignDecimation))
		} else {
			rc := &r.coarse[v]
			rc.once.Do(func() { rc.spec = p.transformRef(decimate(view(ref), AlignDecimation)) })
			c, ok = p.correlateWith(rc.spec)
		}
		if !ok {
			continue
		}
		// c[m] = Σ xd[i]·rd[i+m]; full-rate lag d = maxLag − m·D.
		last := min(2*maxLag/AlignDecimation, len(c)-1)
		var sum2 float64
		for m := 0; m <= last; m++ {
			sum2 += c[m] * c[m]
		}
		if sum2 == 0 {
			continue
		}
		rms := math.Sqrt(sum2 / float64(last+1))
	next:
		for _, m := range topPeaks(c[:last+1], coarseCandidates, fineRadius/AlignDecimation) {
			lag := maxLag - m*AlignDecimation
			for _, o := range cands {
				if absInt(o-lag) < fineRadius/2 {
					continue next // the other view's exact pass covers it
				}
			}
			cands = append(cands, lag)
			confs = append(confs, math.Abs(c[m])/rms)
		}
	}
	// Music that repeats (a drum loop, a riff) correlates almost as well
	// one bar away, so every candidate goes to the exact pass and the
	// strongest exact peak wins.
	var best Alignment
	n := min(len(x), fineSpan)
	a := loudestSpan(x, n)
	fine := newPHAT(x[a:a+n], min(2*fineRadius, 2*maxLag))
	for i, coarse := range cands {
		al := r.fineLag(fine, a, coarse)
		al.Confidence = confs[i]
		if math.Abs(al.Peak) > math.Abs(best.Peak) || best.Confidence == 0 {
			best = al
		}
	}
	// An offset must explain more of the mix than no offset: the plain
	// correlation at the lag found (the energy a gain on the shifted stem
	// takes out of the mix) must beat the one at lag 0. This catches a
	// narrow-band stem whose exact peak the rest of the mix has dragged off.
	if best.Lag != 0 && plainCorrelation(x, ref, maxLag, best.Lag) <= plainCorrelation(x, ref, maxLag, 0) {
		best.Lag = 0
	}
	return best
}

// plainCorrelation returns |Σ x[i]·ref[i+maxLag−lag]|.
func plainCorrelation(x, ref []float32, maxLag, lag int) float64 {
	r := ref[maxLag-lag:]
	var s float64
	for i, v := range x {
		s += float64(v) * float64(r[i])
	}
	return math.Abs(s)
}

// lowBand is the identity: decimate keeps the low band.
func lowBand(x []float32) []float32 { return x }

// highEnvelope returns |x[n] − 2x[n−1] + x[n−2]| minus its mean: the
// envelope of the top octaves (the second difference falls 12 dB per
// octave below a quarter of the rate).
func highEnvelope(x []float32) []float32 {
	out := make([]float32, len(x))
	var mean float64
	if len(x) > 2 {
		p0, p1 := x[0], x[1]
		o := out[2:]
		o = o[:len(x)-2]
		for i, xi := range x[2:] {
			v := xi - 2*p1 + p0
			if v < 0 {
				v = -v
			}
			o[i] = v
			mean += float64(v)
			p0, p1 = p1, xi
		}
	}
	m := float32(mean / float64(max(len(x), 1)))
	for i := range out {
		out[i] -= m
	}
	return out
}

// fineLag runs the exact pass within fineRadius of a coarse lag: fine
// holds the transforms of x[a:a+fineSpan], the stem's loudest part.
func (r *AlignRef) fineLag(fine *phat, a, coarse int) Alignment {
	maxLag := r.maxLag
	// The window spans fine.span lags around the coarse lag, moved (not
	// shrunk) to stay within ±maxLag. For lag d, x[i] meets
	// ref[i+maxLag−d]; the segment starts at x[a]'s partner for hiLag.
	loLag := max(min(coarse-fine.span/2, maxLag-fine.span), -maxLag)
	hiLag := loLag + fine.span
	cf, ok := r.fineCorrelate(fine, a+maxLag-hiLag)
	al := Alignment{Lag: coarse}
	if !ok {
		return al
	}
	best, bestM := -1.0, 0
	for m := 0; m <= hiLag-loLag; m++ {
		if v := math.Abs(cf[m]); v > best {
			best, bestM = v, m
		}
	}
	al.Lag, al.Peak = hiLag-bestM, cf[bestM]
	// A stem with only low frequencies has a broad peak, whose top a few
	// samples either way is decided by the rest of the mix, not by the
	// stem's position. When lag 0 lies within that top, there is no
	// evidence of an offset: say 0.
	if z := hiLag; al.Lag != 0 && loLag <= 0 && 0 <= hiLag {
		if math.Abs(cf[z]) >= ambiguousPeak*best {
			al.Lag, al.Peak = 0, cf[z]
		}
	}
	var sum2 float64
	count := 0
	for m := 0; m <= hiLag-loLag; m++ {
		if m < bestM-peakWidth || m > bestM+peakWidth {
			sum2 += cf[m] * cf[m]
			count++
		}
	}
	if count > 0 && sum2 > 0 {
		al.FineConfidence = best / math.Sqrt(sum2/float64(count))
	}
	return al
}

// topPeaks returns the indices of the n largest local maxima of |c|, at
// least sep apart, largest first.
func topPeaks(c []float64, n, sep int) []int {
	var out []int
	for len(out) < n {
		best, at := -1.0, -1
		for m, v := range c {
			v = math.Abs(v)
			if v <= best {
				continue
			}
			near := false
			for _, o := range out {
				if m > o-sep && m < o+sep {
					near = true
					break
				}
			}
			if !near {
				best, at = v, m
			}
		}
		if at < 0 {
			break
		}
		out = append(out, at)
	}
	return out
}

// decimate low-passes x with a Blackman-windowed sinc at 0.45/factor of
// the rate and keeps every factor-th sample (sample j of the result is
// centred on sample j·factor of x).
func decimate(x []float32, factor int) []float32 {
	half := 4 * factor
	h, sum := fir.BlackmanSinc(half, 0.45/float64(factor))
	out := make([]float32, (len(x)+factor-1)/factor)
	// Outputs whose taps all lie inside x: from j0 (c − half ≥ 0) to j1
	// (c − half + len(h) ≤ len(x)). Four of them at a time, each its own
	// sum in the edge loop's order: four independent chains of additions
	// instead of one, the same bits.
	j0 := min((half+factor-1)/factor, len(out))
	j1 := j0
	if len(x) >= len(h) {
		j1 = max(j0, min((len(x)-len(h)+half)/factor+1, len(out)))
	}
	decimateEdge(x, h, sum, factor, out, 0, j0)
	j := j0
	for ; j+4 <= j1; j += 4 {
		lo := j*factor - half
		x0 := x[lo : lo+len(h)]
		x1 := x[lo+factor:]
		x2 := x[lo+2*factor:]
		x3 := x[lo+3*factor:]
		x1, x2, x3 = x1[:len(h)], x2[:len(h)], x3[:len(h)]
		var s0, s1, s2, s3 float64
		for i, hv := range h {
			s0 += hv * float64(x0[i])
			s1 += hv * float64(x1[i])
			s2 += hv * float64(x2[i])
			s3 += hv * float64(x3[i])
		}
		out[j] = float32(s0 / sum)
		out[j+1] = float32(s1 / sum)
		out[j+2] = float32(s2 / sum)
		out[j+3] = float32(s3 / sum)
	}
	for ; j < j1; j++ {
		lo := j*factor - half
		xs := x[lo : lo+len(h)]
		var s float64
		for i, hv := range h {
			s += hv * float64(xs[i])
		}
		out[j] = float32(s / sum)
	}
	decimateEdge(x, h, sum, factor, out, j1, len(out))
	return out
}

// decimateEdge is decimate's sum for outputs j0 … j1−1, whose taps may
// reach outside x (those taps count as zero).
func decimateEdge(x []float32, h []float64, sum float64, factor int, out []float32, j0, j1 int) {
	half := len(h) / 2
	for j := j0; j < j1; j++ {
		c := j * factor
		var s float64
		for i, hv := range h {
			k := c + i - half
			if k >= 0 && k < len(x) {
				s += hv * float64(x[k])
			}
		}
		out[j] = float32(s / sum)
	}
}

// loudestSpan returns the start of the n-sample span of x with the most
// energy, on a 1024-sample grid.
func loudestSpan(x []float32, n int) int {
	if n >= len(x) {
		return 0
	}
	const step = 1024
	var e float64
	for _, v := range x[:n] {
		e += float64(v) * float64(v)
	}
	best, at := e, 0
	for s := step; s+n <= len(x); s += step {
		for _, v := range x[s-step : s] {
			e -= float64(v) * float64(v)
		}
		for _, v := range x[s+n-step : s+n] {
			e += float64(v) * float64(v)
		}
		if e > best {
			best, at = e, s
		}
	}
	return at
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// fineCorrelate runs fine's correlation with the segment of ref starting
// at start (fine.span + len(fine.x) samples): against the segment's
// transforms another stem has kept, or kept here for the stems to come
// while the AlignRef holds fewer than maxFineSegs, or else streamed
// through fine's own scratch.
func (r *AlignRef) fineCorrelate(fine *phat, start int) (c []float64, ok bool) {
	seg := r.ref[start : start+len(fine.x)+fine.span]
	var e *fineSeg
	if r.fine != nil {
		r.mu.Lock()
		e = r.fine[start]
		if e == nil && len(r.fine) < maxFineSegs {
			e = &fineSeg{}
			r.fine[start] = e
		}
		r.mu.Unlock()
	}
	if e == nil {
		return fine.correlate(seg)
	}
	e.once.Do(func() { e.spec = fine.transformRef(seg) })
	return fine.correlateWith(e.spec)
}
