package envelope

import (
	"math"
	"slices"
	"testing"
)

// pulses is a target of half-sine pulses, width samples wide, n samples
// long, the k-th starting at at(k) with height height (the largest
// sample is a little under it: the pulse's crest falls between two).
func pulses(n, width int, at func(k int) (start int, height float64)) []float64 {
	t := make([]float64, n)
	for k := 0; ; k++ {
		start, h := at(k)
		if start >= n {
			return t
		}
		for i := range width {
			if start+i < n {
				t[start+i] = h * math.Sin(math.Pi*float64(i+1)/float64(width+1))
			}
		}
	}
}

// TestReleasePeriodicHold: the target of a 20 Hz tone (a peak every 25 ms
// at 48 kHz, past the 10 ms hold) holds the reduction still from the
// fourth peak on (three agreeing intervals): the reduction between the
// peaks stays at the peaks' height to 1e-12, where the plain hold lets it
// fall by more than 5 %. Peaks of the same heights at irregular intervals
// (each 10 % or more off the one before) are released exactly as by the
// plain hold.
func TestReleasePeriodicHold(t *testing.T) {
	t.Parallel()
	const fs, every, width, h = 48000, 1200, 240, 2.0
	c := NewRelease(24, 80, 160, 10, 30, fs)
	plain := NewRelease(24, 80, 160, 10, 0, fs)
	run := func(c Release, x []float64) []float64 {
		var s ReleaseState
		out := make([]float64, len(x))
		for i, v := range x {
			c.Advance(&s, v)
			out[i] = s.R
		}
		return out
	}
	steady := pulses(20*every, width, func(k int) (int, float64) { return k * every, h })
	top := slices.Max(steady)
	// From the fourth peak's fall on (the peak is at width/2).
	from := 3*every + width/2 + 1
	if got := slices.Min(run(c, steady)[from:]); math.Abs(got-top) > 1e-12 {
		t.Errorf("periodic hold: the reduction fell to %g between the peaks, want %g", got, top)
	}
	if got := slices.Min(run(plain, steady)[from:]); got > 0.95*top {
		t.Errorf("plain hold: the reduction fell only to %g between the peaks; the test's peaks do not need the periodic hold", got)
	}
	// Each interval 10 % of the period or more off the one before.
	at := 0
	irregular := pulses(20*every, width, func(k int) (int, float64) {
		start := at
		at += every * []int{8, 10, 12, 9, 11}[k%5] / 10
		return start, h
	})
	got, want := run(c, irregular), run(plain, irregular)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("irregular peaks: reduction %g at sample %d, the plain hold's %g", got[i], i, want[i])
		}
	}
}

// TestReleasePeriodicHoldLetsGo: periodic peaks under a deeper reduction
// (a transient of 4× their height first) do not hold it: it falls to the
// peaks' height as the plain hold lets it, and is held there; and when the
// peaks stop, it releases one periodic hold (5/4 of the interval) after
// the last.
func TestReleasePeriodicHoldLetsGo(t *testing.T) {
	t.Parallel()
	const fs, every, width, h = 48000, 1200, 240, 1.0
	c := NewRelease(24, 80, 160, 10, 30, fs)
	const peaks = 40
	x := pulses(peaks*every+2*every, width, func(k int) (int, float64) {
		if k >= peaks {
			return math.MaxInt, 0
		}
		return k * every, h
	})
	for i := range 480 { // the transient over the first peaks
		x[i] = max(x[i], 4*h)
	}
	top := slices.Max(x[every:])
	var s ReleaseState
	r := make([]float64, len(x))
	for i, v := range x {
		c.Advance(&s, v)
		r[i] = s.R
	}
	if mid := slices.Min(r[30*every : (peaks-1)*every]); math.Abs(mid-top) > 1e-12 {
		t.Errorf("after the transient the reduction stands at %g, want the peaks' %g", mid, top)
	}
	lastFall := (peaks-1)*every + width/2 + 1
	holdEnd := lastFall + every*5/4
	if r[holdEnd-2] != top || !(r[holdEnd+48] < top) {
		t.Errorf("after the last peak: %g at the hold's end, %g 1 ms later; want %g then less", r[holdEnd-2], r[holdEnd+48], top)
	}
}

// TestReleaseRest: Rest(s, n) is n steps of target 0 from a state at rest,
// including the periodic hold's tracking of the peaks, so a caller that
// skips them continues with the same bits.
func TestReleaseRest(t *testing.T) {
	t.Parallel()
	c := NewRelease(24, 80, 160, 10, 30, 48000)
	x := pulses(4*1200, 240, func(k int) (int, float64) { return k * 1200, 1e-3 })
	var s ReleaseState
	for _, v := range x {
		c.Advance(&s, v)
	}
	for s.R != 0 || s.Avg != 0 {
		c.Advance(&s, 0)
	}
	for _, n := range []int{1, 256, 5000} {
		stepped := s
		for range n {
			c.Advance(&stepped, 0)
		}
		if got := c.Rest(s, n); got != stepped {
			t.Errorf("Rest(%d) = %+v, %d steps give %+v", n, got, n, stepped)
		}
	}
}
