package main

import (
	"math"
	"math/rand/v2"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// The music the listening test masters, made in code: drums, pads, a bass, a piano.

const genFrames = 20 * rate

var generators = []struct {
	name string
	make func() *audio.Buffer
}{
	{"drums", drums},
	{"padkick", padKick},
	{"basspad", bassPad},
	{"piano", piano},
}

// kick adds a kick at frame at: a sine swept 120 → 45 Hz, 2 ms rise,
// 180 ms decay, amplitude a on both channels.
func kick(b *audio.Buffer, at int, a float64) {
	var ph float64
	for n := 0; n < rate/2 && at+n < b.Frames(); n++ {
		t := float64(n) / rate
		f := 45 + 75*math.Exp(-t/0.04)
		ph += 2 * math.Pi * f / rate
		env := math.Min(1, t/0.002) * math.Exp(-t/0.18)
		v := float32(a * env * math.Sin(ph))
		b.Data[0][at+n] += v
		b.Data[1][at+n] += v
	}
}

// burst adds noise high-passed by differencing (order k) with an instant
// attack and decay tau, panned by pan (−1 … 1).
func burst(b *audio.Buffer, rng *rand.Rand, at int, a, tau float64, k int, pan float64) {
	prev := make([]float64, k+1)
	for n := 0; n < int(6*tau*rate) && at+n < b.Frames(); n++ {
		x := rng.NormFloat64()
		for j := range k {
			x, prev[j] = x-prev[j], x
		}
		v := a * math.Exp(-float64(n)/rate/tau) * x / math.Pow(2, float64(k)/2)
		b.Data[0][at+n] += float32(v * math.Sqrt((1-pan)/2))
		b.Data[1][at+n] += float32(v * math.Sqrt((1+pan)/2))
	}
}

func drums() *audio.Buffer {
	b := audio.NewBuffer(2, genFrames)
	rng := rand.New(rand.NewPCG(1, 2))
	const beat = rate / 2 // 120 BPM
	for at := 0; at < genFrames; at += beat / 2 {
		i := at / (beat / 2)
		burst(b, rng, at, 0.12, 0.03, 2, 0.4) // hats on eighths
		switch i % 4 {
		case 0:
			kick(b, at, 0.7)
		case 2:
			burst(b, rng, at, 0.35, 0.08, 1, -0.1) // snare
			addTone(b, at, 190, 0.3, 0.06, 0)
		}
	}
	audiotest.Normalize(b, -3)
	return b
}

// addTone adds a sine of f Hz, amplitude a, decay tau, panned by pan.
func addTone(b *audio.Buffer, at int, f, a, tau, pan float64) {
	for n := 0; n < int(8*tau*rate) && at+n < b.Frames(); n++ {
		t := float64(n) / rate
		v := a * math.Min(1, t/0.001) * math.Exp(-t/tau) * math.Sin(2*math.Pi*f*t)
		b.Data[0][at+n] += float32(v * math.Sqrt((1-pan)/2))
		b.Data[1][at+n] += float32(v * math.Sqrt((1+pan)/2))
	}
}

// pad adds a steady chord of partials from 700 Hz to 4 kHz, each channel
// its own phases (a wide image), amplitude a per partial.
func pad(b *audio.Buffer, a float64, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, root := range []float64{880, 1108.73, 1318.51} {
		for h := 1.0; root*h < 4000; h++ {
			f := root * h
			amp := a / h
			for c := range 2 {
				ph := rng.Float64() * 2 * math.Pi
				w := 2 * math.Pi * f / rate
				for n := range b.Frames() {
					b.Data[c][n] += float32(amp * math.Sin(w*float64(n)+ph))
				}
			}
		}
	}
}

func padKick() *audio.Buffer {
	b := audio.NewBuffer(2, genFrames)
	pad(b, 0.04, 3)
	for at := 0; at < genFrames; at += rate / 2 {
		kick(b, at, 0.8)
	}
	audiotest.Normalize(b, -3)
	return b
}

func bassPad() *audio.Buffer {
	b := audio.NewBuffer(2, genFrames)
	pad(b, 0.05, 5)
	notes := []float64{55, 55, 73.42, 65.41}
	for n := range genFrames {
		t := float64(n) / rate
		f := notes[int(t)%len(notes)]
		ph := 2 * math.Pi * f * t
		v := float32(0.3 * (math.Sin(ph) + 0.3*math.Sin(2*ph) + 0.1*math.Sin(3*ph)))
		b.Data[0][n] += v // mono: the same on both channels
		b.Data[1][n] += v
	}
	audiotest.Normalize(b, -3)
	return b
}

func piano() *audio.Buffer {
	b := audio.NewBuffer(2, genFrames)
	rng := rand.New(rand.NewPCG(9, 9))
	notes := []float64{261.63, 329.63, 392, 523.25, 220, 174.61, 196, 246.94}
	for k, at := 0, 0; at < genFrames; k, at = k+1, at+rate*3/4 {
		f := notes[k%len(notes)]
		pan := float64(k%5)/2 - 1
		for h := 1.0; h <= 10 && f*h < 18000; h++ {
			fh := f * h * math.Sqrt(1+0.0004*h*h) // string inharmonicity
			addTone(b, at, fh, 0.25/h, 1.5/math.Sqrt(h), pan*0.6)
		}
		burst(b, rng, at, 0.05, 0.004, 1, pan*0.6) // the hammer
	}
	audiotest.Normalize(b, -3)
	return b
}
