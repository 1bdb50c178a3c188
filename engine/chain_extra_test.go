package engine

import (
	"context"
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

// TestChainExtrasRender: the demo song with the new processors on every
// stage (mid/side EQ and compressor, de-esser, dynamic EQ, stem width,
// master multiband, width and saturation, the punchy limiter) renders on
// target, and the report attributes the limiter's reduction to the stems
// (shares adding up to 1, the same reduction for every stem with the plain
// limiter) and gives the master's correlation.
func TestChainExtrasRender(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	st := &s.Stems[len(s.Stems)-1]
	st.EQ = append(st.EQ, stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: 3000, GainDB: 2, Channel: stemmaster.ChannelMid})
	st.DeEsser = &stemmaster.DeEsserParams{FreqHz: 6000, ThresholdDB: -30, RangeDB: 6}
	st.DynamicEQ = []stemmaster.DynamicEQBand{{FreqHz: 400, ThresholdDB: -30, Ratio: 3, RangeDB: 4, Channel: stemmaster.ChannelSide}}
	st.Width = new(1.3)
	s.Master.Compressor = &stemmaster.CompressorParams{ThresholdDB: -18, Ratio: 2, Channel: stemmaster.ChannelMid}
	s.Master.EQ = append(s.Master.EQ, stemmaster.EQBand{Type: stemmaster.EQLowShelf, FreqHz: 120, GainDB: -2, Channel: stemmaster.ChannelSide})
	s.Master.Multiband = &stemmaster.MultibandParams{CrossoversHz: []float64{150, 3000}, Bands: []stemmaster.MultibandBand{{Width: new(0.0)}, {ThresholdDB: -20, Ratio: 2}, {Width: new(1.2)}}}
	s.Master.Saturation = &stemmaster.SaturationParams{DriveDB: 3, Character: stemmaster.SaturationWarm}
	s.Master.Limiter = &stemmaster.LimiterParams{Character: stemmaster.LimiterPunchy}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	tg := s.Master.EffectiveTarget()
	if d := float64(rep.Master.Main.IntegratedLUFS) - tg.IntegratedLUFS; math.Abs(d) > ToleranceLU {
		t.Errorf("main master %+.2f LU off target", d)
	}
	lim := rep.Master.Limiter
	if lim == nil || lim.Character != stemmaster.LimiterPunchy {
		t.Fatalf("limiter report %+v", lim)
	}
	t.Logf("%s; correlation %+v", lim.Attribution, rep.Master.Correlation)
	var sum float64
	for _, sl := range rep.Stems {
		if sl.Limiter == nil {
			t.Fatalf("%s: no limiter figures", sl.File)
		}
		sum += float64(sl.Limiter.CausedShare)
		if sl.Limiter.MaxDB != lim.MaxDB {
			t.Errorf("%s: max GR %v, want the master's %v", sl.File, sl.Limiter.MaxDB, lim.MaxDB)
		}
	}
	if lim.MaxDB > 0 && (math.Abs(sum-1) > 1e-6 || !strings.Contains(lim.Attribution, "caused")) {
		t.Errorf("shares add up to %g; attribution %q", sum, lim.Attribution)
	}
	last := rep.Stems[len(rep.Stems)-1].Processors
	if steps := len(rep.Curves.LimiterGRDB); last == nil || last.DeEsserMaxGRDB == nil || len(last.DynamicEQMaxGRDB) != 1 || len(last.DeEsserGRDB) != steps {
		t.Errorf("stem processor figures %+v", last)
	}
	if last != nil && last.DeEsserMaxGRDB != nil {
		m := 0.0
		for _, v := range last.DeEsserGRDB {
			m = max(m, float64(v))
		}
		if math.Abs(m-float64(*last.DeEsserMaxGRDB)) > 1e-4 {
			t.Errorf("de-esser series peaks at %g dB, its maximum says %g", m, float64(*last.DeEsserMaxGRDB))
		}
	}
	if mp := rep.Master.Processors; mp == nil || len(mp.MultibandMaxGRDB) != 3 {
		t.Errorf("master processor figures %+v", mp)
	}
	c := rep.Master.Correlation
	if c == nil || !(c.Overall >= -1 && c.Overall <= 1 && c.MinWindow <= c.Overall) {
		t.Errorf("correlation %+v", c)
	}
}

// TestEQChainFused: a stem's EQ bands built fused (a stereo run and the
// mid or side run after it as one biquad.StereoMidSide) give the bits of
// the runs built apart, for runs alternating stereo, mid, stereo, side,
// side and a last stereo run, over blocks of the engine's size and a short
// last one.
func TestEQChainFused(t *testing.T) {
	t.Parallel()
	bands := []stemmaster.EQBand{
		{Type: stemmaster.EQHighPass, FreqHz: 40, Q: 0.707}, {Type: stemmaster.EQPeak, FreqHz: 250, GainDB: 1, Q: 1},
		{Type: stemmaster.EQPeak, FreqHz: 1000, GainDB: -2, Q: 1}, {Type: stemmaster.EQHighShelf, FreqHz: 8000, GainDB: 1.5, Q: 0.707},
		{Type: stemmaster.EQPeak, FreqHz: 3000, GainDB: 1, Channel: stemmaster.ChannelMid},
		{Type: stemmaster.EQLowShelf, FreqHz: 100, GainDB: 1, Q: 0.707, Channel: stemmaster.ChannelStereo},
		{Type: stemmaster.EQLowShelf, FreqHz: 120, GainDB: -2, Channel: stemmaster.ChannelSide},
		{Type: stemmaster.EQPeak, FreqHz: 5000, GainDB: -1, Channel: stemmaster.ChannelSide},
		{Type: stemmaster.EQPeak, FreqHz: 700, GainDB: 2},
	}
	fused, err := newEQChain(bands, 48000, true)
	if err != nil {
		t.Fatal(err)
	}
	apart, err := newEQChain(bands, 48000, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fused) != 3 || len(apart) != 5 {
		t.Fatalf("%d processors fused, %d apart; want 3 and 5", len(fused), len(apart))
	}
	x := audiotest.PinkNoise(8, 2, 3*BlockSize+1000, -3)
	a, b := x.Clone(), x.Clone()
	for at := 0; at < x.Frames(); at += BlockSize {
		end := min(at+BlockSize, x.Frames())
		for i, chain := range [][]dsp.Processor{fused, apart} {
			buf := []*audio.Buffer{a, b}[i]
			view := &audio.Buffer{Data: [][]float32{buf.Data[0][at:end], buf.Data[1][at:end]}}
			for _, p := range chain {
				p.Process(view)
			}
		}
	}
	audiotest.SameSamples(t, a, b, "the runs built apart")
}
