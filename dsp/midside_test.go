package dsp

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
)

// scaler is a one-channel processor that multiplies the signal (g = 1 is
// the identity).
type scaler struct{ g float32 }

func (s *scaler) Prepare(Spec) {}
func (s *scaler) Reset()       {}
func (s *scaler) Latency() int { return 0 }
func (s *scaler) Process(b *audio.Buffer) {
	if b.Channels() != 1 {
		panic("scaler: want one channel")
	}
	for i := range b.Data[0] {
		b.Data[0][i] *= s.g
	}
}

func randomStereo(n int) *audio.Buffer {
	b := audio.NewBuffer(2, n)
	x := uint32(12345)
	for i := range n {
		for c := range 2 {
			x = x*1664525 + 1013904223
			b.Data[c][i] = float32(int32(x)) / (1 << 31) * float32(math.Pow(10, float64(i%7)-4))
		}
	}
	return b
}

// TestMidSideNull: encode → identity → decode returns the input bit for
// bit, on mid and on side, over values spanning 12 decades.
func TestMidSideNull(t *testing.T) {
	t.Parallel()
	for _, ch := range []string{ChannelMid, ChannelSide} {
		x := randomStereo(5000)
		y := x.Clone()
		m := NewMidSide(&scaler{g: 1}, ch)
		m.Prepare(Spec{SampleRate: 48000, MaxBlockSize: 5000, Channels: 2})
		m.Process(y)
		for c := range 2 {
			for i := range x.Data[c] {
				if x.Data[c][i] != y.Data[c][i] {
					t.Fatalf("%s: channel %d frame %d: %g → %g", ch, c, i, x.Data[c][i], y.Data[c][i])
				}
			}
		}
	}
}

// TestMidSideSelects: scaling the side by 0 gives mono (L = R = M), scaling
// the mid by 0 gives the side in antiphase (L = S, R = −S), each within
// float32 rounding.
func TestMidSideSelects(t *testing.T) {
	t.Parallel()
	x := randomStereo(1000)
	for _, ch := range []string{ChannelMid, ChannelSide} {
		y := x.Clone()
		m := NewMidSide(&scaler{g: 0}, ch)
		m.Prepare(Spec{SampleRate: 48000, MaxBlockSize: 1000, Channels: 2})
		m.Process(y)
		for i := range y.Data[0] {
			l, r := float64(x.Data[0][i]), float64(x.Data[1][i])
			wantL, wantR := (l-r)/2, -(l-r)/2
			if ch == ChannelSide {
				wantL, wantR = (l+r)/2, (l+r)/2
			}
			tol := 1e-7 * (math.Abs(l) + math.Abs(r))
			if math.Abs(float64(y.Data[0][i])-wantL) > tol || math.Abs(float64(y.Data[1][i])-wantR) > tol {
				t.Fatalf("%s = 0, frame %d: (%g, %g), want (%g, %g)", ch, i, y.Data[0][i], y.Data[1][i], wantL, wantR)
			}
		}
	}
}

func TestCorrelation(t *testing.T) {
	t.Parallel()
	c := NewCorrelation(48000)
	x := randomStereo(48000)
	c.Add(x.Data[0], x.Data[0])
	if v, mn := c.Value(); math.Abs(v-1) > 1e-12 || math.Abs(mn-1) > 1e-12 {
		t.Errorf("identical channels: %g (window min %g), want 1", v, mn)
	}
	c.Reset()
	neg := make([]float32, len(x.Data[0]))
	for i, v := range x.Data[0] {
		neg[i] = -v
	}
	c.Add(x.Data[0], neg)
	if v, _ := c.Value(); math.Abs(v+1) > 1e-12 {
		t.Errorf("inverted channels: %g, want −1", v)
	}
	c.Reset()
	c.Add(x.Data[0], x.Data[1])
	if v, _ := c.Value(); math.Abs(v) > 0.02 {
		t.Errorf("independent channels: %g, want about 0", v)
	}
}

func BenchmarkMidSide(b *testing.B) {
	m := NewMidSide(&scaler{g: 0.5}, ChannelSide)
	m.Prepare(Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2})
	x := randomStereo(4096)
	b.ResetTimer()
	for range b.N {
		m.Process(x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4096), "ns/sample")
}

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
