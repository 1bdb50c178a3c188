package engine

import (
	"context"
	"os"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

// TestDerivedClassMatchesItsChain runs three classes through the master
// chain with every processor on, with saturation and without, once each
// through its own chain and once with one class derived from the bus
// (busKeys: the bus's keys spooled by the master run over it, as the
// render keeps them): every class, the derived one included, comes out
// as it does through its own chain within −120 dB of itself (the keys are
// the bus's bits where the classes' sum would be; about −130 dB
// measured), and the classes add up to the bus within float32 rounding.
func TestDerivedClassMatchesItsChain(t *testing.T) {
	t.Parallel()
	const rate, frames = 48000, 30000
	stems := []*audio.Buffer{bandLimited(audiotest.PinkNoise(1, 2, frames, -10)), audiotest.Sine(rate, 2, frames, 110, -9, 0), bandLimited(audiotest.WhiteNoise(2, 2, frames, -14))}
	for _, withSat := range []bool{true, false} {
		m := allOnMaster()
		if !withSat {
			m.Saturation = nil
		}
		bus, keys := keyedBus(t, m, stems, rate)
		ref := classChains(t, m, stems, bus, nil, -1, rate)
		for derived := range stems {
			got := classChains(t, m, stems, bus, keys, derived, rate)
			sum := audio.NewBuffer(2, frames)
			dsp.SumInto(sum, got, frames)
			if d := maxDiff(sum, bus); d > 2e-6 {
				t.Errorf("saturation %v, class %d derived: the classes add up to within %g of the bus", withSat, derived, d)
			}
			for k := range got {
				r := audio.DB(rms(diff(got[k], ref[k])) / rms(ref[k]))
				if k == derived {
					t.Logf("saturation %v: class %d derived departs from its chain by %.1f dB", withSat, k, r)
				}
				if r > -120 {
					t.Errorf("saturation %v, class %d derived: class %d departs from its own chain by %.1f dB", withSat, derived, k, r)
				}
			}
		}
		keys.close()
	}
}

// keyedBus runs m's chain over the stems' sum as the render's master run
// does (inPlace, in place, the latency compensated), keeping the bus's
// keys (busKeys), and returns the bus and the keys.
func keyedBus(t *testing.T, m stemmaster.Master, stems []*audio.Buffer, rate float64) (*audio.Buffer, *busKeys) {
	frames := stems[0].Frames()
	bus := audio.NewBuffer(2, frames)
	dsp.SumInto(bus, stems, frames)
	chain, err := masterChain(m, rate)
	if err != nil {
		t.Fatal(err)
	}
	ip := newInPlace(bus, chain, nil, nil)
	keys, err := newBusKeys(t.TempDir(), chain, int64(frames+ip.lat))
	if err != nil {
		t.Fatal(err)
	}
	ip.tap = keys.tap
	if err := ip.advance(context.Background(), frames, frames); err != nil {
		t.Fatal(err)
	}
	return bus, keys
}

// classChains runs the master chain over each of stems as a class (runChains,
// handed the bus), class derived derived from the bus's keys when ≥ 0,
// and returns the classes as the limiter reads them.
func classChains(t *testing.T, m stemmaster.Master, stems []*audio.Buffer, bus *audio.Buffer, keys *busKeys, derived int, rate float64) []*audio.Buffer {
	frames := stems[0].Frames()
	sa := &stemAwareInput{derived: derived, keys: keys}
	var chains [][]dsp.Processor
	for k, s := range stems {
		sp, err := newStemSpool(t.TempDir(), int64(frames))
		if err != nil {
			t.Fatal(err)
		}
		if k != derived {
			sp.append(s, frames)
		}
		sa.stems = append(sa.stems, sp)
		c, err := masterChain(m, rate)
		if err != nil {
			t.Fatal(err)
		}
		chains = append(chains, c)
	}
	if err := sa.runChains(chains, m.Saturation, bus, rate, int64(frames)); err != nil {
		t.Fatal(err)
	}
	got := make([]*audio.Buffer, len(sa.stems))
	for k, sp := range sa.stems {
		got[k] = audio.NewBuffer(2, frames)
		for at := 0; at < frames; at += spoolWindow {
			n := min(spoolWindow, frames-at)
			v := &audio.Buffer{Data: [][]float32{got[k].Data[0][at : at+n], got[k].Data[1][at : at+n]}}
			if err := sp.read(v, int64(at), n); err != nil {
				t.Fatal(err)
			}
		}
		sp.close()
	}
	return got
}

// TestStemAwareQuietIsPlain: a stem-aware master whose limiter would not
// act (the demo song at −20 LUFS) is the plain limiter's bit for bit
// (float output, no dither), reports no reduction for any stem and runs
// no class chain; driven to the loud target it runs them and differs.
func TestStemAwareQuietIsPlain(t *testing.T) {
	t.Parallel()
	render := func(target string, aware bool) ([]byte, *stemmaster.Report) {
		s := demoSession(t)
		tg, err := stemmaster.ParseTarget(target)
		if err != nil {
			t.Fatal(err)
		}
		s.Master.Target = &tg
		s.Outputs = []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}
		if aware {
			s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
		}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out + "/" + rep.Outputs[0].File)
		if err != nil {
			t.Fatal(err)
		}
		return b, rep
	}
	ranChains := func(rep *stemmaster.Report) bool {
		for _, st := range rep.Stages {
			if st.Stage == "stem-aware chains" {
				return true
			}
		}
		return false
	}
	plain, _ := render("-20", false)
	aware, rep := render("-20", true)
	if string(plain) != string(aware) {
		t.Error("quiet: the stem-aware master differs from the plain one")
	}
	if !rep.Master.Limiter.StemAware || rep.Master.Limiter.MaxDB != 0 || ranChains(rep) {
		t.Errorf("quiet: stem-aware %v, reduction %v dB, chains ran %v; want stem-aware, none, no", rep.Master.Limiter.StemAware, rep.Master.Limiter.MaxDB, ranChains(rep))
	}
	for _, sl := range rep.Stems {
		if sl.Limiter == nil || sl.Limiter.MaxDB != 0 {
			t.Errorf("quiet: %s reports %+v", sl.File, sl.Limiter)
		}
	}
	plain, _ = render("loud", false)
	aware, rep = render("loud", true)
	if string(plain) == string(aware) || !ranChains(rep) || rep.Master.Limiter.MaxDB <= 0 {
		t.Errorf("loud: same as plain %v, chains ran %v, reduction %v dB; want different, yes, some", string(plain) == string(aware), ranChains(rep), rep.Master.Limiter.MaxDB)
	}
}

// TestKeptMasterIsLimitingAgain: a stem-aware master whose CD deliverable
// the conversion pushes over the ceiling is written a second time from the
// kept master (keepPass), the same file as from limiting the stems again.
func TestKeptMasterIsLimitingAgain(t *testing.T) {
	t.Parallel()
	var files [2][]byte
	for i, noKeep := range []bool{false, true} {
		s := demoSession(t)
		tg, _ := stemmaster.ParseTarget("-9")
		s.Master.Target = &tg
		s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
		s.Outputs = []stemmaster.Output{{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"}}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true, noKeep: noKeep})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Outputs[0].ExtraLimitingDB <= 0 {
			t.Fatalf("the conversion did not push the master over the ceiling (%+v): no second writing to test", rep.Outputs[0])
		}
		if files[i], err = os.ReadFile(out + "/" + rep.Outputs[0].File); err != nil {
			t.Fatal(err)
		}
	}
	if string(files[0]) != string(files[1]) {
		t.Error("the deliverable written again from the kept master differs from limiting again")
	}
}
