package loudness

import (
	"fmt"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// BenchmarkMeter meters 10 s of 48 kHz stereo pink noise (peaking at -1 dBFS)
// fed in blocks of several sizes, and reports x-real-time: seconds of audio
// metered per second of one core's time.
func BenchmarkMeter(b *testing.B) {
	const fs, sec = 48000, 10
	sig := audiotest.PinkNoise(7, 2, fs*sec, -1)
	for _, opt := range []struct {
		name string
		opt  Options
	}{
		{"loudness", Options{}},
		{"loudness+truepeak", Options{TruePeak: true}},
	} {
		for _, block := range []int{256, 1024, 4096, 16384} {
			b.Run(fmt.Sprintf("%s/block%d", opt.name, block), func(b *testing.B) {
				m := NewMeter(fs, 2, opt.opt)
				view := &audio.Buffer{Data: make([][]float32, 2)}
				b.ResetTimer()
				for b.Loop() {
					m.Reset()
					for off := 0; off < fs*sec; off += block {
						end := min(off+block, fs*sec)
						view.Data[0], view.Data[1] = sig.Data[0][off:end], sig.Data[1][off:end]
						m.Process(view)
					}
					_ = m.Result()
				}
				b.ReportMetric(float64(sec)*float64(b.N)/b.Elapsed().Seconds(), "x-real-time")
			})
		}
	}
}
