package limiter

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

func TestZZDebug(t *testing.T) {
	rate := 48000.0
	x := audiotest.WhiteNoise(42, 2, 48000, 12)
	l := newLimiter(DefaultParams(), rate, 2)
	D := l.Latency()
	y := process(l, x, 512)
	ref := newReference16x()
	_, at := ref.truePeakDB(y)
	// local true peaks around the offending output frame
	n0 := at - D
	seg := func(b *audio.Buffer, off, from, to int) *audio.Buffer {
		o := &audio.Buffer{Data: make([][]float32, 2)}
		for c := range o.Data {
			o.Data[c] = b.Data[c][from+off : to+off]
		}
		return o
	}
	for k := n0 - 3; k <= n0+3; k++ {
		yin, _ := ref.truePeakDB(seg(x, 0, k-60, k+61))
		_ = yin
	}
	// gains: y/x per frame
	for k := n0 - 6; k <= n0+6; k++ {
		g0 := float64(y.Data[0][k+D]) / float64(x.Data[0][k])
		g1 := float64(y.Data[1][k+D]) / float64(x.Data[1][k])
		t.Logf("frame %d x=%.3f %.3f y=%.3f %.3f g=%.5f %.5f", k, x.Data[0][k], x.Data[1][k], y.Data[0][k+D], y.Data[1][k+D], g0, g1)
	}
	// detector-only estimate of the input around n0 with a fresh limiter
	l2 := newLimiter(DefaultParams(), rate, 2)
	peaks := make([]float64, 0, 48000)
	for i := 0; i < 48000; i++ {
		peaks = append(peaks, l2.detect(x.Data, i))
	}
	kd := 8
	for k := n0 - 3; k <= n0+3; k++ {
		// reference peak of x within [k-0.5,k+0.5): evaluate at 16 points
		best := 0.0
		for c := 0; c < 2; c++ {
			for q := -8; q < 8; q++ {
				tt := float64(k) + float64(q)/16
				var s float64
				for m := int(tt) - 60; m <= int(tt)+60; m++ {
					if m >= 0 && m < 48000 {
						s += float64(x.Data[c][m]) * sinc(tt-float64(m))
					}
				}
				best = math.Max(best, math.Abs(s))
			}
		}
		t.Logf("frame %d: detector %.4f ref %.4f ratio %.3f dB", k, peaks[k+kd], best, 20*math.Log10(peaks[k+kd]/best))
	}
}
