package engine

import (
	"context"
	"math"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/demosong"
	"stemmaster/loudness"
)

// demoBus is the demo song's stems summed at unity: music with drums, bass,
// chords and a lead, 30 s.
func demoBus(t testing.TB) *audio.Buffer {
	t.Helper()
	stems := demosong.Stems(rate)
	bus := audio.NewBuffer(busChannels, stems[0].Buf.Frames())
	for _, st := range stems {
		for c := range bus.Data {
			src := st.Buf.Data[min(c, st.Buf.Channels()-1)]
			for i, v := range src {
				bus.Data[c][i] += v
			}
		}
	}
	return bus
}

func feedModel(bus *audio.Buffer) *gainModel {
	m := newGainModel(rate, bus.Frames())
	for pos := 0; pos < bus.Frames(); pos += 1000 { // pieces unaligned with its segments
		v := &audio.Buffer{Data: make([][]float32, busChannels)}
		for c := range v.Data {
			v.Data[c] = bus.Data[c][pos:min(pos+1000, bus.Frames())]
		}
		m.Process(v)
	}
	return m
}

// TestGainModel: without a limiter the model reads what the meter reads;
// through the limiter it predicts the measured loudness within 0.05 LU
// from light to 16 dB of peak limiting (0.005 to 0.04 LU on the demo song),
// and solve lands on its aim.
func TestGainModel(t *testing.T) {
	t.Parallel()
	bus := demoBus(t)
	m := feedModel(bus)
	for _, g := range []float64{-6, 0, 4} {
		scaled := audio.NewBuffer(busChannels, bus.Frames())
		a := float32(audio.Amplitude(g))
		for c := range bus.Data {
			for i, v := range bus.Data[c] {
				scaled.Data[c][i] = v * a
			}
		}
		want := loudness.Measure(scaled, rate, loudness.Options{}).IntegratedLUFS
		if got := m.loudness(g, nil); math.Abs(got-want) > 1e-3 {
			t.Errorf("gain %+g dB without limiter: model %.4f LUFS, meter %.4f", g, got, want)
		}
	}
	p := limiter.Params{CeilingDBTP: -1, LookaheadMS: 5, ReleaseMS: 80}
	step := stepFrames(rate)
	for _, g := range []float64{2, 6, 10, 16} {
		lim, err := newLimiter(p, rate, step)
		if err != nil {
			t.Fatal(err)
		}
		meter := loudness.NewMeter(rate, busChannels, loudness.Options{TruePeak: true, Series: true})
		tp := newTap(busChannels, bus.Frames())
		pass, err := limitPass(context.Background(), bus, g, lim, step, tp, &passAnalysis{meter: meter, rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		got, want := m.loudness(g, &p), pass.result.IntegratedLUFS
		const tol = 0.05
		t.Logf("gain %+g dB, %.1f dB of limiting: model %.3f LUFS, measured %.3f", g, pass.stats.MaxGRDB, got, want)
		if math.Abs(got-want) > tol {
			t.Errorf("gain %+g dB (%.1f dB of limiting): model %.3f LUFS, measured %.3f (tolerance %.2f LU)", g, pass.stats.MaxGRDB, got, want, tol)
		}
		if s, ok := m.solve(want, p); !ok || math.Abs(m.loudness(s, &p)-want) > 1e-3 {
			t.Errorf("solve(%.3f) = %.3f dB, where the model reads %.3f", want, s, m.loudness(s, &p))
		}
	}
}

// TestOnePass: the demo session lands on the streaming target in one
// limiter pass.
func TestOnePass(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Master.Iterations != 1 {
		t.Errorf("%d passes, want 1 (%.3f LUFS)", rep.Master.Iterations, float64(rep.Master.Main.IntegratedLUFS))
	}
	tg, _ := stemmaster.TargetPreset("streaming")
	if d := float64(rep.Master.Main.IntegratedLUFS) - tg.IntegratedLUFS; math.Abs(d) > AimLU {
		t.Errorf("main master %+.3f LU off the target", d)
	}
}

// BenchmarkGainModel feeds the demo bus to the model: the K-weighting and
// peak estimate of loudness.StereoKWeighting, one millisecond a call.
func BenchmarkGainModel(b *testing.B) {
	bus := demoBus(b)
	for b.Loop() {
		feedModel(bus)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(bus.Frames()), "ns/frame")
}
