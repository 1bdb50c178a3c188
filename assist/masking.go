package assist

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/audio"
)

// masking checks kick against bass below 120 Hz and vocal against
// instruments at 1–5 kHz on the rendered strips, and adds a complementary
// dip where they collide.
func (p *Proposal) masking(work []*stemWork) {
	spec := func(role stemmaster.Role) (*stemWork, []float64) {
		var pick *stemWork
		var outs []*audio.Buffer
		for _, w := range work {
			if w.t.Role == role {
				if pick == nil {
					pick = w
				}
				outs = append(outs, w.out)
			}
		}
		if pick == nil {
			return nil, nil
		}
		// The spectrum only reads the sum: a family of one stem is read
		// where it lies, not copied.
		sum := outs[0]
		if len(outs) > 1 {
			sum = nil
			for _, o := range outs {
				sum = mixInto(sum, o)
			}
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
				bass.bandWhy = append(bass.bandWhy, Decision{Kind: "masking", File: bass.t.base(),
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
					w.bandWhy = append(w.bandWhy, Decision{Kind: "masking", File: w.t.base(),
						Reason: fmt.Sprintf("the instruments sit %+.1f dB against the lead vocal at 1–5 kHz, where the voice must come through (usual: 3 dB or more under): %.1f dB at 2.5 kHz", d, cut)})
				}
			}
		}
	}
}
