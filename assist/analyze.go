package assist

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/resample"
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

// base is the track's file name without its directory, as decisions and
// their reasons name it.
func (t *Track) base() string { return filepath.Base(t.Name) }

// atRate returns the track converted to rate as the engine converts a
// stem with resample: true as it reads it (package dsp/resample: exact
// length, the filter's delay removed); the track itself when it is at
// rate already.
func (t *Track) atRate(rate int) (*Track, error) {
	if t.Rate == rate {
		return t, nil
	}
	rs, err := resample.New(t.Rate, rate, t.Buf.Channels())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	buf := rs.Process(nil, t.Buf)
	tail := rs.Flush(nil)
	for c := range buf.Data {
		buf.Data[c] = append(buf.Data[c], tail.Data[c]...)
	}
	return &Track{Name: t.Name, Role: t.Role, Rate: rate, Buf: buf}, nil
}

// ReadTrack decodes a whole file. Files of more than two channels are
// refused: the assistant works on stereo programme.
func ReadTrack(path string) (*Track, error) { return readSpan(path, 0, -1) }

// readSpan decodes lengthS seconds from startS on (lengthS < 0: to the
// end), the start rounded down and the length up to whole frames at the
// file's rate, which its one header read gives; an excerpt (lengthS ≥ 0)
// is padded with silence to its length, so that stems excerpted on one
// timeline stay aligned sample for sample.
func readSpan(path string, startS, lengthS float64) (*Track, error) {
	f, err := audio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info := f.Info()
	r := float64(info.Format.SampleRate)
	start, count := int64(startS*r), int64(-1)
	if lengthS >= 0 {
		count = int64(math.Ceil(lengthS * r))
	}
	ch := info.Format.Channels
	if ch < 1 || ch > 2 {
		return nil, fmt.Errorf("%s: %d channels; the assistant takes mono or stereo files", path, ch)
	}
	if err := loudness.CheckFormat(float64(info.Format.SampleRate), 2); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	maxFrames := int64(MaxDurationS * float64(info.Format.SampleRate))
	if count < 0 && info.Duration() > MaxDurationS {
		return nil, fmt.Errorf("%s: %.0f s is longer than the %d s the assistant analyses", path, info.Duration(), MaxDurationS)
	}
	if count >= 0 {
		maxFrames = min(maxFrames, count)
	}
	block := audio.NewBuffer(ch, 65536)
	skip := start
	if skip > 0 && f.SeekFrame(skip) == nil {
		skip = 0
	}
	// The header's length sizes the track at once (bounded above), so
	// that reading a long stem does not grow it by copies: appending
	// allocated five times the track's size and held up to twice it.
	out := [2][]float32{}
	if n := info.Frames - start; count >= 0 {
		out = [2][]float32{make([]float32, 0, count), make([]float32, 0, count)}
	} else if n > 0 && n <= maxFrames {
		out = [2][]float32{make([]float32, 0, n), make([]float32, 0, n)}
	}
	for int64(len(out[0])) < maxFrames || count < 0 {
		want := block.Cap()
		if count >= 0 {
			want = int(min(int64(want), skip+maxFrames-int64(len(out[0]))))
		}
		block.SetFrames(want)
		n, err := f.Read(block)
		from := int(min(skip, int64(n)))
		skip -= int64(from)
		for c := range 2 {
			src := block.Data[min(c, ch-1)][from:n]
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
			return nil, err // an *audio.FileError: it names the file
		}
		if count < 0 && int64(len(out[0])) > maxFrames {
			return nil, fmt.Errorf("%s: longer than the %d s the assistant analyses", path, MaxDurationS)
		}
	}
	if len(out[0]) == 0 && (count < 0 || start == 0) {
		return nil, fmt.Errorf("%s: no audio", path)
	}
	for _, ch := range out {
		for _, v := range ch {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%s: holds non-finite samples", path)
			}
		}
	}
	for c := range out {
		for int64(len(out[c])) < count {
			out[c] = append(out[c], 0)
		}
	}
	return &Track{Name: path, Rate: info.Format.SampleRate, Buf: &audio.Buffer{Data: [][]float32{out[0], out[1]}}}, nil
}

// MaxDurationS bounds what the assistant decodes into memory: 20 minutes,
// 460 MB of float32 per stereo track at 48 kHz.
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

// Analysis is what the assistant measures of one track. Spectra are in dB
// relative to a full-scale sine, one value per Centres band; NaN where
// the band is silent. Its JSON form (analysisJSON, json.go) names the
// fields in snake case and writes the undefined figures as null.
type Analysis struct {
	File            string
	Role            stemmaster.Role
	IntegratedLUFS  float64
	LoudnessRangeLU float64
	SamplePeakDBFS  float64
	// CrestDB is the median, over the active 1 s windows, of each
	// window's peak-to-RMS ratio: how much the peaks stand out, whatever
	// the level.
	CrestDB float64
	// TransientsPerS counts onsets (a 10 ms frame ≥ 8 dB above the
	// previous 100 ms) per second of active signal.
	TransientsPerS float64
	// SideToMidDB is the side channel's energy against the mid's (−Inf
	// for mono); Correlation the left/right correlation coefficient;
	// MonoLossDB how much quieter the mono fold-down (L+R)/2 is than the
	// stereo average (0 for mono, −3 for uncorrelated channels).
	SideToMidDB float64
	Correlation float64
	MonoLossDB  float64
	// LowCorrelation is the correlation below 150 Hz, where mono
	// compatibility matters most.
	LowCorrelation float64
	Spectrum       []float64
	MidSpectrum    []float64
	SideSpectrum   []float64
	// SibilanceDB (vocals): the 5–10 kHz energy against the 1–5 kHz
	// energy over the loudest 10 % of 20 ms frames; NaN for other roles.
	SibilanceDB float64
	// SibilanceHz (vocals): where the loudest 5–10 kHz moments peak (the
	// summed spectrum of those frames, smoothed over 1/3 octave); NaN
	// where SibilanceDB is.
	SibilanceHz float64
	Resonances  []Resonance
	// LowPeaks (hum.go): mains hum (MainsHz set), on every stem; on a
	// vocal, besides, a narrow steady peak under 80 Hz, where a voice
	// carries nothing.
	LowPeaks []Resonance

	psd   *psd
	rate  int
	fines []float64 // 1/24-octave spectrum for resonances
}

// Resonance is a narrow peak standing out of the smoothed spectrum.
type Resonance struct {
	FreqHz   float64
	ExcessDB float64 // above the octave-wide median around it (a hum line: the median bin around it)
	Q        float64
	MainsHz  float64 // a line of mains hum: 50 or 60 (Hz); 0 for a resonance
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
	a.keepStationary(t.Buf, stationaryDB, 0)
	if search := lowSearchOf(t.Role); search != searchNone {
		a.lowPeaks(t.Buf, search)
	}
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
	// Onsets on 10 ms frames, of the signal and of its second difference
	// (its top, +12 dB an octave): in a full mix the sustained bass and
	// chords hold the broadband level, and a drum hit rises 8 dB over
	// them only in the top, where it stands out. Read on the broadband
	// level alone, the demo song (120 BPM, hi-hats in eighths) summed
	// read 0.4 onsets a second, its drums alone 6.2: the limiter took the
	// release of a sparse song (150 ms) on a drum-driven one.
	fr := rate / 100
	var e, d []float64
	var maxE float64
	for s := 0; s+fr <= n; s += fr {
		var ss, dd float64
		p1, p2 := mono(max(s-1, 0)), mono(max(s-2, 0))
		for i := s; i < s+fr; i++ {
			v := mono(i)
			ss += v * v
			x := v - 2*p1 + p2
			dd += x * x
			p1, p2 = v, p1
		}
		e = append(e, ss/float64(fr))
		d = append(d, dd/float64(fr))
		maxE = max(maxE, ss/float64(fr))
	}
	if maxE == 0 {
		return crest, 0
	}
	gate := maxE * 1e-4 // 40 dB under the loudest frame
	rises := func(x []float64, i int) bool {
		var prev float64
		for j := i - 10; j < i; j++ {
			prev += x[j]
		}
		return x[i] > prev/10*6.3 // +8 dB over the previous 100 ms
	}
	onsets, active, last := 0, 0, -100
	for i := range e {
		if e[i] < gate {
			continue
		}
		active++
		if i < 10 {
			continue
		}
		if (rises(e, i) || rises(d, i)) && i-last >= 5 { // at most one onset per 50 ms
			onsets++
			last = i
		}
	}
	if active == 0 {
		return crest, 0
	}
	return crest, float64(onsets) / (float64(active) / 100)
}
