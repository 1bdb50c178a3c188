package assist

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/loudness"
)

// maxFitResidualDB is the largest residual (dB under the mix) a balance
// is taken from: a mix the stems sum to with effects on its bus leaves
// 20 dB or more under it; at 10 dB, a tenth of its power is something the
// stems do not hold, and the gains fit to the rest are not a balance.
const maxFitResidualDB = -10.0

// minFitGainDB is the deepest gain a balance is read to: a stem the fit
// plays lower than this is one the mix does not hold (francium's drums
// 2 ms late fit at −40 dB), not a level a mix engineer chose for it.
const minFitGainDB = -30.0

// balance sets each stem's full-strength final loudness: from the client's
// mix (least-squares gains of the stems, as the check's corrections leave
// them, against it), else from the family norms.
func (p *Proposal) balance(work []*stemWork, mix *Track, mixLag int, quoted map[stemmaster.Role]stemmaster.ReasonDetail) error {
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
		// The stems play as the check's corrections place them (applyCheck):
		// a stem a few samples off would otherwise fit the mix at a deep
		// cut, or not at all. Against a mix the check finds shifted, every
		// stem is fitted mixLag frames on.
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
						// The stem as its offset plays it: frame j
						// of the mix holds its frame j+lag.
						if k := j + mixLag; k >= 0 && k < w.t.Buf.Frames() {
							s[i][j-st] = float64(w.t.Buf.Data[c][k])
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
		if !slices.ContainsFunc(fit.Gains, func(g float64) bool { return g != 0 }) {
			return noStemsErr(mix)
		}
		if r := fit.ResidualDB(); !(r <= maxFitResidualDB) {
			// The stems at their best gains leave most of the mix out
			// (another take, a mix bus that reshapes it): the gains of
			// such a fit say nothing of the client's balance, and a cut
			// read from it could silence a stem. Keep the delivery's.
			for _, w := range work {
				w.balWhy = fmt.Sprintf("the client's mix does not follow from the stems (the best fit leaves %.1f dB under the mix unexplained, more than the %.0f dB a balance can be read through): %s keeps its delivered level",
					-r, -maxFitResidualDB, w.t.base())
			}
			return nil
		}
		var tp float64
		for i, w := range work {
			gi := fit.Gains[i]
			if gi == 0 || math.IsInf(w.a.IntegratedLUFS, 0) || math.IsNaN(w.a.IntegratedLUFS) {
				continue
			}
			if gdb := 20 * math.Log10(math.Abs(gi)); gdb < minFitGainDB {
				// The mix holds next to none of this stem where the fit
				// placed it (a stem the mix leaves out, or one the
				// alignment could not place): no cut that deep is the
				// client's balance. It keeps its delivered level.
				w.fitWhy = fmt.Sprintf("the client's mix holds next to none of %s (the fit plays it %.1f dB, beyond the %.0f dB a balance is read to): it keeps its delivered level; mute it if the mix leaves it out",
					w.t.base(), gdb, minFitGainDB)
				tp += math.Pow(10, w.target/10)
				continue
			}
			// The polarity is the check's (applyCheck): the fit's sign is
			// not a second reading of it, only its magnitude a level.
			w.target = w.a.IntegratedLUFS + 20*math.Log10(math.Abs(gi))
			tp += math.Pow(10, w.target/10)
		}
		if !(tp > 0) {
			// No stem fits the mix at any gain: there is no balance to
			// take from it (the level offset below would be infinite).
			return noStemsErr(mix)
		}
		// Keep the sum where it was delivered; only the balance is the mix's.
		off := 10*math.Log10(sumPow) - 10*math.Log10(tp)
		// The residual: what of the mix the stems at these gains leave
		// out (effects on the mix bus, a stem missing); the stems of a
		// mix made from them sum to it exactly.
		fitNote := "the stems at these gains sum to the mix exactly"
		if r := fit.ResidualDB(); r > -90 {
			fitNote = fmt.Sprintf("the fit leaves %.1f dB under the mix unexplained", -r)
		}
		for _, w := range work {
			if math.IsInf(w.target, 0) || math.IsNaN(w.target) {
				continue
			}
			w.target += off
			d := w.target - w.a.IntegratedLUFS
			w.balWhy = fmt.Sprintf("the client's mix plays %s %+.1f dB against the delivery (%s)", w.t.base(), d, fitNote)
			if w.fitWhy != "" {
				w.balWhy = w.fitWhy
				if math.Abs(off) >= 0.05 {
					w.balWhy += fmt.Sprintf(" (%+.1f dB with the others, to keep the sum's level)", off)
				}
			}
		}
		return nil
	}
	// Each family's level is the check's measure (analysis.FamilyLevelOf):
	// its stems summed as they play, against the sum where it plays. The
	// advice quotes the move NormBalance makes from it, so the advice, the
	// check's balance and this proposal say one figure.
	var all []*audio.Buffer
	fam := map[stemmaster.Role][]*audio.Buffer{}
	for _, w := range work {
		all = append(all, w.t.Buf)
		fam[w.t.Role] = append(fam[w.t.Role], w.t.Buf)
	}
	rate := float64(work[0].t.Rate)
	sum := gatingBlocks(all, rate)
	levels := map[stemmaster.Role]analysis.FamilyLevel{}
	for r, bs := range fam {
		levels[r] = analysis.FamilyLevelOf(gatingBlocks(bs, rate), sum)
	}
	moves := analysis.NormBalance(string(p.Family), analysis.BalanceOf(levels))
	for _, w := range work {
		m, ok := moves[w.t.Role]
		if !ok {
			continue
		}
		w.target = w.a.IntegratedLUFS + m.Gain()
		where, them := "they play", "them"
		if verbS(w.t.Role) != "" {
			where, them = "it plays", "it"
		}
		// Want is against the sum the moves make (NormBalance solves
		// for it): moving a family that fills much of the sum moves the
		// sum too, so the move is not Want − Rel.
		w.balWhy = fmt.Sprintf("the %s sit%s %.1f LU against the sum where %s, to sit at %.1f LU against the sum the moves make, the place the %s norms give %s: %+.1f dB",
			roleName(w.t.Role), verbS(w.t.Role), m.Rel, where, m.Want, p.Family, them, m.Gain()) + p.otherQuote(m, quoted[w.t.Role])
	}
	return nil
}

// advised returns the families the check's advice quotes a move for
// (their figure and the move by analysis.DefaultStyle's norms), from the
// advice on the stems as the proposal corrects them: advice_corrected
// when the check measured one, else its advice.
func advised(rep *stemmaster.CheckReport) map[stemmaster.Role]stemmaster.ReasonDetail {
	if rep == nil {
		return nil
	}
	a := rep.Advice
	if rep.AdviceCorrected != nil {
		a = rep.AdviceCorrected
	}
	if a == nil {
		return nil
	}
	out := map[stemmaster.Role]stemmaster.ReasonDetail{}
	for _, d := range a.Details {
		if d.Kind == stemmaster.ReasonFamily && d.RelativeLU != nil && d.GainDB != nil {
			out[d.Role] = d
		}
	}
	return out
}

// otherQuote says, where the check's advice quotes a family's figure or
// move (d) otherwise than the proposal's m, which reading is which: the
// advice's is over the whole song by the modern norms, the proposal's
// over its excerpt (a budget) or by the family it reads from the sum's
// tone. "" when the two agree to the 0.1 dB both print, or the advice
// quotes none for the family.
func (p *Proposal) otherQuote(m analysis.NormMove, d stemmaster.ReasonDetail) string {
	if d.RelativeLU == nil || d.GainDB == nil {
		return ""
	}
	if fmt.Sprintf("%.1f %+.1f", m.Rel, m.Gain()) == fmt.Sprintf("%.1f %+.1f", *d.RelativeLU, *d.GainDB) {
		return ""
	}
	var why []string
	if p.Excerpt != nil {
		why = append(why, fmt.Sprintf("it reads the whole song, the proposal %.1f s of it from %.1f s on", p.Excerpt.LengthS, p.Excerpt.StartS))
	}
	if string(p.Family) != analysis.DefaultStyle {
		why = append(why, fmt.Sprintf("it quotes the %s norms, the proposal the %s ones its sum's tone reads (--family %s for those)", analysis.DefaultStyle, p.Family, analysis.DefaultStyle))
	}
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf("; the check's advice says %.1f LU and %+.1f dB: %s", *d.RelativeLU, *d.GainDB, strings.Join(why, "; "))
}

// gatingBlocks meters the sum of bufs (stereo, from their first frame,
// as long as the longest; BS.1770, integrated only) and returns its gating
// blocks, for analysis.FamilyLevelOf. The sum is made a block at a time:
// a family's or the whole delivery's sum is never held whole.
func gatingBlocks(bufs []*audio.Buffer, rate float64) []float64 {
	const blk = 8192
	n := 0
	for _, b := range bufs {
		n = max(n, b.Frames())
	}
	m := loudness.NewMeter(rate, 2, loudness.Options{IntegratedOnly: true})
	sum := audio.NewBuffer(2, blk)
	for st := 0; st < n; st += blk {
		e := min(st+blk, n)
		sum.SetFrames(e - st)
		for c := range 2 {
			dst := sum.Data[c]
			clear(dst)
			for _, b := range bufs {
				if st < b.Frames() {
					for i, v := range b.Data[c][st:min(e, b.Frames())] {
						dst[i] += v
					}
				}
			}
		}
		m.Process(sum)
	}
	return m.Blocks()
}

func verbS(r stemmaster.Role) string {
	if r == stemmaster.RoleLeadVocal || r == stemmaster.RoleBass {
		return "s"
	}
	return ""
}

func noStemsErr(mix *Track) error {
	return fmt.Errorf("the mix %s holds none of the stems (silent, or another song): leave it out or give this song's mix", mix.base())
}
