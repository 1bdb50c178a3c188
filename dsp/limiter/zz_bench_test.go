package limiter

import (
	"testing"

	"stemmaster/internal/audiotest"
)

func BenchmarkZZDetector(b *testing.B) {
	d := newDetector4x(2, 256)
	x := audiotest.WhiteNoise(1, 2, 256, 6)
	z := make([]float64, 4*256)
	cpu0 := processCPUTime()
	for b.Loop() {
		for c := range 2 {
			in := d.input(c, 256)
			for i, v := range x.Data[c] {
				in[i] = float64(v)
			}
			d.run(c, 256, z, c == 0)
		}
	}
	b.ReportMetric(float64((processCPUTime()-cpu0).Nanoseconds())/float64(b.N*512), "cpu-ns/sample/ch")
}

func BenchmarkZZGain(b *testing.B) {
	l := newLimiter(DefaultParams(), 48000, 2)
	x := audiotest.WhiteNoise(1, 1, 256, 6)
	g := make([]float64, 256)
	cpu0 := processCPUTime()
	for b.Loop() {
		for i, v := range x.Data[0] {
			g[i] = 1 + float64(v)
		}
		l.gainChunk(g)
		for _, v := range g {
			l.account(v)
		}
	}
	b.ReportMetric(float64((processCPUTime()-cpu0).Nanoseconds())/float64(b.N*512), "cpu-ns/sample/ch")
}
