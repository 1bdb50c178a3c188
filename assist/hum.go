package assist

import (
	"cmp"
	"math"
	"slices"

	"stemmaster"
	"stemmaster/audio"
)

// Under 80 Hz, where the resonance search (resonance.go) stops, a stem
// may hold a narrow, steady peak it was never meant to: mains hum (a line
// at 50 or 60 Hz and its harmonics, from a ground loop, a guitar amp, a
// lamp dimmer), or, on a vocal, a low resonance (an air conditioner, a
// fridge, a stand's ringing). The role's high-pass takes a few dB off it
// (12 dB an octave: 8 dB at 50 Hz under an 80 Hz high-pass); a peak 20 dB
// over its surroundings needs a notch of its own. The search reads a
// spectrum fine enough to tell a mains line from a note beside it (bins of
// at most fineBinHz: G1 lies at 49.0 Hz, B♭1 at 58.3), in up to
// fineMaxFrames frames spread over the stem.
//
// Hum is told from a musical drone (a riser, an 808 held under a phrase,
// a sub sweep) by what the grid gives it and music does not: each line is
// a peak of its own within ±0.5 % of a mains harmonic (no equal-tempered
// note at A = 440 Hz lies that near 50 or 60 Hz: a 49 Hz G1's skirt is no
// line at 50), the series holds two lines or more, and each line keeps
// its level through the stem's quietest frames (humQuietSpreadDB), where
// a drone that comes with the phrases and swells, or a note's harmonic
// that falls on the grid, is absent or lower.
// Frames of digital silence are no evidence either way: a stem gated
// between phrases carries its hum only where it plays.
//
// Which roles are searched (lowSearchOf): vocals for hum and a low peak of
// any other kind (a voice carries nothing there); effects and instruments
// for hum only (a sub drone on an effect, a synth's low note on the
// instruments, is there on purpose); basses, drums and other stems for hum
// whose lines under lowPeakTopHz are taken only when the series is
// mains-exact (three lines or more, each within mainsExactShare of its
// harmonic), so a bass or kick fundamental is never notched; their lines
// over it are. Thresholds are rules of thumb.
const (
	lowPeakTopHz    = 80 // where resonances() starts
	lowPeakBottomHz = 20
	fineBinHz       = 0.4
	fineMaxFrames   = 64
	// humHarmonics: the lines searched, 50 … 400 Hz (60 … 480 Hz);
	// rectified hum is strongest at the second.
	humHarmonics = 8
	// humDB is how far a mains line's long-term level stands over the
	// median bin within a sixth of an octave around it; lowFrameDB how
	// far a line or a low peak stands out, as the median over the frames
	// (steady): a frame of noise alone reads about 5 dB, the strongest of
	// the line's bins against the median of the others.
	humDB      = 10
	lowFrameDB = 8
	// mainsShare is the grid's tolerance (±0.5 %); mainsExactShare the
	// tolerance of a series taken under lowPeakTopHz on a bass, drums or
	// other stem (±0.2 %: a grid holds ±0.2 Hz of 50 Hz for minutes).
	mainsShare      = 0.005
	mainsExactShare = 0.002
	// humMinLines is the fewest lines a series holds: a ground loop's hum
	// is never a pure sine (its third, or rectified its second, is there).
	humMinLines      = 2
	humExactMinLines = 3
	// humQuietSpreadDB bounds how far a line's median level over the
	// quietest quarter of the frames lies from its median over all of
	// them, and it must stand lowFrameDB out there too: hum holds its
	// level under everything, the quiet passages too.
	humQuietSpreadDB = 6
	// humFloorDB: a line this far under the strongest bin of the stem's
	// long-term spectrum lies under any 24-bit floor; on a stem without
	// noise (generated tones) the float32 rounding's spurs stand out of
	// nothing (a keys fixture's 420 Hz, at 21 times the common period of
	// its 60 and 80 Hz tones).
	humFloorDB = 90
	// quietMinFrames is the fewest frames holding signal in which the
	// quiet passages are read: francium's backing vocals, gated, fill 3.
	quietMinFrames = 8
	// humCombDB is how far a line stands over its comb neighbours (the
	// mean level, in dB, of the peaks a spacing away on either side, for
	// the spacing where they are strongest, up to humCombMaxShare of the
	// mains; the nearest pair within humCombNearDB of the line): drums built from one beat repeated sample-exactly hold a
	// comb of lines every beat's frequency (2 Hz at 120 BPM, 2.08 at 125),
	// which at those tempos falls on every mains harmonic, each line as
	// strong as its neighbours. Hum rings over what the loop puts there.
	humCombDB       = 6
	humCombNearDB   = 20
	humCombMaxShare = 0.2
	// humNotches bounds the notches (the strongest lines): with the
	// high-pass, three resonances and a vocal's seven tone bands a strip
	// stays within stemmaster.MaxEQBands.
	humNotches = 3
	// humWidthHz is a hum notch's bandwidth: mains frequency holds within
	// ±0.2 Hz, so a 2 Hz notch takes the line out and no music beside it.
	// Q is at most 50, so over 100 Hz the notch is f/50 wide.
	humWidthHz = 2.0
	// lowCutMaxDB bounds a hum notch or a low peak's cut: what it leaves
	// 30 dB down sits under the programme.
	lowCutMaxDB = 30
)

// mainsHz are the mains frequencies of the world's grids.
var mainsHz = []float64{50, 60}

// lowSearch is what a role's stems are searched for under and around
// lowPeakTopHz (see the comment above the constants).
type lowSearch int

const (
	searchNone      lowSearch = iota
	searchHumExact            // hum; lines under lowPeakTopHz only in a mains-exact series
	searchHum                 // hum
	searchHumAndLow           // hum and any other steady low peak
)

func lowSearchOf(r stemmaster.Role) lowSearch {
	switch {
	case r.IsVocal():
		return searchHumAndLow
	case r == stemmaster.RoleFX || r == stemmaster.RoleInstruments:
		return searchHum
	case r.Valid():
		return searchHumExact
	}
	return searchNone
}

// lineExcess is how far, in dB, the strongest bin within tol Hz of f
// stands over the median bin from a sixth of an octave under f to a
// sixth over (the line's own bins and the window's main lobe beside them
// left out); NaN where that is silent. scratch is reused.
func (fs *fineSpectrum) lineExcess(p []float64, f, tol float64, scratch []float64) (float64, []float64) {
	k0, k1 := int(math.Ceil((f-tol)/fs.binHz)), int(math.Floor((f+tol)/fs.binHz))
	lo, hi := int(f*math.Pow(2, -1.0/6)/fs.binHz), int(math.Ceil(f*math.Pow(2, 1.0/6)/fs.binHz))
	if k1 < k0 {
		k0 = int(math.Round(f / fs.binHz))
		k1 = k0
	}
	if lo < 1 || hi >= len(p) {
		return math.NaN(), scratch
	}
	var peak float64
	for k := k0; k <= k1; k++ {
		peak = max(peak, p[k])
	}
	scratch = scratch[:0]
	for k := lo; k <= hi; k++ {
		if k < k0-3 || k > k1+3 {
			scratch = append(scratch, p[k])
		}
	}
	if len(scratch) == 0 {
		return math.NaN(), scratch
	}
	slices.Sort(scratch)
	floor := scratch[len(scratch)/2]
	if !(peak > 0 && floor > 0) {
		return math.NaN(), scratch
	}
	return 10 * math.Log10(peak/floor), scratch
}

// steady is the median over the frames of the line's excess (lineExcess);
// NaN without frames.
func (fs *fineSpectrum) steady(f, tol float64) float64 {
	var ex, scratch []float64
	for _, p := range fs.frames {
		var e float64
		e, scratch = fs.lineExcess(p, f, tol, scratch)
		if !math.IsNaN(e) {
			ex = append(ex, e)
		}
	}
	if len(ex) == 0 {
		return math.NaN()
	}
	slices.Sort(ex)
	return ex[len(ex)/2]
}

// lineAt is where the line of p within tol Hz of f lies: its strongest
// bin there, interpolated between bins (a parabola through the dB levels
// of it and its neighbours); NaN where that bin is no local peak (the
// skirt of a note beside f: a 49 Hz G1 rises toward 49 Hz through the
// bins around 50) or is silent.
func (fs *fineSpectrum) lineAt(p []float64, f, tol float64) float64 {
	k0, k1 := int(math.Ceil((f-tol)/fs.binHz)), int(math.Floor((f+tol)/fs.binHz))
	if k1 < k0 {
		k0 = int(math.Round(f / fs.binHz))
		k1 = k0
	}
	top := max(1, k0)
	for k := top; k <= k1 && k+1 < len(p); k++ {
		if p[k] > p[top] {
			top = k
		}
	}
	if top+1 >= len(p) || !(p[top] > p[top-1] && p[top] >= p[top+1] && p[top-1] > 0 && p[top+1] > 0) {
		return math.NaN()
	}
	l, c, r := math.Log(p[top-1]), math.Log(p[top]), math.Log(p[top+1])
	d := 0.0
	if den := l - 2*c + r; den < 0 {
		d = math.Max(-0.5, math.Min(0.5, 0.5*(l-r)/den))
	}
	return (float64(top) + d) * fs.binHz
}

// topBin is the strongest bin of p within tol Hz of f; false where no bin
// of p lies there.
func (fs *fineSpectrum) topBin(p []float64, f, tol float64) (int, bool) {
	lo, hi := max(0, int(math.Ceil((f-tol)/fs.binHz))), min(len(p)-1, int(math.Floor((f+tol)/fs.binHz)))
	if hi < lo {
		return 0, false
	}
	top := lo
	for k := lo + 1; k <= hi; k++ {
		if p[k] > p[top] {
			top = k
		}
	}
	return top, true
}

// lineLevel is the strongest bin of p within tol Hz of f (0 where none).
func (fs *fineSpectrum) lineLevel(p []float64, f, tol float64) float64 {
	if k, ok := fs.topBin(p, f, tol); ok {
		return p[k]
	}
	return 0
}

// overComb is how far, in dB, the line of p within tol Hz of f stands
// over its comb neighbours: the nearest pair of local peaks (each within
// a bin of where it is looked for) the same number of bins under and over
// the line's strongest bin, at least 3 bins away (outside the window's
// main lobe) and at most maxHz, both within humCombNearDB of the line,
// their mean dB level; a comb holds the pair twice as far out too (two
// notes of a bass either side of a line are no comb). The nearest pair is the comb's spacing; a pair
// further out may take in what the loop holds most of (a kick's
// fundamental a few Hz off the line). +Inf where no such pair is: the
// line has no comb around it.
func (fs *fineSpectrum) overComb(p []float64, f, tol, maxHz float64) float64 {
	top, ok := fs.topBin(p, f, tol)
	if !ok {
		return math.Inf(1)
	}
	near := p[top] * math.Pow(10, -humCombNearDB/10)
	// peakNear is the strongest local peak of p within a bin of k over
	// near, 0 for none.
	peakNear := func(k int) float64 {
		var best float64
		for j := k - 1; j <= k+1; j++ {
			if p[j] >= near && p[j] >= p[j-1] && p[j] >= p[j+1] {
				best = max(best, p[j])
			}
		}
		return best
	}
	for d := 3; float64(d)*fs.binHz <= maxHz && top-2*d-1 >= 1 && top+2*d+2 < len(p); d++ {
		if lo, hi := peakNear(top-d), peakNear(top+d); lo > 0 && hi > 0 && peakNear(top-2*d) > 0 && peakNear(top+2*d) > 0 {
			return 10 * math.Log10(p[top]/math.Sqrt(lo*hi))
		}
	}
	return math.Inf(1)
}

// holdsInQuiet reports whether the line at f (±tol) keeps its level in
// the stem's quietest quarter of frames (by their energy): its median
// level there within humQuietSpreadDB of its median over every frame, and
// standing lowFrameDB over its surroundings there. Hum rings under
// everything at one level; a drone swells and comes with the phrases.
func (fs *fineSpectrum) holdsInQuiet(f, tol float64) bool {
	n := len(fs.frames)
	if n < quietMinFrames {
		return n > 0 // a stem that plays too briefly to have quiet passages of its own
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(fs.energy[x], fs.energy[y]) })
	quiet := order[:max(1, n/4)]
	level := func(frames []int) float64 {
		lv := make([]float64, 0, len(frames))
		for _, i := range frames {
			lv = append(lv, fs.lineLevel(fs.frames[i], f, tol))
		}
		slices.Sort(lv)
		return lv[len(lv)/2]
	}
	all, q := level(order), level(quiet)
	if !(all > 0 && q > 0) || math.Abs(10*math.Log10(q/all)) > humQuietSpreadDB {
		return false
	}
	var ex, scratch []float64
	for _, i := range quiet {
		var e float64
		e, scratch = fs.lineExcess(fs.frames[i], f, tol, scratch)
		if !math.IsNaN(e) {
			ex = append(ex, e)
		}
	}
	if len(ex) == 0 {
		return false
	}
	slices.Sort(ex)
	return ex[len(ex)/2] >= lowFrameDB
}

// humLines is the series of mains frequency m the spectrum holds (nil for
// none): each harmonic standing humDB out of the long-term spectrum (or of
// the median frame) and lowFrameDB out of most frames, as a peak of its
// own within the grid's tolerance, holding its level through the quiet
// frames; two lines or more, the first or second among them. With exact,
// the lines under lowPeakTopHz are kept only when three lines or more lie
// within mainsExactShare of their harmonics, and every line does.
func (fs *fineSpectrum) humLines(m float64, exact bool) []Resonance {
	var lines []Resonance
	base, exactLines := false, 0
	floor := slices.Max(fs.mean) * math.Pow(10, -humFloorDB/10)
	for h := 1; h <= humHarmonics; h++ {
		f := m * float64(h)
		tol := math.Max(fs.binHz, mainsShare*f)
		at := fs.lineAt(fs.mean, f, tol)
		if !(math.Abs(at-f) <= tol) || !(fs.lineLevel(fs.mean, f, tol) > floor) {
			continue
		}
		// A line of a loop's comb is no hum: its neighbours a comb
		// spacing away are as strong, in the long-term spectrum and in
		// the median frame (where moving notes beside the line fill the
		// mean, as for the excess below).
		maxHz := m * humCombMaxShare
		oc := fs.overComb(fs.mean, f, tol, maxHz)
		if !(oc >= humCombDB) && len(fs.frames) > 0 {
			per := make([]float64, len(fs.frames))
			for i, p := range fs.frames {
				per[i] = fs.overComb(p, f, tol, maxHz)
			}
			slices.Sort(per)
			oc = per[len(per)/2]
		}
		if !(oc >= humCombDB) {
			continue
		}
		// The long-term excess, or the median frame's where moving notes
		// beside the line (a bass's) fill its surroundings in the mean.
		ex, _ := fs.lineExcess(fs.mean, f, tol, nil)
		st := fs.steady(f, tol)
		if ex = math.Max(ex, st); !(ex >= humDB) || !(st >= lowFrameDB) {
			continue
		}
		// Every line holds its level in the quiet frames: a note's
		// harmonic on the grid (F4 at 349.2 Hz within 0.5 % of 350, F1's
		// eleventh at 480.2) comes and goes with the note.
		if !fs.holdsInQuiet(f, tol) {
			continue
		}
		base = base || h <= 2
		if math.Abs(at-f) <= mainsExactShare*f {
			exactLines++
		}
		lines = append(lines, Resonance{FreqHz: f, ExcessDB: ex, Q: math.Min(50, f/humWidthHz), MainsHz: m})
	}
	if !base || len(lines) < humMinLines {
		return nil
	}
	if exact && (exactLines < humExactMinLines || exactLines < len(lines)) {
		lines = slices.DeleteFunc(lines, func(r Resonance) bool { return r.FreqHz < lowPeakTopHz })
	}
	return lines
}

// lowPeaks fills LowPeaks as the role's search asks (lowSearchOf): the
// mains hum (the stronger series, at most humNotches lines, the
// strongest), then, on a vocal, the strongest other narrow peak under
// lowPeakTopHz standing resonanceDB over the octave around it at 1/24
// octave and lowFrameDB over its surroundings in most frames.
func (a *Analysis) lowPeaks(b *audio.Buffer, search lowSearch) {
	fs := fineSpectrumOf(b, a.rate)
	var hum []Resonance
	for _, m := range mainsHz {
		if lines := fs.humLines(m, search == searchHumExact); energy(lines) > energy(hum) {
			hum = lines
		}
	}
	slices.SortFunc(hum, func(x, y Resonance) int { return cmpDesc(x.ExcessDB, y.ExcessDB) })
	a.LowPeaks = hum[:min(len(hum), humNotches)]
	if search != searchHumAndLow {
		return
	}

	// Other peaks: 1/24-octave levels against the octave around them, as
	// resonances() reads them above 80 Hz.
	var centres []float64
	for f := float64(lowPeakBottomHz); f <= lowPeakTopHz*math.Sqrt2; f *= math.Pow(2, 1.0/24) {
		centres = append(centres, f)
	}
	lv := make([]float64, len(centres))
	for i, c := range centres {
		var s float64
		for k := int(math.Ceil(c * math.Pow(2, -1.0/48) / fs.binHz)); k <= int(c*math.Pow(2, 1.0/48)/fs.binHz) && k < len(fs.mean); k++ {
			s += fs.mean[k]
		}
		lv[i] = db(s)
	}
	best := Resonance{}
	for i := 1; i+1 < len(lv) && centres[i] < lowPeakTopHz; i++ {
		ex, ok := peakExcess(lv, i)
		if !ok || ex < resonanceDB || ex <= best.ExcessDB || nearLine(a.LowPeaks, centres[i], 1.0/24) {
			continue
		}
		tol := centres[i] * (math.Pow(2, 1.0/48) - 1)
		if !(fs.steady(centres[i], tol) >= lowFrameDB) {
			continue
		}
		best = Resonance{FreqHz: centres[i], ExcessDB: ex, Q: math.Min(16, math.Max(2, peakQ(lv, i, 6)))}
	}
	if best.FreqHz > 0 {
		a.LowPeaks = append(a.LowPeaks, best)
	}
}

// energy is the lines' summed excess in power: which mains reads stronger.
func energy(lines []Resonance) float64 {
	var s float64
	for _, l := range lines {
		s += math.Pow(10, l.ExcessDB/10)
	}
	return s
}

// nearLine reports whether f lies within oct octaves of one of the
// peaks: a hum line the search already took.
func nearLine(peaks []Resonance, f, oct float64) bool {
	for _, p := range peaks {
		if math.Abs(math.Log2(f/p.FreqHz)) < oct {
			return true
		}
	}
	return false
}
