package assist

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/biquad"
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

// trackNamed is the index of the track named name.
func trackNamed(t *testing.T, ts []*Track, name string) int {
	t.Helper()
	for i, s := range ts {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no track %s", name)
	return -1
}

// addDrone adds a musical line to both channels: each frequency at its
// dBFS peak, in phrases of 8 s that swell by 12 dB to that peak, with 4 s
// of nothing between them (a riser, a sub held under each phrase).
func addDrone(b *audio.Buffer, freqs, dbfs []float64) {
	const on, off = 8 * rate, 4 * rate
	for i, f := range freqs {
		s := audiotest.Sine(rate, 2, b.Frames(), f, dbfs[i], 0)
		for _, ch := range s.Data {
			for n := range ch {
				if at := n % (on + off); at < on {
					ch[n] *= float32(math.Pow(10, -12*(1-float64(at)/on)/20))
				} else {
					ch[n] = 0
				}
			}
		}
		audiotest.Add(b, s)
	}
}

// Mains hum is notched wherever it lies and a musical drone is left
// alone. Each case adds lines to one stem of the demo song (in A minor)
// in the role the case gives it: mains hum (50 or 60 Hz with its second
// and third harmonics 6 and 12 dB under it, steady) on a vocal, an
// effect, the instruments (a guitar amp's hum) and a bass (a series
// exactly on the grid); a steady 55 Hz drone (A1) on an effect, a 49 Hz
// sub (G1, with its harmonics) and a drone at 50 Hz with its harmonics,
// both in swelling phrases, on an effect. The bass always plays a steady
// 55 Hz fundamental at −12 dBFS. Hum: the proposal names the mains,
// notches its first two lines and takes the fundamental at least 20 dB
// down against the stem's loudness (10 on the bass, where the line stands
// 15 dB over the notes around it and the notch brings it to them). A drone: no hum decision and no
// narrow band under 80 Hz on its stem, its line moved within ±3 dB (its
// harmonics over 80 Hz are the resonance search's, resonance.go). The
// bass's fundamental is never cut, and the clean song gets no notch
// anywhere.
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
	hum := func(m float64) []float64 { return []float64{m, 2 * m, 3 * m} }
	cases := []struct {
		name    string
		stem    string
		role    stemmaster.Role
		freqs   []float64
		dbfs    []float64
		phrased bool
		mains   float64 // the hum to notch; 0: a drone, left alone
		down    float64 // how far the hum's fundamental goes down at least (dB)
	}{
		{"50 Hz hum on the vocal", "lead.wav", stemmaster.RoleLeadVocal, hum(50), []float64{-40, -46, -52}, false, 50, -20},
		{"60 Hz hum on the vocal", "lead.wav", stemmaster.RoleLeadVocal, hum(60), []float64{-40, -46, -52}, false, 60, -20},
		{"50 Hz hum on an effect", "chords.wav", stemmaster.RoleFX, hum(50), []float64{-40, -46, -52}, false, 50, -20},
		{"60 Hz hum on the instruments", "chords.wav", stemmaster.RoleInstruments, hum(60), []float64{-40, -46, -52}, false, 60, -20},
		{"60 Hz hum on the bass", "bass.wav", stemmaster.RoleBass, hum(60), []float64{-36, -40, -44}, false, 60, -10},
		{"a 55 Hz drone on an effect", "chords.wav", stemmaster.RoleFX, []float64{55}, []float64{-30}, false, 0, 0},
		{"a 49 Hz sub on an effect", "chords.wav", stemmaster.RoleFX, hum(49), []float64{-24, -30, -36}, true, 0, 0},
		{"a 50 Hz drone on an effect", "chords.wav", stemmaster.RoleFX, hum(50), []float64{-30, -36, -42}, true, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stems := generated()
			at, bass := -1, -1
			for i, s := range stems {
				if s.Name == "bass.wav" {
					bass = i
					addSine(s.Buf, 55, -12)
				}
				if s.Name != c.stem {
					continue
				}
				at = i
				s.Role = c.role
				if c.phrased {
					addDrone(s.Buf, c.freqs, c.dbfs)
					continue
				}
				for k, f := range c.freqs {
					addSine(s.Buf, f, c.dbfs[k])
				}
			}
			p := propose(t, stems, Options{Amount: 1})
			var humWhy []string
			for _, d := range stemDecisions(p, c.stem) {
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
				b := p.Session.Stems[at].EQ[k]
				if want := stemmaster.FormatNumber(math.Round(b.FreqHz/b.Q*10)/10) + " Hz wide"; !strings.Contains(d.Reason, want) {
					t.Errorf("hum decision %q for %+v does not say %q", d.Reason, b, want)
				}
			}
			notched := map[float64]bool{}
			for _, b := range p.Session.Stems[at].EQ {
				if b.Type == stemmaster.EQPeak && b.GainDB <= -10 && b.Q >= 10 {
					notched[math.Round(b.FreqHz)] = true
				}
			}
			moved := lineDB(p.processed[at], c.freqs[0]) - lineDB(stems[at].Buf, c.freqs[0])
			t.Logf("%s (%s): %v; low peaks %+v; the %g Hz line moves %+.1f dB", c.stem, c.role, humWhy, p.Stems[at].LowPeaks, c.freqs[0], moved)
			if c.mains > 0 {
				if len(humWhy) == 0 || !strings.Contains(humWhy[0], stemmaster.FormatNumber(c.mains)+" Hz mains hum") {
					t.Errorf("the hum decisions %q do not name %g Hz mains hum", humWhy, c.mains)
				}
				if !notched[c.mains] || !notched[2*c.mains] {
					t.Errorf("the notches %v miss %g or %g Hz", notched, c.mains, 2*c.mains)
				}
				if !(moved <= c.down) {
					t.Errorf("the %g Hz line moves %+.1f dB against the stem's loudness, want %g or less", c.mains, moved, c.down)
				}
			} else {
				for _, d := range stemDecisions(p, c.stem) {
					if d.Kind == "hum" || (d.Kind == "resonance" && strings.Contains(d.Reason, "under 80 Hz")) {
						t.Errorf("the drone is cut: %s = %s: %s", d.Path, d.Value, d.Reason)
					}
				}
				for _, b := range p.Session.Stems[at].EQ {
					if b.FreqHz < lowPeakTopHz && b.Type == stemmaster.EQPeak && b.Q > 2 {
						t.Errorf("a narrow band on the drone's stem at %g Hz: %+v", b.FreqHz, b)
					}
				}
				if math.Abs(moved) > 3 {
					t.Errorf("the drone's %g Hz line moves %+.1f dB against its stem's loudness, want within ±3", c.freqs[0], moved)
				}
			}
			if at == bass {
				for _, b := range p.Session.Stems[bass].EQ {
					if b.Type == stemmaster.EQPeak && math.Abs(math.Log2(b.FreqHz/55)) < 1.0/12 {
						t.Errorf("a band on the bass's fundamental: %+v", b)
					}
				}
			} else {
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
		lead := trackNamed(t, stems, "lead.wav")
		addSine(stems[lead].Buf, 55, -40)
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
		// Hum is searched on every stem, and nothing but the backing
		// vocals' line reads as a low peak.
		if a.Role != stemmaster.RoleBackingVocals && len(a.LowPeaks) > 0 {
			t.Errorf("%s (%s): low peaks %+v", a.File, a.Role, a.LowPeaks)
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

// A part that plays under a role's high-pass is no rumble: francium's fx
// carries half its energy at 34–46 Hz (a sub drop, the only sub-bass of
// its intro), and the 40 Hz high-pass the fx role gets for rumble took
// 3–5 dB off it, the song's sub-bass with it (the master's 40 Hz band
// 3.2 dB down against the mix). Rumble sits 20 dB or more under a stem;
// more than a quarter of its energy under the cut-off is a part. An fx
// whose sub lines at 36–42 Hz hold that keeps its low end, and says why;
// the same fx with its sub 20 dB down, rumble-like, is high-passed.
func TestSubPartIsNoRumble(t *testing.T) {
	t.Parallel()
	const n = 6 * rate
	for _, tc := range []struct {
		name   string
		subDB  float64
		cut    bool
		reason string
	}{
		{"a sub drop", -9, false, "a part plays there"},
		{"rumble", -45, true, "which its role (fx) does not need"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Pink noise holds a third of its energy under 40 Hz: the
			// fx's own programme starts at 80 Hz.
			fx := audiotest.PinkNoise(31, 2, n, -12)
			low := biquad.Band{Type: stemmaster.EQHighPass, FreqHz: 80, Q: 0.7071}
			eqBuf(fx, low, low)
			for _, f := range []float64{36, 38.5, 41} {
				addSine(fx, f, tc.subDB)
			}
			p := propose(t, []*Track{
				{Name: "instruments.wav", Role: stemmaster.RoleInstruments, Rate: rate, Buf: audiotest.PinkNoise(32, 2, n, -12)},
				{Name: "fx.wav", Role: stemmaster.RoleFX, Rate: rate, Buf: fx},
			}, Options{Amount: 1})
			var hp bool
			for _, b := range p.Session.Stems[1].EQ {
				hp = hp || b.Type == stemmaster.EQHighPass
			}
			var why string
			for _, d := range stemDecisions(p, "fx.wav") {
				if strings.Contains(d.Reason, "below 40 Hz") {
					why = d.Reason
				}
			}
			t.Logf("%s: high-pass %v: %s", tc.name, hp, why)
			if hp != tc.cut || !strings.Contains(why, tc.reason) {
				t.Errorf("%s: a high-pass on the fx: %v, want %v, saying %q: %q", tc.name, hp, tc.cut, tc.reason, why)
			}
		})
	}
}

// loopedBars is a beat of a kick (a sine gliding down
// to F1, decaying over 0.3 s) and an off-beat hat (a burst of seeded noise)
// repeated sample-exactly at bpm over frames: what a house track's drums
// built from one looped beat are. Its spectrum is a comb of lines every
// bpm/60 Hz, and at 120 or 125 BPM the comb's lines fall on the mains
// harmonics (every 2 or 2.083 Hz: 50 Hz is the 25th or the 24th).
//
// With bars > 0 the loop is that many 4/4 bars: each beat's hat is its
// own noise and the kick sounds on the first and third beats of a bar,
// so the loop repeats only every bars bars and its comb's lines lie every
// bpm/60/(4·bars) Hz, finer than the hum search's bins (under 0.4 Hz:
// 0.125 Hz for 4 bars at 120 BPM).
func loopedBars(bpm float64, bars, frames int) *audio.Buffer {
	beat := int(math.Round(60 * rate / bpm))
	beats := max(1, 4*bars)
	one := make([]float32, beat*beats)
	for k := range beats {
		hat := audiotest.WhiteNoise(7+uint64(k), 1, beat/2, -18).Data[0]
		kick := bars == 0 || k%2 == 0
		var ph float64
		for n := range beat {
			s := float64(n) / rate
			f := 43.65 + 100*math.Exp(-s/0.03) // F1
			ph += 2 * math.Pi * f / rate
			if kick {
				one[k*beat+n] = float32(0.7 * math.Exp(-s/0.3) * math.Sin(ph))
			}
			if h := n - beat/2; h >= 0 {
				one[k*beat+n] += hat[h] * float32(math.Exp(-float64(h)/rate/0.03))
			}
		}
	}
	b := audiotest.Silence(2, frames)
	for _, ch := range b.Data {
		for n := range ch {
			ch[n] = one[n%len(one)]
		}
	}
	return b
}

// A sample-exact loop is no hum: drums built from one beat repeated at
// 120 or 125 BPM hold a comb of lines on the mains grid, each as strong
// as its neighbours a comb spacing away, and no line of it is notched.
// Hum under the same loop (50 Hz and its harmonics, 10 dB over the comb
// at 100 and 150 Hz) is still read as hum and notched there; its 50 Hz
// line lies in the kick's fundamental (F1, 43.65 Hz), under 6 dB over the
// comb around it, and may be left. Loops of 2 and 4 bars at 120, 125 and
// 128 BPM, whose combs are finer than the hum search's bins, are no hum
// either, and 50 or 60 Hz hum under them is read and notched.
func TestHumNotALoop(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		bpm   float64
		hum   []float64 // dBFS of the mains' first three lines; nil: none
		mains float64
		bars  int // the loop's length (0: one beat)
	}{
		{"a beat looped at 120 BPM", 120, nil, 0, 0},
		{"a beat looped at 125 BPM", 125, nil, 0, 0},
		{"50 Hz hum under a beat looped at 120 BPM", 120, []float64{-20, -26, -32}, 50, 0},
		{"2 bars looped at 120 BPM", 120, nil, 0, 2},
		{"4 bars looped at 125 BPM", 125, nil, 0, 4},
		{"4 bars looped at 128 BPM", 128, nil, 0, 4},
		{"50 Hz hum under 4 bars looped at 120 BPM", 120, []float64{-20, -26, -32}, 50, 4},
		{"60 Hz hum under 2 bars looped at 128 BPM", 128, []float64{-20, -26, -32}, 60, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stems := generated()
			at := trackNamed(t, stems, "drums.wav")
			drums := loopedBars(c.bpm, c.bars, stems[at].Buf.Frames())
			for k, l := range c.hum {
				addSine(drums, c.mains*float64(k+1), l)
			}
			stems[at].Buf = drums
			p := propose(t, stems, Options{Amount: 1})
			var humWhy []string
			for _, d := range stemDecisions(p, "drums.wav") {
				if d.Kind == "hum" {
					humWhy = append(humWhy, d.Reason)
				}
			}
			t.Logf("low peaks %+v; hum decisions %q", p.Stems[at].LowPeaks, humWhy)
			notched := map[float64]bool{}
			for _, b := range p.Session.Stems[at].EQ {
				if b.Type == stemmaster.EQPeak && b.Q >= 10 && b.GainDB <= -6 {
					notched[math.Round(b.FreqHz)] = true
				}
			}
			if c.mains == 0 {
				if len(humWhy) > 0 || len(notched) > 0 {
					t.Errorf("the loop is read as hum: notches %v, decisions %q", notched, humWhy)
				}
				return
			}
			if len(humWhy) == 0 || !strings.Contains(humWhy[0], stemmaster.FormatNumber(c.mains)+" Hz mains hum") {
				t.Errorf("the hum decisions %q do not name %g Hz mains hum", humWhy, c.mains)
			}
			if !notched[2*c.mains] || !notched[3*c.mains] {
				t.Errorf("the hum under the loop is not notched at %g and %g Hz: notches %v, decisions %q", 2*c.mains, 3*c.mains, notched, humWhy)
			}
		})
	}
}
