package assist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// vocal generates a sung-vowel stand-in (a 220 Hz tone whose harmonics
// fall 6 dB per octave up to 4 kHz, syllables of 300 ms) with, when
// essDB > −inf, a 120 ms burst of noise band-passed to 6–9 kHz at the end
// of every other syllable, essDB against the vowel's peak.
func vocal(seconds float64, essDB float64) *Track {
	n := int(seconds * rate)
	b := &audio.Buffer{Data: [][]float32{make([]float32, n), make([]float32, n)}}
	rng := rand.New(rand.NewPCG(1, 2))
	syl := int(0.3 * rate)
	ess := make([]float64, n)
	for i := range ess {
		ess[i] = rng.NormFloat64()
	}
	// Band-pass the noise: a 6 kHz high-pass and a 9 kHz low-pass (4th order).
	nb := &audio.Buffer{Data: [][]float32{make([]float32, n), make([]float32, n)}}
	for i, v := range ess {
		nb.Data[0][i], nb.Data[1][i] = float32(v), float32(v)
	}
	nb = process(nb, rate, 0, []stemmaster.EQBand{
		{Type: stemmaster.EQHighPass, FreqHz: 6000, Q: 0.7071}, {Type: stemmaster.EQHighPass, FreqHz: 6000, Q: 0.7071},
		{Type: stemmaster.EQLowPass, FreqHz: 9000, Q: 0.7071}, {Type: stemmaster.EQLowPass, FreqHz: 9000, Q: 0.7071},
	}, nil)
	var npk float64
	for _, v := range nb.Data[0] {
		npk = math.Max(npk, math.Abs(float64(v)))
	}
	essG := math.Pow(10, essDB/20) * 0.3 / npk
	for i := range n {
		k, pos := i/syl, i%syl
		env := math.Sin(math.Pi * float64(pos) / float64(syl))
		var v float64
		for h := 1; 220*h < 4000; h++ {
			v += math.Sin(2*math.Pi*220*float64(h)*float64(i)/rate) / float64(h)
		}
		v *= 0.3 / 3.5 * env
		if k%2 == 1 && pos > syl-int(0.12*rate) && !math.IsInf(essDB, -1) {
			v += essG * float64(nb.Data[0][i])
		}
		b.Data[0][i], b.Data[1][i] = float32(v), float32(v)
	}
	return &Track{Name: "lead_vocal.wav", Role: stemmaster.RoleLeadVocal, Rate: rate, Buf: b}
}

// spread generates an instruments stem of two independent noises as mid
// and side, the side sideDB against the mid (−Inf: mono), −20 dBFS RMS
// per channel.
func spread(seconds, sideDB float64) *Track {
	n := int(seconds * rate)
	b := &audio.Buffer{Data: [][]float32{make([]float32, n), make([]float32, n)}}
	rng := rand.New(rand.NewPCG(3, 4))
	g := math.Pow(10, sideDB/20)
	am := 0.1 / math.Sqrt(1+g*g)
	for i := range n {
		m, s := am*rng.NormFloat64(), am*g*rng.NormFloat64()
		b.Data[0][i], b.Data[1][i] = float32(m+s), float32(m-s)
	}
	return &Track{Name: "pads.wav", Role: stemmaster.RoleInstruments, Rate: rate, Buf: b}
}

// decisionOf returns the decision that sets the field (de_esser, width,
// multiband) of a stem.
// valid checks that a proposal is a session the engine accepts at rate.
func valid(t *testing.T, p *Proposal) {
	t.Helper()
	if err := p.Session.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := p.Session.ValidateRate(rate); err != nil {
		t.Fatal(err)
	}
}

func decisionOf(p *Proposal, field string) *Decision {
	for i, d := range p.Decisions {
		if strings.HasSuffix(d.Path, "."+field) && d.Value != "advice" {
			return &p.Decisions[i]
		}
	}
	return nil
}

func TestDeEsser(t *testing.T) {
	t.Parallel()
	// Plain: esses 24 dB under the vowels' peak, which a listener hears as
	// ordinary consonants (sibilance about −12 dB, under the norm).
	plain := vocal(4, -24)
	sib := vocal(4, 0)
	pp := propose(t, []*Track{plain}, Options{Amount: 1})
	if d := pp.Session.Stems[0].DeEsser; d != nil || decisionOf(pp, "de_esser") != nil {
		t.Errorf("a plain vocal (sibilance %.1f dB) gets a de-esser %+v", pp.Stems[0].SibilanceDB, d)
	}
	ps := propose(t, []*Track{sib}, Options{Amount: 1})
	valid(t, ps)
	a := ps.Stems[0]
	t.Logf("sibilance %.1f dB at %.0f Hz (plain: %.1f dB)", a.SibilanceDB, a.SibilanceHz, pp.Stems[0].SibilanceDB)
	if a.SibilanceHz < 6000 || a.SibilanceHz > 9000 {
		t.Errorf("sibilance peaks at %.0f Hz, want within the 6–9 kHz burst", a.SibilanceHz)
	}
	d := ps.Session.Stems[0].DeEsser
	if d == nil {
		t.Fatalf("a sibilant vocal (%.1f dB) gets no de-esser", a.SibilanceDB)
	}
	if d.FreqHz < 4000 || d.FreqHz > a.SibilanceHz || d.RangeDB < deEssMinRangeDB || d.RangeDB > deEssMaxRangeDB {
		t.Errorf("de-esser %+v for esses at %.0f Hz", d, a.SibilanceHz)
	}
	why := decisionOf(ps, "de_esser")
	if why == nil || !strings.Contains(why.Reason, fmt.Sprintf("reach %.1f dB against 1–5 kHz", a.SibilanceDB)) {
		t.Errorf("de-esser decision %+v does not name the figure", why)
	}
	// The esses come down and the stem keeps its loudness.
	after, _ := sibilance(ps.processed[0], rate)
	t.Logf("de-esser %+v: sibilance %.1f → %.1f dB", *d, a.SibilanceDB, after)
	if a.SibilanceDB-after < 2 {
		t.Errorf("sibilance %.1f dB → %.1f dB after the strip, want at least 2 dB less", a.SibilanceDB, after)
	}
	if math.Abs(ps.FinalLUFS[0]-a.IntegratedLUFS) > 0.1 {
		t.Errorf("the strip moves the vocal from %.2f to %.2f LUFS", a.IntegratedLUFS, ps.FinalLUFS[0])
	}
	// The amount scales the range; amount 0 sets no field.
	half := propose(t, []*Track{sib}, Options{Amount: 0.5})
	if h := half.Session.Stems[0].DeEsser; h == nil || math.Abs(h.RangeDB-d.RangeDB/2) > 0.1 {
		t.Errorf("amount 0.5: de-esser %+v, want half of range %g", h, d.RangeDB)
	}
	zero := propose(t, []*Track{sib}, Options{Amount: 0})
	if z := zero.Session.Stems[0].DeEsser; z != nil {
		t.Errorf("amount 0 sets a de-esser %+v", z)
	}
}

func TestWidth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		sideDB float64
		want   bool
	}{
		{"mono", math.Inf(-1), false},
		{"stereo", -6, false},
		{"wide", 9, true},
		{"anti-phase", 30, true},
	} {
		p := propose(t, []*Track{spread(3, c.sideDB)}, Options{Amount: 1})
		valid(t, p)
		a := p.Stems[0]
		w := p.Session.Stems[0].Width
		if (w != nil) != c.want || (decisionOf(p, "width") != nil) != c.want {
			t.Errorf("%s (side %.1f dB against mid, correlation %.2f): width %v, want a width decision %v", c.name, a.SideToMidDB, a.Correlation, w, c.want)
			continue
		}
		if !c.want {
			continue
		}
		out := Analyze(&Track{Name: "out", Role: a.Role, Rate: rate, Buf: p.processed[0]})
		t.Logf("%s: side %.1f → %.1f dB, mono fold-down %.1f → %.1f dB, width %.2f", c.name, a.SideToMidDB, out.SideToMidDB, a.MonoLossDB, out.MonoLossDB, *w)
		// An anti-phase stem is narrowed as far as minWidth goes; its
		// reason points at its polarity.
		if c.name == "anti-phase" {
			if d := a.SideToMidDB - out.SideToMidDB; math.Abs(d+20*math.Log10(minWidth)) > 0.2 {
				t.Errorf("anti-phase: width %.2f narrows the side by %.1f dB", *w, d)
			}
		} else if out.SideToMidDB > wideMaxDB || out.MonoLossDB < -3 {
			t.Errorf("%s: after width %.2f the side is %.1f dB against the mid (mono fold-down %.1f dB), want at most %d dB", c.name, *w, out.SideToMidDB, out.MonoLossDB, wideMaxDB)
		}
		if math.Abs(p.FinalLUFS[0]-a.IntegratedLUFS) > 0.1 {
			t.Errorf("%s: the strip moves the stem from %.2f to %.2f LUFS", c.name, a.IntegratedLUFS, p.FinalLUFS[0])
		}
		if c.name == "anti-phase" && !strings.Contains(decisionOf(p, "width").Reason, "polarity") {
			t.Errorf("anti-phase: the reason does not point at polarity: %s", decisionOf(p, "width").Reason)
		}
		z := propose(t, []*Track{spread(3, c.sideDB)}, Options{Amount: 0})
		if z.Session.Stems[0].Width != nil {
			t.Errorf("%s: amount 0 sets width %v", c.name, *z.Session.Stems[0].Width)
		}
	}
}

// lowWide is an instruments stem whose content under 150 Hz is mostly
// side (a 60 Hz tone in phase, an 80 Hz tone 6 dB louder in anti-phase:
// correlation −0.6 there) over a mono 1 kHz tone, or all in phase when
// inPhase.
func lowWide(seconds float64, inPhase bool) *Track {
	n := int(seconds * rate)
	b := &audio.Buffer{Data: [][]float32{make([]float32, n), make([]float32, n)}}
	sign := -1.0
	if inPhase {
		sign = 1
	}
	for i := range n {
		m := 0.1 * math.Sin(2*math.Pi*60*float64(i)/rate)
		lo := 0.2 * math.Sin(2*math.Pi*80*float64(i)/rate)
		hi := 0.2 * math.Sin(2*math.Pi*1000*float64(i)/rate)
		b.Data[0][i], b.Data[1][i] = float32(hi+m+lo), float32(hi+m+sign*lo)
	}
	return &Track{Name: "keys.wav", Role: stemmaster.RoleInstruments, Rate: rate, Buf: b}
}

func TestLowMono(t *testing.T) {
	t.Parallel()
	for _, inPhase := range []bool{true, false} {
		p := propose(t, []*Track{lowWide(3, inPhase)}, Options{Amount: 1})
		valid(t, p)
		a := p.Stems[0]
		mb := p.Session.Stems[0].Multiband
		if (mb != nil) == inPhase {
			t.Errorf("low end in phase %v (correlation under 150 Hz %.2f): multiband %+v", inPhase, a.LowCorrelation, mb)
			continue
		}
		if inPhase {
			continue
		}
		out := Analyze(&Track{Name: "out", Role: a.Role, Rate: rate, Buf: p.processed[0]})
		t.Logf("correlation under 150 Hz %.2f → %.2f, loudness %.2f → %.2f LUFS", a.LowCorrelation, out.LowCorrelation, a.IntegratedLUFS, p.FinalLUFS[0])
		// The 80 Hz side leaks into the crossover's upper band (LR4 at
		// 150 Hz: −22 dB), which keeps its width: 0.956 analytically.
		if out.LowCorrelation < 0.9 {
			t.Errorf("after the strip the correlation under 150 Hz is %.2f, want about 0.96", out.LowCorrelation)
		}
		if math.Abs(p.FinalLUFS[0]-a.IntegratedLUFS) > 0.1 {
			t.Errorf("the strip moves the stem from %.2f to %.2f LUFS", a.IntegratedLUFS, p.FinalLUFS[0])
		}
		half := propose(t, []*Track{lowWide(3, false)}, Options{Amount: 0.5})
		if m := half.Session.Stems[0].Multiband; m == nil || *m.Bands[0].Width != 0.5 {
			t.Errorf("amount 0.5: multiband %+v, want width 0.5 under 150 Hz", m)
		}
		if z := propose(t, []*Track{lowWide(3, false)}, Options{Amount: 0}); z.Session.Stems[0].Multiband != nil {
			t.Error("amount 0 sets a multiband")
		}
	}
}
