package assist

import (
	"math"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// widthProposal runs masterWidth alone on a sum, as the master stage
// does, and returns the proposal and the sum through the master's width.
func widthProposal(t *testing.T, sum *audio.Buffer, amount, match float64, refs ...*Track) (*Proposal, *audio.Buffer) {
	t.Helper()
	p := &Proposal{Family: FamilyModern, Amount: amount, MatchAmount: match, Session: &stemmaster.Session{},
		Proposed: Analyze(&Track{Name: "sum", Rate: rate, Buf: sum})}
	var ra []*Analysis
	var ws []float64
	for _, r := range refs {
		ra = append(ra, Analyze(r))
		ws = append(ws, 1)
	}
	p.masterWidth(ra, ws)
	m := p.Session.Master
	return p, process(sum, rate, 0, nil, nil, extras(stemmaster.StemSpec{Multiband: m.Multiband, Width: m.Width}, rate)...)
}

// checkMonoSafe holds what a master's width may never do: change the mid
// (the mono fold-down: its third-octave levels within 0.2 dB from 40 Hz to
// 16 kHz), lower the low end's correlation, or leave the whole correlated
// under +0.5 when it was not already.
func checkMonoSafe(t *testing.T, name string, before *Analysis, after *audio.Buffer) *Analysis {
	t.Helper()
	a := Analyze(&Track{Name: name, Rate: rate, Buf: after})
	for k, c := range thirdCentres {
		if c < 39 || c > 16100 || math.IsNaN(before.MidSpectrum[k]) || before.MidSpectrum[k] < before.MidSpectrum[nearestBand(1000)]-60 {
			continue
		}
		if d := a.MidSpectrum[k] - before.MidSpectrum[k]; !(math.Abs(d) <= 0.2) {
			t.Errorf("%s: the master's width moves the mid by %+.2f dB at %s", name, d, hz(c))
		}
	}
	if a.LowCorrelation < before.LowCorrelation-0.01 {
		t.Errorf("%s: correlation under %g Hz %.2f → %.2f", name, lowMonoHz, before.LowCorrelation, a.LowCorrelation)
	}
	if a.Correlation < math.Min(before.Correlation, 0.5)-0.01 {
		t.Errorf("%s: correlation %.2f → %.2f, under +0.5", name, before.Correlation, a.Correlation)
	}
	return a
}

// The master's width on generated sums: too narrow is widened into the
// family's range (as far as masterWidenMax), too wide narrowed to its
// top, a low end out of phase made mono, a sum in range left alone;
// references pull the width their way, never past a correlation of
// +0.5; amount 0 sets nothing.
func TestMasterWidth(t *testing.T) {
	t.Parallel()
	norm := masterWidthNorms[FamilyModern]
	narrowRef, wideRef := spread(3, -20), spread(3, 3)
	for _, c := range []struct {
		name      string
		sum       *audio.Buffer
		refs      []*Track
		lo, hi    float64 // side-to-mid above 150 Hz after, within
		lowMono   bool
		unchanged bool
	}{
		{name: "too narrow", sum: spread(3, -25).Buf, lo: -25 + 20*math.Log10(masterWidenMax) - 0.3, hi: -25 + 20*math.Log10(masterWidenMax) + 0.3},
		{name: "too wide", sum: spread(3, -1).Buf, lo: norm[1] - 0.3, hi: norm[1] + 0.3},
		{name: "in range", sum: spread(3, -8).Buf, unchanged: true},
		{name: "low end out of phase", sum: lowWide(3, false).Buf, lowMono: true},
		{name: "narrow reference", sum: spread(3, -8).Buf, refs: []*Track{narrowRef}, lo: -20 - 0.3, hi: -20 + 0.3},
		{name: "wide reference", sum: spread(3, -8).Buf, refs: []*Track{wideRef}, lo: monoSafeS2MDB - 0.3, hi: monoSafeS2MDB + 0.3},
	} {
		p, out := widthProposal(t, c.sum, 1, 1, c.refs...)
		mb := p.Session.Master.Multiband
		if c.unchanged {
			if mb != nil {
				t.Errorf("%s: multiband %+v for a sum in the family's range", c.name, mb)
			}
			continue
		}
		if mb == nil || decisionOf(p, "multiband") == nil {
			t.Errorf("%s: no master width", c.name)
			continue
		}
		d := decisionOf(p, "multiband")
		after := checkMonoSafe(t, c.name, p.Proposed, out)
		before := sideToMidAbove(p.Proposed, lowMonoHz)
		got := sideToMidAbove(after, lowMonoHz)
		t.Logf("%s: %s; side above %g Hz %.1f → %.1f dB, correlation %.2f → %.2f, under %g Hz %.2f → %.2f\n   %s",
			c.name, d.Value, lowMonoHz, before, got, p.Proposed.Correlation, after.Correlation, lowMonoHz, p.Proposed.LowCorrelation, after.LowCorrelation, d.Reason)
		if c.lowMono {
			if after.LowCorrelation < 0.9 {
				t.Errorf("%s: correlation under %g Hz %.2f after, want about 0.96", c.name, lowMonoHz, after.LowCorrelation)
			}
		} else if !(got >= c.lo && got <= c.hi) {
			t.Errorf("%s: side above %g Hz %.1f → %.1f dB, want %.1f … %.1f", c.name, lowMonoHz, before, got, c.lo, c.hi)
		}
		if z, _ := widthProposal(t, c.sum, 0, 0, c.refs...); z.Session.Master.Multiband != nil {
			t.Errorf("%s: amount 0 sets %+v", c.name, z.Session.Master.Multiband)
		}
		if len(c.refs) > 0 {
			// Match amount 0: the plain proposal's width (none for a sum
			// in range).
			if z, _ := widthProposal(t, c.sum, 1, 0, c.refs...); z.Session.Master.Multiband != nil {
				t.Errorf("%s: match amount 0 sets %+v", c.name, z.Session.Master.Multiband)
			}
		}
	}
}

// On francium's mix mastered alone the master's width is decided and
// keeps mono safe.
func TestMasterWidthFrancium(t *testing.T) {
	t.Parallel()
	_, mix := francium(t)
	p, out := widthProposal(t, mix.Buf, 1, 1)
	after := checkMonoSafe(t, "francium mix", p.Proposed, out)
	v := "none"
	if d := decisionOf(p, "multiband"); d != nil {
		v = d.Value + ": " + d.Reason
	}
	norm := masterWidthNorms[p.Family]
	if got := sideToMidAbove(after, lowMonoHz); !(got >= norm[0]-0.5 && got <= norm[1]+0.5) {
		t.Errorf("francium mix: side above %g Hz %.1f dB after the master's width, want within the %s range %g … %g dB", lowMonoHz, got, p.Family, norm[0], norm[1])
	}
	t.Logf("francium mix: side above %g Hz %.1f dB, correlation %.2f (under %g Hz %.2f) → %.2f (%.2f); %s",
		lowMonoHz, sideToMidAbove(p.Proposed, lowMonoHz), p.Proposed.Correlation, lowMonoHz, p.Proposed.LowCorrelation, after.Correlation, after.LowCorrelation, v)
}
