package assist

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/analysis"
)

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
				w.notes = append(w.notes, Decision{Path: "polarity", Kind: "polarity", File: w.t.base(), Amount: 1, Value: "inverted",
					Reason: fmt.Sprintf("%s plays in the mix with its polarity inverted", w.t.base())})
			}
			w.target = w.a.IntegratedLUFS + 20*math.Log10(math.Abs(gi))
			tp += math.Pow(10, w.target/10)
		}
		if !(tp > 0) {
			// No stem fits the mix at any gain: there is no balance to
			// take from it (the level offset below would be infinite).
			return fmt.Errorf("the mix %s holds none of the stems (silent, or another song): leave it out or give this song's mix", mix.base())
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
