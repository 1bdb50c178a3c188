package dyneq

import (
	"fmt"
	"math"
	"testing"
	"unsafe"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/dsp/internal/vec"
	"stemmaster/internal/audiotest"
)

const rate = 48000.0

func process(p dsp.Processor, x *audio.Buffer, block int) { dsptest.ProcessBlocks(p, x, block, nil) }

// burstGainDB sends tone bursts (200 ms on, 200 ms off, ×3) of freq at
// level through d and returns the gain of the last burst's second half.
func burstGainDB(t *testing.T, d *Band, freq, level float64) float64 {
	t.Helper()
	d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 480, Channels: 2})
	on := audiotest.Sine(rate, 2, int(0.2*rate), freq, level, 0)
	off := audiotest.Silence(2, int(0.2*rate))
	x := audiotest.Concat(on, off, on.Clone(), off, on.Clone())
	process(d, x, 480)
	from := int(0.9 * rate)
	a, _, _ := audiotest.FitSine(x.Data[0], 2*math.Pi*freq/rate, from, int(rate))
	return audio.DB(a) - level
}

// TestDynamicBandGain: a bell band at 2 kHz, threshold −30 dBFS, ratio 4,
// range 6 dB: a tone burst at 2 kHz 8 dB over the threshold is cut by
// 8·(1 − 1/4) = 6 dB (the range), one 4 dB over by 3 dB, one under the
// threshold not at all, one far over by the range, each within ±0.5 dB.
func TestDynamicBandGain(t *testing.T) {
	t.Parallel()
	p := Params{FreqHz: 2000, Q: 2, ThresholdDB: -30, Ratio: 4, RangeDB: 6, AttackMS: 1, ReleaseMS: 50}
	cases := []struct {
		freq, level, want float64
	}{
		{2000, -22, -6},
		{2000, -26, -3},
		{2000, -40, 0},
		{2000, -6, -6}, // far over: the range holds
	}
	for _, c := range cases {
		got := burstGainDB(t, New(p), c.freq, c.level)
		if math.Abs(got-c.want) > 0.5 {
			t.Errorf("%g Hz at %g dBFS: gain %.2f dB, want %.2f ± 0.5", c.freq, c.level, got, c.want)
		}
	}
}

// TestDeEsser: split at 4.5 kHz, threshold −30, range 8 dB: sibilant bursts
// (8 and 10 kHz) 12 dB over are cut by the range within ±0.5 dB, a 1 kHz
// burst at the same level passes within 0.1 dB, and a quiet 7 kHz burst
// under the threshold passes within 0.1 dB.
func TestDeEsser(t *testing.T) {
	t.Parallel()
	p := DeEsser(4500, -30, 8)
	if err := p.ValidateDeEsser(rate); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		freq, level, want, tol float64
	}{
		{8000, -18, -8, 0.5},
		{10000, -18, -8, 0.5},
		{1000, -18, 0, 0.1},
		{7000, -40, 0, 0.1},
	}
	for _, c := range cases {
		d := New(p)
		got := burstGainDB(t, d, c.freq, c.level)
		if math.Abs(got-c.want) > c.tol {
			t.Errorf("%g Hz at %g dBFS: gain %.2f dB, want %.2f ± %g", c.freq, c.level, got, c.want, c.tol)
		}
		if c.want < 0 && math.Abs(d.MaxGRDB()-8) > 0.01 {
			t.Errorf("%g Hz: meter %.3f dB, want 8", c.freq, d.MaxGRDB())
		}
	}
}

func TestListen(t *testing.T) {
	t.Parallel()
	p := DeEsser(6000, -30, 6)
	p.Listen = true
	d := New(p)
	got := burstGainDB(t, d, 500, -10)
	if got > -60 {
		t.Errorf("listen mode passes a 500 Hz tone at %.1f dB, want the band above 6 kHz only (< −60 dB)", got)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p     Params
		deEss bool
		param string
	}{
		{Params{FreqHz: 1000, ThresholdDB: -20, Ratio: 2, RangeDB: 6}, false, ""},
		{Params{FreqHz: 1000, ThresholdDB: -20, Ratio: 2, RangeDB: 0}, false, "range_db"},
		{Params{FreqHz: 1000, ThresholdDB: -20, Ratio: 0.5, RangeDB: 6}, false, "ratio"},
		{Params{Mode: "shelf", FreqHz: 1000, ThresholdDB: -20, Ratio: 2, RangeDB: 6}, false, "mode"},
		{Params{FreqHz: 23000, ThresholdDB: -20, Ratio: 2, RangeDB: 6}, false, "freq_hz"},
		{DeEsser(3000, -30, 6), true, "freq_hz"},
		{DeEsser(12000, -30, 6), true, "freq_hz"},
		{DeEsser(6000, -30, 30), true, "range_db"},
	}
	for _, c := range cases {
		err := c.p.Validate(rate)
		if c.deEss {
			err = c.p.ValidateDeEsser(rate)
		}
		dsptest.CheckParamError(t, err, c.param)
	}
}

func TestNoAllocation(t *testing.T) {
	d := New(DeEsser(6000, -40, 6))
	d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	dsptest.CheckNoAllocation(t, d, audiotest.PinkNoise(1, 2, 1024, -6))
}

// BenchmarkDeEsser and BenchmarkDynamicEQ: stereo pink noise through the
// split-band de-esser and a bell band, both cutting.
func BenchmarkDeEsser(b *testing.B) {
	d := New(DeEsser(6000, -40, 6))
	d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, d, audiotest.PinkNoise(1, 2, 4096, -6))
}

func BenchmarkDynamicEQ(b *testing.B) {
	d := New(Params{FreqHz: 400, Q: 1, ThresholdDB: -40, Ratio: 3, RangeDB: 6})
	d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, d, audiotest.PinkNoise(1, 2, 4096, -6))
}

// BenchmarkDynamicEQSide: the bell on the side of a stereo pair (the
// mid/side wrap's encode and decode around one channel), per frame and
// channel of the pair.
func BenchmarkDynamicEQSide(b *testing.B) {
	d := dsp.NewMidSide(New(Params{FreqHz: 400, Q: 1, ThresholdDB: -40, Ratio: 3, RangeDB: 6}), dsp.ChannelSide)
	d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, d, audiotest.PinkNoise(1, 2, 4096, -6))
}

// TestQuietPathExact: the quiet fast path gives the full path's output bit
// for bit, on sibilant bursts over and under the threshold.
func TestQuietPathExact(t *testing.T) {
	t.Parallel()
	x := audiotest.WhiteNoise(5, 2, 24000, -6)
	dsptest.QuietBursts(x, 4800, 0.01)
	fast, full := New(DeEsser(6000, -30, 6)), New(DeEsser(6000, -30, 6))
	fast.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
	full.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
	full.quietBelow = 0
	dsptest.CheckFastPathExact(t, fast, full, x, 512)
	if fast.MaxGRDB() < 3 {
		t.Fatalf("the de-esser cut only %.2f dB: no test of the threshold", fast.MaxGRDB())
	}
}

// TestBlockSizeInvariance: the output does not depend on how the stream is
// cut into blocks (the control runs go on across blocks).
func TestBlockSizeInvariance(t *testing.T) {
	t.Parallel()
	dsptest.CheckBlockInvariance(t, func() dsp.Processor {
		d := New(DeEsser(6000, -40, 8))
		d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
		return d
	}, audiotest.WhiteNoise(7, 2, 20000, -6), 4096, 1, 37, 1000)
}

// TestBellMonoFused: a bell on one channel gives the same bits fused
// (bellMono: the assembly kernel where it runs) as bellMono's Go loop and
// as the separate passes — the output, the cut and the detector's state —
// over blocks of uneven lengths, for run lengths of 1, 6 and 16 frames, on
// tone bursts with quiet gaps (the quiet path; cuts starting and ending),
// noise far over the threshold (the range holds) and a stream with a NaN
// (the envelope keeps its value over it, as the Go comparison does).
// bellArgs' fields are where the kernel's assembly reads them.
func TestBellMonoFused(t *testing.T) {
	t.Parallel()
	// The kernel's argument block, as mono_amd64.s reads it.
	var k bellArgs
	dsptest.CheckOffsets(t, "bellArgs", "b0 decay quiet att s1 from block pos run logTab expTab abs neg consts", []uintptr{
		unsafe.Offsetof(k.b0), unsafe.Offsetof(k.decay), unsafe.Offsetof(k.quiet), unsafe.Offsetof(k.att), unsafe.Offsetof(k.s1),
		unsafe.Offsetof(k.from), unsafe.Offsetof(k.block), unsafe.Offsetof(k.pos), unsafe.Offsetof(k.run), unsafe.Offsetof(k.logTab),
		unsafe.Offsetof(k.expTab), unsafe.Offsetof(k.abs), unsafe.Offsetof(k.neg), unsafe.Offsetof(k.consts),
	}, 0, 40, 56, 88, 104, 136, 160, 168, 176, 184, 192, 200, 216, 232)
	for si, x := range kernelSignals(1) {
		for _, attack := range []float64{0.01, 1, 5} {
			p := Params{FreqHz: 700, Q: 1.5, ThresholdDB: -40, Ratio: 4, RangeDB: 9, AttackMS: attack, ReleaseMS: 30}
			fused, loop, apart := New(p), New(p), New(p)
			for _, d := range []*Band{fused, loop, apart} {
				d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 1})
			}
			a, b, c := x.Clone(), x.Clone(), x.Clone()
			unevenBlocks(x.Frames(), []int{1, 700, 4096, 3, 255, 2000}, func(at, end int) {
				fused.Process(&audio.Buffer{Data: [][]float32{a.Data[0][at:end]}})
				apart.process(&audio.Buffer{Data: [][]float32{c.Data[0][at:end]}}, false, false)
				for start := at; start < end; start += chunk {
					loop.bellMonoGo(b.Data[0][start:min(start+chunk, end)])
				}
				loop.max = max(loop.max, loop.block)
				loop.block = 0
			})
			what := fmt.Sprintf("signal %d, attack %g ms", si, attack)
			if fused.MaxGRDB() < 3 || fused.MaxGRDB() != apart.MaxGRDB() || fused.MaxGRDB() != loop.MaxGRDB() {
				t.Fatalf("%s: largest cut %g dB fused, %g by the Go loop, %g apart (want equal, over 3)", what, fused.MaxGRDB(), loop.MaxGRDB(), apart.MaxGRDB())
			}
			if fused.gr != loop.gr || fused.ctl != loop.ctl {
				t.Fatalf("%s: state fused: cut %g, detector %+v; by the Go loop: %g, %+v", what, fused.gr, fused.ctl, loop.gr, loop.ctl)
			}
			sameBits(t, a.Data[0], b.Data[0], what+": fused against the Go loop")
			sameBits(t, a.Data[0], c.Data[0], what+": fused against apart")
		}
	}
}

// unevenBlocks calls f for the blocks [at, end) of a stream of frames
// frames, of the sizes in turn.
func unevenBlocks(frames int, sizes []int, f func(at, end int)) {
	for at, i := 0, 0; at < frames; i++ {
		end := min(at+sizes[i%len(sizes)], frames)
		f(at, end)
		at = end
	}
}

// sameBits fails t at the first sample where got and want differ in their
// bits (any NaN matching any NaN); what names the comparison.
func sameBits(t *testing.T, got, want []float32, what string) {
	t.Helper()
	for i, v := range got {
		if w := want[i]; math.Float32bits(v) != math.Float32bits(w) && !(v != v && w != w) {
			t.Fatalf("%s: frame %d: %g, want %g", what, i, v, w)
		}
	}
}

// TestMidSideFused: a bell wrapped by dsp.MidSide on the mid or the side
// (the wrapper's Process, which lets the band fuse the encode and decode
// into its kernel where it can) gives the same bits as the wrapper's three
// passes (package vec's encode, the band's Process on the one channel,
// the decode) — the output, the cut and the detector's state — over
// blocks of uneven lengths, for runs of 1, 6 and 16 frames, on stereo
// bursts with quiet gaps, noise far over the threshold and a stream with
// a NaN in one channel.
func TestMidSideFused(t *testing.T) {
	t.Parallel()
	for si, x := range kernelSignals(2) {
		for _, channel := range []string{dsp.ChannelMid, dsp.ChannelSide} {
			for _, attack := range []float64{0.01, 1, 5} {
				p := Params{FreqHz: 700, Q: 1.5, ThresholdDB: -40, Ratio: 4, RangeDB: 9, AttackMS: attack, ReleaseMS: 30}
				fused, apart := New(p), New(p)
				wrap := dsp.NewMidSide(fused, channel)
				wrap.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
				apart.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 1})
				a, c := x.Clone(), x.Clone()
				mono := make([]float32, 4096)
				resid, rest := make([]float64, 4096), make([]float64, 4096)
				side := channel == dsp.ChannelSide
				unevenBlocks(x.Frames(), []int{1, 700, 4096, 3, 255, 2000}, func(at, end int) {
					wrap.Process(&audio.Buffer{Data: [][]float32{a.Data[0][at:end], a.Data[1][at:end]}})
					l, r, m := c.Data[0][at:end], c.Data[1][at:end], mono[:end-at]
					vec.MSEncode(l, r, m, resid, rest, side)
					apart.Process(&audio.Buffer{Data: [][]float32{m}})
					vec.MSDecode(l, r, m, resid, rest, side)
				})
				what := fmt.Sprintf("signal %d, %s, attack %g ms", si, channel, attack)
				if fused.MaxGRDB() < 3 || fused.MaxGRDB() != apart.MaxGRDB() || fused.gr != apart.gr || fused.ctl != apart.ctl {
					t.Fatalf("%s: fused: largest cut %g dB, cut %g, detector %+v; apart: %g, %g, %+v", what, fused.MaxGRDB(), fused.gr, fused.ctl, apart.MaxGRDB(), apart.gr, apart.ctl)
				}
				for ch := range 2 {
					sameBits(t, a.Data[ch], c.Data[ch], fmt.Sprintf("%s, channel %d: fused against apart", what, ch))
				}
			}
		}
	}
}

// TestDetectKernel: the detector with the gain computer inline in its
// kernel (detectAVX) gives ControlRate.Process's bits with Band.control
// called per run — the output, the cut and the detector's state — for the
// split de-esser and a bell on two channels and on one (unfused), runs of
// 1, 3, 6 and 16 frames, over blocks of uneven lengths, on bursts with
// quiet gaps, noise far over the threshold and a stream with a NaN in
// one channel.
func TestDetectKernel(t *testing.T) {
	t.Parallel()
	if !bellAccelerated {
		t.Skip("no detector kernel on this machine or build")
	}
	for si, x := range kernelSignals(2) {
		for _, channels := range []int{2, 1} {
			for _, attack := range []float64{0.01, 0.5, 1, 5} {
				for _, mode := range []string{ModeSplit, ModeBell} {
					p := Params{Mode: mode, FreqHz: 5000, Q: 1.5, ThresholdDB: -40, Ratio: 4, RangeDB: 9, AttackMS: attack, ReleaseMS: 30}
					asm, loop := New(p), New(p)
					for _, d := range []*Band{asm, loop} {
						d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: channels})
					}
					a, b := x.Clone(), x.Clone()
					unevenBlocks(x.Frames(), []int{1, 700, 4096, 3, 255, 2000}, func(at, end int) {
						ba, bb := &audio.Buffer{}, &audio.Buffer{}
						for c := range channels {
							ba.Data = append(ba.Data, a.Data[c][at:end])
							bb.Data = append(bb.Data, b.Data[c][at:end])
						}
						asm.process(ba, false, true)
						loop.process(bb, false, false)
					})
					what := fmt.Sprintf("signal %d, %d channels, attack %g ms, %s", si, channels, attack, mode)
					if asm.MaxGRDB() < 3 || asm.MaxGRDB() != loop.MaxGRDB() || asm.gr != loop.gr || asm.ctl != loop.ctl {
						t.Fatalf("%s: kernel: largest cut %g dB, cut %g, detector %+v; Go: %g, %g, %+v", what, asm.MaxGRDB(), asm.gr, asm.ctl, loop.MaxGRDB(), loop.gr, loop.ctl)
					}
					for c := range channels {
						sameBits(t, a.Data[c], b.Data[c], fmt.Sprintf("%s, channel %d: kernel against Go", what, c))
					}
				}
			}
		}
	}
}

// kernelSignals are the kernels' test signals of the given channels:
// tone-like bursts with quiet gaps (the quiet path; cuts starting and
// ending), noise far over the threshold (the range holds) and a stream
// with a NaN in its last channel.
func kernelSignals(channels int) []*audio.Buffer {
	bursts := audiotest.PinkNoise(3, channels, 20000, -12)
	dsptest.QuietBursts(bursts, 2400, 0.05)
	nan := audiotest.PinkNoise(5, channels, 20000, -12)
	nan.Data[channels-1][12345] = float32(math.NaN())
	return []*audio.Buffer{bursts, audiotest.PinkNoise(4, channels, 20000, 0), nan}
}
