package loudness

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
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
		{"loudness+truepeak8x", Options{TruePeak: true, TruePeakOversampling: 8}},
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

// BenchmarkMeterMusic meters the 45 s francium mix (real, mastered-level
// music, where the true-peak skip bounds matter most), fed in 4096-frame
// blocks. It skips without the shared test data or ffmpeg.
func BenchmarkMeterMusic(b *testing.B) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		b.Skip("skipping: ffmpeg (used to decode) not installed")
	}
	sig := ffmpegDecode(b, filepath.Join(audiotest.FranciumDir(b), "mix.wav"), 2)
	const fs, block = 48000, 4096
	m := NewMeter(fs, 2, Options{TruePeak: true})
	view := &audio.Buffer{Data: make([][]float32, 2)}
	n := sig.Frames()
	b.ResetTimer()
	for b.Loop() {
		m.Reset()
		for off := 0; off < n; off += block {
			end := min(off+block, n)
			view.Data[0], view.Data[1] = sig.Data[0][off:end], sig.Data[1][off:end]
			m.Process(view)
		}
		_ = m.Result()
	}
	b.ReportMetric(float64(n)/fs*float64(b.N)/b.Elapsed().Seconds(), "x-real-time")
}

// BenchmarkTruePeak runs the true-peak detector alone over 10 s of 48 kHz
// stereo in chunks of tpChunk frames, and reports ns per frame: pink noise
// peaking at -1 dBFS, and a master-like mix (tones and noise under a slow
// tremolo, peaking at -2 dBFS), where most runs are skipped by the bounds.
func BenchmarkTruePeak(b *testing.B) {
	const fs, frames = 48000, 10 * 48000
	mix := audiotest.PinkNoise(8, 2, frames, -12)
	for c, x := range mix.Data {
		for i := range x {
			t := float64(i) / fs
			v := 0.3*math.Sin(2*math.Pi*(110+float64(c))*t) + 0.2*math.Sin(2*math.Pi*443*t) + 0.1*math.Sin(2*math.Pi*1760*t)
			x[i] = float32((v + float64(x[i])) * (0.75 + 0.25*math.Sin(2*math.Pi*3*t)))
		}
	}
	scale := float32(audio.Amplitude(-2)) / PeakAbs(append(append([]float32(nil), mix.Data[0]...), mix.Data[1]...))
	for _, x := range mix.Data {
		for i := range x {
			x[i] *= scale
		}
	}
	for _, s := range []struct {
		name string
		sig  *audio.Buffer
	}{{"pink", audiotest.PinkNoise(7, 2, frames, -1)}, {"mix", mix}} {
		b.Run(s.name, func(b *testing.B) {
			ip := newInterpolator(4)
			tps := []*truePeak{newTruePeak(ip), newTruePeak(ip)}
			for b.Loop() {
				for c, tp := range tps {
					tp.reset()
					for x := s.sig.Data[c]; len(x) > 0; x = x[min(len(x), tpChunk):] {
						tp.process(x[:min(len(x), tpChunk)])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/frames, "ns/frame")
		})
	}
}

// BenchmarkExtremes takes the extremes of a 4800-frame channel (a curve
// step at 48 kHz).
func BenchmarkExtremes(b *testing.B) {
	x := audiotest.WhiteNoise(9, 1, 4800, -6).Data[0]
	b.SetBytes(4 * int64(len(x)))
	for b.Loop() {
		Extremes(x)
	}
}
