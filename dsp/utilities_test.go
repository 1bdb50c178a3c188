package dsp_test

import (
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
// −3.01 dB, constant power); balance: far side cos(|p|π/2), near side 1.
func TestPanLaws(t *testing.T) {
	t.Parallel()
	c := math.Sqrt2 / 2 // −3.01 dB
	tests := []struct {
		name         string
		gains        func(float64) (float64, float64)
		p            float64
		wantL, wantR float64
	}{
		{"placement centre", dsp.PanGains, 0, c, c},
		{"placement hard left", dsp.PanGains, -1, 1, 0},
		{"placement hard right", dsp.PanGains, 1, 0, 1},
		{"placement half right", dsp.PanGains, 0.5, math.Cos(3 * math.Pi / 8), math.Sin(3 * math.Pi / 8)},
		{"balance centre", dsp.BalanceGains, 0, 1, 1},
		{"balance half right", dsp.BalanceGains, 0.5, c, 1},
		{"balance hard left", dsp.BalanceGains, -1, 1, 0},
	}
	for _, tt := range tests {
		l, r := tt.gains(tt.p)
		if !near(l, tt.wantL) || !near(r, tt.wantR) {
			t.Errorf("%s: gains %g, %g; want %g, %g", tt.name, l, r, tt.wantL, tt.wantR)
		}
	}
	for p := -1.0; p <= 1; p += 0.125 {
		if l, r := dsp.PanGains(p); !near(l*l+r*r, 1) {
			t.Errorf("placement at %g: power %g, want 1 (constant power)", p, l*l+r*r)
		}
	}
}

// TestWidth checks L' = M + w·S, R' = M − w·S on L = 0.75, R = 0.25
// (M = 0.5, S = 0.25), and that the mono sum is unchanged.
func TestWidth(t *testing.T) {
	t.Parallel()
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
	for _, w := range []float64{-1, dsp.MaxWidth + 0.1, math.NaN()} {
		if _, err := dsp.NewWidth(w); err == nil {
			t.Errorf("NewWidth(%g) accepted", w)
		}
	}
}

// TestNoAllocation checks that Process allocates nothing (not parallel:
// AllocsPerRun counts the whole process's allocations).
func TestNoAllocation(t *testing.T) {
	w, _ := dsp.NewWidth(1.5)
	w.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 512, Channels: 2})
	buf := audiotest.WhiteNoise(1, 2, 512, -6)
	if n := testing.AllocsPerRun(20, func() { w.Process(buf) }); n != 0 {
		t.Errorf("%g allocations per Process", n)
	}
}
