package stemshare

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

const rate = 48000.0

// curve is a test stage: a delay of lat frames, then drive·tanh(x), then
// (dc) a one-pole DC blocker at 5 Hz; its linear part is a gain of drive.
type curve struct {
	lat      int
	drive    float64
	dc       bool
	hist     [][]float32
	dcx, dcy []float64
}

func newCurve(lat int, drive float64, dc bool) *curve {
	c := &curve{lat: lat, drive: drive, dc: dc}
	c.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	return c
}

func (c *curve) Prepare(spec dsp.Spec) {
	c.hist = make([][]float32, spec.Channels)
	c.dcx, c.dcy = make([]float64, spec.Channels), make([]float64, spec.Channels)
	c.Reset()
}

func (c *curve) Reset() {
	for i := range c.hist {
		c.hist[i] = make([]float32, c.lat)
		c.dcx[i], c.dcy[i] = 0, 0
	}
}

func (c *curve) Latency() int { return c.lat }

func (c *curve) Process(buf *audio.Buffer) {
	a := math.Exp(-2 * math.Pi * 5 / rate)
	for ch, x := range buf.Data {
		line := append(append([]float32{}, c.hist[ch]...), x...)
		c.hist[ch] = append([]float32{}, line[len(line)-c.lat:]...)
		for i := range x {
			y := math.Tanh(c.drive * float64(line[i]))
			if c.dc {
				c.dcy[ch] = y - c.dcx[ch] + a*c.dcy[ch]
				c.dcx[ch] = y
				y = c.dcy[ch]
			}
			x[i] = float32(y)
		}
	}
}

func (c *curve) linear() Linear {
	l := Linear{Gain: c.drive, Latency: c.lat}
	if c.dc {
		l.DCBlockHz = 5
	}
	return l
}

// loud are three stems that drive the curve hard, one silent after its
// first half.
func loud(frames int) []*audio.Buffer {
	s := []*audio.Buffer{audiotest.PinkNoise(1, 2, frames, -3), audiotest.Sine(rate, 2, frames, 110, -2, 0), audiotest.WhiteNoise(2, 2, frames, -8)}
	for c := range 2 {
		clear(s[2].Data[c][frames/2:])
	}
	return s
}

// run shares a fresh stage's effect among stems in blocks of block frames
// (Process, or ProcessOutput fed by a second stage on the sum) and returns
// the stems' outputs and the stage's own output on their sum.
func run(stems []*audio.Buffer, newStage func() *curve, block int, output bool) (outs []*audio.Buffer, whole *audio.Buffer) {
	frames := stems[0].Frames()
	whole = audio.NewBuffer(2, frames)
	dsp.SumInto(whole, stems, frames)
	key := whole.Clone()
	for _, s := range stems {
		outs = append(outs, s.Clone())
	}
	ref := newStage()
	var stage dsp.Processor
	if !output {
		stage = newStage()
	}
	st := New(stage, ref.linear(), len(stems), dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	views := make([]*audio.Buffer, len(stems))
	for at := 0; at < frames; at += block {
		end := min(at+block, frames)
		for k := range outs {
			views[k] = audiotest.View(outs[k], at, end)
		}
		w := audiotest.View(whole, at, end)
		ref.Process(w)
		if output {
			st.ProcessOutput(views, w)
		} else {
			st.Process(views, audiotest.View(key, at, end))
		}
	}
	return outs, whole
}

// TestSumIsStage: the stems' outputs add up to the stage's output on their
// sum within float32 rounding, run on the sum (Process) or handed it
// (ProcessOutput), with and without a DC blocker, and a stem silent in its
// second half takes no distortion there (exactly 0, two stretches on).
func TestSumIsStage(t *testing.T) {
	t.Parallel()
	const frames, tol = 9000, 2e-6
	stems := loud(frames)
	for _, dc := range []bool{false, true} {
		for _, output := range []bool{false, true} {
			outs, whole := run(stems, func() *curve { return newCurve(74, 2, dc) }, 700, output)
			worst := 0.0
			for c := range 2 {
				for i, want := range whole.Data[c] {
					var got float64
					for _, o := range outs {
						got += float64(o.Data[c][i])
					}
					worst = max(worst, math.Abs(got-float64(want)))
				}
				for i := frames/2 + 74 + 2*stretch; i < frames && !dc; i++ {
					if v := outs[2].Data[c][i]; v != 0 {
						t.Fatalf("dc %v output %v: the silent stem has %g at frame %d", dc, output, v, i)
					}
				}
			}
			if worst > tol {
				t.Errorf("dc %v output %v: the stems add up to within %g of the stage's output, want %g", dc, output, worst, tol)
			}
			if d := distortion(stems, outs, newCurve(74, 2, dc)); d < 0.05 {
				t.Errorf("dc %v: the stems took %g of distortion: no test of the sharing", dc, d)
			}
		}
	}
}

// distortion is the largest difference between a stem's output and its
// linear part.
func distortion(stems, outs []*audio.Buffer, c *curve) float64 {
	worst := 0.0
	for k, s := range stems {
		lin := s.Clone()
		for ch, x := range lin.Data {
			for i := range x {
				x[i] = 0
				if j := i - c.lat; j >= 0 {
					x[i] = float32(c.drive * float64(s.Data[ch][j]))
				}
			}
		}
		for ch := range 2 {
			for i, v := range outs[k].Data[ch] {
				worst = max(worst, math.Abs(float64(v)-float64(lin.Data[ch][i])))
			}
		}
	}
	return worst
}

// TestLinearPart: stems quiet enough that the curve is linear (−70 dBFS:
// tanh's cubic term is 3e-10 there) come out each as the stage's linear
// response, the delayed stem times the gain (through the DC blocker),
// within 1e-9.
func TestLinearPart(t *testing.T) {
	t.Parallel()
	const frames = 6000
	for _, dc := range []bool{false, true} {
		stems := []*audio.Buffer{audiotest.PinkNoise(3, 2, frames, -70), audiotest.Sine(rate, 2, frames, 440, -70, 0.3)}
		outs, _ := run(stems, func() *curve { return newCurve(74, 1.5, dc) }, 512, false)
		for k, s := range stems {
			alone, _ := run([]*audio.Buffer{s}, func() *curve { return newCurve(74, 1.5, dc) }, 512, false)
			for c := range 2 {
				for i, want := range alone[0].Data[c] {
					if d := math.Abs(float64(outs[k].Data[c][i] - want)); d > 1e-9 {
						t.Fatalf("dc %v stem %d channel %d frame %d: %g, its response alone %g", dc, k, c, i, outs[k].Data[c][i], want)
					}
				}
			}
		}
	}
}

// TestBlockInvariance: the shares follow the output's frame count, not the
// blocks: blocks of 64, 700 and 4096 frames give the same bits.
func TestBlockInvariance(t *testing.T) {
	t.Parallel()
	stems := loud(10000)
	newStage := func() *curve { return newCurve(74, 2, true) }
	want, _ := run(stems, newStage, 4096, false)
	for _, block := range []int{64, 700} {
		got, _ := run(stems, newStage, block, false)
		for k := range got {
			for c := range 2 {
				for i, v := range got[k].Data[c] {
					if v != want[k].Data[c][i] {
						t.Fatalf("block %d: stem %d channel %d frame %d: %v, with 4096 %v", block, k, c, i, v, want[k].Data[c][i])
					}
				}
			}
		}
	}
}

func TestNoAllocation(t *testing.T) {
	stems := loud(1024)
	st := New(nil, Linear{Gain: 1, Latency: 74, DCBlockHz: 5}, len(stems), dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	out := audio.NewBuffer(2, 1024)
	dsp.SumInto(out, stems, 1024)
	if a := testing.AllocsPerRun(10, func() { st.ProcessOutput(stems, out) }); a != 0 {
		t.Errorf("%g allocations per block", a)
	}
}

// BenchmarkShare reports the CPU time per sample and channel of a stem for
// eight stems sharing a given output.
func BenchmarkShare(b *testing.B) {
	const frames, k = 4096, 8
	stems := make([]*audio.Buffer, k)
	for i := range stems {
		stems[i] = audiotest.PinkNoise(uint64(i+1), 2, frames, -12)
	}
	out := audio.NewBuffer(2, frames)
	dsp.SumInto(out, stems, frames)
	st := New(nil, Linear{Gain: 1.3, Latency: 74, DCBlockHz: 5}, k, dsp.Spec{SampleRate: rate, MaxBlockSize: frames, Channels: 2})
	cpu0 := dsptest.CPUTime()
	for b.Loop() {
		st.ProcessOutput(stems, out)
	}
	dsptest.ReportPerSample(b, cpu0, k*frames*2)
}
