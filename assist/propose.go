package assist

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/engine"
	"stemmaster/loudness"
)

// Options steer a proposal.
type Options struct {
	// Family picks the norms; FamilyAuto (or empty) classifies the sum.
	Family Family
	// Target, when set, is the master's loudness target; nil leaves the
	// session's default (or the references' loudness when matching).
	Target *stemmaster.Target
	// Amount scales every decision: 0 proposes the plain session (every
	// stem at unity, the default master chain), 1 the full proposal.
	Amount float64
	// Mix is the client's mix: its balance is their intent.
	Mix *Track
	// References to match, with weights (0 means 1).
	References []Reference
	// MatchAmount scales the reference matching (tone, loudness); nil
	// means Amount.
	MatchAmount *float64
	// Smoothing is the width in octaves of the smoothing applied to both
	// spectra before matching them; 0 means 1/3 octave.
	Smoothing float64
}

// Reference is one reference track and its weight in the blend.
type Reference struct {
	Track  *Track
	Weight float64
}

// Decision is one automatic choice: where it lands in the session, how
// strongly (amount, 0…1), what it sets and why.
type Decision struct {
	Path   string  `json:"path"` // session field, e.g. "stems[0].gain_db", "master.eq[3]"
	File   string  `json:"file,omitempty"`
	Kind   string  `json:"kind"` // balance, polarity, high_pass, resonance, tone, masking, dynamics, de_esser, width (stem width, mono under 150 Hz), master_tone, match, glue, limiter, target, note
	Amount float64 `json:"amount"`
	Value  string  `json:"value"`
	Reason string  `json:"reason"`
}

// Masking is a conflict between two families in a frequency range.
type Masking struct {
	Between  [2]string `json:"between"`
	RangeHz  [2]float64
	DeltaDB  float64 `json:"delta_db"` // first minus second, in the range
	Conflict bool    `json:"conflict"`
}

// Proposal is the assistant's result: a complete session, the decisions
// behind it, and the analysis they came from.
type Proposal struct {
	Family       Family              `json:"family"`
	FamilyReason string              `json:"family_reason"`
	Amount       float64             `json:"amount"`
	MatchAmount  float64             `json:"match_amount"`
	Session      *stemmaster.Session `json:"session"`
	Decisions    []Decision          `json:"decisions"`
	Stems        []*Analysis         `json:"stems"`
	Sum          *Analysis           `json:"sum"`      // the stems summed as delivered
	Proposed     *Analysis           `json:"proposed"` // the sum of the proposed strips, before the master chain
	References   []*Analysis         `json:"references,omitempty"`
	Masking      []Masking           `json:"masking,omitempty"`
	// FinalLUFS is each stem's loudness after its proposed strip, in
	// stem order; ProposedLUFS the proposed sum's.
	FinalLUFS []float64 `json:"final_lufs"`

	processed []*audio.Buffer
	aim       []float64 // the reference match's aim (normalised third-octave levels)
	want      []float64 // the references' blend (normalised third-octave levels)
	// matchModel and matchWeight are the master match's model of the
	// band levels and the bands it follows.
	matchModel  *curveModel
	matchWeight []float64
	// plainSum and plainMaster are the proposal without matching, for the
	// aim of a match at an amount under 1.
	plainSum    *audio.Buffer
	plainMaster *stemmaster.Master
}

// Processed returns stem i after its proposed strip (for tests and the
// report).
func (p *Proposal) Processed(i int) *audio.Buffer { return p.processed[i] }

type stemWork struct {
	t       *Track
	a       *Analysis
	spec    stemmaster.StemSpec
	eqFull  []stemmaster.EQBand          // full-strength bands, before Amount
	bandWhy []Decision                   // one per eqFull band
	notes   []Decision                   // decisions that are not EQ bands (notes, polarity)
	balWhy  string                       // the balance decision's reason
	done    []Decision                   // every decision of the last render
	comp    *stemmaster.CompressorParams // full strength
	compWhy string
	// deEss is the full-strength de-esser (its threshold is set on the
	// rendered strip); widthFull the full-strength width (0: none).
	deEss     *stemmaster.DeEsserParams
	deEssWhy  string
	widthFull float64
	widthWhy  string
	// lowMono: the stem's low end (under lowMonoHz) is made mono at full
	// amount (a two-band multiband doing nothing but width).
	lowMono bool
	lowWhy  string
	target  float64 // full-strength final loudness (LUFS)
	final   float64 // Amount-scaled final loudness
	out     *audio.Buffer
}

// Propose analyses the stems (and the mix and references) and proposes a
// session. Stems must share one sample rate; a mix must too.
func Propose(stems []*Track, opt Options) (*Proposal, error) {
	if len(stems) == 0 {
		return nil, errors.New("no stems")
	}
	if !(opt.Amount >= 0 && opt.Amount <= 1) {
		return nil, fmt.Errorf("amount %g is outside 0 … 1", opt.Amount)
	}
	m := opt.Amount
	if opt.MatchAmount != nil {
		m = *opt.MatchAmount
	}
	if !(m >= 0 && m <= 1) {
		return nil, fmt.Errorf("match amount %g is outside 0 … 1", m)
	}
	smoothing := opt.Smoothing
	if smoothing == 0 {
		smoothing = 1.0 / 3
	}
	if !(smoothing >= 1.0/3-1e-9 && smoothing <= 3) {
		return nil, fmt.Errorf("smoothing %g octaves is outside 1/3 … 3", opt.Smoothing)
	}
	rate := stems[0].Rate
	for _, t := range stems {
		if t.Rate != rate {
			return nil, fmt.Errorf("%s is at %d Hz, %s at %d Hz: stems must share one rate", t.Name, t.Rate, stems[0].Name, rate)
		}
	}
	if opt.Mix != nil && opt.Mix.Rate != rate {
		return nil, fmt.Errorf("the mix %s is at %d Hz, the stems at %d Hz", opt.Mix.Name, opt.Mix.Rate, rate)
	}
	a := opt.Amount
	p := &Proposal{Amount: a, MatchAmount: m}
	work := make([]*stemWork, len(stems))
	var sum *audio.Buffer
	for i, t := range stems {
		if t.Role == "" {
			t.Role = stemmaster.InferRole(filepath.Base(t.Name))
		}
		w := &stemWork{t: t, a: Analyze(t)}
		w.spec = stemmaster.StemSpec{File: t.Name, Role: t.Role}
		work[i] = w
		p.Stems = append(p.Stems, w.a)
		sum = mixInto(sum, t.Buf)
	}
	p.Sum = Analyze(&Track{Name: "sum", Rate: rate, Buf: sum})
	p.Family, p.FamilyReason = classify(p.Sum, opt.Family)

	// Per-stem corrective EQ and dynamics, at full strength.
	for _, w := range work {
		w.correct(opt.Mix != nil, len(stems) > 1)
	}
	// Balance: the loudness each stem should end at.
	if err := p.balance(work, opt.Mix); err != nil {
		return nil, err
	}
	// First render of the strips, then masking between families decided on
	// the result, then the final render.
	for _, w := range work {
		w.render(a)
	}
	p.masking(work)
	for _, w := range work {
		w.render(a)
	}
	s := &stemmaster.Session{Master: engine.DefaultMaster()}
	var psum *audio.Buffer
	for i, w := range work {
		s.Stems = append(s.Stems, w.spec)
		p.processed = append(p.processed, w.out)
		p.FinalLUFS = append(p.FinalLUFS, loudness.Measure(w.out, float64(rate), loudness.Options{}).IntegratedLUFS)
		psum = mixInto(psum, w.out)
		for _, d := range w.done {
			p.Decisions = append(p.Decisions, d.at(i))
		}
	}
	// Reference matching may put shelves on stems: it re-renders those.
	var refs []*Analysis
	var weights []float64
	for _, r := range opt.References {
		if r.Track == nil {
			continue
		}
		ra := Analyze(r.Track)
		if math.IsNaN(ra.IntegratedLUFS) || math.IsInf(ra.IntegratedLUFS, 0) {
			return nil, fmt.Errorf("reference %s is silent or too short to measure its loudness", r.Track.Name)
		}
		refs = append(refs, ra)
		wt := r.Weight
		if wt == 0 {
			wt = 1
		}
		if !(wt > 0) {
			return nil, fmt.Errorf("reference %s: weight %g is not positive", r.Track.Name, r.Weight)
		}
		weights = append(weights, wt)
	}
	p.References = refs
	p.Session = s
	if err := p.master(work, psum, rate, refs, weights, opt, smoothing); err != nil {
		return nil, err
	}
	p.notes(work)
	return p, nil
}

// at fills a stem decision's path prefix.
func (d Decision) at(i int) Decision {
	if d.Path == "" {
		d.Path = fmt.Sprintf("stems[%d]", i)
		return d
	}
	d.Path = fmt.Sprintf("stems[%d].%s", i, d.Path)
	return d
}

// classify picks the family: the one asked for, or from the sum's low-end
// share and dynamics (rules of thumb: below 120 Hz within 3 dB of the
// rest → bass-heavy; a crest above 15 dB with under two onsets a second →
// acoustic; otherwise modern).
func classify(sum *Analysis, f Family) (Family, string) {
	if f != "" && f != FamilyAuto {
		return f, "chosen"
	}
	low := sum.psd.rangePower(20, 120)
	rest := sum.psd.rangePower(120, float64(sum.rate)/2)
	lowDB := db(low) - db(rest)
	switch {
	case lowDB > -3:
		return FamilyBassHeavy, fmt.Sprintf("the sum carries %.1f dB below 120 Hz against the rest (bass-heavy above −3 dB)", lowDB)
	case sum.CrestDB > 15 && sum.TransientsPerS < 2:
		return FamilyAcoustic, fmt.Sprintf("crest %.1f dB and %.1f onsets/s (acoustic: crest above 15 dB, under 2 onsets/s)", sum.CrestDB, sum.TransientsPerS)
	}
	return FamilyModern, fmt.Sprintf("low end %.1f dB against the rest, crest %.1f dB, %.1f onsets/s", lowDB, sum.CrestDB, sum.TransientsPerS)
}

// correct decides a stem's corrective EQ and dynamics at full strength.
// withMix: the client's mix fixes the tone, so only faults are corrected
// (rumble, resonances), not the tonal balance.
func (w *stemWork) correct(withMix, multi bool) {
	a := w.a
	name := filepath.Base(w.t.Name)
	role := w.t.Role
	// Low end that does not belong to the role.
	if hp := highPass[role]; hp > 0 && multi {
		below := a.psd.rangePower(0, hp)
		total := a.psd.rangePower(0, float64(a.rate)/2)
		if total > 0 && below/total > 1e-3 { // more than −30 dB of the stem below the cutoff
			w.eqFull = append(w.eqFull, stemmaster.EQBand{Type: stemmaster.EQHighPass, FreqHz: hp, Q: 0.7071})
			w.bandWhy = append(w.bandWhy, Decision{Kind: "high_pass", File: name,
				Reason: fmt.Sprintf("%s carries %.1f dB of its energy below %g Hz, which its role (%s) does not need", name, 10*math.Log10(below/total), hp, roleName(role))})
		} else {
			w.notes = append(w.notes, Decision{Kind: "note", File: name,
				Reason: fmt.Sprintf("no high-pass: %s has under −30 dB of its energy below %g Hz", name, hp)})
		}
	}
	// Resonances (not on bass, whose long-term peaks are its notes).
	if role != stemmaster.RoleBass && role != stemmaster.RoleOther {
		for _, r := range a.Resonances {
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
	if hi, ok := crestMax[role]; ok && !math.IsNaN(a.CrestDB) && a.CrestDB > hi {
		ratio := round(1+math.Min(3, (a.CrestDB-hi)/3), 2)
		t := compTimes[role]
		w.comp = &stemmaster.CompressorParams{Ratio: ratio, AttackMS: t[0], ReleaseMS: t[1], KneeDB: 6}
		if role == stemmaster.RoleDrums || role == stemmaster.RoleInstruments {
			w.comp.SidechainHPFHz = 0
		}
		w.compWhy = fmt.Sprintf("%s has a crest of %.1f dB, above the %g dB usual for %s: %.2f:1 from %.0f dB above its loudness, %g/%g ms",
			name, a.CrestDB, hi, roleName(role), ratio, compOffset(hi), t[0], t[1])
	}
}

// stemToneLimitDB bounds a stem's tonal correction per octave band;
// activeRangeDB is how far under its loudest band (octave-smoothed) a
// stem's band still counts as carrying it.
const (
	stemToneLimitDB = 12
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
	bands := octavePeaks(math.Max(rng[0], lo/math.Sqrt2), math.Min(rng[1], hi*math.Sqrt2))
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
		w.notes = append(w.notes, Decision{Kind: "note", File: filepath.Base(w.t.Name), Reason: fmt.Sprintf("the tone of %s already follows the %s curve", filepath.Base(w.t.Name), roleName(w.t.Role))})
		return
	}
	order := slices.Clone(kept)
	slices.SortFunc(order, func(x, y stemmaster.EQBand) int { return cmpDesc(math.Abs(x.GainDB), math.Abs(y.GainDB)) })
	for _, b := range order[:min(3, len(order))] {
		parts = append(parts, fmt.Sprintf("%+.1f dB at %s", b.GainDB, hz(b.FreqHz)))
	}
	for j, b := range kept {
		w.eqFull = append(w.eqFull, b)
		why := Decision{Kind: "tone", File: filepath.Base(w.t.Name)}
		if j == 0 {
			why.Reason = fmt.Sprintf("the octave-smoothed tone of %s departs from the usual %s curve: %s (octave-wide bands; figures at full amount)", filepath.Base(w.t.Name), roleName(w.t.Role), strings.Join(parts, ", "))
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

// balance sets each stem's full-strength final loudness: from the client's
// mix (least-squares gains of the stems against it), else from the
// family norms.
func (p *Proposal) balance(work []*stemWork, mix *Track) error {
	var sumPow float64
	for _, w := range work {
		w.target = w.a.IntegratedLUFS
		if !math.IsInf(w.target, 0) && !math.IsNaN(w.target) {
			sumPow += math.Pow(10, w.target/10)
		}
	}
	if len(work) == 1 {
		return nil
	}
	if mix != nil {
		g := analysis.NewGram(len(work))
		n := mix.Buf.Frames()
		const blk = 8192
		s := make([][]float64, len(work))
		for i := range s {
			s[i] = make([]float64, blk)
		}
		mb := make([]float64, blk)
		for c := range 2 {
			for st := 0; st < n; st += blk {
				e := min(st+blk, n)
				for i, w := range work {
					s[i] = s[i][:e-st]
					for j := st; j < e; j++ {
						s[i][j-st] = 0
						if j < w.t.Buf.Frames() {
							s[i][j-st] = float64(w.t.Buf.Data[c][j])
						}
					}
				}
				mb = mb[:e-st]
				for j := st; j < e; j++ {
					mb[j-st] = float64(mix.Buf.Data[c][j])
				}
				g.AddBlock(s, mb)
			}
		}
		fit := g.Solve(nil)
		var tp float64
		for i, w := range work {
			gi := fit.Gains[i]
			if gi == 0 || math.IsInf(w.a.IntegratedLUFS, 0) || math.IsNaN(w.a.IntegratedLUFS) {
				continue
			}
			if gi < 0 {
				w.spec.Polarity = stemmaster.PolarityInverted
				w.notes = append(w.notes, Decision{Path: "polarity", Kind: "polarity", File: filepath.Base(w.t.Name), Amount: 1, Value: "inverted",
					Reason: fmt.Sprintf("%s plays in the mix with its polarity inverted", filepath.Base(w.t.Name))})
			}
			w.target = w.a.IntegratedLUFS + 20*math.Log10(math.Abs(gi))
			tp += math.Pow(10, w.target/10)
		}
		// Keep the sum where it was delivered; only the balance is the mix's.
		off := 10*math.Log10(sumPow) - 10*math.Log10(tp)
		for _, w := range work {
			if math.IsInf(w.target, 0) || math.IsNaN(w.target) {
				continue
			}
			w.target += off
			d := w.target - w.a.IntegratedLUFS
			w.balWhy = fmt.Sprintf("the client's mix plays %s %+.1f dB against the delivery (the fit's residual is %.1f dB under the mix)", filepath.Base(w.t.Name), d, -fit.ResidualDB())
		}
		return nil
	}
	norms := analysis.BalanceNorms[string(p.Family)]
	fam := map[stemmaster.Role]float64{}
	for _, w := range work {
		if _, ok := norms[w.t.Role]; ok && !math.IsInf(w.a.IntegratedLUFS, 0) && !math.IsNaN(w.a.IntegratedLUFS) {
			fam[w.t.Role] += math.Pow(10, w.a.IntegratedLUFS/10)
		}
	}
	if len(fam) < 2 {
		return nil
	}
	var famPow, normPow float64
	for r, pw := range fam {
		famPow += pw
		normPow += math.Pow(10, norms[r]/10)
	}
	anchor := 10*math.Log10(famPow) - 10*math.Log10(normPow)
	for _, w := range work {
		pw, ok := fam[w.t.Role]
		if !ok {
			continue
		}
		lf := 10 * math.Log10(pw)
		want := anchor + norms[w.t.Role]
		w.target = w.a.IntegratedLUFS + want - lf
		rel := lf - 10*math.Log10(famPow)
		wantRel := norms[w.t.Role] - 10*math.Log10(normPow)
		w.balWhy = fmt.Sprintf("the %s sit%s %.1f dB against the delivered families, %s the usual %.1f dB for %s: %+.1f dB",
			roleName(w.t.Role), verbS(w.t.Role), rel, overUnder(rel-wantRel), wantRel, p.Family, want-lf)
	}
	return nil
}

func verbS(r stemmaster.Role) string {
	if r == stemmaster.RoleLeadVocal || r == stemmaster.RoleBass {
		return "s"
	}
	return ""
}

func overUnder(d float64) string {
	switch {
	case d > 0.05:
		return fmt.Sprintf("%.1f dB over", d)
	case d < -0.05:
		return fmt.Sprintf("%.1f dB under", -d)
	}
	return "on"
}

// render applies the strip at amount a: EQ gains and compressor ratio
// scaled, the gain found so that the stem ends at its scaled loudness. It
// records the decisions as they land in the session.
func (w *stemWork) render(a float64) {
	rate := w.t.Rate
	name := filepath.Base(w.t.Name)
	w.spec.EQ, w.spec.Compressor, w.spec.GainDB = nil, nil, 0
	w.done = nil
	for _, d := range w.notes {
		if d.Kind == "polarity" && a == 0 {
			w.spec.Polarity = ""
			continue
		}
		w.done = append(w.done, d)
	}
	for i, b := range w.eqFull {
		d := w.bandWhy[i]
		d.Amount = a
		b.GainDB = round(b.GainDB*a, 1)
		switch b.Type {
		case stemmaster.EQHighPass:
			b.FreqHz = round(20*math.Pow(b.FreqHz/20, a), 0)
			d.Value = fmt.Sprintf("high-pass %s", hz(b.FreqHz))
			if a == 0 {
				b.GainDB = math.NaN() // dropped below
			}
		default:
			d.Value = fmt.Sprintf("%s %s %+.1f dB Q %.2g", strings.ReplaceAll(b.Type, "_", " "), hz(b.FreqHz), b.GainDB, b.DefaultQ())
		}
		if b.GainDB == 0 && b.Type != stemmaster.EQHighPass || math.IsNaN(b.GainDB) {
			d.Path, d.Value = "eq", "off ("+d.Value+")"
			w.done = append(w.done, d)
			continue
		}
		d.Path = fmt.Sprintf("eq[%d]", len(w.spec.EQ))
		w.spec.EQ = append(w.spec.EQ, b)
		w.done = append(w.done, d)
	}
	l := w.a.IntegratedLUFS
	if math.IsInf(l, 0) || math.IsNaN(l) || a == 0 {
		w.out = w.t.Buf
		if len(w.spec.EQ) > 0 {
			w.out = process(w.t.Buf, rate, 0, w.spec.EQ, nil)
		}
		w.final = l
		if w.balWhy != "" {
			w.done = append(w.done, Decision{Path: "gain_db", Kind: "balance", File: name, Amount: a, Value: "0 dB", Reason: w.balWhy})
		}
		if w.comp != nil {
			w.done = append(w.done, Decision{Path: "compressor", Kind: "dynamics", File: name, Amount: a, Value: "off", Reason: w.compWhy})
		}
		if w.deEss != nil {
			w.done = append(w.done, Decision{Path: "de_esser", Kind: "de_esser", File: name, Amount: a, Value: "off", Reason: w.deEssWhy})
		}
		if w.widthFull != 0 {
			w.done = append(w.done, Decision{Path: "width", Kind: "width", File: name, Amount: a, Value: "off", Reason: w.widthWhy})
		}
		if w.lowMono {
			w.done = append(w.done, Decision{Path: "multiband", Kind: "width", File: name, Amount: a, Value: "off", Reason: w.lowWhy})
		}
		return
	}
	w.final = l + a*(w.target-l)
	pre := process(w.t.Buf, rate, 0, w.spec.EQ, nil)
	lp := loudness.Measure(pre, float64(rate), loudness.Options{}).IntegratedLUFS
	gain := round(w.final-lp, 2)
	if math.Abs(gain) < 0.005 {
		gain = 0
	}
	if w.comp != nil {
		c := *w.comp
		c.Ratio = round(1+a*(c.Ratio-1), 2)
		c.ThresholdDB = round(w.final+compOffset(crestMax[w.t.Role]), 1)
		out := process(w.t.Buf, rate, gain, w.spec.EQ, &c)
		lo := loudness.Measure(out, float64(rate), loudness.Options{}).IntegratedLUFS
		c.MakeupDB = round(math.Max(0, w.final-lo), 2)
		w.spec.Compressor = &c
		w.done = append(w.done, Decision{Path: "compressor", Kind: "dynamics", File: name, Amount: a,
			Value:  fmt.Sprintf("%.2f:1 at %.1f dBFS, makeup %.1f dB", c.Ratio, c.ThresholdDB, c.MakeupDB),
			Reason: w.compWhy})
	}
	gain = w.extras(a, gain)
	w.spec.GainDB = gain
	why := w.balWhy
	if why == "" {
		why = fmt.Sprintf("keeps %s at its delivered loudness (%.1f LUFS) through its EQ and compressor", name, l)
	} else if w.comp != nil || len(w.spec.EQ) > 0 {
		why += "; the gain also makes up for the EQ and compressor"
	}
	w.done = append(w.done, Decision{Path: "gain_db", Kind: "balance", File: name, Amount: a,
		Value: fmt.Sprintf("%+.2f dB (ends at %.1f LUFS)", gain, w.final), Reason: why})
	w.out = process(w.t.Buf, rate, w.spec.GainDB, w.spec.EQ, w.spec.Compressor, extras(w.spec, rate)...)
}

// extras sets the de-esser and width at amount a (a > 0) on the strip
// rendered with gain, EQ and compressor, and returns the gain that keeps
// the stem at its final loudness through them. The de-esser's threshold
// is read on the signal it receives; the loudness they take is made up
// where it shifts the de-esser's input and the width's alike (the
// compressor's makeup, else the gain), so the threshold moves with it.
func (w *stemWork) extras(a, gain float64) float64 {
	if w.deEss == nil && w.widthFull == 0 && !w.lowMono {
		return gain
	}
	rate := w.t.Rate
	name := filepath.Base(w.t.Name)
	pre := process(w.t.Buf, rate, gain, w.spec.EQ, w.spec.Compressor)
	w.spec.DeEsser, w.spec.Width, w.spec.Multiband = nil, nil, nil
	if w.deEss != nil {
		d := *w.deEss
		d.RangeDB = round(a*d.RangeDB, 1)
		d.ThresholdDB = round(bandThreshold(pre, rate, d.FreqHz), 1)
		if d.RangeDB > 0 {
			w.spec.DeEsser = &d
		}
	}
	if w.widthFull != 0 {
		if v := round(math.Pow(w.widthFull, a), 2); v != 1 {
			w.spec.Width = &v
		}
	}
	if w.lowMono {
		if v := round(1-a, 2); v != 1 {
			w.spec.Multiband = &stemmaster.MultibandParams{CrossoversHz: []float64{lowMonoHz}, Bands: []stemmaster.MultibandBand{{Width: &v}, {}}}
		}
	}
	out := process(pre, rate, 0, nil, nil, extras(w.spec, rate)...)
	lo := loudness.Measure(out, float64(rate), loudness.Options{}).IntegratedLUFS
	if delta := round(w.final-lo, 2); delta != 0 && !math.IsNaN(delta) && !math.IsInf(delta, 0) {
		if c := w.spec.Compressor; c != nil {
			c.MakeupDB = round(c.MakeupDB+delta, 2)
		} else {
			gain = round(gain+delta, 2)
		}
		if d := w.spec.DeEsser; d != nil {
			d.ThresholdDB = round(d.ThresholdDB+delta, 1)
		}
	}
	if w.deEss != nil {
		dd := Decision{Path: "de_esser", Kind: "de_esser", File: name, Amount: a, Reason: w.deEssWhy, Value: "off"}
		if d := w.spec.DeEsser; d != nil {
			dd.Value = fmt.Sprintf("from %s, %.1f dB above %.1f dBFS", hz(d.FreqHz), d.RangeDB, d.ThresholdDB)
		}
		w.done = append(w.done, dd)
	}
	if w.lowMono {
		dd := Decision{Path: "multiband", Kind: "width", File: name, Amount: a, Reason: w.lowWhy, Value: "off"}
		if mb := w.spec.Multiband; mb != nil {
			dd.Value = fmt.Sprintf("width %.2f under %g Hz", *mb.Bands[0].Width, lowMonoHz)
		}
		w.done = append(w.done, dd)
	}
	if w.widthFull != 0 {
		dd := Decision{Path: "width", Kind: "width", File: name, Amount: a, Reason: w.widthWhy, Value: "off"}
		if v := w.spec.Width; v != nil {
			dd.Value = fmt.Sprintf("%.2f", *v)
		}
		w.done = append(w.done, dd)
	}
	return gain
}

// bandThreshold returns the de-esser threshold for a strip's output: the
// deEssPercentile point of its 20 ms frames' peaks above freq (a 4th-order
// high-pass standing in for the de-esser's split), over the frames within
// 60 dB of the loudest, bounded to the session's −80 … 0 dBFS.
func bandThreshold(b *audio.Buffer, rate int, freq float64) float64 {
	hp := stemmaster.EQBand{Type: stemmaster.EQHighPass, FreqHz: freq, Q: 0.7071}
	band := process(b, rate, 0, []stemmaster.EQBand{hp, hp}, nil)
	n := rate / 50
	var peaks []float64
	for s := 0; s+n <= band.Frames(); s += n {
		var pk float32
		for c := range 2 {
			for _, v := range band.Data[c][s : s+n] {
				pk = max(pk, v, -v)
			}
		}
		if pk > 0 {
			peaks = append(peaks, 20*math.Log10(float64(pk)))
		}
	}
	if len(peaks) == 0 {
		return -80
	}
	slices.Sort(peaks)
	top := peaks[len(peaks)-1]
	i := sort.SearchFloat64s(peaks, top-60)
	act := peaks[i:]
	return math.Max(-80, math.Min(0, act[min(len(act)-1, int(deEssPercentile*float64(len(act))))]))
}

// masking checks kick against bass below 120 Hz and vocal against
// instruments at 1–5 kHz on the rendered strips, and adds a complementary
// dip where they collide.
func (p *Proposal) masking(work []*stemWork) {
	spec := func(role stemmaster.Role) (*stemWork, []float64) {
		var pick *stemWork
		var sum *audio.Buffer
		for _, w := range work {
			if w.t.Role == role {
				if pick == nil {
					pick = w
				}
				sum = mixInto(sum, w.out)
			}
		}
		if sum == nil {
			return nil, nil
		}
		s, _, _ := longTerm(sum, work[0].t.Rate).bands(thirdCentres, 3)
		return pick, s
	}
	drums, ds := spec(stemmaster.RoleDrums)
	bass, bs := spec(stemmaster.RoleBass)
	if drums != nil && bass != nil {
		// The kick's strongest third-octave band below 120 Hz.
		best := -1
		for k, c := range thirdCentres {
			if c >= 40 && c <= 120 && !math.IsNaN(ds[k]) && (best < 0 || ds[k] > ds[best]) {
				best = k
			}
		}
		if best >= 0 && !math.IsNaN(bs[best]) {
			d := ds[best] - bs[best]
			mk := Masking{Between: [2]string{"drums", "bass"}, RangeHz: [2]float64{40, 120}, DeltaDB: d, Conflict: math.Abs(d) < 6}
			p.Masking = append(p.Masking, mk)
			if mk.Conflict {
				f := round(thirdCentres[best], 0)
				bass.eqFull = append(bass.eqFull, stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: f, GainDB: -2, Q: 2})
				bass.bandWhy = append(bass.bandWhy, Decision{Kind: "masking", File: filepath.Base(bass.t.Name),
					Reason: fmt.Sprintf("the kick's strongest band (%s) and the bass sit within %.1f dB of each other there: −2 dB on the bass so the kick speaks", hz(f), math.Abs(d))})
			}
		}
	}
	vox, vs := spec(stemmaster.RoleLeadVocal)
	inst, is := spec(stemmaster.RoleInstruments)
	if vox != nil && inst != nil {
		var pv, pi float64
		for k, c := range thirdCentres {
			if c >= 1000 && c <= 5000 {
				if !math.IsNaN(vs[k]) {
					pv += math.Pow(10, vs[k]/10)
				}
				if !math.IsNaN(is[k]) {
					pi += math.Pow(10, is[k]/10)
				}
			}
		}
		if pv > 0 && pi > 0 {
			d := 10 * math.Log10(pi/pv)
			mk := Masking{Between: [2]string{"instruments", "lead_vocal"}, RangeHz: [2]float64{1000, 5000}, DeltaDB: d, Conflict: d > -3}
			p.Masking = append(p.Masking, mk)
			if mk.Conflict {
				cut := -round(math.Min(3, (d+3)/2+1), 1)
				for _, w := range work {
					if w.t.Role != stemmaster.RoleInstruments {
						continue
					}
					w.eqFull = append(w.eqFull, stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: 2500, GainDB: cut, Q: 1})
					w.bandWhy = append(w.bandWhy, Decision{Kind: "masking", File: filepath.Base(w.t.Name),
						Reason: fmt.Sprintf("the instruments sit %+.1f dB against the lead vocal at 1–5 kHz, where the voice must come through (usual: 3 dB or more under): %.1f dB at 2.5 kHz", d, cut)})
				}
			}
		}
	}
}
