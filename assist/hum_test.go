package assist

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// addSine adds a steady sine at freq Hz and dBFS peak to both channels.
func addSine(b *audio.Buffer, freq, dbfs float64) {
	s := audiotest.Sine(rate, 2, b.Frames(), freq, dbfs, 0)
	audiotest.Add(b, s)
}

// lineDB is the level of the freq Hz line in b's left channel against
// the buffer's loudness (dB): what a cut at freq takes off it, whatever
// gain the strip adds.
func lineDB(b *audio.Buffer, freq float64) float64 {
	amp, _, _ := audiotest.FitSine(b.Data[0], 2*math.Pi*freq/rate, 0, b.Frames())
	return 20*math.Log10(amp) - loudness.Measure(b, rate, loudness.Options{}).IntegratedLUFS
}

// stemDecisions are the decisions on the stem named file.
func stemDecisions(p *Proposal, file string) []Decision {
	var out []Decision
	for _, d := range p.Decisions {
		if d.File == file {
			out = append(out, d)
		}
	}
	return out
}

// Mains hum on a vocal-like stem (the demo song's lead, in the lead vocal
// role) is notched: 50 Hz hum and 60 Hz hum, each with its second and
// third harmonics 6 and 12 dB under it, 40 dB under the stem's peak.
// The proposal names the mains, notches the lines and takes the
// fundamental at least 20 dB down against the stem's loudness; a 55 Hz
// drone on the bass (its fundamental) is left alone, and the clean song
// gets no notch anywhere.
func TestHum(t *testing.T) {
	t.Parallel()
	clean := propose(t, generated(), Options{Amount: 1})
	for i, a := range clean.Stems {
		if len(a.LowPeaks) > 0 {
			t.Errorf("clean %s: low peaks %+v", a.File, a.LowPeaks)
		}
		for _, b := range clean.Session.Stems[i].EQ {
			if b.FreqHz < lowPeakTopHz && b.Type == stemmaster.EQPeak && b.Q > 2 {
				t.Errorf("clean %s: a narrow band under 80 Hz: %+v", a.File, b)
			}
		}
	}
	for _, mains := range []float64{50, 60} {
		t.Run(stemmaster.FormatNumber(mains), func(t *testing.T) {
			t.Parallel()
			stems := generated()
			lead, bass := -1, -1
			for i, s := range stems {
				switch s.Name {
				case "lead.wav":
					lead = i
					for h, db := range []float64{-40, -46, -52} {
						addSine(s.Buf, mains*float64(h+1), db)
					}
				case "bass.wav":
					bass = i
					addSine(s.Buf, 55, -12)
				}
			}
			p := propose(t, stems, Options{Amount: 1})
			var humWhy []string
			notched := map[float64]bool{}
			for _, d := range stemDecisions(p, "lead.wav") {
				if d.Kind != "hum" {
					continue
				}
				humWhy = append(humWhy, d.Reason)
				// The reason states the width of the band it put in the
				// session (f/Q): the harmonics over 100 Hz are wider than
				// the fundamental's, Q being bounded.
				var k int
				if i := strings.LastIndex(d.Path, "eq["); i < 0 {
					t.Errorf("hum decision %q: path %q names no band", d.Reason, d.Path)
					continue
				} else if _, err := fmt.Sscanf(d.Path[i:], "eq[%d]", &k); err != nil {
					t.Errorf("hum decision %q: path %q", d.Reason, d.Path)
					continue
				}
				b := p.Session.Stems[lead].EQ[k]
				if want := stemmaster.FormatNumber(math.Round(b.FreqHz/b.Q*10)/10) + " Hz wide"; !strings.Contains(d.Reason, want) {
					t.Errorf("hum decision %q for %+v does not say %q", d.Reason, b, want)
				}
			}
			for _, b := range p.Session.Stems[lead].EQ {
				if b.Type == stemmaster.EQPeak && b.GainDB <= -10 && b.Q >= 10 {
					notched[math.Round(b.FreqHz)] = true
				}
			}
			t.Logf("lead: %v; low peaks %+v", humWhy, p.Stems[lead].LowPeaks)
			if len(humWhy) == 0 || !strings.Contains(humWhy[0], stemmaster.FormatNumber(mains)+" Hz mains hum") {
				t.Errorf("the lead's hum decisions %q do not name %g Hz mains hum", humWhy, mains)
			}
			if !notched[mains] || !notched[2*mains] {
				t.Errorf("the lead's notches %v miss %g or %g Hz", notched, mains, 2*mains)
			}
			if d := lineDB(p.processed[lead], mains) - lineDB(stems[lead].Buf, mains); !(d <= -20) {
				t.Errorf("the %g Hz line moves %+.1f dB against the lead's loudness, want −20 or less", mains, d)
			}
			for _, d := range stemDecisions(p, "bass.wav") {
				if d.Kind == "hum" || d.Kind == "resonance" {
					t.Errorf("the bass's fundamental is cut: %s = %s: %s", d.Path, d.Value, d.Reason)
				}
			}
			for _, b := range p.Session.Stems[bass].EQ {
				if b.FreqHz < 160 && b.Type == stemmaster.EQPeak && b.Q > 2 {
					t.Errorf("a narrow band on the bass at %g Hz: %+v", b.FreqHz, b)
				}
			}
			if d := lineDB(p.processed[bass], 55) - lineDB(stems[bass].Buf, 55); math.Abs(d) > 3 {
				t.Errorf("the bass's 55 Hz fundamental moves %+.1f dB against its loudness, want within ±3", d)
			}
		})
	}
	// A steady 55 Hz peak on the vocal (no mains line) is a low resonance:
	// cut, and not called hum.
	t.Run("55 Hz on the vocal", func(t *testing.T) {
		t.Parallel()
		stems := generated()
		lead := -1
		for i, s := range stems {
			if s.Name == "lead.wav" {
				lead = i
				addSine(s.Buf, 55, -40)
			}
		}
		p := propose(t, stems, Options{Amount: 1})
		var cut *stemmaster.EQBand
		for i, b := range p.Session.Stems[lead].EQ {
			if b.Type == stemmaster.EQPeak && math.Abs(math.Log2(b.FreqHz/55)) < 1.0/24 {
				cut = &p.Session.Stems[lead].EQ[i]
			}
		}
		for _, d := range stemDecisions(p, "lead.wav") {
			if d.Kind == "hum" {
				t.Errorf("55 Hz read as hum: %s", d.Reason)
			}
		}
		if cut == nil || cut.GainDB > -10 {
			t.Fatalf("no cut of 10 dB or more at 55 Hz on the vocal: %+v (low peaks %+v)", p.Session.Stems[lead].EQ, p.Stems[lead].LowPeaks)
		}
		if d := lineDB(p.processed[lead], 55) - lineDB(stems[lead].Buf, 55); !(d <= -15) {
			t.Errorf("the 55 Hz peak moves %+.1f dB against the vocal's loudness, want −15 or less", d)
		}
	})
}

// Francium's stems: every low peak found is logged; the backing vocals'
// line near 60 Hz (18.7 dB over its neighbours at 1/24 octave) is cut,
// and no bass or drums stem is searched.
func TestLowPeaksFrancium(t *testing.T) {
	t.Parallel()
	stems, _ := francium(t)
	p := propose(t, stems, Options{Amount: 1})
	for i, a := range p.Stems {
		t.Logf("%s (%s): low peaks %+v", filepath.Base(a.File), a.Role, a.LowPeaks)
		for _, d := range stemDecisions(p, filepath.Base(a.File)) {
			if d.Kind == "hum" || d.Kind == "resonance" {
				t.Logf("  %s = %s: %s", d.Path, d.Value, d.Reason)
			}
		}
		if !searchesLow(a.Role) && len(a.LowPeaks) > 0 {
			t.Errorf("%s (%s) searched under 80 Hz: %+v", a.File, a.Role, a.LowPeaks)
		}
		if a.Role != stemmaster.RoleBackingVocals {
			continue
		}
		found := false
		for _, b := range p.Session.Stems[i].EQ {
			if b.Type == stemmaster.EQPeak && b.FreqHz > 55 && b.FreqHz < 65 && b.GainDB <= -10 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no cut of 10 dB or more at 55–65 Hz: %+v", a.File, p.Session.Stems[i].EQ)
		}
	}
}
