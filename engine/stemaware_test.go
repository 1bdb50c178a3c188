package engine

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"sync"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestStemAwareFrancium renders the francium stems at −9 LUFS with the
// plain limiter and stem-aware with the lead vocal protected (the default
// weights), with the plain master chain and with every processor that
// acts on the sum (a mid glue compressor, the multiband, saturation): the
// vocal's own reduction is at most half the plain limiter's in the mean
// and two thirds at the worst peak (where the other stems' bound leaves
// the sum more to take), no stem takes more than 7 dB beyond the plain
// limiter's largest reduction, every master lands on −9 LUFS ±0.1 LU at the −1 dBTP ceiling
// (the stem-aware one with every processor on with no frame over it by the
// ideal 16× reference), and the instrumental version (stem-aware on its
// own stems) stays under the ceiling too.
func TestStemAwareFrancium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	dir := audiotest.FranciumDir(t)
	session := func(full, aware bool) *stemmaster.Session {
		s := &stemmaster.Session{Dir: dir}
		for _, n := range []string{"lead_vocal", "backing_vocals", "drums", "instruments", "fx"} {
			s.Stems = append(s.Stems, stemmaster.StemSpec{File: n + ".wav", Role: stemmaster.InferRole(n + ".wav")})
		}
		tg, _ := stemmaster.ParseTarget("-9")
		s.Master.Target = &tg
		s.Master.Limiter = &stemmaster.LimiterParams{}
		if full {
			s.Master.Compressor = &stemmaster.CompressorParams{ThresholdDB: -22, Ratio: 2, KneeDB: 6, Channel: stemmaster.ChannelMid}
			s.Master.Multiband = &stemmaster.MultibandParams{CrossoversHz: []float64{150, 2500}, Bands: []stemmaster.MultibandBand{
				{ThresholdDB: -24, Ratio: 2}, {ThresholdDB: -26, Ratio: 1.5}, {ThresholdDB: -30, Ratio: 2}}}
			s.Master.Saturation = &stemmaster.SaturationParams{DriveDB: 3, Character: stemmaster.SaturationWarm}
			s.Versions = []stemmaster.Version{stemmaster.VersionMain, stemmaster.VersionInstrumental}
		}
		if aware {
			s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
		}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, full := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain-chain", true: "full-chain"}[full], func(t *testing.T) {
			var reps [2]*stemmaster.Report
			for i, aware := range []bool{false, true} {
				out := t.TempDir()
				rep, err := Render(context.Background(), session(full, aware), Options{OutDir: out, SkipCheck: true})
				if err != nil {
					t.Fatal(err)
				}
				reps[i] = rep
				m := rep.Master
				t.Logf("stem-aware %v: %.3f LUFS, %.3f dBTP, gain %.2f dB, %d passes; %s", aware, m.Main.IntegratedLUFS, m.Main.TruePeakDBTP, m.GainDB, m.Iterations, m.Limiter.Attribution)
				for _, sl := range rep.Stems {
					t.Logf("  %-20s caused %4.1f %%, GR mean %.2f max %.2f dB", filepath.Base(sl.File), 100*sl.Limiter.CausedShare, sl.Limiter.MeanDB, sl.Limiter.MaxDB)
				}
				if d := float64(m.Main.IntegratedLUFS) + 9; math.Abs(d) > 0.1 || m.Main.TruePeakDBTP > -1 || m.Main.TruePeakDBTP < -1.3 {
					t.Errorf("stem-aware %v: %.3f LUFS, %.3f dBTP; want −9 ± 0.1 at the −1 dBTP ceiling", aware, m.Main.IntegratedLUFS, m.Main.TruePeakDBTP)
				}
				for _, o := range rep.Outputs {
					t.Logf("  %s: %.3f LUFS, %.3f dBTP", o.File, o.IntegratedLUFS, o.TruePeakDBTP)
					if o.TruePeakDBTP > -1 {
						t.Errorf("stem-aware %v: %s at %.3f dBTP, over the ceiling", aware, o.File, o.TruePeakDBTP)
					}
				}
				if full && aware {
					// the ideal 16× reference on the delivered master
					b, _ := audiotest.ReadFile(t, filepath.Join(out, rep.Outputs[0].File))
					if tp, overs := audiotest.NewTruePeak16x().TruePeakDB(b, -1); overs > 0 {
						t.Errorf("%s: %d frames over −1 dBTP by the 16× reference (peak %.3f)", rep.Outputs[0].File, overs, tp)
					}
				}
			}
			plain, aware := reps[0].Stems[0].Limiter, reps[1].Stems[0].Limiter
			if !(aware.MeanDB <= plain.MeanDB/2 && aware.MaxDB <= plain.MaxDB*2/3) {
				t.Errorf("lead vocal GR mean %.2f max %.2f dB, want at most half and two thirds of the plain limiter's %.2f, %.2f", aware.MeanDB, aware.MaxDB, plain.MeanDB, plain.MaxDB)
			}
			// No stem takes more than 6 dB beyond the sharing stages'
			// reductions (package stemlimit); the second stage and the
			// final limiter take well under 1 dB more on the sum here.
			for i, st := range reps[1].Stems {
				if mx := float64(st.Limiter.MaxDB); mx > float64(reps[0].Stems[i].Limiter.MaxDB)+7 {
					t.Errorf("%s: GR max %.2f dB, more than 7 dB beyond the plain limiter's %.2f", st.File, mx, float64(reps[0].Stems[i].Limiter.MaxDB))
				}
			}
			if !reps[1].Master.Limiter.StemAware {
				t.Error("report does not say stem-aware")
			}
		})
	}
}

// TestStemAwareWithGlue: stem-aware limiting with a master EQ and a stereo
// glue compressor (keyed by the stems' sum) renders the demo song on
// target at the ceiling, and the drums (weight 2) take more reduction than
// the protected stems; the bass, given the drums' weight, is in their
// class and takes the same reduction.
func TestStemAwareWithGlue(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	s.Master.Compressor = &stemmaster.CompressorParams{ThresholdDB: -20, Ratio: 2, KneeDB: 6}
	s.Master.EQ = []stemmaster.EQBand{{Type: stemmaster.EQHighPass, FreqHz: 25}}
	loud, _ := stemmaster.ParseTarget("loud")
	s.Master.Target = &loud
	lead, two := 0.1, 2.0
	s.Master.Limiter = &stemmaster.LimiterParams{StemAware: &stemmaster.StemAwareParams{Instruments: &lead, Bass: &two}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Master
	tg := s.Master.EffectiveTarget()
	if d := float64(m.Main.IntegratedLUFS) - tg.IntegratedLUFS; math.Abs(d) > ToleranceLU || float64(m.Main.TruePeakDBTP) > tg.TruePeakDBTP {
		t.Errorf("%.2f LUFS, %.2f dBTP; want %g ± 0.1 under %g", m.Main.IntegratedLUFS, m.Main.TruePeakDBTP, tg.IntegratedLUFS, tg.TruePeakDBTP)
	}
	if !m.Limiter.StemAware || m.Glue == nil {
		t.Fatalf("limiter %+v, glue %+v", m.Limiter, m.Glue)
	}
	var drums, inst float64
	var drumsGR, bassGR stemmaster.GainReduction
	for _, sl := range rep.Stems {
		switch sl.Role {
		case stemmaster.RoleDrums:
			drums = float64(sl.Limiter.MeanDB)
			drumsGR = sl.Limiter.GainReduction
		case stemmaster.RoleBass:
			bassGR = sl.Limiter.GainReduction
		case stemmaster.RoleInstruments:
			inst = max(inst, float64(sl.Limiter.MeanDB))
		}
	}
	t.Logf("%s; drums GR mean %.2f dB, instruments at most %.2f dB", m.Limiter.Attribution, drums, inst)
	if m.Limiter.MaxDB < 3 {
		t.Fatalf("the limiter reduced only %.2f dB: no test of the sharing", m.Limiter.MaxDB)
	}
	if !(drums > 2*inst) {
		t.Errorf("drums took %.2f dB, the protected instruments %.2f dB", drums, inst)
	}
	if bassGR != drumsGR || bassGR.MaxDB <= 0 {
		t.Errorf("bass (the drums' weight) took %+v, the drums %+v: want the same reduction", bassGR, drumsGR)
	}
}

// TestStemAwareCancelledMidway: a stem-aware render cancelled once the
// targeting has begun (the classes' chains and the first pass running at
// once) returns context.Canceled and leaves nothing in the output
// directory, the unlinked scratch files of the classes closed with it
// (heldBytes sees none still open).
func TestStemAwareCancelledMidway(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	s.Master.Limiter = &stemmaster.LimiterParams{StemAware: &stemmaster.StemAwareParams{}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	out := t.TempDir()
	_, err := Render(ctx, s, Options{OutDir: out, SkipCheck: true, Progress: func(stage string, f float64) {
		if stage == "targeting" {
			once.Do(cancel)
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v; want context.Canceled", err)
	}
	testkit.DirHolds(t, out)
	if n := heldBytes(out); n != 0 {
		t.Errorf("%d bytes of scratch still held open after the render returned", n)
	}
}

// TestStemAwareLimitersAtOnce: two stem-aware limiters on one input (the
// version's master rendered again for two deliverables at once) read the
// classes' files at the same time, each to the same samples as a limiter
// alone. They shared one read window: a 96 kHz session with the tv
// version and two 44.1 kHz deliverables panicked ("slice bounds out of
// range") or read the other's frames.
func TestStemAwareLimitersAtOnce(t *testing.T) {
	t.Parallel()
	const rate, frames, block = 48000, 5*spoolWindow + 321, 4096
	sa := &stemAwareInput{running: true, weights: []float64{1, 3}, quit: make(chan struct{})}
	defer sa.close()
	for k := range 2 {
		sa.stems = append(sa.stems, filledSpool(t, audiotest.PinkNoise(uint64(k+1), 2, frames, -3)))
	}
	p := limiter.Params{CeilingDBTP: -1}.WithDefaults()
	run := func() *audio.Buffer {
		lim, err := newBusLimiter(p, rate, block, sa)
		if err != nil {
			t.Error(err)
			return nil
		}
		out := audio.NewBuffer(2, 0)
		buf := audio.NewBuffer(2, block)
		// The stems and the limiter's run-out, as a pass takes them.
		total := frames + lim.Latency()
		for pos := 0; pos < total; pos += block {
			buf.SetFrames(min(block, total-pos))
			lim.Process(buf)
			for c := range out.Data {
				out.Data[c] = append(out.Data[c], buf.Data[c]...)
			}
		}
		if err := lim.(*stemAwareLimiter).readErr(); err != nil {
			t.Error(err)
		}
		return out
	}
	alone := run()
	for range 3 {
		var outs [2]*audio.Buffer
		var wg sync.WaitGroup
		for i := range outs {
			wg.Go(func() { outs[i] = run() })
		}
		wg.Wait()
		for i, out := range outs {
			if d := maxDiff(alone, out); d != 0 {
				t.Fatalf("limiter %d of two at once differs from one alone by %g", i, d)
			}
		}
	}
}
