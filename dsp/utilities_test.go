package dsp_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

// tol is the tolerance for gains computed in float64 and stored in float32
// samples (float32 has a 2⁻²⁴ ≈ 6e-8 relative resolution).
const tol = 1e-6

func stereo(l, r []float32) *audio.Buffer { return &audio.Buffer{Data: [][]float32{l, r}} }

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

// TestPanLaws checks the gains at the positions whose values follow from the
// documented laws: placement θ = (p+1)π/4, L = cos θ, R = sin θ (centre
// −3.01 dB); balance: far side cos(|p|π/2), near side 1.
func TestPanLaws(t *testing.T) {
	c := math.Sqrt2 / 2 // −3.01 dB
	tests := []struct {
		name         string
		law          dsp.PanLaw
		p            float64
		wantL, wantR float64
	}{
		{"placement centre", dsp.PanPlacement, 0, c, c},
		{"placement hard left", dsp.PanPlacement, -1, 1, 0},
		{"placement hard right", dsp.PanPlacement, 1, 0, 1},
		{"placement half right", dsp.PanPlacement, 0.5, math.Cos(3 * math.Pi / 8), math.Sin(3 * math.Pi / 8)},
		{"balance centre", dsp.PanBalance, 0, 1, 1},
		{"balance half right", dsp.PanBalance, 0.5, c, 1},
		{"balance hard left", dsp.PanBalance, -1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dsp.NewPan(tt.p, tt.law)
			if err != nil {
				t.Fatal(err)
			}
			p.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4, Channels: 2})
			buf := stereo([]float32{1, -0.5}, []float32{1, -0.5})
			p.Process(buf)
			if !near(float64(buf.Data[0][0]), tt.wantL) || !near(float64(buf.Data[1][0]), tt.wantR) {
				t.Errorf("gains %g, %g; want %g, %g", buf.Data[0][0], buf.Data[1][0], tt.wantL, tt.wantR)
			}
			if tt.law == dsp.PanPlacement {
				if l, r := p.Gains(); !near(l*l+r*r, 1) {
					t.Errorf("power %g, want 1 (constant power)", l*l+r*r)
				}
				mono := audio.NewBuffer(2, 2)
				p.ProcessMono(mono, []float32{1, -0.5})
				for c := range 2 {
					for i := range 2 {
						if mono.Data[c][i] != buf.Data[c][i] {
							t.Errorf("ProcessMono differs from dual-mono Process at %d,%d", c, i)
						}
					}
				}
			}
		})
	}
	var pe *dsp.ParamError
	if _, err := dsp.NewPan(1.5, dsp.PanBalance); !errors.As(err, &pe) || pe.Param != "pan" {
		t.Errorf("NewPan(1.5) error %v, want a *dsp.ParamError for pan", err)
	}
}

// TestWidth checks L' = M + w·S, R' = M − w·S on L = 0.75, R = 0.25
// (M = 0.5, S = 0.25), and that the mono sum is unchanged.
func TestWidth(t *testing.T) {
	tests := []struct {
		w, wantL, wantR float64
	}{
		{0, 0.5, 0.5},   // mono: both channels M
		{1, 0.75, 0.25}, // unchanged
		{2, 1.0, 0.0},   // side doubled
		{0.5, 0.625, 0.375},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("w=%g", tt.w), func(t *testing.T) {
			s, err := dsp.NewWidth(tt.w)
			if err != nil {
				t.Fatal(err)
			}
			buf := stereo([]float32{0.75}, []float32{0.25})
			s.Process(buf)
			l, r := float64(buf.Data[0][0]), float64(buf.Data[1][0])
			if !near(l, tt.wantL) || !near(r, tt.wantR) {
				t.Errorf("got %g, %g; want %g, %g", l, r, tt.wantL, tt.wantR)
			}
			if !near(l+r, 1) {
				t.Errorf("mono sum %g, want 1", l+r)
			}
		})
	}
	if _, err := dsp.NewWidth(-1); err == nil {
		t.Error("NewWidth(-1) accepted")
	}
}

// TestPolarity checks all-channel and single-channel inversion.
func TestPolarity(t *testing.T) {
	tests := []struct {
		name     string
		channels []int
		want     [2]float32
	}{
		{"all", nil, [2]float32{-0.5, 0.25}},
		{"right only", []int{1}, [2]float32{0.5, 0.25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dsp.NewPolarity(tt.channels...)
			p.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 1, Channels: 2})
			buf := stereo([]float32{0.5}, []float32{-0.25})
			p.Process(buf)
			if got := [2]float32{buf.Data[0][0], buf.Data[1][0]}; got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDelay checks that output frame i equals input frame i − n (silence
// before), for delays shorter and longer than the block, and block sizes
// that do not divide the delay.
func TestDelay(t *testing.T) {
	const frames = 3000
	in := audiotest.WhiteNoise(5, 2, frames, -1)
	for _, n := range []int{0, 1, 7, 480, 1000, 2999} {
		for _, block := range []int{1, 64, 333, 4096} {
			t.Run(fmt.Sprintf("delay%d/block%d", n, block), func(t *testing.T) {
				d, err := dsp.NewDelay(n)
				if err != nil {
					t.Fatal(err)
				}
				d.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: block, Channels: 2})
				if d.Latency() != n {
					t.Fatalf("Latency %d, want %d", d.Latency(), n)
				}
				buf := in.Clone()
				processBlocks(d, buf, block)
				for c := range buf.Data {
					for i, v := range buf.Data[c] {
						want := float32(0)
						if i >= n {
							want = in.Data[c][i-n]
						}
						if v != want {
							t.Fatalf("channel %d frame %d: %g, want %g", c, i, v, want)
						}
					}
				}
			})
		}
	}
	if _, err := dsp.NewDelay(-1); err == nil {
		t.Error("NewDelay(-1) accepted")
	}
}

// TestGainRamp checks a static gain, and that a change ramps linearly in
// amplitude over the ramp time to the new gain, with no step larger than
// one ramp increment.
func TestGainRamp(t *testing.T) {
	const fs = 48000
	g, err := dsp.NewGain(-6)
	if err != nil {
		t.Fatal(err)
	}
	g.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: 512, Channels: 2})
	ones := func() *audio.Buffer {
		b := audio.NewBuffer(2, 512)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = 1
			}
		}
		return b
	}
	buf := ones()
	g.Process(buf)
	if want := audio.Amplitude(-6); !near(float64(buf.Data[1][100]), want) {
		t.Fatalf("static gain %g, want %g", buf.Data[1][100], want)
	}
	if err := g.SetGainDB(0); err != nil {
		t.Fatal(err)
	}
	// 20 ms at 48 kHz = 960 frames from 0.501 to 1.0.
	const rampFrames = 960
	var out []float32
	for range 3 {
		buf = ones()
		g.Process(buf)
		out = append(out, buf.Data[0]...)
	}
	from, to := audio.Amplitude(-6), 1.0
	step := (to - from) / rampFrames
	for i, v := range out {
		want := to
		if i < rampFrames {
			want = from + step*float64(i+1)
		}
		if !near(float64(v), want) {
			t.Fatalf("frame %d: %g, want %g", i, v, want)
		}
	}
	if got := g.GainDB(); !near(got, 0) {
		t.Errorf("GainDB %g, want 0", got)
	}
	var pe *dsp.ParamError
	if err := g.SetGainDB(math.NaN()); !errors.As(err, &pe) {
		t.Errorf("SetGainDB(NaN) error %v, want a *dsp.ParamError", err)
	}
}

// TestChain checks order, Prepare/Reset forwarding and the summed latency:
// a 3-frame delay, an inversion and a 5-frame delay turn an impulse at 0
// into −1 at frame 8 and report latency 8.
func TestChain(t *testing.T) {
	d3, _ := dsp.NewDelay(3)
	d5, _ := dsp.NewDelay(5)
	g, _ := dsp.NewGain(0)
	ch := dsp.Chain{d3, dsp.NewPolarity(), g, d5}
	ch.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 16, Channels: 1})
	if ch.Latency() != 8 {
		t.Fatalf("Latency %d, want 8", ch.Latency())
	}
	for run := range 2 { // the second run after Reset must match the first
		buf := audiotest.Impulse(1, 16, 0, 0)
		ch.Process(buf)
		for i, v := range buf.Data[0] {
			want := float32(0)
			if i == 8 {
				want = -1
			}
			if v != want {
				t.Fatalf("run %d frame %d: %g, want %g", run, i, v, want)
			}
		}
		ch.Process(audiotest.Impulse(1, 16, 15, 0)) // leave state in the delays
		ch.Reset()
	}
}

func processBlocks(p dsp.Processor, buf *audio.Buffer, n int) {
	for start := 0; start < buf.Frames(); start += n {
		end := min(start+n, buf.Frames())
		blk := &audio.Buffer{Data: make([][]float32, buf.Channels())}
		for c := range buf.Data {
			blk.Data[c] = buf.Data[c][start:end]
		}
		p.Process(blk)
	}
}

// TestNoAllocation checks that Process allocates nothing.
func TestNoAllocation(t *testing.T) {
	spec := dsp.Spec{SampleRate: 48000, MaxBlockSize: 512, Channels: 2}
	g, _ := dsp.NewGain(-3)
	p, _ := dsp.NewPan(0.3, dsp.PanPlacement)
	w, _ := dsp.NewWidth(1.5)
	d, _ := dsp.NewDelay(100)
	ch := dsp.Chain{g, p, w, dsp.NewPolarity(), d}
	ch.Prepare(spec)
	buf := audiotest.WhiteNoise(1, 2, 512, -6)
	if n := testing.AllocsPerRun(20, func() { _ = g.SetGainDB(-4); ch.Process(buf) }); n != 0 {
		t.Errorf("%g allocations per Process", n)
	}
}
