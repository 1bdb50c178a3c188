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
	x := audiotest.WhiteNoise(1, 1, 4096, 6)
	cpu0 := processCPUTime()
	i := 0
	for b.Loop() {
		g := l.gain(1 + float64(x.Data[0][i&4095]))
		l.account(g)
		i++
	}
	b.ReportMetric(float64((processCPUTime()-cpu0).Nanoseconds())/float64(b.N*2), "cpu-ns/sample/ch")
}
