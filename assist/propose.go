package assist

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
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
	// Check is the check's report on these stems and this mix: the
	// offsets, polarities, channel swaps and sample-rate conversions its
	// findings name (analysis.Resolve) are the proposal's, and the
	// proposal measures none of them again, so the check, the proposal
	// and the page say the same of each stem. Nil takes the stems as
	// delivered; the CLI's assist and the server's suggest run the check
	// when none was run.
	Check *stemmaster.CheckReport
	// Excerpt is the window of the song the tracks hold when their
	// reader's budget cut them (Plan), nil when they hold the whole: the
	// proposal reports it (Proposal.Excerpt), and a balance read from it
	// says so where the check's advice, over the whole song, reads
	// another figure.
	Excerpt *Excerpt
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
	Kind   string  `json:"kind"` // balance, polarity, offset, high_pass, resonance, hum, tone, masking, dynamics, de_esser, width (a stem's or the master's width, mono under 150 Hz), master_tone, match, glue, limiter, target, note
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
	Sum          *Analysis           `json:"sum"`      // the stems summed as delivered, with the check's corrections
	Proposed     *Analysis           `json:"proposed"` // the sum of the proposed strips, before the master chain
	References   []*Analysis         `json:"references,omitempty"`
	Masking      []Masking           `json:"masking,omitempty"`
	// FinalLUFS is each stem's loudness after its proposed strip, in
	// stem order; ProposedLUFS the proposed sum's.
	FinalLUFS []float64 `json:"final_lufs"`
	// Excerpt is the window of the song the proposal rests on when its
	// reader's budget cut the song (Plan; Options.Excerpt); nil when it
	// rests on the whole.
	Excerpt *Excerpt `json:"excerpt,omitempty"`

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

type stemWork struct {
	t       *Track // as the check's corrections leave it (applyCheck)
	own     int    // the stem's delivered rate
	a       *Analysis
	spec    stemmaster.StemSpec
	eqFull  []stemmaster.EQBand          // full-strength bands, before Amount
	bandWhy []Decision                   // one per eqFull band
	notes   []Decision                   // decisions that are not EQ bands (notes, polarity)
	balWhy  string                       // the balance decision's reason
	fitWhy  string                       // why the mix gives no balance for it (set by balance)
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
	// scratch is shared by the stems of one proposal, rendered one after
	// another.
	scratch *renderScratch
}

// renderScratch holds the buffers a render measures on and drops (the
// strip before its compressor, before its de-esser, the de-esser's band):
// no one else holds them, and a new buffer for each pass allocated the
// stem again for every one.
type renderScratch struct{ pass, band *audio.Buffer }

// The weights of references Propose takes: weights are relative, and
// outside these the blends of power spectra (which reach 1e-30) underflow
// to 0 or overflow, and the match turns to NaN.
const (
	MinReferenceWeight = 1e-9
	MaxReferenceWeight = 1e9
)

// Propose analyses the stems (and the mix and references) and proposes a
// session. Stems at other sample rates than the song's (the most common,
// engine.PlainSumRate) and a mix at another are converted to it, as master
// converts stems with resample: true, which the proposal sets on them.
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
	// Stems at other rates are analysed as master renders them: converted
	// to the song's rate, which the proposal makes them consent to.
	rates := make([]int, len(stems))
	for i, t := range stems {
		rates[i] = t.Rate
	}
	rate := engine.PlainSumRate(rates)
	if opt.Mix != nil {
		mix, err := opt.Mix.atRate(rate)
		if err != nil {
			return nil, err
		}
		opt.Mix = mix
	}
	a := opt.Amount
	p := &Proposal{Amount: a, MatchAmount: m, Excerpt: opt.Excerpt}
	work := make([]*stemWork, len(stems))
	scratch := &renderScratch{}
	var sum *audio.Buffer
	for i, t := range stems {
		if t.Role == "" {
			t.Role = stemmaster.InferRole(t.base())
		}
		own := t.Rate
		t, err := t.atRate(rate)
		if err != nil {
			return nil, err
		}
		work[i] = &stemWork{t: t, own: own, spec: stemmaster.StemSpec{File: t.Name, Role: t.Role}, scratch: scratch}
	}
	mixLag := applyCheck(work, opt.Check, opt.Mix)
	for _, w := range work {
		t := w.t
		if w.own != rate && !w.spec.Resample {
			// master reads a stem at another rate only with resample: true.
			w.spec.Resample = true
			w.notes = append(w.notes, Decision{Path: "resample", File: t.base(), Kind: "note", Amount: 1, Value: "true",
				Reason: fmt.Sprintf("%s is at %d Hz: master converts it to the song's %d Hz (the stems' most common rate, the highest on a tie), and it was analysed so", t.base(), w.own, rate)})
		}
		w.a = Analyze(t)
		p.Stems = append(p.Stems, w.a)
		sum = mixInto(sum, t.Buf)
	}
	p.Sum = Analyze(&Track{Name: "sum", Rate: rate, Buf: sum})
	if l := p.Sum.IntegratedLUFS; math.IsNaN(l) || math.IsInf(l, 0) {
		// Every decision below reads the sum's loudness, spectrum or
		// dynamics: from silence or a few samples they would be noise.
		names := make([]string, len(stems))
		for i, t := range stems {
			names[i] = t.base()
		}
		return nil, fmt.Errorf("the sum of %s is silent or too short to measure its loudness (%.2f s; BS.1770 needs 0.4 s above −70 LUFS): nothing to base a proposal on",
			strings.Join(names, ", "), float64(sum.Frames())/float64(rate))
	}
	p.Family, p.FamilyReason = classify(p.Sum, opt.Family)

	// Per-stem corrective EQ and dynamics, at full strength.
	for _, w := range work {
		w.correct(opt.Mix != nil, len(stems) > 1)
	}
	// Balance: the loudness each stem should end at.
	if err := p.balance(work, opt.Mix, mixLag, advised(opt.Check)); err != nil {
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
		if !(wt >= MinReferenceWeight && wt <= MaxReferenceWeight) {
			return nil, fmt.Errorf("reference %s: weight %g is outside %g … %g (weights are relative: give 1 for an equal share)",
				r.Track.Name, r.Weight, MinReferenceWeight, MaxReferenceWeight)
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

// classify picks the family: the one asked for, or from the sum's tone and
// dynamics: a crest above 15 dB with under two onsets a second is
// acoustic (rules of thumb); otherwise bass-heavy when the sum's
// sub-bass lift (subLift, on its broad tone: broadTone, octave-smoothed)
// lies nearer the bass-heavy master curve's than the modern curve's by
// bassHeavyMarginDB, else modern. The two curves part only under 250 Hz,
// and wholly (3 dB) only under 50 Hz: the reading looks there, against
// the low mids where they agree. Read over the whole spectrum, centred on
// its median, a dull top raised the median and the bass-heavy curve's
// extra low end lay nearer; a boom, a fault of the mix and not a genre,
// lifts 60–200 Hz and falls away under it.
func classify(sum *Analysis, f Family) (Family, string) {
	if f != "" && f != FamilyAuto {
		return f, "chosen"
	}
	if sum.CrestDB > 15 && sum.TransientsPerS < 2 {
		return FamilyAcoustic, fmt.Sprintf("crest %.1f dB and %.1f onsets/s (acoustic: crest above 15 dB, under 2 onsets/s)", sum.CrestDB, sum.TransientsPerS)
	}
	lift, ok := subLift(smooth(broadTone(sum.Spectrum), 1), float64(sum.rate))
	heavy := heavySubLift()
	if !ok {
		return FamilyModern, fmt.Sprintf("the mix holds too little under %s or at %s–%s to read a bass-heavy tone; crest %.1f dB, %.1f onsets/s",
			hz(subBassTopHz), hz(lowMidsHz[0]), hz(lowMidsHz[1]), sum.CrestDB, sum.TransientsPerS)
	}
	where := fmt.Sprintf("the mix's sub-bass (under %s) stands %+.1f dB from where a typical modern master has it against the low mids (%s–%s), a typical bass-heavy master's %+.1f dB",
		hz(subBassTopHz), lift, hz(lowMidsHz[0]), hz(lowMidsHz[1]), heavy)
	if math.Abs(lift-heavy) < math.Abs(lift)-bassHeavyMarginDB {
		return FamilyBassHeavy, where + ": nearer the bass-heavy one"
	}
	return FamilyModern, fmt.Sprintf("%s (bass-heavy only when %.1f dB nearer it than the modern one's 0); crest %.1f dB, %.1f onsets/s", where, bassHeavyMarginDB, sum.CrestDB, sum.TransientsPerS)
}

// bassHeavyMarginDB is how much nearer the bass-heavy curve's sub-bass
// lift a mix's must lie than the modern curve's for classify to choose
// it. A mix on either curve lies 3 dB nearer it than the other; without
// a mix, the sum classify reads is the stems as delivered, and a delivery
// with its bass 5 dB up (the invariance tests') would otherwise turn a
// song between the two curves bass-heavy, and its proposal with it.
const bassHeavyMarginDB = 0.5

// subBassTopHz and lowMidsHz bound the regions classify reads: the
// sub-bass, where the bass-heavy master curve lies 3 dB over the modern
// one, and the low mids, where they agree and which neither a dull nor a
// bright top reaches.
const subBassTopHz = 50

var lowMidsHz = [2]float64{250, 1000}

// subLift is how far the sub-bass of cur (third-octave levels) stands
// over where the modern master curve has it, both read against the low
// mids: the departure from the curve averaged over the sub-bass bands,
// less its median over the low-mid bands. ok is false where either region
// lies outside what the master tone weighs (silent, or 50 dB under the
// loudest band).
func subLift(cur []float64, rate float64) (lift float64, ok bool) {
	t, w := curveTarget(cur, masterCurves[FamilyModern], 31, 16000, rate) // curve − cur
	ref := make([]float64, len(w))
	var sub float64
	n := 0
	for k, c := range thirdCentres {
		switch {
		case w[k] == 0:
		case c <= subBassTopHz*1.01:
			sub -= t[k]
			n++
		case c >= lowMidsHz[0]*0.99 && c <= lowMidsHz[1]*1.01:
			ref[k] = 1
		}
	}
	if n == 0 || slices.Max(ref) == 0 {
		return 0, false
	}
	return sub/float64(n) + weightedMedian(t, ref), true
}

// heavySubLift is the bass-heavy master curve's own subLift.
func heavySubLift() float64 {
	lv := make([]float64, len(thirdCentres))
	for k, c := range thirdCentres {
		lv[k] = curve(masterCurves[FamilyBassHeavy], c)
	}
	l, _ := subLift(lv, 48000)
	return l
}

// broadTone is a third-octave spectrum with its narrow features taken
// out: each band the median of the five around it (1⅔ octaves). A tilt or
// a shelf, monotone over those bands, passes as it is; a peak or a dip a
// band or two wide (a resonance, a boom, a song's few bass notes) goes to
// its surroundings' level. The median, not a clip of the peaks alone,
// so that a low end made of notes reads neither fuller nor thinner.
func broadTone(x []float64) []float64 {
	out := slices.Clone(x)
	var win []float64
	for k := range x {
		if math.IsNaN(x[k]) {
			continue
		}
		win = win[:0]
		for j := max(0, k-2); j <= min(len(x)-1, k+2); j++ {
			if !math.IsNaN(x[j]) {
				win = append(win, x[j])
			}
		}
		if len(win) < 5 {
			continue // at an edge a median of fewer bands is no surrounding
		}
		slices.Sort(win)
		out[k] = win[len(win)/2]
	}
	return out
}
