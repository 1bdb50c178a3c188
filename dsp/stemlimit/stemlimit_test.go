package stemlimit

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

const rate = 48000.0

// Render runs stems (equal length and channels) through a fresh limiter
// with p at sampleRate in blocks of block frames, gained by gainDB, and
// returns the output aligned with the input (the latency removed) and the
// limiter for its statistics.
func Render(stems []*audio.Buffer, p Params, sampleRate, gainDB float64, block int) (*audio.Buffer, *Limiter) {
	ch, frames := stems[0].Channels(), stems[0].Frames()
	l := New(p, len(stems))
	l.Prepare(dsp.Spec{SampleRate: sampleRate, MaxBlockSize: block, Channels: ch})
	lat := l.Latency()
	out := audio.NewBuffer(ch, frames+lat)
	g := float32(audio.Amplitude(gainDB))
	views := make([]*audio.Buffer, len(stems))
	for s := range views {
		views[s] = audio.NewBuffer(ch, block)
	}
	ob := &audio.Buffer{Data: make([][]float32, ch)}
	for at := 0; at < frames+lat; at += block {
		n := min(block, frames+lat-at)
		for s, st := range stems {
			views[s].SetFrames(n)
			for c := range ch {
				dst := views[s].Data[c][:n]
				clear(dst)
				if at < frames {
					for i, v := range st.Data[c][at:min(at+n, frames)] {
						dst[i] = v * g
					}
				}
			}
		}
		for c := range ob.Data {
			ob.Data[c] = out.Data[c][at : at+n]
		}
		l.Process(views, ob)
	}
	for c := range out.Data {
		out.Data[c] = out.Data[c][lat:]
	}
	return out, l
}

// target finds by the secant method the gain that brings the limited sum
// to lufs (within 0.03 LU) and returns the output and the limiter.
func target(stems []*audio.Buffer, p Params, lufs float64) (*audio.Buffer, *Limiter, float64) {
	sum := audio.NewBuffer(stems[0].Channels(), stems[0].Frames())
	for _, st := range stems {
		for c := range sum.Data {
			for i, v := range st.Data[c] {
				sum.Data[c][i] += v
			}
		}
	}
	g := lufs - loudness.Measure(sum, rate, loudness.Options{}).IntegratedLUFS
	var gp, ip float64
	var out *audio.Buffer
	var l *Limiter
	for it := 0; it < 10; it++ {
		out, l = Render(stems, p, rate, g, 1024)
		I := loudness.Measure(out, rate, loudness.Options{}).IntegratedLUFS
		if math.Abs(I-lufs) < 0.03 {
			break
		}
		slope := 1.0
		if it > 0 && g != gp {
			slope = max(0.05, min(1, (I-ip)/(g-gp)))
		}
		gp, ip = g, I
		g += (lufs - I) / slope
	}
	return out, l, g
}

// francium reads the stems' seconds [from, to).
func francium(t *testing.T, from, to int) ([]*audio.Buffer, []string) {
	dir := audiotest.FranciumDir(t)
	names := []string{"lead_vocal", "backing_vocals", "drums", "instruments", "fx"}
	var stems []*audio.Buffer
	for _, n := range names {
		b, info := audiotest.ReadFile(t, filepath.Join(dir, n+".wav"))
		if info.Format.SampleRate != rate {
			t.Skipf("%s: %d Hz", n, info.Format.SampleRate)
		}
		for c := range b.Data {
			b.Data[c] = b.Data[c][min(len(b.Data[c]), from*int(rate)):min(len(b.Data[c]), to*int(rate))]
		}
		stems = append(stems, b)
	}
	return stems, names
}

// TestFranciumVocalProtected: the francium stems brought to −9 LUFS with
// the lead vocal protected (weight 0.2, drums 2): the vocal's own gain
// reduction, mean and max, is at most half of what the plain limiter
// applies to it, the master lands on −9 LUFS ±0.1 LU with its true peak
// (by the 16× reference) at the ceiling: at most −1 dBTP, and within
// 0.3 dB of it.
func TestFranciumVocalProtected(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	stems, names := francium(t, 15, 30) // every stem plays
	lp := limiter.DefaultParams()
	plainOut, plain, _ := target(stems, Params{Limiter: lp}, -9)
	aware := Params{Limiter: lp, Aware: true, Weights: []float64{0.2, 0.7, 2, 1, 1}}
	awareOut, al, _ := target(stems, aware, -9)
	ps, as := plain.Stats(), al.Stats()
	t.Logf("final limiter (stem-aware): %+v", al.final.Stats())
	for s, n := range names {
		t.Logf("%-15s caused %4.1f %% | plain GR mean %.2f max %.2f dB | stem-aware mean %.2f max %.2f dB", n, 100*ps[s].CausedShare, ps[s].MeanGRDB, ps[s].MaxGRDB, as[s].MeanGRDB, as[s].MaxGRDB)
	}
	if !(as[0].MeanGRDB <= ps[0].MeanGRDB/2 && as[0].MaxGRDB <= ps[0].MaxGRDB/2) {
		t.Errorf("lead vocal GR mean %.2f max %.2f dB, want at most half the plain limiter's %.2f, %.2f", as[0].MeanGRDB, as[0].MaxGRDB, ps[0].MeanGRDB, ps[0].MaxGRDB)
	}
	ref := audiotest.NewTruePeak16x()
	for name, out := range map[string]*audio.Buffer{"plain": plainOut, "stem-aware": awareOut} {
		I := loudness.Measure(out, rate, loudness.Options{}).IntegratedLUFS
		tp, overs := ref.TruePeakDB(out, lp.CeilingDBTP)
		t.Logf("%s: %.3f LUFS, %.3f dBTP (16×), %d overs", name, I, tp, overs)
		if math.Abs(I+9) > 0.1 || overs > 0 || tp < lp.CeilingDBTP-0.3 {
			t.Errorf("%s: %.3f LUFS, %.3f dBTP, %d overs; want −9 ± 0.1 LUFS at the −1 dBTP ceiling", name, I, tp, overs)
		}
	}
	var sum float64
	for _, s := range ps {
		sum += s.CausedShare
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("caused shares add up to %g", sum)
	}
}

// synthetic is a "vocal" (a 440 Hz tone) and "drums" (a decaying 60 Hz
// burst every 250 ms), both loud enough together to need limiting.
func synthetic() []*audio.Buffer {
	n := int(2 * rate)
	voc := audiotest.Sine(rate, 2, n, 440, -9, 0)
	drums := audio.NewBuffer(2, n)
	for i := range n {
		t := float64(i%int(rate/4)) / rate
		v := float32(1.2 * math.Exp(-t/0.03) * math.Sin(2*math.Pi*60*t))
		drums.Data[0][i], drums.Data[1][i] = v, v
	}
	return []*audio.Buffer{voc, drums}
}

// TestSyntheticShares: with the vocal protected, the drums take the
// reduction; the ceiling holds by the 16× reference in both modes; plain
// mode gives every stem the same reduction; the drums cause most of it.
func TestSyntheticShares(t *testing.T) {
	t.Parallel()
	lp := limiter.DefaultParams()
	stems := synthetic()
	ref := audiotest.NewTruePeak16x()
	po, pl := Render(stems, Params{Limiter: lp}, rate, 0, 512)
	ao, al := Render(stems, Params{Limiter: lp, Aware: true, Weights: []float64{0.2, 2}}, rate, 0, 512)
	ps, as := pl.Stats(), al.Stats()
	t.Logf("plain %+v; aware %+v", ps, as)
	if ps[0] != (StemStats{MeanGRDB: ps[1].MeanGRDB, MaxGRDB: ps[1].MaxGRDB, ActiveShare: ps[1].ActiveShare, CausedShare: ps[0].CausedShare}) {
		t.Errorf("plain mode: stems reduced differently: %+v", ps)
	}
	if !(ps[1].CausedShare > 0.5) {
		t.Errorf("drums caused %.0f %%, want most", 100*ps[1].CausedShare)
	}
	if !(as[0].MeanGRDB < ps[0].MeanGRDB/2 && as[1].MeanGRDB > as[0].MeanGRDB) {
		t.Errorf("stem-aware: vocal %.2f dB, drums %.2f dB (plain %.2f)", as[0].MeanGRDB, as[1].MeanGRDB, ps[0].MeanGRDB)
	}
	for name, o := range map[string]*audio.Buffer{"plain": po, "aware": ao} {
		if tp, overs := ref.TruePeakDB(o, lp.CeilingDBTP); overs > 0 {
			t.Errorf("%s: %d overs, peak %.3f dBTP", name, overs, tp)
		}
	}
}

// heads returns views of the first n frames of each stereo stem.
func heads(stems []*audio.Buffer, n int) []*audio.Buffer {
	views := make([]*audio.Buffer, len(stems))
	for i, st := range stems {
		views[i] = &audio.Buffer{Data: [][]float32{st.Data[0][:n], st.Data[1][:n]}}
	}
	return views
}

func TestNoAllocation(t *testing.T) {
	stems := synthetic()
	l := New(Params{Limiter: limiter.DefaultParams(), Aware: true}, 2)
	l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	views, out := heads(stems, 1024), audio.NewBuffer(2, 1024)
	if a := testing.AllocsPerRun(20, func() { l.Process(views, out) }); a != 0 {
		t.Errorf("%g allocations per block", a)
	}
}

// BenchmarkStemAware5 reports ns per stereo frame for five stems: loud
// (the synthetic stems as they are, limited hard) and quiet (20 dB down,
// under the ceiling: what the stages cost when they share nothing).
func BenchmarkStemAware5(b *testing.B) {
	s := synthetic()
	stems := []*audio.Buffer{s[0], s[1], s[0], s[1], s[0]}
	for _, c := range []struct {
		name    string
		gain    float32
		weights []float64
	}{{"loud", 1, nil}, {"quiet", 0.1, nil}, {"loud-weighted", 2, []float64{0.2, 0.7, 2, 1, 1}}} {
		b.Run(c.name, func(b *testing.B) {
			l := New(Params{Limiter: limiter.DefaultParams(), Aware: true, Weights: c.weights}, 5)
			l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
			views, out := heads(stems, 4096), audio.NewBuffer(2, 4096)
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				l.ProcessGained(views, c.gain, out)
			}
			dsptest.ReportPerSample(b, cpu0, 2*4096) // per sample of the sum
		})
	}
}

// TestCeilingHoldsAnyWeights: loud noise and tone stems with extreme
// weights (one stem at the lowest, one at the highest) never come out over
// the ceiling by the 16× reference, and every stem's reduction is finite.
func TestCeilingHoldsAnyWeights(t *testing.T) {
	t.Parallel()
	ref := audiotest.NewTruePeak16x()
	n := int(rate / 2)
	stems := []*audio.Buffer{
		audiotest.WhiteNoise(1, 2, n, 6),
		audiotest.Sine(rate, 2, n, 55, 3, 0),
		audiotest.PinkNoise(2, 2, n, 9),
	}
	for i, w := range [][]float64{{MinWeight, 1, MaxWeight}, {MaxWeight, MinWeight, MinWeight}, {1, 1, 1}} {
		lp := limiter.DefaultParams()
		out, l := Render(stems, Params{Limiter: lp, Aware: true, Weights: w}, rate, 0, 700)
		if tp, overs := ref.TruePeakDB(out, lp.CeilingDBTP); overs > 0 {
			t.Errorf("weights %v: %d overs, peak %.3f dBTP", w, overs, tp)
		}
		for s, st := range l.Stats() {
			if math.IsNaN(st.MeanGRDB) || math.IsInf(st.MaxGRDB, 0) {
				t.Errorf("case %d stem %d: %+v", i, s, st)
			}
			// A stem reduced beyond the threshold was so in some frames,
			// and its mean can come only from those and the frames under
			// the threshold: mean ≤ max·active + threshold·(1 − active).
			// The report said active 0 % beside 8 dB of reduction.
			a := st.ActiveShare
			if a < 0 || a > 1 || (st.MaxGRDB > limiter.ActiveThresholdDB) != (a > 0) ||
				st.MeanGRDB > st.MaxGRDB*a+limiter.ActiveThresholdDB*(1-a)+1e-9 {
				t.Errorf("case %d stem %d: active share %.4f beside max %.2f dB and mean %.3f dB", i, s, a, st.MaxGRDB, st.MeanGRDB)
			}
		}
	}
}

// TestHeavyStemBounded: a heavy-weight stem that is a small part of hard
// peaks (a quiet hi-hat at weight 2 under drums driven 12 dB into the
// limiter) takes no more than 6 dB beyond the sharing stages' and
// the final limiter's reductions, where the share rule alone gives it
// about twice the peak's reduction; the rest goes to the sum, with no
// overs by the 16× reference, and the protected vocal still takes less
// than the sum.
func TestHeavyStemBounded(t *testing.T) {
	t.Parallel()
	st := synthetic()
	vocal, drums := st[0], st[1]
	hat := audiotest.Sine(rate, 2, drums.Frames(), 3000, -30, 0)
	lp := limiter.DefaultParams()
	out, l := Render([]*audio.Buffer{vocal, drums, hat}, Params{Limiter: lp, Aware: true, Weights: []float64{0.2, 1, 2}}, rate, 12, 512)
	const extraDB = 6 // the package doc's bound
	bound := l.final.Stats().MaxGRDB + extraDB
	for _, sh := range l.share {
		bound += sh.det.Stats().MaxGRDB
	}
	ss := l.Stats()
	t.Logf("detector max %.2f dB, bound %.2f dB; vocal %+v, drums %+v, hat %+v", l.DetectorStats().MaxGRDB, bound, ss[0], ss[1], ss[2])
	if !(ss[2].MaxGRDB <= bound) {
		t.Errorf("hat takes up to %.2f dB, over the %.2f dB bound", ss[2].MaxGRDB, bound)
	}
	if !(ss[0].MaxGRDB < l.DetectorStats().MaxGRDB) {
		t.Errorf("vocal takes up to %.2f dB, the sum %.2f dB", ss[0].MaxGRDB, l.DetectorStats().MaxGRDB)
	}
	if tp, overs := audiotest.NewTruePeak16x().TruePeakDB(out, lp.CeilingDBTP); overs > 0 {
		t.Errorf("%d overs, peak %.3f dBTP", overs, tp)
	}
}

// TestPipelinedSlots: Share of each block run on its own goroutine while
// Finish takes the block before from the other slot gives the bits of
// ProcessGained block by block, the same statistics and the same
// per-block reduction.
func TestPipelinedSlots(t *testing.T) {
	t.Parallel()
	stems := synthetic()
	const block, gain = 700, float32(1.4)
	frames := stems[0].Frames()
	newLim := func() *Limiter {
		l := New(Params{Limiter: limiter.DefaultParams(), Aware: true, Weights: []float64{0.2, 2}}, 2)
		l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: block, Channels: 2})
		return l
	}
	views := func(at, end int) []*audio.Buffer {
		return []*audio.Buffer{audiotest.View(stems[0], at, end), audiotest.View(stems[1], at, end)}
	}
	want, got := audio.NewBuffer(2, frames), audio.NewBuffer(2, frames)
	a, b := newLim(), newLim()
	var wantMax, gotMax []float64
	for at := 0; at < frames; at += block {
		end := min(at+block, frames)
		a.ProcessGained(views(at, end), gain, audiotest.View(want, at, end))
		wantMax = append(wantMax, a.BlockMaxGRDB())
	}
	b.Share(views(0, min(block, frames)), gain, min(block, frames), 0)
	for at, slot := 0, 0; at < frames; at, slot = at+block, 1-slot {
		end := min(at+block, frames)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if next := end; next < frames {
				b.Share(views(next, min(next+block, frames)), gain, min(next+block, frames)-next, 1-slot)
			}
		}()
		b.Finish(slot, audiotest.View(got, at, end))
		gotMax = append(gotMax, b.BlockMaxGRDB())
		<-done
	}
	for c := range 2 {
		for i, v := range want.Data[c] {
			if got.Data[c][i] != v {
				t.Fatalf("channel %d frame %d: pipelined %v, ProcessGained %v", c, i, got.Data[c][i], v)
			}
		}
	}
	for i := range wantMax {
		if gotMax[i] != wantMax[i] {
			t.Fatalf("block %d: reduction %v, ProcessGained's %v", i, gotMax[i], wantMax[i])
		}
	}
	if ws, gs := a.Stats(), b.Stats(); fmt.Sprint(ws) != fmt.Sprint(gs) || wantMax[len(wantMax)/2] == 0 {
		t.Errorf("statistics %v, ProcessGained's %v (or no reduction to test)", gs, ws)
	}
}

// TestSkipStemStats: a pass without the stems' figures gives the same
// output, block maxima and detector statistics, reports no stem's
// reduction, and the next pass with them (after Reset) reports what a
// fresh limiter does.
func TestSkipStemStats(t *testing.T) {
	t.Parallel()
	stems := synthetic()
	p := Params{Limiter: limiter.DefaultParams(), Aware: true, Weights: []float64{0.2, 2}}
	run := func(l *Limiter) (*audio.Buffer, []float64) {
		l.Reset()
		frames := stems[0].Frames()
		out := audio.NewBuffer(2, frames)
		var maxes []float64
		for at := 0; at < frames; at += 700 {
			end := min(at+700, frames)
			v := func(b *audio.Buffer) *audio.Buffer {
				return &audio.Buffer{Data: [][]float32{b.Data[0][at:end], b.Data[1][at:end]}}
			}
			l.ProcessGained([]*audio.Buffer{v(stems[0]), v(stems[1])}, 1.4, v(out))
			maxes = append(maxes, l.BlockMaxGRDB())
		}
		return out, maxes
	}
	newLim := func() *Limiter {
		l := New(p, 2)
		l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 700, Channels: 2})
		return l
	}
	ref, skip := newLim(), newLim()
	want, wantMax := run(ref)
	skip.SkipStemStats(true)
	got, gotMax := run(skip)
	dsptest.CheckSameBits(t, got, want, "without the stems' figures")
	if !slices.Equal(gotMax, wantMax) || skip.DetectorStats() != ref.DetectorStats() {
		t.Error("block maxima or detector statistics differ without the stems' figures")
	}
	for s, st := range skip.Stats() {
		if st.MeanGRDB != 0 || st.MaxGRDB != 0 {
			t.Errorf("stem %d reports %+v without its figures", s, st)
		}
	}
	if ref.Stats()[1].MaxGRDB <= 0 {
		t.Fatal("the reference limited nothing")
	}
	skip.SkipStemStats(false)
	run(skip)
	if !slices.Equal(skip.Stats(), ref.Stats()) {
		t.Errorf("stems' figures %+v after a pass without them, want %+v", skip.Stats(), ref.Stats())
	}
}
