package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCorrelationPieces: blocks of any size, across window ends, give the
// bits of adding one frame at a time.
func TestCorrelationPieces(t *testing.T) {
	t.Parallel()
	x := randomStereo(30000)
	one := NewCorrelation(48000)
	for i := range x.Data[0] {
		one.Add(x.Data[0][i:i+1], x.Data[1][i:i+1])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	c := NewCorrelation(48000)
	for pos := 0; pos < len(x.Data[0]); {
		n := min(len(x.Data[0])-pos, rng.IntN(9000))
		c.Add(x.Data[0][pos:pos+n], x.Data[1][pos:pos+n])
		pos += n
	}
	v1, m1 := one.Value()
	v, m := c.Value()
	if math.Float64bits(v) != math.Float64bits(v1) || math.Float64bits(m) != math.Float64bits(m1) {
		t.Errorf("in pieces %v (window min %v), a frame at a time %v (%v)", v, m, v1, m1)
	}
	if m1 == 1 {
		t.Error("no whole window was measured")
	}
}

func BenchmarkCorrelation(b *testing.B) {
	x := randomStereo(4096)
	c := NewCorrelation(48000)
	for b.Loop() {
		c.Add(x.Data[0], x.Data[1])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4096), "ns/frame")
}
