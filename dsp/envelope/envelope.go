// Package envelope is the gain-smoothing code the dynamics processors share
// (the compressor, the multiband and dynamic-EQ bands, the true-peak
// limiter): fast log2/exp2 for the per-frame gain path, the branching
// attack/release smoother of the compressor, and the limiter's
// program-dependent release. All of them work on gain reduction in the log
// domain (dB or log2 units, ≥ 0), so a release of a given time constant
// sounds the same from 1 dB and from 12 dB of reduction.
//
// The per-frame paths also come as block kernels: Log2Block, Exp2Block,
// the compressor's whole level-to-gain path (GainComputer: log2, static
// curve, smoothing, gain), the gain's application (ApplyGain, DelayGain),
// the control-rate detector (ControlRate) and up to four of them stepped
// side by side with their multiband gain computers (Lanes, BandCurve).
// They are written in AVX2 assembly (chosen at run time by
// golang.org/x/sys/cpu; the Go loops are the fallback and the purego build
// tag forces them) because the Go compiler does not vectorise: the
// assembly does the Go code's operations in its order, so the bits are the
// same on every machine, and tests hold them to it.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package envelope

import "math"

// Coef returns the per-sample coefficient 1 − exp(−1/(τ·fs)) of a one-pole
// smoother with time constant ms at sampleRate: the share of the distance
// to its target it covers per sample.
func Coef(ms, sampleRate float64) float64 {
	return -math.Expm1(-1 / (ms / 1000 * sampleRate))
}

// Smoother is the branching one-pole smoother of Giannoulis, Massberg and
// Reiss (2012, eq. 16) on a gain reduction: the attack coefficient when the
// target rises above the smoothed value, the release coefficient otherwise.
// A step is (1 − α)·gr + α·target, one fused multiply-add on gr: α·target
// does not depend on gr, so the serial recursion from one sample to the
// next is the FMA and the choice alone (the form gr + α·(target − gr)
// puts a subtraction, a product and a sum on it). The coefficients are kept as bits so Step chooses
// one with a mask instead of a branch (noise makes that branch
// unpredictable).
type Smoother struct {
	attack, release uint64 // bits of α = Coef(attack), Coef(release)
	keepA, keepR    uint64 // bits of 1 − α for each
}

// NewSmoother returns the smoother for the attack and release time
// constants (ms) at sampleRate.
func NewSmoother(attackMS, releaseMS, sampleRate float64) Smoother {
	a, r := Coef(attackMS, sampleRate), Coef(releaseMS, sampleRate)
	return Smoother{math.Float64bits(a), math.Float64bits(r), math.Float64bits(1 - a), math.Float64bits(1 - r)}
}

// Step moves gr one sample towards target and returns it. Released
// towards a target of 0 from under flushBelow it snaps to exactly 0 (the
// gain is then exactly the makeup, and the recursion does not crawl
// through subnormal numbers, which cost the processor a hundred cycles a
// step, for the seconds a decay from there takes).
func (s Smoother) Step(gr, target float64) float64 {
	mask := -uint64(b2u(target > gr))
	c := math.Float64frombits(s.release ^ (s.attack^s.release)&mask)
	k := math.Float64frombits(s.keepR ^ (s.keepA^s.keepR)&mask)
	next := math.FMA(k, gr, c*target)
	if gr < flushBelow && target == 0 {
		next = 0
	}
	return next
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Release is a program-dependent release in the log domain: a reduction r
// rises at once to a higher target (the caller's look-ahead and hold have
// shaped the attack) and falls back exponentially in dB with a time
// constant that adapts to the programme. A slow average of r measures how
// sustained the reduction is: where r stands well above its average (an
// isolated transient) the fast time constant applies, so the gain recovers
// before the next note; where r stays near its average (sustained limiting,
// bass peaks every few milliseconds) the slow one does, so the gain stands
// still between the peaks instead of rippling with them (the ripple is what
// intermodulates the rest of the mix).
//
// The mix k = (avg/r)² in [0, 1] blends the two per-sample coefficients.
//
// Periodic hold: after its last rise r holds for the hold time, which
// bridges the peaks of bass down to some frequency; below it (a 20 Hz tone
// peaks every 25 ms in |x|) r would fall between the peaks and rise again at
// each, a ripple at twice the tone's frequency that distorts it. So Advance
// also finds the peaks of the target itself (where it starts to fall after
// rising); once three intervals in a row, each longer than the hold and at
// most the longest period, agree with the one before within 1/16 and the
// peaks' heights within 1/8, each such peak near r (at least 7/8 of it)
// holds r for 5/4 of the interval. The peaks are read from the target alone, never from
// r, so a long hold cannot make its own input look more periodic; noise and
// music, whose peaks come at irregular intervals, keep the plain hold.
type Release struct {
	fast, slow, avg float64 // per-sample coefficients
	hold            int32   // samples the reduction holds after its last rise
	period          int32   // longest interval between the target's peaks a periodic hold bridges, samples
}

// ReleaseState is a Release's memory: the reduction and its slow average,
// in the caller's log units (dB or log2), ≥ 0, and the periodic hold's
// tracking of the target's peaks.
type ReleaseState struct {
	R, Avg float64
	held   int32 // samples of hold left

	prevT  float64 // the last target
	lastP  float64 // the height of the target's last peak
	since  int32   // samples since that peak (saturates past period)
	lastI  int32   // the interval before it, samples
	rising bool    // the target rose since its last fall
	runs   int32   // consecutive intervals that agreed with the one before
}

// NewRelease returns the release for the fast and slow time constants, the
// averaging time, the hold and the longest period the periodic hold
// bridges (ms) at sampleRate.
func NewRelease(fastMS, slowMS, avgMS, holdMS, periodMS, sampleRate float64) Release {
	return Release{fast: Coef(fastMS, sampleRate), slow: Coef(slowMS, sampleRate), avg: Coef(avgMS, sampleRate),
		hold: int32(math.Round(holdMS / 1000 * sampleRate)), period: int32(math.Round(periodMS / 1000 * sampleRate))}
}

// Rest returns the state after steps steps with target 0 from s, a state
// with no reduction and a zero average (R = Avg = 0): the same, with the
// hold re-armed and the time since the target's last peak advanced. A
// caller that knows its release is at rest skips the steps with it.
func (c Release) Rest(s ReleaseState, steps int) ReleaseState {
	s.held = c.hold
	s.since = int32(min(int64(s.since)+int64(steps), int64(c.period)+1))
	return s
}

// flushBelow is the reduction under which the release snaps to exactly 0
// (about 6e-9 dB in log2 units): the gain is then exactly 1 again.
const flushBelow = 1e-9

// Advance moves s one sample towards target (≥ 0): s.R becomes the new
// reduction (≥ target).
func (c *Release) Advance(s *ReleaseState, target float64) {
	r, held := s.R, s.held-1
	if s.since <= c.period {
		s.since++
	}
	if target > s.prevT {
		s.rising = true
	} else if target < s.prevT && s.rising {
		held = c.peak(s, held)
	}
	s.prevT = target
	switch {
	case target >= r:
		r = target
		if held < c.hold {
			held = c.hold
		}
	case held > 0:
	default:
		// min and max written as comparisons: the values are finite and
		// r > 0 here, so the builtins' NaN and signed-zero handling
		// (instructions on the recursion's critical path) is not needed.
		k := s.Avg / r
		if k > 1 {
			k = 1
		}
		k *= k
		r -= (c.fast + (c.slow-c.fast)*k) * r
		if r < target {
			r = target
		}
	}
	avg := s.Avg + (r-s.Avg)*c.avg
	if r < flushBelow {
		r = 0
	}
	if avg < flushBelow {
		avg = 0
	}
	if held < 0 {
		held = 0
	}
	s.R, s.Avg, s.held = r, avg, held
}

// peak notes a peak of the target (its last value, s.prevT: the target
// just started to fall) and returns the hold left: held, or the periodic
// hold when the peaks are periodic and this one is near the reduction s.R.
// Peaks are rare beside the steps, so this stays out of Advance's body.
//
//go:noinline
func (c *Release) peak(s *ReleaseState, held int32) int32 {
	p := s.prevT
	s.rising = false
	i := s.since
	d, dp := i-s.lastI, p-s.lastP
	s.runs++
	if !(i > c.hold && i <= c.period && max(d, -d) <= i>>4 && max(dp, -dp) <= max(p, s.lastP)/8) {
		s.runs = 0
	}
	s.lastI, s.lastP, s.since = i, p, 0
	if s.runs >= 2 && p >= s.R*7/8 {
		held = max(held, i+i>>2)
	}
	return held
}
