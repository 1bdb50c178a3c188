package assist

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
)

// correct decides a stem's corrective EQ and dynamics at full strength.
// withMix: the client's mix fixes the tone, so only faults are corrected
// (rumble, resonances), not the tonal balance.
// A stem that holds more than subPartShare of its energy under its
// role's high-pass, where that lies at or under subPartMaxHz (the
// sub-bass roles: drums, instruments, effects; a voice has no part under
// 80 Hz), plays a part there, not rumble: no high-pass. Francium's fx
// holds half its energy at 34–46 Hz (the intro's sub drop, its only
// sub-bass), and the 40 Hz high-pass took the master's 40 Hz band 3.2 dB
// under the mix's. Rule of thumb: rumble (stands, air conditioning,
// handling) sits 20 dB or more under a produced stem.
const (
	subPartShare = 0.25
	subPartMaxHz = 40
)

func (w *stemWork) correct(withMix, multi bool) {
	a := w.a
	name := w.t.base()
	role := w.t.Role
	// Low end that does not belong to the role.
	if hp := highPass[role]; hp > 0 && multi {
		below := a.psd.rangePower(0, hp)
		total := a.psd.rangePower(0, float64(a.rate)/2)
		share := below / total
		switch {
		case total > 0 && hp <= subPartMaxHz && share > subPartShare:
			// A part plays under the cut-off (a sub drop, a synth bass in
			// the instruments): the high-pass would take the song's
			// sub-bass with it. Rumble sits 20 dB or more under a stem.
			w.notes = append(w.notes, Decision{Kind: "note", File: name,
				Reason: fmt.Sprintf("no high-pass: %s carries %.1f dB of its energy below %g Hz, more than a quarter: a part plays there (a sub drop, a bass line), not rumble, which sits 20 dB or more under a stem", name, 10*math.Log10(share), hp)})
		case total > 0 && share > 1e-3: // more than −30 dB of the stem below the cutoff
			w.eqFull = append(w.eqFull, stemmaster.EQBand{Type: stemmaster.EQHighPass, FreqHz: hp, Q: 0.7071})
			w.bandWhy = append(w.bandWhy, Decision{Kind: "high_pass", File: name,
				Reason: fmt.Sprintf("%s carries %.1f dB of its energy below %g Hz, which its role (%s) does not need", name, 10*math.Log10(below/total), hp, roleName(role))})
		default:
			w.notes = append(w.notes, Decision{Kind: "note", File: name,
				Reason: fmt.Sprintf("no high-pass: %s has under −30 dB of its energy below %g Hz", name, hp)})
		}
	}
	// Hum (every stem) and narrow peaks under 80 Hz (vocals, hum.go): a
	// notch each, deep enough to bring the line to the spectrum around it.
	for i, r := range a.LowPeaks {
		cut := -math.Min(lowCutMaxDB, r.ExcessDB)
		band := stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: round(r.FreqHz, 1), GainDB: round(cut, 1), Q: round(r.Q, 1)}
		w.eqFull = append(w.eqFull, band)
		d := Decision{Kind: "resonance", File: name,
			Reason: fmt.Sprintf("a narrow peak at %.1f Hz stands %.1f dB out of the octave around it, there most of the time, under %g Hz where its role (%s) carries nothing: %.1f dB, Q %.1f",
				r.FreqHz, r.ExcessDB, float64(lowPeakTopHz), roleName(role), cut, r.Q)}
		if r.MainsHz > 0 {
			var lines []string
			for _, l := range a.LowPeaks {
				if l.MainsHz == r.MainsHz {
					lines = append(lines, hz(l.FreqHz))
				}
			}
			d.Kind = "hum"
			d.Reason = fmt.Sprintf("%s carries %g Hz mains hum: a steady line at %s stands %.1f dB over the spectrum beside it: a notch of %.1f dB, %s Hz wide",
				name, r.MainsHz, hz(r.FreqHz), r.ExcessDB, cut, stemmaster.FormatNumber(round(band.FreqHz/band.Q, 1)))
			if i == 0 && len(lines) > 1 {
				d.Reason += fmt.Sprintf(" (the hum's lines notched: %s)", strings.Join(lines, ", "))
			}
		}
		w.bandWhy = append(w.bandWhy, d)
	}
	// Resonances (not on bass, whose long-term peaks are its notes; not
	// where a hum line was notched).
	if role != stemmaster.RoleBass && role != stemmaster.RoleOther {
		for _, r := range a.Resonances {
			if nearLine(a.LowPeaks, r.FreqHz, 1.0/12) {
				continue
			}
			cut := -math.Min(6, 2+(r.ExcessDB-resonanceDB)/2)
			w.eqFull = append(w.eqFull, stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: round(r.FreqHz, 0), GainDB: cut, Q: round(r.Q, 2)})
			w.bandWhy = append(w.bandWhy, Decision{Kind: "resonance", File: name,
				Reason: fmt.Sprintf("a narrow peak at %.0f Hz stands %.1f dB out of the octave around it: %.1f dB, Q %.1f", r.FreqHz, r.ExcessDB, cut, r.Q)})
		}
	}
	// Tonal balance toward the family's curve (not with a mix: its tone is
	// the client's intent).
	if pts, ok := stemCurves[role]; ok && !withMix && multi {
		if role == stemmaster.RoleDrums && a.psd.rangePower(40, 120) < 1e-3*a.psd.rangePower(0, float64(a.rate)/2) {
			// No kick (under −30 dB at 40–120 Hz): a percussion or top-kit
			// stem, matched to the percussion curve.
			pts = percussionCurve
		}
		w.tone(pts)
	}
	// Sibilance on vocals: a de-esser split half an octave under the
	// peak of the loudest esses.
	if sb := a.SibilanceDB; !math.IsNaN(sb) && sb > sibilanceMaxDB && !math.IsNaN(a.SibilanceHz) {
		f := round(a.SibilanceHz*math.Pow(2, -deEssSplitOctaves)/100, 0) * 100
		f = math.Max(stemmaster.DeEsserMinHz, math.Min(stemmaster.DeEsserMaxHz, f))
		rng := round(math.Min(deEssMaxRangeDB, deEssMinRangeDB+deEssSlope*(sb-sibilanceMaxDB)), 1)
		if f < 0.45*float64(a.rate) {
			w.deEss = &stemmaster.DeEsserParams{FreqHz: f, RangeDB: rng}
			w.deEssWhy = fmt.Sprintf("%s is sibilant: its loudest 5–10 kHz moments reach %.1f dB against 1–5 kHz (norm: under %d dB), peaking at %s: a de-esser from %s, up to %.1f dB at full amount",
				name, sb, sibilanceMaxDB, hz(a.SibilanceHz), hz(f), rng)
		}
	}
	// Width: a stem whose side outweighs its mid loses level in mono.
	if s2m := a.SideToMidDB; !math.IsInf(s2m, 0) && !math.IsNaN(s2m) && s2m > wideMaxDB {
		w.widthFull = math.Max(minWidth, round(math.Pow(10, (wideAimDB-s2m)/20), 2))
		w.widthWhy = fmt.Sprintf("%s is wide: side %+.1f dB against mid (norm: at most %d dB), correlation %.2f, mono fold-down %.1f dB: width %.2f at full amount brings the side to %.1f dB",
			name, s2m, wideMaxDB, a.Correlation, a.MonoLossDB, w.widthFull, s2m+20*math.Log10(w.widthFull))
		if a.Correlation < -0.5 {
			w.widthWhy += "; a correlation this negative is usually one channel's polarity inverted: check the stem"
		}
	}
	// Low end out of phase: mono under lowMonoHz.
	if lc := a.LowCorrelation; lc < lowCorrMin && !math.IsInf(a.SideToMidDB, -1) && !math.IsNaN(lc) {
		w.lowMono = true
		w.lowWhy = fmt.Sprintf("%s is wide below %g Hz (correlation %.2f there, norm: at least %.1f): its low end loses level in mono; the band under %g Hz goes to mono at full amount",
			name, lowMonoHz, lc, lowCorrMin, lowMonoHz)
	}
	// Dynamics.
	if dn, ok := stemDynamics[role]; ok && !math.IsNaN(a.CrestDB) && a.CrestDB > dn.crestMax {
		hi := dn.crestMax
		ratio := round(1+math.Min(3, (a.CrestDB-hi)/3), 2)
		w.comp = &stemmaster.CompressorParams{Ratio: ratio, AttackMS: dn.attackMS, ReleaseMS: dn.releaseMS, KneeDB: 6}
		if role == stemmaster.RoleDrums || role == stemmaster.RoleInstruments {
			w.comp.SidechainHPFHz = 0
		}
		w.compWhy = fmt.Sprintf("%s has a crest of %.1f dB, above the %g dB usual for %s: %.2f:1 from %.0f dB above its loudness, %g/%g ms",
			name, a.CrestDB, hi, roleName(role), ratio, compOffset(hi), dn.attackMS, dn.releaseMS)
	}
}

// stemToneLimitDB bounds a stem's tonal correction per octave band: stem
// mastering corrects a family's tone by a few dB (as the master's tonal EQ
// moves at most 3 dB), and a stem that departs further from its family's
// curve was made so on purpose, or needs its mix engineer, not a +12 dB
// octave that lifts its noise and spill with it. activeRangeDB is how far under its loudest band (octave-smoothed) a
// stem's band still counts as carrying it.
const (
	stemToneLimitDB = 4
	activeRangeDB   = 24
	activeTaperDB   = 12
)

// compOffset is where a stem compressor's threshold sits above the stem's
// integrated loudness: half the family's crest ceiling, so the peaks that
// make the crest too high are the ones reduced.
func compOffset(crestHi float64) float64 { return math.Round(crestHi / 2) }

// tone fits octave-wide peaks so that the stem's octave-smoothed spectrum
// (after the EQ decided so far) follows the family's curve.
func (w *stemWork) tone(pts []point) {
	a := w.a
	rng := stemRange[w.t.Role]
	rate := float64(a.rate)
	cur := smooth(a.Spectrum, 1)
	target := make([]float64, len(thirdCentres))
	weight := make([]float64, len(thirdCentres))
	top := math.Inf(-1)
	for k, c := range thirdCentres {
		if c >= rng[0] && c <= rng[1] && !math.IsNaN(cur[k]) {
			top = math.Max(top, cur[k])
		}
	}
	// The stem's active range: the bands within activeRangeDB of its
	// loudest. Only there is the tone corrected — boosting where a stem
	// holds next to nothing would raise its noise, not its tone.
	var sw, sd float64
	lo, hi := math.Inf(1), 0.0
	for k, c := range thirdCentres {
		if c < rng[0] || c > rng[1] || c >= rate/2 || math.IsNaN(cur[k]) || cur[k] <= top-activeRangeDB-activeTaperDB {
			continue
		}
		have := cur[k] + bandAverageDB(w.eqFull, c, rate)
		target[k] = curve(pts, c) - have
		// Full weight inside the active range, tapering to none
		// activeTaperDB further down: no edge for a delivery's tone to
		// push a band across.
		weight[k] = math.Min(1, (cur[k]-(top-activeRangeDB-activeTaperDB))/activeTaperDB)
		sw += weight[k]
		sd += weight[k] * target[k]
		lo, hi = math.Min(lo, c), math.Max(hi, c)
	}
	if sw < 3 {
		return
	}
	for k := range target {
		if weight[k] > 0 {
			target[k] -= sd / sw
		}
	}
	// Octave bands whose centre lies in the active range (the nearest ones
	// at its edges).
	bands := octavePeaks(math.Max(rng[0], lo/math.Sqrt2), math.Min(rng[1], hi*math.Sqrt2), rate)
	fitGains(bands, thirdCentres, target, weight, stemToneLimitDB, 0.2, rate)
	var parts []string
	kept := bands[:0]
	for _, b := range bands {
		b.GainDB = round(b.GainDB, 1)
		if math.Abs(b.GainDB) >= 0.3 {
			kept = append(kept, b)
		}
	}
	if len(kept) == 0 {
		w.notes = append(w.notes, Decision{Kind: "note", File: w.t.base(), Reason: fmt.Sprintf("the tone of %s already follows the %s curve", w.t.base(), roleName(w.t.Role))})
		return
	}
	order := slices.Clone(kept)
	slices.SortFunc(order, func(x, y stemmaster.EQBand) int { return cmpDesc(math.Abs(x.GainDB), math.Abs(y.GainDB)) })
	for _, b := range order[:min(3, len(order))] {
		parts = append(parts, fmt.Sprintf("%+.1f dB at %s", b.GainDB, hz(b.FreqHz)))
	}
	for j, b := range kept {
		w.eqFull = append(w.eqFull, b)
		why := Decision{Kind: "tone", File: w.t.base()}
		if j == 0 {
			why.Reason = fmt.Sprintf("the octave-smoothed tone of %s departs from the usual %s curve: %s (octave-wide bands; figures at full amount)", w.t.base(), roleName(w.t.Role), strings.Join(parts, ", "))
		} else {
			why.Reason = fmt.Sprintf("tone toward the %s curve, octave band at %s", roleName(w.t.Role), hz(b.FreqHz))
		}
		w.bandWhy = append(w.bandWhy, why)
	}
}

func hz(f float64) string {
	if f >= 1000 {
		return fmt.Sprintf("%.3g kHz", f/1000)
	}
	return fmt.Sprintf("%.0f Hz", f)
}
