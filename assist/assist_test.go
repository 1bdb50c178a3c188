package assist

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/engine"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
	"stemmaster/internal/testkit"
	"stemmaster/loudness"
	"stemmaster/sessionfile"
)

const rate = 48000

// The francium tests take an excerpt where every stem plays (the lead
// vocal enters at 16 s), to stay short.
const (
	excerptFromS = 17
	excerptS     = 16
)

func francium(t *testing.T) (stems []*Track, mix *Track) {
	t.Helper()
	dir := audiotest.FranciumDir(t)
	read := func(name string) *Track {
		tr, err := ReadTrack(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		from := min(tr.Buf.Frames(), excerptFromS*tr.Rate)
		to := min(tr.Buf.Frames(), from+excerptS*tr.Rate)
		tr.Buf = &audio.Buffer{Data: [][]float32{tr.Buf.Data[0][from:to:to], tr.Buf.Data[1][from:to:to]}}
		tr.Name = name
		tr.Role = stemmaster.InferRole(name)
		return tr
	}
	for _, n := range audiotest.FranciumStems {
		stems = append(stems, read(n))
	}
	return stems, read("mix.wav")
}

// generated is the demo song's stems. Its lead synth carries the melody:
// it plays the lead vocal's part (a role the balance norms place against
// the other families; inside a family the delivered balance is kept).
// demoStems returns the demo song's stems at rate r: made once per rate
// for the package's tests (a synthesis takes seconds, and a dozen tests
// start from the song) and cloned for each caller, which may change them.
func demoStems(r int) []demosong.Stem {
	demo.Lock()
	made, ok := demo.byRate[r]
	if !ok {
		made = sync.OnceValue(func() []demosong.Stem { return demosong.Stems(r) })
		demo.byRate[r] = made
	}
	demo.Unlock()
	out := slices.Clone(made())
	for i := range out {
		out[i].Buf = out[i].Buf.Clone()
	}
	return out
}

var demo = struct {
	sync.Mutex
	byRate map[int]func() []demosong.Stem
}{byRate: map[int]func() []demosong.Stem{}}

func generated() []*Track {
	var out []*Track
	for _, s := range demoStems(rate) {
		r := s.Role
		if s.Name == "lead.wav" {
			r = stemmaster.RoleLeadVocal
		}
		out = append(out, &Track{Name: s.Name, Role: r, Rate: rate, Buf: s.Buf})
	}
	return out
}

func clone(ts []*Track) []*Track {
	out := make([]*Track, len(ts))
	for i, t := range ts {
		c := *t
		c.Buf = t.Buf.Clone()
		out[i] = &c
	}
	return out
}

func scale(b *audio.Buffer, db float64) {
	g := float32(math.Pow(10, db/20))
	for _, ch := range b.Data {
		for i := range ch {
			ch[i] *= g
		}
	}
}

func shelf(b *audio.Buffer, hz, db float64) {
	e := biquad.NewEQ(biquad.Band{Type: stemmaster.EQHighShelf, FreqHz: hz, GainDB: db, Q: 0.7071})
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: b.Frames(), Channels: 2})
	e.Process(b)
}

// deliver makes the altered delivery of the invariance test: the lead
// −6 dB, the bass +5 dB (the drums where there is no bass, as in
// francium), a −4 dB high shelf at 5 kHz on the instruments.
func deliver(ts []*Track, leadName string) (out []*Track, changed string) {
	out = clone(ts)
	hasBass := false
	for _, t := range out {
		hasBass = hasBass || t.Role == stemmaster.RoleBass
	}
	for _, t := range out {
		base := filepath.Base(t.Name)
		switch {
		case base == leadName:
			scale(t.Buf, -6)
		case t.Role == stemmaster.RoleBass, !hasBass && t.Role == stemmaster.RoleDrums:
			scale(t.Buf, 5)
			changed = base
		}
		if t.Role == stemmaster.RoleInstruments {
			shelf(t.Buf, 5000, -4)
		}
	}
	return out, changed
}

// writeTrack writes b as a 24-bit WAV named name in dir and reads it back
// as the assistant reads a file (ReadTrack), in role.
func writeTrack(t *testing.T, dir, name string, b *audio.Buffer, role stemmaster.Role) *Track {
	t.Helper()
	tr, err := ReadTrack(audiotest.WriteWAV(t, dir, name, b, rate, 24))
	if err != nil {
		t.Fatal(err)
	}
	tr.Role = role
	return tr
}

// propose proposes as the CLI and the server do: from the check's report
// on the same tracks (checkOf) unless the test gives one.
func propose(t *testing.T, ts []*Track, opt Options) *Proposal {
	t.Helper()
	if opt.Check == nil {
		opt.Check = checkOf(t, ts, opt.Mix)
	}
	p, err := Propose(ts, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The YAML reads back as the same session.
	back, err := sessionfile.Parse(p.YAML(), "proposal.yaml")
	if err != nil {
		t.Fatalf("proposal does not parse: %v\n%s", err, p.YAML())
	}
	want, _ := json.Marshal(p.Session)
	got, _ := json.Marshal(back)
	if !bytes.Equal(want, got) {
		t.Fatalf("YAML reads back as\n%s\nwant\n%s", got, want)
	}
	return p
}

// checkInvariant compares the two proposals' per-stem results: loudness
// against the proposed sum within ±1.5 dB, and third-octave spectra (100 Hz
// to 10 kHz, over the stem's active range: bands within activeRangeDB of
// its loudest) within ±1.5 dB where the tone EQ is within its bound; where
// either proposal's tone EQ is at stemToneLimitDB the delivered difference
// is only partly undone, and the proposals may differ in shape by no more
// than the deliveries did.
func checkInvariant(t *testing.T, a, b *Proposal) {
	t.Helper()
	for i := range a.Stems {
		la := a.FinalLUFS[i] - a.Proposed.IntegratedLUFS
		lb := b.FinalLUFS[i] - b.Proposed.IntegratedLUFS
		if math.IsNaN(a.Stems[i].IntegratedLUFS) && math.IsNaN(b.Stems[i].IntegratedLUFS) {
			t.Logf("%s is silent in this excerpt", a.Stems[i].File)
			continue
		}
		t.Logf("%-20s level vs sum %+.2f / %+.2f dB", a.Stems[i].File, la, lb)
		if !(math.Abs(la-lb) <= 1.5) {
			t.Errorf("%s: final level against the sum %.2f vs %.2f dB, want within ±1.5", a.Stems[i].File, la, lb)
		}
		sa, _, _ := longTerm(a.processed[i], rate).bands(thirdCentres, 3)
		sb, _, _ := longTerm(b.processed[i], rate).bands(thirdCentres, 3)
		top := math.Inf(-1)
		for _, v := range sa {
			if !math.IsNaN(v) {
				top = math.Max(top, v)
			}
		}
		worst := 0.0
		for k, c := range thirdCentres {
			if c < 99 || c > 10100 || math.IsNaN(sa[k]) || sa[k] < top-activeRangeDB {
				continue
			}
			d := (sa[k] - a.Proposed.IntegratedLUFS) - (sb[k] - b.Proposed.IntegratedLUFS)
			if math.Abs(d) > math.Abs(worst) {
				worst = d
			}
			if atToneLimit(a.Session.Stems[i].EQ, c) || atToneLimit(b.Session.Stems[i].EQ, c) {
				// The tone EQ is bounded (stemToneLimitDB): where it
				// is, a delivery's difference is only partly undone,
				// but never widened.
				dd := (a.Stems[i].Spectrum[k] - a.Stems[i].IntegratedLUFS) - (b.Stems[i].Spectrum[k] - b.Stems[i].IntegratedLUFS)
				shape := d - (la - lb)
				if !(math.Abs(shape) <= math.Abs(dd)+0.5) {
					t.Errorf("%s: band %.0f Hz differs by %.2f dB in shape between the proposals, %.2f dB between the deliveries: the EQ widened it", a.Stems[i].File, c, shape, dd)
				}
				continue
			}
			if !(math.Abs(d) <= 1.5) {
				t.Errorf("%s: band %.0f Hz differs by %.2f dB between the deliveries, want within ±1.5", a.Stems[i].File, c, d)
			}
		}
		t.Logf("%-20s worst spectrum difference %+.2f dB\n   eq %v\n   eq %v", a.Stems[i].File, worst, a.Session.Stems[i].EQ, b.Session.Stems[i].EQ)
	}
}

// atToneLimit reports whether eq holds a tone band (an octave-wide peak)
// at the tone limit within an octave of f.
func atToneLimit(eq []stemmaster.EQBand, f float64) bool {
	for _, b := range eq {
		if b.Type == stemmaster.EQPeak && b.Q == 1.4142 && math.Abs(math.Log2(b.FreqHz/f)) <= 1 && math.Abs(b.GainDB) >= stemToneLimitDB-0.15 {
			return true
		}
	}
	return false
}

func TestInvarianceGenerated(t *testing.T) {
	t.Parallel()
	orig := generated()
	alt, _ := deliver(orig, "lead.wav")
	checkInvariant(t, propose(t, orig, Options{Amount: 1}), propose(t, alt, Options{Amount: 1}))
}

func TestInvarianceFrancium(t *testing.T) {
	t.Parallel()
	orig, _ := francium(t)
	alt, changed := deliver(orig, "lead_vocal.wav")
	t.Logf("+5 dB on %s (francium has no bass stem)", changed)
	checkInvariant(t, propose(t, orig, Options{Amount: 1}), propose(t, alt, Options{Amount: 1}))
}

// With the client's mix, the proposal plays the stems at the mix's
// balance, even from a delivery whose levels are off.
func TestMixBalanceFrancium(t *testing.T) {
	t.Parallel()
	orig, mix := francium(t)
	alt := clone(orig)
	scale(alt[0].Buf, -6) // lead vocal
	scale(alt[2].Buf, 5)  // drums
	p := propose(t, alt, Options{Amount: 1, Mix: mix})
	// francium's stems sum to its mix at unity: the final level of each
	// stem should sit a common offset from its original loudness.
	var offs []float64
	for i, st := range orig {
		l := loudness.Measure(st.Buf, rate, loudness.Options{}).IntegratedLUFS
		if math.IsNaN(l) || math.IsInf(l, 0) {
			t.Logf("%s is silent in this excerpt", st.Name)
			offs = append(offs, math.NaN())
			continue
		}
		offs = append(offs, p.FinalLUFS[i]-l)
	}
	var mean float64
	n := 0
	for _, o := range offs {
		if !math.IsNaN(o) {
			mean += o
			n++
		}
	}
	if n < 3 {
		t.Fatalf("only %d stems play in the excerpt", n)
	}
	mean /= float64(n)
	for i, o := range offs {
		if math.IsNaN(o) {
			continue
		}
		t.Logf("%-20s final − original %+.2f dB", orig[i].Name, o)
		if !(math.Abs(o-mean) <= 0.5) {
			t.Errorf("%s: balance %+.2f dB off the mix's (common offset %.2f), want within ±0.5", orig[i].Name, o-mean, mean)
		}
	}
}

// Amount 0 proposes exactly the plain session, and renders byte for byte
// what the plain session renders.
func TestAmountZeroIsPlain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var ts []*Track
	var plain stemmaster.Session
	plain.Master = engine.DefaultMaster()
	for _, s := range demoStems(rate) {
		b := s.Buf
		n := 6 * rate
		b = &audio.Buffer{Data: [][]float32{b.Data[0][:n], b.Data[1][:n]}}
		tr := writeTrack(t, dir, s.Name, b, s.Role)
		ts = append(ts, tr)
		plain.Stems = append(plain.Stems, stemmaster.StemSpec{File: tr.Name})
	}
	p := propose(t, ts, Options{Amount: 0})
	for _, d := range p.Decisions {
		if d.Amount != 0 {
			t.Errorf("decision %s has amount %g at amount 0", d.Path, d.Amount)
		}
	}
	render := func(s *stemmaster.Session, name string) []byte {
		out := testkit.Mkdir(t, dir, name)
		if _, err := engine.Render(context.Background(), s, engine.Options{OutDir: out, SkipCheck: true}); err != nil {
			t.Fatal(err)
		}
		return testkit.ReadFile(t, filepath.Join(out, "main.wav"))
	}
	a, b := render(p.Session, "assist"), render(&plain, "plain")
	if !bytes.Equal(a, b) {
		t.Fatal("amount 0: the proposal renders differently from the plain session")
	}
}

// reference builds a reference from other material: pink noise (a flat
// third-octave spectrum) under a −3 dB/octave tilt, roughly the slope of
// commercial music, then tilted a further −1.5 dB/octave ("tilted") or
// lifted +6 dB under 100 Hz ("bass_heavy").
func reference(kind string) *Track {
	n := excerptS * rate
	b := audiotest.PinkNoise(7, 2, n, -12)
	bands := []biquad.Band{
		{Type: stemmaster.EQLowShelf, FreqHz: 200, GainDB: 6, Q: 0.5},
		{Type: stemmaster.EQHighShelf, FreqHz: 2000, GainDB: -8, Q: 0.5},
	}
	switch kind {
	case "tilted":
		bands = append(bands, biquad.Band{Type: stemmaster.EQHighShelf, FreqHz: 3000, GainDB: -5, Q: 0.5})
	case "bass_heavy":
		bands = append(bands, biquad.Band{Type: stemmaster.EQLowShelf, FreqHz: 100, GainDB: 6, Q: 0.7071})
	}
	e := biquad.NewEQ(bands...)
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: n, Channels: 2})
	e.Process(b)
	return &Track{Name: kind + ".wav", Rate: rate, Buf: b}
}

// masterSpectrum renders a session and returns the main master's
// third-octave spectrum relative to its loudness, smoothed like the match.
func masterSpectrum(t *testing.T, s *stemmaster.Session, parent, name string) []float64 {
	t.Helper()
	dir := testkit.Mkdir(t, parent, name)
	if _, err := engine.Render(context.Background(), s, engine.Options{OutDir: dir, SkipCheck: true}); err != nil {
		t.Fatal(err)
	}
	b, _ := audiotest.ReadFile(t, filepath.Join(dir, "main.wav"))
	return normalised(Analyze(&Track{Name: "master", Rate: rate, Buf: b}), 1.0/3)
}

// Stereo mastering by reference: the francium mix matched to references
// made from other material. Amount 1 lands within ±1.5 dB of the reference
// from 40 Hz to 16 kHz (loudness-normalised), amount 0.5 within ±0.5 dB of
// the midpoint over the same range, amount 0 on the plain master.
func TestReferenceMatchFrancium(t *testing.T) {
	t.Parallel()
	_, mix := francium(t)
	dir := t.TempDir()
	in := writeTrack(t, dir, "mix.wav", mix.Buf, stemmaster.RoleOther)
	plainP := propose(t, []*Track{in}, Options{Amount: 1})
	plain := masterSpectrum(t, plainP.Session, dir, "plain")
	for _, kind := range []string{"tilted", "bass_heavy"} {
		ref := reference(kind)
		want := refCurve([]*Analysis{Analyze(ref)}, []float64{1}, 1.0/3)
		zero := propose(t, []*Track{in}, Options{Amount: 1, MatchAmount: new(0.0), References: []Reference{{Track: ref}}})
		a, _ := json.Marshal(zero.Session)
		b, _ := json.Marshal(plainP.Session)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: match amount 0 proposes a different session from the plain one", kind)
		}
		for _, m := range []float64{1, 0.5} {
			p := propose(t, []*Track{in}, Options{Amount: 1, MatchAmount: new(m), References: []Reference{{Track: ref}}})
			got := masterSpectrum(t, p.Session, dir, filepath.Join(kind, stemmaster.FormatNumber(m)))
			// Level-match the aim and the result (their mean difference over
			// the range): a tone between two loudness-normalised spectra has
			// its own loudness.
			var off float64
			nb := 0
			for k, c := range thirdCentres {
				if c >= 39 && c <= matchTopHz {
					off += got[k] - (plain[k] + m*(want[k]-plain[k]))
					nb++
				}
			}
			off /= float64(nb)
			worst, worstHz := 0.0, 0.0
			for k, c := range thirdCentres {
				if c < 39 || c > matchTopHz {
					continue
				}
				aim := plain[k] + m*(want[k]-plain[k]) + off
				d := got[k] - aim
				if math.Abs(d) > math.Abs(worst) {
					worst, worstHz = d, c
				}
				tol := 1.5
				if m != 1 {
					tol = 0.5
				}
				if !(math.Abs(d) <= tol) {
					t.Errorf("%s, amount %g: %.0f Hz is %+.2f dB from the aim (plain %.1f, reference %.1f), want within ±%g", kind, m, c, d, plain[k], want[k], tol)
				}
			}
			t.Logf("%s, amount %g: worst %+.2f dB (at %s)", kind, m, worst, hz(worstHz))
		}
	}
}

// matchTopHz is the top band the reference test checks.
const matchTopHz = 16100

// More low end in the reference goes to the stems that hold the low end
// (the bass's low shelf, and the kick's), not only to the master.
func TestReferenceLowEndGoesToBass(t *testing.T) {
	t.Parallel()
	stems := generated()
	var sum *audio.Buffer
	for _, s := range stems {
		sum = mixInto(sum, s.Buf)
	}
	ref := &Track{Name: "ref.wav", Rate: rate, Buf: sum.Clone()}
	e := biquad.NewEQ(biquad.Band{Type: stemmaster.EQLowShelf, FreqHz: 120, GainDB: 6, Q: 0.7071})
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: ref.Buf.Frames(), Channels: 2})
	e.Process(ref.Buf)
	p := propose(t, stems, Options{Amount: 1, References: []Reference{{Track: ref}}})
	var shelf *stemmaster.EQBand
	for i, st := range p.Session.Stems {
		for j, b := range st.EQ {
			if b.Type == stemmaster.EQLowShelf {
				switch stems[i].Role {
				case stemmaster.RoleBass:
					shelf = &p.Session.Stems[i].EQ[j]
				case stemmaster.RoleDrums: // the kick holds low end too
				default:
					t.Errorf("low shelf on %s, which holds no low end", st.File)
				}
			}
		}
	}
	// The plain proposal already lifts this song's low end toward the
	// modern curve, so the reference asks for less than its 6 dB on top.
	if shelf == nil || shelf.GainDB < 0.5 {
		t.Fatalf("no low-shelf boost on the bass for a reference with 6 dB more low end: %+v", shelf)
	}
	t.Logf("bass low shelf %+.1f dB at %g Hz", shelf.GainDB, shelf.FreqHz)
	found := false
	for _, d := range p.Decisions {
		found = found || d.Kind == "match" && strings.Contains(d.Reason, "bass.wav")
	}
	if !found {
		t.Error("no decision explains the bass shelf")
	}
}

// Several references blend by weight, in power, after each is normalised
// to its loudness.
func TestReferenceWeights(t *testing.T) {
	t.Parallel()
	a := &Analysis{IntegratedLUFS: -10, Spectrum: make([]float64, len(thirdCentres))}
	b := &Analysis{IntegratedLUFS: -20, Spectrum: make([]float64, len(thirdCentres))}
	for k := range thirdCentres {
		a.Spectrum[k] = -20     // 10 dB under its loudness
		b.Spectrum[k] = -20 - 5 // 5 dB under its loudness
	}
	got := refCurve([]*Analysis{a, b}, []float64{3, 1}, 1.0/3)
	want := 10 * math.Log10((3*math.Pow(10, -1)+math.Pow(10, -0.5))/4)
	for k := range got {
		if math.Abs(got[k]-want) > 1e-9 {
			t.Fatalf("band %d: %.4f dB, want %.4f", k, got[k], want)
		}
	}
}

// A reference at another rate than the stems (a CD-rate record against
// 48 kHz stems) is matched: its analysis is in Hz, not in bins.
func TestReferenceOtherRate(t *testing.T) {
	t.Parallel()
	ref := &Track{Name: "cd.wav", Rate: 44100, Buf: audiotest.PinkNoise(11, 2, 3*44100, -12)}
	p := propose(t, []*Track{spread(3, -8)}, Options{Amount: 1, References: []Reference{{Track: ref}}})
	valid(t, p)
	if len(p.Session.Master.MatchEQ) == 0 {
		t.Error("no match EQ toward a 44.1 kHz reference")
	}
}

// TestMixedRates: stems at two rates, and a mix at a third, are analysed
// as master renders them — converted to the song's rate, the one most
// stems share — and the proposal sets resample on the others, saying so:
// the demo song with its drums made at 44.1 kHz and its mix at 96 kHz gets
// the gains it gets at 48 kHz throughout. Propose refused such stems.
func TestMixedRates(t *testing.T) {
	t.Parallel()
	sum := func(ts []*Track) *audio.Buffer {
		var b *audio.Buffer
		for _, tr := range ts {
			b = mixInto(b, tr.Buf)
		}
		return b
	}
	stems := generated()
	base := propose(t, clone(stems), Options{Amount: 1, Mix: &Track{Name: "mix.wav", Rate: rate, Buf: sum(stems)}})
	const k = 0 // drums.wav
	at44 := demoStems(44100)[k]
	stems[k] = &Track{Name: at44.Name, Role: at44.Role, Rate: 44100, Buf: at44.Buf}
	var mix96 *audio.Buffer
	for _, st := range demoStems(96000) {
		mix96 = mixInto(mix96, st.Buf)
	}
	p := propose(t, stems, Options{Amount: 1, Mix: &Track{Name: "mix.wav", Rate: 96000, Buf: mix96}})
	for i, st := range p.Session.Stems {
		if st.Resample != (i == k) {
			t.Errorf("%s: resample %v", st.File, st.Resample)
		}
		if d := st.GainDB - base.Session.Stems[i].GainDB; math.Abs(d) > 0.3 {
			t.Errorf("%s: gain %+.2f dB, %+.2f dB at one rate", st.File, st.GainDB, base.Session.Stems[i].GainDB)
		}
	}
	// The check names the conversion (sample_rate_mismatch): the proposal
	// gives its words.
	if !strings.Contains(string(p.YAML()), "the check: drums.wav is at 44100 Hz") || !strings.Contains(string(p.YAML()), "convert drums.wav from 44100 Hz to the song's sample rate") {
		t.Errorf("the proposal does not say drums.wav is converted:\n%s", p.YAML())
	}
}

// Inputs the assistant cannot work from are errors naming the file, never
// a session with NaN in it.
func TestBadInputs(t *testing.T) {
	t.Parallel()
	stems := generated()
	silent := &Track{Name: "silent.wav", Rate: rate, Buf: audio.NewBuffer(2, rate)}
	if _, err := Propose(stems, Options{Amount: 1, References: []Reference{{Track: silent}}}); err == nil || !strings.Contains(err.Error(), "silent.wav") {
		t.Errorf("silent reference: %v", err)
	}
	// A silent mix fits every stem at gain 0: the balance took an
	// infinite offset ("gain_db: +Inf" in the session).
	silentMix := &Track{Name: "mix.wav", Rate: rate, Buf: audio.NewBuffer(2, rate)}
	if _, err := Propose(clone(stems), Options{Amount: 1, Mix: silentMix}); err == nil || !strings.Contains(err.Error(), "the mix mix.wav holds none of the stems") {
		t.Errorf("silent mix: %v", err)
	}
	for _, a := range []float64{-0.1, 1.1, math.NaN()} {
		if _, err := Propose(stems, Options{Amount: a}); err == nil {
			t.Errorf("amount %g accepted", a)
		}
	}
	// A silent stem and a very short one still give a session.
	short := &Track{Name: "short_bass.wav", Role: stemmaster.RoleBass, Rate: rate, Buf: audiotest.Sine(rate, 2, 100, 60, -12, 0)}
	quiet := &Track{Name: "vox.wav", Role: stemmaster.RoleLeadVocal, Rate: rate, Buf: audio.NewBuffer(2, rate)}
	propose(t, []*Track{stems[0], short, quiet}, Options{Amount: 1})
}

// TestReferenceBelowStemsRate: a reference at a lower rate than the
// stems has nothing above its Nyquist frequency, which the match took as
// silence there: against pink-noise stems a 16 kHz pink-noise reference
// asked for -15 dB from 8 kHz up and a cut of the stems' air. Now no
// point of the match curve, and no stem shelf, acts from 8 kHz up, and
// below it the curve is the one the same reference at 48 kHz gives
// (within 3 dB: the two are different noises).
func TestReferenceBelowStemsRate(t *testing.T) {
	t.Parallel()
	stems := func() []*Track {
		return []*Track{
			{Name: "drums.wav", Role: stemmaster.RoleDrums, Rate: rate, Buf: audiotest.PinkNoise(5, 2, 4*rate, -20)},
			{Name: "keys.wav", Role: stemmaster.RoleInstruments, Rate: rate, Buf: audiotest.PinkNoise(6, 2, 4*rate, -20)},
		}
	}
	curve := map[int]map[float64]float64{}
	for _, r := range []int{16000, rate} {
		ref := &Track{Name: "ref.wav", Rate: r, Buf: audiotest.PinkNoise(7, 2, 4*r, -14)}
		p := propose(t, stems(), Options{Amount: 1, References: []Reference{{Track: ref}}})
		valid(t, p)
		curve[r] = map[float64]float64{}
		for _, pt := range p.Session.Master.MatchEQ {
			curve[r][pt.FreqHz] = pt.GainDB
		}
		for _, d := range p.Decisions {
			if r == 16000 && strings.Contains(d.Reason, "of air") {
				t.Errorf("a stem's air is matched to a reference without any: %s", d.Reason)
			}
		}
	}
	for f, g := range curve[16000] {
		if f >= 8000 {
			t.Errorf("match point %.0f Hz %+.1f dB at or above the 16 kHz reference's Nyquist", f, g)
		} else if g48, ok := curve[rate][f]; !ok || math.Abs(g-g48) > 3 {
			t.Errorf("match point %.0f Hz: %+.1f dB against a 16 kHz reference, %+.1f dB against 48 kHz", f, g, g48)
		}
	}
}

// TestNothingToMeasure: stems whose sum is silent, or too short for a
// loudness reading (under 400 ms), give an error naming the cause, never a
// proposal built on undefined figures ("low end NaN dB against the rest")
// or on ten samples.
func TestNothingToMeasure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		buf  *audio.Buffer
	}{
		{"silent.wav", audio.NewBuffer(2, rate)},
		{"tiny.wav", audiotest.Sine(rate, 2, 10, 440, -6, 0)},
	} {
		p, err := Propose([]*Track{{Name: c.name, Rate: rate, Buf: c.buf}}, Options{Amount: 1})
		if err == nil {
			t.Errorf("%s: proposed %d decisions, family reason %q; want an error", c.name, len(p.Decisions), p.FamilyReason)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "silent or too short") || !strings.Contains(msg, c.name) {
			t.Errorf("%s: error %q does not name the file and the cause", c.name, msg)
		}
	}
}

// TestExtremeReferenceWeights: a weight the blends cannot carry (a
// denormal such as 1e-320, which the API took as "over 0") is an error
// naming the reference, never a proposal with NaN in it (the API answered
// 500: "json: unsupported value: NaN").
func TestExtremeReferenceWeights(t *testing.T) {
	t.Parallel()
	// Two seconds of one stem and of the reference: the weights are what
	// is tried.
	stem := &Track{Name: "mix.wav", Rate: rate, Buf: audiotest.PinkNoise(3, 2, 2*rate, -12)}
	ref := &Track{Name: "ref.wav", Rate: rate, Buf: audiotest.PinkNoise(5, 2, 2*rate, -6)}
	propose := func(w float64) error {
		_, err := Propose([]*Track{stem}, Options{Amount: 1, References: []Reference{{Track: ref, Weight: w}}})
		return err
	}
	for _, w := range []float64{1e-320, 1e-12, 1e12, math.Inf(1)} {
		if err := propose(w); err == nil || !strings.Contains(err.Error(), "ref.wav") || !strings.Contains(err.Error(), "weight") {
			t.Errorf("weight %g: %v, want an error naming the reference and its weight", w, err)
		}
	}
	if err := propose(1e-6); err != nil {
		t.Errorf("weight 1e-6: %v", err)
	}
}

// An Analysis's JSON writes undefined figures as null, rounds the rest to
// two decimals, always lists the resonances, and reads back as it was
// written (null as NaN).
func TestAnalysisJSON(t *testing.T) {
	t.Parallel()
	a := &Analysis{File: "bass.wav", Role: stemmaster.RoleBass, IntegratedLUFS: -20.123, SideToMidDB: math.Inf(-1), SibilanceDB: math.NaN(), SibilanceHz: math.NaN(),
		Spectrum: []float64{-30, math.NaN()}, Resonances: []Resonance{{FreqHz: 392.004, ExcessDB: 13.9, Q: 8}},
		LowPeaks: []Resonance{{FreqHz: 50, ExcessDB: 41.234, Q: 25, MainsHz: 50}}}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"file":"bass.wav"`, `"role":"bass"`, `"integrated_lufs":-20.12`, `"side_to_mid_db":null`, `"sibilance_db":null`,
		`"spectrum_db":[-30,null]`, `"resonances":[{"freq_hz":392,"excess_db":13.9,"q":8}]`,
		`"low_peaks":[{"freq_hz":50,"excess_db":41.23,"q":25,"mains_hz":50}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	var back Analysis
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.SideToMidDB) || back.IntegratedLUFS != -20.12 || back.Role != stemmaster.RoleBass || len(back.Resonances) != 1 || len(back.LowPeaks) != 1 || back.LowPeaks[0].MainsHz != 50 {
		t.Errorf("read back as %+v", back)
	}
	again, _ := json.Marshal(&back)
	if !bytes.Equal(again, b) {
		t.Errorf("written again:\n%s\nfirst:\n%s", again, b)
	}
	none, _ := json.Marshal(&Analysis{})
	if !strings.Contains(string(none), `"resonances":[]`) || !strings.Contains(string(none), `"low_peaks":[]`) {
		t.Errorf("no resonances: %s", none)
	}
}

// TestLowRateStems: stems at the lowest rates the engine renders (8, 11.025
// and 16 kHz) get a proposal the engine takes at that rate. The master's
// octave bands went up to 16 kHz whatever the rate, and designing the
// 8 kHz band at 11.025 kHz panicked ("need 0 < f0 < fs/2").
func TestLowRateStems(t *testing.T) {
	t.Parallel()
	for _, r := range []int{8000, 11025, 16000} {
		stems := []*Track{
			{Name: "drums.wav", Role: stemmaster.RoleDrums, Rate: r, Buf: audiotest.PinkNoise(5, 2, 3*r, -20)},
			{Name: "vox.wav", Role: stemmaster.RoleLeadVocal, Rate: r, Buf: audiotest.WhiteNoise(6, 2, 3*r, -24)},
		}
		p := propose(t, stems, Options{Amount: 1})
		if err := p.Session.ValidateRate(r); err != nil {
			t.Errorf("%d Hz: the proposal does not render at its rate: %v", r, err)
		}
	}
}
