package loudness

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestKWeightKernelExact checks that the meter with the two-channel
// K-weighting kernel gives, bit for bit, the filter state and sub-block
// sums of the plain Go loop, on noise with a long silence (the states
// decay and are flushed) fed in blocks of several lengths including 0 to 3.
func TestKWeightKernelExact(t *testing.T) {
	t.Parallel()
	if !kAccelerated {
		t.Skip("no accelerated K-weighting kernel on this machine")
	}
	for _, rate := range []float64{44100, 48000, 96000} {
		noise := audiotest.PinkNoise(3, 2, 40000, -6)
		for _, ch := range noise.Data {
			clear(ch[10000:30000])
		}
		fast := NewMeter(rate, 2, Options{Series: true})
		slow := NewMeter(rate, 2, Options{Series: true})
		slow.kwide = nil
		pos := 0
		for _, size := range []int{0, 1, 2, 3, 479, 480, 481, 4096, 20000, 30000} {
			size = min(size, noise.Frames()-pos)
			b := audio.NewBuffer(2, size)
			for c := range b.Data {
				copy(b.Data[c], noise.Data[c][pos:pos+size])
			}
			fast.Process(b)
			slow.Process(b)
			pos += size
			for c := range fast.filters {
				if fast.filters[c] != slow.filters[c] || math.Float64bits(fast.acc[c]) != math.Float64bits(slow.acc[c]) {
					t.Fatalf("%g Hz, after %d frames: channel %d: kernel %+v %v, Go %+v %v", rate, pos, c, fast.filters[c], fast.acc[c], slow.filters[c], slow.acc[c])
				}
			}
		}
		a, b := fast.Result(), slow.Result()
		if math.Float64bits(a.IntegratedLUFS) != math.Float64bits(b.IntegratedLUFS) || len(a.ShortTermLUFS) != len(b.ShortTermLUFS) {
			t.Fatalf("%g Hz: integrated %v, Go %v", rate, a.IntegratedLUFS, b.IntegratedLUFS)
		}
		for i := range a.MomentaryLUFS {
			if x, y := a.MomentaryLUFS[i], b.MomentaryLUFS[i]; math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("%g Hz: momentary %d: %v, Go %v", rate, i, x, y)
			}
		}
	}
}

// TestPeakAbsKernel checks PeakAbs (the kernel on 32-sample runs, the loop
// on the rest) against the plain loop on noise with the peak at every
// position, on negative peaks, NaN, infinity and lengths 0 to 100.
func TestPeakAbsKernel(t *testing.T) {
	t.Parallel()
	plain := func(x []float32) uint32 {
		var p uint32
		for _, v := range x {
			p = max(p, math.Float32bits(v)&^(1<<31))
		}
		return p
	}
	noise := audiotest.WhiteNoise(4, 1, 100, -12).Data[0]
	for n := 0; n <= len(noise); n++ {
		for _, special := range []float32{0, 0.9, -0.95, float32(math.Inf(-1)), float32(math.NaN())} {
			x := append([]float32(nil), noise[:n]...)
			if n > 0 && special != 0 {
				x[(n*7+3)%n] = special
			}
			if got, want := math.Float32bits(PeakAbs(x)), plain(x); got != want {
				t.Fatalf("n=%d, special %v: PeakAbs bits %#x, loop %#x", n, special, got, want)
			}
		}
	}
}

// TestIntegratedOnly checks that a meter with Options.IntegratedOnly gives
// exactly the full meter's integrated loudness and momentary maximum, and
// NaN for what it leaves out.
func TestIntegratedOnly(t *testing.T) {
	t.Parallel()
	noise := audiotest.PinkNoise(9, 2, 48000*5, -20)
	full := NewMeter(48000, 2, Options{})
	lean := NewMeter(48000, 2, Options{IntegratedOnly: true})
	for pos := 0; pos < noise.Frames(); pos += 3000 {
		b := &audio.Buffer{Data: [][]float32{noise.Data[0][pos:min(pos+3000, noise.Frames())], noise.Data[1][pos:min(pos+3000, noise.Frames())]}}
		full.Process(b)
		lean.Process(b)
	}
	f, l := full.Result(), lean.Result()
	if math.Float64bits(f.IntegratedLUFS) != math.Float64bits(l.IntegratedLUFS) || f.MomentaryMaxLUFS != l.MomentaryMaxLUFS || math.IsNaN(f.IntegratedLUFS) {
		t.Errorf("integrated %v / momentary max %v, full meter %v / %v", l.IntegratedLUFS, l.MomentaryMaxLUFS, f.IntegratedLUFS, f.MomentaryMaxLUFS)
	}
	if !math.IsNaN(l.LoudnessRangeLU) || !math.IsNaN(l.ShortTermMaxLUFS) || !math.IsNaN(l.SamplePeakDBFS) || !math.IsNaN(l.ChannelSamplePeakDBFS[1]) || len(lean.shortTerm) != 0 {
		t.Errorf("range %v, short-term max %v, sample peak %v %v, %d short-term values kept: want NaN and none",
			l.LoudnessRangeLU, l.ShortTermMaxLUFS, l.SamplePeakDBFS, l.ChannelSamplePeakDBFS, len(lean.shortTerm))
	}
}
