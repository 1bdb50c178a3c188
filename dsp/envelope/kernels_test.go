package envelope

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/testkit"
)

// kernelLengths covers the assembly's four-lane body, every tail length
// and the chunk sizes the processors use.
var kernelLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 64, 255, 256, 257}

// guardF64 is what testkit.Guarded puts past a kernel's output: no Log2
// (≥ −1074) or Exp2 (> 0) of a float64 is it.
const guardF64 = -12345.5

// TestKernelsMatchGo holds the block kernels (assembly where the processor
// has it) to the bits of the per-value functions, on random values and the
// edges: tiny and full-scale levels, zero and tiny reductions, equal
// targets.
func TestKernelsMatchGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	levels := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			switch i % 6 {
			case 0:
				x[i] = math.Exp2(rng.Float64()*200 - 190)
			case 1:
				x[i] = 1
			case 2:
				x[i] = 0x1p-1022 // the smallest normal
			case 3:
				x[i] = math.Nextafter(2, 0)
			default:
				x[i] = rng.Float64() * 1.5
			}
		}
		return x
	}
	same := func(what string, n int, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s, %d values: [%d] = %v, want %v", what, n, i, got[i], want[i])
			}
		}
	}
	for _, n := range kernelLengths {
		x := levels(n)
		got, want := testkit.Guarded(n, guardF64), make([]float64, n)
		Log2Block(got, x)
		for i, v := range x {
			want[i] = Log2(v)
		}
		same("Log2Block", n, got, want)
		testkit.CheckGuard(t, got, guardF64, fmt.Sprintf("Log2Block, %d values", n))
		for _, scale := range []float64{-1, 0.37} {
			y := make([]float64, n)
			for i, v := range want {
				y[i] = v * 17 // ±3000 and more: the kernels' range and past it
			}
			Exp2Block(got, y, scale)
			for i, v := range y {
				want[i] = Exp2(scale * v)
			}
			same("Exp2Block", n, got, want)
			testkit.CheckGuard(t, got, guardF64, fmt.Sprintf("Exp2Block, %d values", n))
		}

		for _, g := range testGainComputers() {
			lv := levels(n)
			for i := range lv {
				lv[i] *= 0.3 // levels around the threshold, some far over it
			}
			for i := 5; i < n; i += 9 {
				lv[i] = 1e-6 // and silence: the release to rest
			}
			for i := range lv {
				if i/24%3 == 2 {
					lv[i] = 1e-6 // stretches of it: whole passes of the release alone
				}
			}
			// Four levels at the knee's foot (a kernel that skipped them,
			// as under QuietLevel, would miss the reductions over it) and
			// four under QuietLevel (skipped).
			if c := g.Curve; n >= 16 && QuietLevel(c.Thr, c.HalfKnee, c.Scale) > 0 {
				q := QuietLevel(c.Thr, c.HalfKnee, c.Scale)
				foot := math.Exp2((c.Thr - c.HalfKnee) / c.Scale)
				copy(lv[8:16], []float64{foot * (1 - 1e-12), foot, foot * (1 + 1e-12), foot * (1 + 1e-9),
					q, math.Nextafter(q, 0), q / 2, q / 4})
			}
			// Silence with one loud frame: from just over flushBelow the
			// release snaps to 0, then the gain is the makeup (the kernel
			// skips the Exp2), until the loud frame.
			quiet := make([]float64, n)
			for i := range quiet {
				quiet[i] = 1e-6
			}
			if n > 0 {
				quiet[n*2/3] = 1
			}
			for _, c := range []struct {
				gr0 float64
				lv  []float64
			}{{1.5, lv}, {(1 + 1e-6) * flushBelow, quiet}, {1.1 * flushBelow, quiet}, {0, quiet}, {0, lv}} {
				gr0, lv := c.gr0, c.lv
				want := make([]float64, n)
				gr, peak := gr0, 0.0
				for i, v := range lv {
					gr = g.Smooth.Step(gr, g.Curve.Target(Log2(v)))
					want[i] = g.MakeupLin
					if gr != 0 {
						want[i] = Exp2((g.MakeupDB - gr) * Log2PerDB)
					}
					peak = max(peak, gr)
				}
				gotGR, gotPeak := g.Run(gr0, slices.Clone(lv), got)
				same("GainComputer.Run", n, got, want)
				if gotGR != gr || gotPeak != peak {
					t.Fatalf("GainComputer.Run from %v, %d values: reduction %v and peak %v, want %v and %v", gr0, n, gotGR, gotPeak, gr, peak)
				}
			}
		}
	}
}

// TestQuietLevel holds QuietLevel to its meaning, for amplitude and mean
// square detectors, hard and soft knees, thresholds across the parameters'
// range: every level under it gets a reduction of exactly +0 (what lets a
// kernel skip the curve), a level 1e-7 over the knee's foot gets one (the
// foot is where the reduction starts), and it lies within 1e-5 of the foot
// (the skip covers the levels under the knee, not a margin of dBs). A curve
// with no such level gives 0.
func TestQuietLevel(t *testing.T) {
	t.Parallel()
	for _, scale := range []float64{DBPerLog2, DBPerLog2 / 2} {
		for _, thr := range []float64{-120, -60.5, -18, 0, 24} {
			for _, knee := range []float64{0, 0.5, 6, 24} {
				c := Curve{Scale: scale, Thr: thr, HalfKnee: knee / 2, Knee: knee, Slope: 1 - 1/4.0}
				if knee > 0 {
					c.Inv2W = 1 / (2 * knee)
				}
				q := QuietLevel(c.Thr, c.HalfKnee, c.Scale)
				foot := math.Exp2((thr - knee/2) / scale)
				if !(q < foot && q > foot*(1-1e-5)) {
					t.Fatalf("scale %v, threshold %v, knee %v: QuietLevel %v, want just under the knee's foot %v", scale, thr, knee, q, foot)
				}
				for j := range 4000 {
					x := q * math.Exp2(-float64(j)/64)
					if j == 0 {
						x = math.Nextafter(q, 0)
					}
					if r := c.Target(Log2(x)); r != 0 || math.Signbit(r) {
						t.Fatalf("scale %v, threshold %v, knee %v: level %v under QuietLevel %v gets reduction %v, want +0", scale, thr, knee, x, q, r)
					}
				}
				if r := c.Target(Log2(foot * (1 + 1e-7))); !(r > 0) {
					t.Fatalf("scale %v, threshold %v, knee %v: level 1e-7 over the foot gets reduction %v, want > 0", scale, thr, knee, r)
				}
			}
		}
	}
	for _, c := range [][3]float64{{0, 0, 0}, {-18, 3, -DBPerLog2}, {math.NaN(), 0, DBPerLog2}, {math.Inf(1), 0, DBPerLog2}, {-18, math.Inf(1), DBPerLog2}} {
		if q := QuietLevel(c[0], c[1], c[2]); q != 0 {
			t.Errorf("QuietLevel%v = %v, want 0 (no level to skip under)", c, q)
		}
	}
}

// testGainComputers are a soft and a hard knee, a limiting ratio, slow
// attack against fast release, makeup up and down.
func testGainComputers() []GainComputer {
	curve := func(thr, ratio, knee float64) Curve {
		c := Curve{Scale: DBPerLog2, Thr: thr, HalfKnee: knee / 2, Knee: knee, Slope: 1 - 1/ratio}
		if knee > 0 {
			c.Inv2W = 1 / (2 * knee)
		}
		return c
	}
	gcs := []GainComputer{
		{Curve: curve(-20, 4, 6), Smooth: NewSmoother(5, 100, 48000), MakeupDB: 2, MakeupLin: math.Exp2(2 * Log2PerDB)},
		{Curve: curve(-30, 2, 0), Smooth: NewSmoother(200, 3, 44100), MakeupDB: 0, MakeupLin: 1},
		{Curve: curve(-10, math.Inf(1), 12), Smooth: NewSmoother(0.1, 50, 96000), MakeupDB: -6, MakeupLin: math.Exp2(-6 * Log2PerDB)},
	}
	for i := range gcs {
		c := &gcs[i].Curve
		gcs[i].QuietBelow = QuietLevel(c.Thr, c.HalfKnee, c.Scale)
	}
	return gcs
}

func BenchmarkKernels(b *testing.B) {
	const n = 256
	x, y, z := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 0.05 + float64(i%37)*0.01
	}
	g := testGainComputers()[0]
	kernels := []struct {
		name       string
		block, one func()
	}{
		{"log2", func() { Log2Block(z, x) }, func() {
			for i, v := range x {
				z[i] = Log2(v)
			}
		}},
		{"gaincomputer", func() {
			copy(y, x)
			g.Run(0, y, z)
		}, func() {
			copy(y, x)
			gr := 0.0
			for i, v := range y {
				gr = g.Smooth.Step(gr, g.Curve.Target(Log2(v)))
				z[i] = g.MakeupLin
				if gr != 0 {
					z[i] = Exp2((g.MakeupDB - gr) * Log2PerDB)
				}
			}
		}},
	}
	for _, k := range kernels {
		b.Run(k.name+"/block", func(b *testing.B) {
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				k.block()
			}
			dsptest.ReportPerSample(b, cpu0, n)
		})
		b.Run(k.name+"/go", func(b *testing.B) {
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				k.one()
			}
			dsptest.ReportPerSample(b, cpu0, n)
		})
	}
}

// TestApplyGain holds ApplyGain and DelayGain to one rounding of the
// float64 product per sample, subnormals and full scale included.
func TestApplyGain(t *testing.T) {
	t.Parallel()
	for _, n := range kernelLengths {
		x, d, g := make([]float32, n), make([]float32, n), make([]float64, n)
		for i := range x {
			x[i] = float32(i%9-4) * 0.25
			d[i] = float32(i%5-2) * 1e-40
			g[i] = 1 + float64(i%11)*0.37
		}
		x0, d0 := append([]float32(nil), x...), append([]float32(nil), d...)
		ApplyGain(x, g)
		for i, v := range x0 {
			if want := float32(float64(v) * g[i]); x[i] != want {
				t.Fatalf("ApplyGain, %d samples: [%d] = %v, want %v", n, i, x[i], want)
			}
		}
		copy(x, x0)
		DelayGain(x, d, g)
		for i, v := range x0 {
			if want := float32(float64(d0[i]) * g[i]); math.Float32bits(x[i]) != math.Float32bits(want) || d[i] != v {
				t.Fatalf("DelayGain, %d samples: [%d] = %v and %v, want %v and %v", n, i, x[i], d[i], want, v)
			}
		}
	}
}
