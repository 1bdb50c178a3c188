package assist

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/loudness"
)

// Track is one decoded input: a stem, the client's mix or a reference,
// always stereo (a mono file is placed in the centre at −3 dB per channel,
// the engine's constant-power law, so its loudness is unchanged).
type Track struct {
	Name string // file name as given (for reasons and the session)
	Role stemmaster.Role
	Rate int
	Buf  *audio.Buffer
}

// ReadTrack decodes a whole file. Files of more than two channels are
// refused: the assistant works on stereo programme.
func ReadTrack(path string) (*Track, error) {
	f, err := audio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info := f.Info()
	ch := info.Format.Channels
	if ch < 1 || ch > 2 {
		return nil, fmt.Errorf("%s: %d channels; the assistant takes mono or stereo files", path, ch)
	}
	if err := loudness.CheckFormat(float64(info.Format.SampleRate), 2); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if info.Duration() > MaxDurationS {
		return nil, fmt.Errorf("%s: %.0f s is longer than the %d s the assistant analyses", path, info.Duration(), MaxDurationS)
	}
	block := audio.NewBuffer(ch, 65536)
	out := [2][]float32{}
	for {
		block.SetFrames(block.Cap())
		n, err := f.Read(block)
		for c := range 2 {
			src := block.Data[min(c, ch-1)][:n]
			for _, v := range src {
				if ch == 1 {
					v *= math.Sqrt2 / 2
				}
				out[c] = append(out[c], v)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if float64(len(out[0])) > MaxDurationS*float64(info.Format.SampleRate) {
			return nil, fmt.Errorf("%s: longer than the %d s the assistant analyses", path, MaxDurationS)
		}
	}
	if len(out[0]) == 0 {
		return nil, fmt.Errorf("%s: no audio", path)
	}
	for _, ch := range out {
		for _, v := range ch {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%s: holds non-finite samples", path)
			}
		}
	}
	return &Track{Name: path, Rate: info.Format.SampleRate, Buf: &audio.Buffer{Data: [][]float32{out[0], out[1]}}}, nil
}

// MaxDurationS bounds what the assistant decodes into memory (20 minutes,
// about 460 MB for six stereo stems at 48 kHz).
const MaxDurationS = 1200

// Third-octave bands: centres 1000·2^(k/3) Hz (base-2 centres of IEC
// 61260-1), from 20 Hz to 20 kHz.
var thirdCentres = func() []float64 {
	var f []float64
	for k := -17; k <= 13; k++ {
		f = append(f, 1000*math.Pow(2, float64(k)/3))
	}
	return f
}()

// Centres returns the 1/3-octave band centres the analysis reports.
func Centres() []float64 { return slices.Clone(thirdCentres) }

// Analysis is what the assistant measures of one track. Spectra are in dB
// relative to a full-scale sine, one value per Centres band; NaN where
// the band is silent.
type Analysis struct {
	File            string          `json:"file"`
	Role            stemmaster.Role `json:"role,omitempty"`
	IntegratedLUFS  float64         `json:"integrated_lufs"`
	LoudnessRangeLU float64         `json:"loudness_range_lu"`
	SamplePeakDBFS  float64         `json:"sample_peak_dbfs"`
	// CrestDB is the median, over the active 1 s windows, of each
	// window's peak-to-RMS ratio: how much the peaks stand out, whatever
	// the level.
	CrestDB float64 `json:"crest_db"`
	// TransientsPerS counts onsets (a 10 ms frame ≥ 8 dB above the
	// previous 100 ms) per second of active signal.
	TransientsPerS float64 `json:"transients_per_s"`
	// SideToMidDB is the side channel's energy against the mid's (−Inf
	// for mono); Correlation the left/right correlation coefficient;
	// MonoLossDB how much quieter the mono fold-down (L+R)/2 is than the
	// stereo average (0 for mono, −3 for uncorrelated channels).
	SideToMidDB float64 `json:"side_to_mid_db"`
	Correlation float64 `json:"correlation"`
	MonoLossDB  float64 `json:"mono_loss_db"`
	// LowCorrelation is the correlation below 150 Hz, where mono
	// compatibility matters most.
	LowCorrelation float64   `json:"low_correlation"`
	Spectrum       []float64 `json:"spectrum_db"`
	MidSpectrum    []float64 `json:"mid_spectrum_db"`
	SideSpectrum   []float64 `json:"side_spectrum_db"`
	// SibilanceDB (vocals): the 5–10 kHz energy against the 1–5 kHz
	// energy over the loudest 10 % of 20 ms frames; NaN for other roles.
	SibilanceDB float64 `json:"sibilance_db"`
	// SibilanceHz (vocals): where the loudest 5–10 kHz moments peak (the
	// summed spectrum of those frames, smoothed over 1/3 octave); NaN
	// where SibilanceDB is.
	SibilanceHz float64     `json:"sibilance_hz"`
	Resonances  []Resonance `json:"resonances,omitempty"`

	psd   *psd
	rate  int
	fines []float64 // 1/24-octave spectrum for resonances
}

// Resonance is a narrow peak standing out of the smoothed spectrum.
type Resonance struct {
	FreqHz   float64 `json:"freq_hz"`
	ExcessDB float64 `json:"excess_db"` // above the octave-wide median around it
	Q        float64 `json:"q"`
}

// psd is a long-term power spectrum: mid and side power per FFT bin,
// averaged over Hann-windowed frames, scaled so that a band's sum reads
// as mean-square power relative to a full-scale sine.
type psd struct {
	binHz     float64
	mid, side []float64
}

func fftSize(rate int) int {
	n := 16384
	for float64(n) < 16384*float64(rate)/48000*0.75 {
		n *= 2
	}
	return n
}

// longTerm computes the mid/side power spectrum of a stereo buffer.
func longTerm(b *audio.Buffer, rate int) *psd {
	n := fftSize(rate)
	hop := n / 2
	fft := fourier.NewFFT(n)
	win := make([]float64, n)
	var w2 float64
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
		w2 += win[i] * win[i]
	}
	p := &psd{binHz: float64(rate) / float64(n), mid: make([]float64, n/2+1), side: make([]float64, n/2+1)}
	seqM, seqS := make([]float64, n), make([]float64, n)
	var coef []complex128
	frames := 0
	L, R := b.Data[0], b.Data[1]
	total := len(L)
	// A signal shorter than one frame is zero-padded into one.
	for start := 0; start == 0 || start+n <= total; start += hop {
		for i := range n {
			var l, r float64
			if start+i < total {
				l, r = float64(L[start+i]), float64(R[start+i])
			}
			seqM[i] = (l + r) / 2 * win[i]
			seqS[i] = (l - r) / 2 * win[i]
		}
		coef = fft.Coefficients(coef, seqM)
		for k, z := range coef {
			p.mid[k] += real(z)*real(z) + imag(z)*imag(z)
		}
		coef = fft.Coefficients(coef, seqS)
		for k, z := range coef {
			p.side[k] += real(z)*real(z) + imag(z)*imag(z)
		}
		frames++
		if start+n >= total {
			break
		}
	}
	// One-sided power → mean square per channel; over 0.5 → re full-scale sine.
	scale := 2 / (float64(n) * w2 * float64(frames)) / 0.5
	for k := range p.mid {
		p.mid[k] *= scale
		p.side[k] *= scale
	}
	return p
}

// band returns the power of x between lo and hi Hz; a band narrower than
// a bin takes its share of the nearest bin.
func (p *psd) band(x []float64, lo, hi float64) float64 {
	k0, k1 := int(math.Ceil(lo/p.binHz)), int(math.Floor(hi/p.binHz))
	k1 = min(k1, len(x)-1)
	if k0 <= k1 {
		var s float64
		for k := k0; k <= k1; k++ {
			s += x[k]
		}
		return s
	}
	k := min(int(math.Round((lo+hi)/2/p.binHz)), len(x)-1)
	return x[k] * (hi - lo) / p.binHz
}

// bands returns levels in dB at fractional-octave bands of width 1/n
// octave around the given centres, for mid, side and total (L and R
// power averaged, which is mid + side).
func (p *psd) bands(centres []float64, n float64) (total, mid, side []float64) {
	total, mid, side = make([]float64, len(centres)), make([]float64, len(centres)), make([]float64, len(centres))
	for i, c := range centres {
		lo, hi := c*math.Pow(2, -0.5/n), c*math.Pow(2, 0.5/n)
		m, s := p.band(p.mid, lo, hi), p.band(p.side, lo, hi)
		mid[i], side[i], total[i] = db(m), db(s), db(m+s)
	}
	return total, mid, side
}

// rangePower is the total (mid + side) power between lo and hi Hz.
func (p *psd) rangePower(lo, hi float64) float64 {
	return p.band(p.mid, lo, hi) + p.band(p.side, lo, hi)
}

func db(p float64) float64 {
	if p <= 1e-30 {
		return math.NaN()
	}
	return 10 * math.Log10(p)
}

// Analyze measures a track.
func Analyze(t *Track) *Analysis {
	a := &Analysis{File: t.Name, Role: t.Role, rate: t.Rate}
	r := loudness.Measure(t.Buf, float64(t.Rate), loudness.Options{})
	a.IntegratedLUFS, a.LoudnessRangeLU, a.SamplePeakDBFS = r.IntegratedLUFS, r.LoudnessRangeLU, r.SamplePeakDBFS
	a.psd = longTerm(t.Buf, t.Rate)
	a.Spectrum, a.MidSpectrum, a.SideSpectrum = a.psd.bands(thirdCentres, 3)
	a.CrestDB, a.TransientsPerS = dynamicsOf(t.Buf, t.Rate)
	a.stereo(t.Buf)
	a.SibilanceDB, a.SibilanceHz = math.NaN(), math.NaN()
	if t.Role.IsVocal() {
		a.SibilanceDB, a.SibilanceHz = sibilance(t.Buf, t.Rate)
	}
	a.resonances()
	a.keepStationary(t.Buf)
	return a
}

// stereo fills the width and mono-compatibility figures.
func (a *Analysis) stereo(b *audio.Buffer) {
	var ll, rr, lr, mm, ss float64
	for i, l64 := range b.Data[0] {
		l, r := float64(l64), float64(b.Data[1][i])
		ll += l * l
		rr += r * r
		lr += l * r
		mm += (l + r) * (l + r) / 4
		ss += (l - r) * (l - r) / 4
	}
	a.SideToMidDB, a.Correlation, a.MonoLossDB, a.LowCorrelation = math.Inf(-1), 1, 0, 1
	if mm > 0 && ss > 0 {
		a.SideToMidDB = 10 * math.Log10(ss/mm)
	}
	if ll > 0 && rr > 0 {
		a.Correlation = lr / math.Sqrt(ll*rr)
	}
	if ll+rr > 0 {
		a.MonoLossDB = 10 * math.Log10(math.Max(mm, 1e-30)/((ll+rr)/2))
	}
	// Correlation below 150 Hz from the mid/side powers: (M−S)/(M+S).
	lm, ls := a.psd.band(a.psd.mid, 20, 150), a.psd.band(a.psd.side, 20, 150)
	if lm+ls > 0 {
		a.LowCorrelation = (lm - ls) / (lm + ls)
	}
}

// dynamicsOf returns the crest (median peak-to-RMS of active 1 s windows,
// hop 0.5 s) and the onsets per active second of the mono fold-down.
func dynamicsOf(b *audio.Buffer, rate int) (crest, transients float64) {
	n := len(b.Data[0])
	mono := func(i int) float64 { return (float64(b.Data[0][i]) + float64(b.Data[1][i])) / 2 }
	win, hop := rate, rate/2
	type wstat struct{ peak, rms float64 }
	var ws []wstat
	var loud float64
	for s := 0; s == 0 || s+win <= n; s += hop {
		var pk, ss float64
		e := min(s+win, n)
		for i := s; i < e; i++ {
			v := mono(i)
			pk = max(pk, math.Abs(v))
			ss += v * v
		}
		rms := math.Sqrt(ss / float64(max(e-s, 1)))
		ws = append(ws, wstat{pk, rms})
		loud = max(loud, rms)
		if e == n {
			break
		}
	}
	var crests []float64
	for _, w := range ws {
		if w.rms > 0 && w.rms >= loud*0.0316 { // within 30 dB of the loudest window
			crests = append(crests, 20*math.Log10(w.peak/w.rms))
		}
	}
	crest = math.NaN()
	if len(crests) > 0 {
		slices.Sort(crests)
		crest = crests[len(crests)/2]
	}
	// Onsets on 10 ms frames.
	fr := rate / 100
	var e []float64
	var maxE float64
	for s := 0; s+fr <= n; s += fr {
		var ss float64
		for i := s; i < s+fr; i++ {
			v := mono(i)
			ss += v * v
		}
		e = append(e, ss/float64(fr))
		maxE = max(maxE, ss/float64(fr))
	}
	if maxE == 0 {
		return crest, 0
	}
	gate := maxE * 1e-4 // 40 dB under the loudest frame
	onsets, active, last := 0, 0, -100
	for i := range e {
		if e[i] < gate {
			continue
		}
		active++
		if i < 10 {
			continue
		}
		var prev float64
		for j := i - 10; j < i; j++ {
			prev += e[j]
		}
		prev /= 10
		if e[i] > prev*6.3 && i-last >= 5 { // +8 dB, at most one onset per 50 ms
			onsets++
			last = i
		}
	}
	if active == 0 {
		return crest, 0
	}
	return crest, float64(onsets) / (float64(active) / 100)
}

// sibilance returns the 5–10 kHz energy against the 1–5 kHz energy over
// the loudest 10 % of 20 ms frames in the 5–10 kHz range: an "ess" is a
// short burst there, which a long-term average hides. It also returns
// the frequency where those frames' summed 5–10 kHz spectrum, smoothed
// over 1/3 octave, peaks.
func sibilance(b *audio.Buffer, rate int) (ratioDB, peakHz float64) {
	if rate < 22000 {
		return math.NaN(), math.NaN()
	}
	n := 1024
	for float64(n) < 0.02*float64(rate) {
		n *= 2
	}
	fft := fourier.NewFFT(n)
	seq := make([]float64, n)
	var coef []complex128
	binHz := float64(rate) / float64(n)
	type fr struct {
		hi, mid float64
		at      int
	}
	var frames []fr
	frame := func(s int) {
		for i := range n {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
			seq[i] = (float64(b.Data[0][s+i]) + float64(b.Data[1][s+i])) / 2 * w
		}
		coef = fft.Coefficients(coef, seq)
	}
	for s := 0; s+n <= len(b.Data[0]); s += n {
		frame(s)
		f := fr{at: s}
		for k, z := range coef {
			p := real(z)*real(z) + imag(z)*imag(z)
			hz := float64(k) * binHz
			switch {
			case hz >= 1000 && hz < 5000:
				f.mid += p
			case hz >= 5000 && hz < 10000:
				f.hi += p
			}
		}
		if f.hi+f.mid > 0 {
			frames = append(frames, f)
		}
	}
	if len(frames) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.SortFunc(frames, func(x, y fr) int { return cmpDesc(x.hi, y.hi) })
	top := frames[:max(1, len(frames)/10)]
	var hi, mid float64
	spec := make([]float64, n/2+1)
	for _, f := range top {
		hi += f.hi
		mid += f.mid
		frame(f.at)
		for k, z := range coef {
			spec[k] += real(z)*real(z) + imag(z)*imag(z)
		}
	}
	if mid == 0 {
		return math.NaN(), math.NaN()
	}
	best, peakHz := -1.0, math.NaN()
	for k := int(5000 / binHz); float64(k)*binHz <= 10000 && k < len(spec); k++ {
		c := float64(k) * binHz
		var p float64
		for j := int(c / math.Pow(2, 1.0/6) / binHz); j <= int(c*math.Pow(2, 1.0/6)/binHz) && j < len(spec); j++ {
			p += spec[j]
		}
		if p > best {
			best, peakHz = p, c
		}
	}
	return 10 * math.Log10(hi/mid), peakHz
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

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
		if math.IsNaN(lv[i]) || !(lv[i] > lv[i-1] && lv[i] >= lv[i+1]) {
			continue
		}
		var around []float64
		for j := max(0, i-12); j <= min(len(lv)-1, i+12); j++ {
			if !math.IsNaN(lv[j]) {
				around = append(around, lv[j])
			}
		}
		slices.Sort(around)
		med := around[len(around)/2]
		ex := lv[i] - med
		if ex < resonanceDB {
			continue
		}
		// Width: how far either side the level stays within 3 dB of the peak.
		w := 1
		for j := 1; j < 6 && i-j >= 0 && i+j < len(lv); j++ {
			if lv[i-j] < lv[i]-3 && lv[i+j] < lv[i]-3 {
				break
			}
			w = j + 1
		}
		bwOct := float64(2*w-1) / 24
		q := math.Sqrt(math.Pow(2, bwOct)) / (math.Pow(2, bwOct) - 1)
		cand = append(cand, Resonance{FreqHz: centres[i], ExcessDB: ex, Q: math.Min(8, math.Max(2, q))})
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
// of at least 6 dB.
func (a *Analysis) keepStationary(b *audio.Buffer) {
	if len(a.Resonances) == 0 {
		return
	}
	n := fftSize(a.rate) / 2
	fft := fourier.NewFFT(n)
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
	var energies []float64
	type frame struct {
		e  float64
		ex []float64
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
		coef = fft.Coefficients(coef, seq)
		fr := frame{e: e, ex: make([]float64, len(cs))}
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
		}
	}
	kept := a.Resonances[:0]
	for i, r := range a.Resonances {
		if len(excess[i]) == 0 {
			continue
		}
		slices.Sort(excess[i])
		if excess[i][len(excess[i])/2] >= stationaryDB {
			kept = append(kept, r)
		}
	}
	a.Resonances = kept
}

// stationaryDB is the median frame-by-frame excess (peak density over the
// octave's mean density) a resonance must keep.
const stationaryDB = 6
