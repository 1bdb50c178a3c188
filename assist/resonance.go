package assist

import (
	"math"
	"slices"

	"stemmaster/dsp/fft"

	"stemmaster/audio"
)

// Resonance search: 1/24-octave levels from 80 Hz to 10 kHz against the
// median of the surrounding octave; a local maximum at least
// resonanceDB above it is a resonance (at most maxResonances, the
// strongest, none closer than 1/6 octave to a stronger one).
const (
	resonanceDB   = 8
	maxResonances = 3
)

func (a *Analysis) resonances() {
	var centres []float64
	for f := 80.0; f <= 10000; f *= math.Pow(2, 1.0/24) {
		centres = append(centres, f)
	}
	lv, _, _ := a.psd.bands(centres, 24)
	a.fines = lv
	var cand []Resonance
	for i := 1; i+1 < len(lv); i++ {
		ex, ok := peakExcess(lv, i)
		if !ok || ex < resonanceDB {
			continue
		}
		cand = append(cand, Resonance{FreqHz: centres[i], ExcessDB: ex, Q: math.Min(8, math.Max(2, peakQ(lv, i, 6)))})
	}
	slices.SortFunc(cand, func(x, y Resonance) int { return cmpDesc(x.ExcessDB, y.ExcessDB) })
	for _, c := range cand {
		ok := true
		for _, k := range a.Resonances {
			if math.Abs(math.Log2(c.FreqHz/k.FreqHz)) < 1.0/6 {
				ok = false
			}
		}
		if ok {
			a.Resonances = append(a.Resonances, c)
		}
		if len(a.Resonances) == maxResonances {
			break
		}
	}
}

// keepStationary drops the candidate resonances that are not there most of
// the time: a long-term peak from a note that is played part of the time
// is music, a resonance (a room mode, a ringing drum, a mic's peak) rings
// through everything. A candidate stays when its excess over the octave
// around it, measured frame by frame on the active frames, has a median
// of at least minDB, and of at least share times its excess in those
// frames' summed power: a peak that is there most of the time shows in
// most frames what it shows over the song, where a part loud in one
// passage lifts the sum far over what the other frames show.
func (a *Analysis) keepStationary(b *audio.Buffer, minDB, share float64) {
	if len(a.Resonances) == 0 {
		return
	}
	n := fftSize(a.rate) / 2
	tr := fft.NewReal(n)
	seq := make([]float64, n)
	var coef []complex128
	binHz := float64(a.rate) / float64(n)
	type cand struct {
		peak, oct [2]int // bin ranges: the peak's 1/24 octave, the octave around it
	}
	cs := make([]cand, len(a.Resonances))
	for i, r := range a.Resonances {
		f := r.FreqHz
		cs[i].peak = [2]int{int(f * math.Pow(2, -1.0/48) / binHz), int(f*math.Pow(2, 1.0/48)/binHz) + 1}
		cs[i].oct = [2]int{int(f * math.Pow(2, -0.5) / binHz), int(f*math.Pow(2, 0.5)/binHz) + 1}
	}
	excess := make([][]float64, len(cs))
	sumPk, sumOct := make([]float64, len(cs)), make([]float64, len(cs))
	var energies []float64
	type frame struct {
		e           float64
		ex, pk, oct []float64 // per candidate: excess, peak and octave densities
	}
	var frames []frame
	for s := 0; s+n <= len(b.Data[0]); s += n {
		var e float64
		for i := range n {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
			v := (float64(b.Data[0][s+i]) + float64(b.Data[1][s+i])) / 2
			e += v * v
			seq[i] = v * w
		}
		coef = tr.Coefficients(coef, seq)
		fr := frame{e: e, ex: make([]float64, len(cs)), pk: make([]float64, len(cs)), oct: make([]float64, len(cs))}
		for i, c := range cs {
			var pk, oct float64
			for k := c.peak[0]; k <= min(c.peak[1], len(coef)-1); k++ {
				pk += real(coef[k])*real(coef[k]) + imag(coef[k])*imag(coef[k])
			}
			for k := c.oct[0]; k <= min(c.oct[1], len(coef)-1); k++ {
				oct += real(coef[k])*real(coef[k]) + imag(coef[k])*imag(coef[k])
			}
			pw := float64(c.peak[1] - c.peak[0] + 1)
			ow := float64(c.oct[1] - c.oct[0] + 1)
			// The peak's density against the octave's mean density: a
			// conservative stand-in for the median (the peak is in the mean).
			fr.pk[i], fr.oct[i] = pk/pw, oct/ow
			fr.ex[i] = math.NaN()
			if pk > 0 && oct > 0 {
				fr.ex[i] = 10 * math.Log10((pk/pw)/(oct/ow))
			}
		}
		frames = append(frames, fr)
		energies = append(energies, e)
	}
	var loud float64
	for _, e := range energies {
		loud = max(loud, e)
	}
	for _, fr := range frames {
		if fr.e < loud*1e-3 {
			continue
		}
		for i := range cs {
			if !math.IsNaN(fr.ex[i]) {
				excess[i] = append(excess[i], fr.ex[i])
			}
			sumPk[i] += fr.pk[i]
			sumOct[i] += fr.oct[i]
		}
	}
	kept := a.Resonances[:0]
	for i, r := range a.Resonances {
		if len(excess[i]) == 0 {
			continue
		}
		slices.Sort(excess[i])
		med := excess[i][len(excess[i])/2]
		if med >= minDB && (share == 0 || med >= share*10*math.Log10(sumPk[i]/sumOct[i])) {
			kept = append(kept, r)
		}
	}
	a.Resonances = kept
}

// peakQ is the Q of the peak at lv[i] (levels at 1/24-octave steps): the
// width over which the level stays within 3 dB of the peak on either
// side, looked for up to steps steps out.
func peakQ(lv []float64, i, steps int) float64 {
	w := 1
	for j := 1; j < steps && i-j >= 0 && i+j < len(lv); j++ {
		if lv[i-j] < lv[i]-3 && lv[i+j] < lv[i]-3 {
			break
		}
		w = j + 1
	}
	bwOct := float64(2*w-1) / 24
	return math.Sqrt(math.Pow(2, bwOct)) / (math.Pow(2, bwOct) - 1)
}

// stationaryDB is the median frame-by-frame excess (peak density over the
// octave's mean density) a resonance must keep.
const stationaryDB = 6

// peakExcess is how far band i of lv stands over the median of the bands
// within 12 of it, when it is a local peak (higher than the band below, at
// least the band above); ok is false otherwise. NaN bands (no energy) take
// no part.
func peakExcess(lv []float64, i int) (ex float64, ok bool) {
	if math.IsNaN(lv[i]) || !(lv[i] > lv[i-1] && lv[i] >= lv[i+1]) {
		return 0, false
	}
	var around []float64
	for j := max(0, i-12); j <= min(len(lv)-1, i+12); j++ {
		if !math.IsNaN(lv[j]) {
			around = append(around, lv[j])
		}
	}
	slices.Sort(around)
	return lv[i] - around[len(around)/2], true
}
