package engine

import (
	"math"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/saturate"
	"stemmaster/internal/audiotest"
)

// TestSatLinear: satLinear is the saturation's response to a quiet signal
// (three tones at −80 dBFS, where the curves' higher terms are under
// −70 dB), for every character: the saturator's output stays within
// −60 dB of the delayed input times the gain, through the DC blocker for
// warm (which moves a 60 Hz tone by 8 %: without it the test fails).
func TestSatLinear(t *testing.T) {
	t.Parallel()
	const rate, frames = 48000, 12000
	x := audio.NewBuffer(2, frames)
	for _, f := range []float64{60, 1000, 7000} {
		s := audiotest.Sine(rate, 2, frames, f, -80, f/1000)
		for c := range 2 {
			for i, v := range s.Data[c] {
				x.Data[c][i] += v
			}
		}
	}
	for _, char := range []string{stemmaster.SaturationSoft, stemmaster.SaturationWarm, stemmaster.SaturationCubic} {
		p := &stemmaster.SaturationParams{DriveDB: 3, OutputDB: -2, Character: char}
		sat := saturate.New(saturate.Params{DriveDB: p.DriveDB, OutputDB: p.OutputDB, Character: char})
		sat.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: frames, Channels: 2})
		lin := satLinear(p, sat.Latency())
		y := x.Clone()
		sat.Process(y)
		a := math.Exp(-2 * math.Pi * lin.DCBlockHz / rate)
		worst, peak := 0.0, 0.0
		for c := range 2 {
			var dx, dy float64
			for i, got := range y.Data[c] {
				u := 0.0
				if j := i - lin.Latency; j >= 0 {
					u = lin.Gain * float64(x.Data[c][j])
				}
				want := u
				if lin.DCBlockHz > 0 {
					dy = u - dx + a*dy
					dx = u
					want = dy
				}
				if i < 1000 {
					// the tones' onset has content over 0.45·fs, which
					// the oversampling filters cut
					continue
				}
				worst = max(worst, math.Abs(float64(got)-want))
				peak = max(peak, math.Abs(want))
			}
		}
		if r := audio.DB(worst / peak); r > -60 {
			t.Errorf("%s: the saturator departs from its linear part by %.1f dB, want under −60", char, r)
		}
	}
}

// allOnMaster is a master chain with every stage stem-aware limiting runs
// over the stems: a stereo and a mid/side EQ band, a compressor on the
// mid, the multiband, width and warm saturation driven hard enough to
// distort.
func allOnMaster() stemmaster.Master {
	w := 1.2
	return stemmaster.Master{
		EQ: []stemmaster.EQBand{{Type: stemmaster.EQLowShelf, FreqHz: 100, GainDB: 1},
			{Type: stemmaster.EQLowShelf, FreqHz: 120, GainDB: -2, Channel: stemmaster.ChannelSide},
			{Type: stemmaster.EQPeak, FreqHz: 2500, GainDB: 1, Channel: stemmaster.ChannelMid}},
		Compressor: &stemmaster.CompressorParams{ThresholdDB: -20, Ratio: 2, AttackMS: 10, ReleaseMS: 100, KneeDB: 6, Channel: stemmaster.ChannelMid},
		Multiband: &stemmaster.MultibandParams{CrossoversHz: []float64{150, 3000}, Bands: []stemmaster.MultibandBand{
			{}, {ThresholdDB: -20, Ratio: 2}, {Width: &w}}},
		Width:      &w,
		Saturation: &stemmaster.SaturationParams{DriveDB: 3, Character: stemmaster.SaturationWarm},
	}
}

// TestStemAwareChainsAddUp runs three stems through the master chain as
// stem-aware limiting does (startChains, in scratch files) and checks:
//   - handed the bus, the stems add up to it within float32 rounding;
//   - without it (the saturation run on the stems' sum), within 1e-4;
//   - each stem is close to the exact keyed processing (every stage,
//     saturation included, run on each stem keyed by the sum at its
//     input, 8× oversampled per stem): with the saturation driven 3 dB by
//     a sum peaking near full scale the shared distortion departs from it
//     by less than −30 dB of the stem (about −36 measured), and without
//     saturation by rounding only (1e-6: the groups are exact, the three
//     mid/side stages in a row run fused by dsp.MidSideRun to float32
//     rounding, about −140 dB).
//
// With classes, the last two stems are one weight class, summed as the
// summer sums it (stemClass), and the class comes out as the sum of their
// exact keyed outputs, within the same bounds.
func TestStemAwareChainsAddUp(t *testing.T) {
	t.Parallel()
	const rate, frames = 48000, 30000
	stems := []*audio.Buffer{bandLimited(audiotest.PinkNoise(1, 2, frames, -10)), audiotest.Sine(rate, 2, frames, 110, -9, 0), bandLimited(audiotest.WhiteNoise(2, 2, frames, -14))}
	for _, withSat := range []bool{true, false} {
		m := allOnMaster()
		if !withSat {
			m.Saturation = nil
		}
		exact, bus := keyedReference(t, m, stems, rate)
		for _, v := range []struct{ busGiven, classes, async bool }{{true, false, false}, {false, false, false}, {true, true, false}, {true, true, true}} {
			busGiven := v.busGiven
			if !withSat && !busGiven {
				continue
			}
			sa := &stemAwareInput{}
			var chains [][]dsp.Processor
			want := exact
			if v.classes {
				want = []*audio.Buffer{exact[0], exact[1].Clone()}
				for c := range want[1].Data {
					for i, x := range exact[2].Data[c] {
						want[1].Data[c][i] += x
					}
				}
			}
			for k, s := range stems {
				if v.classes && k == 2 {
					continue // in stem 1's class
				}
				sp := emptySpool(t, frames)
				if v.classes && k == 1 {
					classSpool(sp, stems[1:])
				} else {
					sp.append(s, frames)
				}
				sa.stems = append(sa.stems, sp)
				chains = append(chains, chainOf(t, m, rate))
			}
			var b *audio.Buffer
			if busGiven {
				b = bus
			}
			sa.startChains(chains, m.Saturation, b, rate, frames, func() {})
			if !v.async { // else read as the chains write
				if err := sa.prog.wait(frames, true); err != nil {
					t.Fatal(err)
				}
			}
			got := make([]*audio.Buffer, len(sa.stems))
			sum := audio.NewBuffer(2, frames)
			for k, sp := range sa.stems {
				got[k] = audio.NewBuffer(2, frames)
				for at := 0; at < frames; at += spoolWindow {
					n := min(spoolWindow, frames-at)
					v := &audio.Buffer{Data: [][]float32{got[k].Data[0][at : at+n], got[k].Data[1][at : at+n]}}
					if err := sp.read(v, int64(at), n); err != nil {
						t.Fatal(err)
					}
				}
			}
			sa.close()
			dsp.SumInto(sum, got, frames)
			tol := 2e-6
			if !busGiven {
				tol = 1e-4
			}
			if d := maxDiff(sum, bus); d > tol {
				t.Errorf("saturation %v, bus given %v: the stems add up to within %g of the bus, want %g", withSat, busGiven, d, tol)
			}
			for k := range got {
				r := audio.DB(rms(diff(got[k], want[k])) / rms(want[k]))
				t.Logf("saturation %v, bus given %v, classes %v: stem %d departs from the exact keyed processing by %.1f dB", withSat, busGiven, v.classes, k, r)
				if withSat && r > -30 || !withSat && maxDiff(got[k], want[k]) > 1e-6 {
					t.Errorf("saturation %v, classes %v: stem %d departs from the exact keyed processing by %.1f dB (%g)", withSat, v.classes, k, r, maxDiff(got[k], want[k]))
				}
			}
		}
	}
}

// classSpool writes the class of members to sp as the summer does:
// stemClass.take of each member's block in turn.
func classSpool(sp *stemSpool, members []*audio.Buffer) {
	c := &stemClass{spool: sp, members: make([]int, len(members)), sum: audio.NewBuffer(busChannels, BlockSize)}
	frames := members[0].Frames()
	for at := 0; at < frames; at += BlockSize {
		n := min(BlockSize, frames-at)
		for _, m := range members {
			c.take(&audio.Buffer{Data: [][]float32{m.Data[0][at : at+n], m.Data[1][at : at+n]}}, n)
		}
	}
}

// chainOf is m's master chain at rate (stem-aware limiting runs one a
// stem), failing the test on an error.
func chainOf(t *testing.T, m stemmaster.Master, rate float64) []dsp.Processor {
	t.Helper()
	c, err := masterChain(m, rate)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// emptySpool is a stem spool of frames in the test's temporary directory,
// for the test to fill.
func emptySpool(t *testing.T, frames int64) *stemSpool {
	t.Helper()
	sp, err := newStemSpool(t.TempDir(), frames)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// keyedReference runs every stage of m's chain over each stem, the
// dsp.Sidechained ones keyed by the stems' sum at their input, and the
// chain over the sum (the bus), both with the chain's latency removed.
func keyedReference(t *testing.T, m stemmaster.Master, stems []*audio.Buffer, rate float64) (outs []*audio.Buffer, bus *audio.Buffer) {
	frames := stems[0].Frames()
	busChain := chainOf(t, m, rate)
	lat := 0
	for _, p := range busChain {
		lat += p.Latency()
	}
	long := func(b *audio.Buffer) *audio.Buffer {
		l := audio.NewBuffer(2, frames+lat)
		for c := range 2 {
			copy(l.Data[c], b.Data[c])
		}
		return l
	}
	bus = audio.NewBuffer(2, frames)
	dsp.SumInto(bus, stems, frames)
	bus = long(bus)
	var chains [][]dsp.Processor
	for _, s := range stems {
		outs = append(outs, long(s))
		chains = append(chains, chainOf(t, m, rate))
	}
	key := audio.NewBuffer(2, BlockSize)
	views := make([]*audio.Buffer, len(stems))
	for at := 0; at < frames+lat; at += BlockSize {
		end := min(at+BlockSize, frames+lat)
		for k := range outs {
			views[k] = &audio.Buffer{Data: [][]float32{outs[k].Data[0][at:end], outs[k].Data[1][at:end]}}
		}
		for stage, p := range busChain {
			key.SetFrames(end - at)
			dsp.SumInto(key, views, end-at)
			for k, v := range views {
				if sc, ok := chains[k][stage].(dsp.Sidechained); ok {
					sc.ProcessSidechain(v, key)
				} else {
					chains[k][stage].Process(v)
				}
			}
			p.Process(&audio.Buffer{Data: [][]float32{bus.Data[0][at:end], bus.Data[1][at:end]}})
		}
	}
	cut := func(b *audio.Buffer) *audio.Buffer {
		return &audio.Buffer{Data: [][]float32{b.Data[0][lat:], b.Data[1][lat:]}}
	}
	for k := range outs {
		outs[k] = cut(outs[k])
	}
	return outs, cut(bus)
}

// bandLimited low-passes b at 16 kHz (eighth-order Butterworth), in place,
// as music is: what the saturation's oversampling filters cut over
// 0.45·fs a stem keeps in its linear part and would count as distortion.
func bandLimited(b *audio.Buffer) *audio.Buffer {
	var c biquad.Cascade
	for _, q := range []float64{0.51, 0.6, 0.9, 2.56} {
		c = append(c, biquad.LowPass(48000, 16000, q))
	}
	f := biquad.NewFilter(b.Channels(), c)
	for ch, x := range b.Data {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = float64(v)
		}
		f.Process(ch, y)
		for i, v := range y {
			x[i] = float32(v)
		}
	}
	return b
}

func maxDiff(a, b *audio.Buffer) float64 {
	worst := 0.0
	for c := range a.Data {
		for i, v := range a.Data[c] {
			worst = max(worst, math.Abs(float64(v)-float64(b.Data[c][i])))
		}
	}
	return worst
}

func diff(a, b *audio.Buffer) *audio.Buffer {
	d := a.Clone()
	for c := range d.Data {
		for i := range d.Data[c] {
			d.Data[c][i] -= b.Data[c][i]
		}
	}
	return d
}

func rms(b *audio.Buffer) float64 {
	var s float64
	n := 0
	for _, x := range b.Data {
		for _, v := range x {
			s += float64(v) * float64(v)
			n++
		}
	}
	return math.Sqrt(s / float64(max(n, 1)))
}

// TestStemAwareCloseStopsChains: closing the stems while their chains run
// on their own goroutine stops them and lets the files go, and a read
// after it returns an error rather than waiting.
func TestStemAwareCloseStopsChains(t *testing.T) {
	t.Parallel()
	const rate, frames = 48000, 3 * spoolWindow
	m := allOnMaster()
	sa := &stemAwareInput{}
	var chains [][]dsp.Processor
	for k := range 2 {
		sp := emptySpool(t, frames)
		sp.append(audiotest.PinkNoise(uint64(k+1), 2, frames, -12), frames)
		sa.stems = append(sa.stems, sp)
		chains = append(chains, chainOf(t, m, rate))
	}
	sa.startChains(chains, m.Saturation, nil, rate, frames, func() {})
	sa.close()
	if !sa.prog.stopped() {
		t.Error("the chains were not asked to stop")
	}
	if err := sa.prog.wait(frames, true); err == nil && sa.prog.written < frames {
		t.Errorf("stopped after %d of %d frames without an error", sa.prog.written, frames)
	}
}
