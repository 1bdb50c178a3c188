package envelope

import (
	"math"
	"testing"
)

// TestReleaseLogDomain: with the fast and slow time constants equal, the
// reduction decays exponentially in dB: after τ it is r0/e whatever r0 (a
// linear-domain release recovers faster from deep reduction), and after the
// hold it starts at once.
func TestReleaseLogDomain(t *testing.T) {
	t.Parallel()
	const fs, tau, hold = 48000.0, 50.0, 5.0
	c := NewRelease(tau, tau, 100, hold, 0, fs)
	for _, r0 := range []float64{1, 6, 20} {
		var s ReleaseState
		c.Advance(&s, r0)
		holdN := int(hold/1000*fs) - 1
		for range holdN {
			c.Advance(&s, 0)
		}
		if s.R != r0 {
			t.Fatalf("r0 %g: %g after the hold, want %g", r0, s.R, r0)
		}
		for range int(tau / 1000 * fs) {
			c.Advance(&s, 0)
		}
		if got, want := s.R, r0/math.E; math.Abs(got/want-1) > 1e-3 {
			t.Errorf("r0 %g: %g after τ, want %g", r0, got, want)
		}
	}
}

// TestReleaseProgramDependent: a reduction that stands near its slow
// average (sustained) releases with the slow time constant, an isolated
// one with the fast; the result never falls below the target.
func TestReleaseProgramDependent(t *testing.T) {
	t.Parallel()
	const fs = 48000.0
	c := NewRelease(10, 200, 100, 0, 0, fs)
	// isolated: 1 ms at 6, then release for 20 ms
	var s ReleaseState
	for range 48 {
		c.Advance(&s, 6)
	}
	for range 960 {
		c.Advance(&s, 0)
	}
	iso := s.R
	// sustained: 2 s at 6, then the same release
	s = ReleaseState{}
	for range 96000 {
		c.Advance(&s, 6)
	}
	for range 960 {
		c.Advance(&s, 0)
		if s.R < 0 {
			t.Fatal("negative reduction")
		}
	}
	sus := s.R
	// isolated: ≈ 6·e^(−2) = 0.81 (the average, ~0.06, hardly slows it);
	// sustained: ≈ 6·e^(−0.1) = 5.4 at first, the average following.
	if !(iso < 1.2 && sus > 5) {
		t.Errorf("after 20 ms of release: isolated %g (want < 1.2), sustained %g (want > 5)", iso, sus)
	}
	for _, target := range []float64{3, 0.5} {
		s = ReleaseState{R: 4, Avg: 4}
		c.Advance(&s, target)
		if s.R < target {
			t.Errorf("released to %g below the target %g", s.R, target)
		}
	}
}

// TestSmoother: the attack coefficient applies on a rising target, the
// release coefficient on a falling one.
func TestSmoother(t *testing.T) {
	t.Parallel()
	const fs = 48000.0
	s := NewSmoother(1, 100, fs)
	up := s.Step(0, 10)
	down := s.Step(10, 0)
	if want := 10 * Coef(1, fs); math.Abs(up-want) > 1e-12 {
		t.Errorf("attack step %g, want %g", up, want)
	}
	if want := 10 - 10*Coef(100, fs); math.Abs(down-want) > 1e-12 {
		t.Errorf("release step %g, want %g", down, want)
	}
}

// BenchmarkRelease: Advance on a sawtooth target (a rise every step, a
// peak every 1024) and on the held reduction of noise (plateaus and
// irregular peaks, where the periodic hold's peak tracking branches
// unpredictably).
func BenchmarkRelease(b *testing.B) {
	c := NewRelease(24, 80, 160, 10, 30, 48000)
	saw := make([]float64, 4096)
	noise := make([]float64, 4096)
	x := uint64(1)
	for i := range saw {
		saw[i] = float64(i&1023) * 0.01
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		noise[i] = float64(x>>40) / (1 << 24) * float64(x>>62+1)
		if i > 0 && i%8 != 0 {
			noise[i] = noise[i-1] // plateaus, as after the limiter's sliding minimum
		}
	}
	for _, tc := range []struct {
		name string
		t    []float64
	}{{"saw", saw}, {"noise", noise}} {
		b.Run(tc.name, func(b *testing.B) {
			var s ReleaseState
			for b.Loop() {
				for _, t := range tc.t {
					c.Advance(&s, t)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tc.t)), "ns/step")
		})
	}
}

// TestBlockSmootherMatchesSteps: n steps of Smoother towards a constant
// target and one BlockSmoother step of n agree within 1e-12 dB, attack and
// release, for every run length.
func TestBlockSmootherMatchesSteps(t *testing.T) {
	t.Parallel()
	const tol = 1e-12
	sm, bs := NewSmoother(5, 120, 48000), NewBlockSmoother(5, 120, 48000)
	for n := 1; n <= MaxRun; n++ {
		for _, c := range []struct{ gr, target float64 }{{0, 12}, {3, 7.5}, {12, 0}, {6, 2}} {
			want := c.gr
			for range n {
				want = sm.Step(want, c.target)
			}
			if got := bs.Step(c.gr, c.target, n); math.Abs(got-want) > tol {
				t.Errorf("n=%d %+v: %.15g, want %.15g", n, c, got, want)
			}
		}
	}
	if r := Run(5, 48000); r != MaxRun {
		t.Errorf("run for 5 ms: %d", r)
	}
	if r := Run(0.05, 48000); r != 1 {
		t.Errorf("run for 0.05 ms: %d", r)
	}
}
