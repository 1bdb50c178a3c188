// Package audiotest is the test-signal kit shared by every stemmaster test:
// sines at an exact peak level, seeded white and pink noise, impulses,
// logarithmic sweeps and sequences of segments, all as audio.Buffers, plus
// helpers to compare levels within named tolerances, and to cut a buffer
// into blocks (View) or move a span of it as a broken delivery does
// (Shifted).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package audiotest

import (
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
)

// Sine returns a sine of the given frequency whose peak is peakDBFS
// (0 dBFS = amplitude 1.0), starting at phase (radians), identical in every
// channel. Phase is computed in float64 from the frame index, so long signals
// do not drift.
func Sine(rate float64, channels, frames int, freq, peakDBFS, phase float64) *audio.Buffer {
	b := audio.NewBuffer(channels, frames)
	a := audio.Amplitude(peakDBFS)
	w := 2 * math.Pi * freq / rate
	for i := 0; i < frames; i++ {
		v := float32(a * math.Sin(w*float64(i)+phase))
		for c := range b.Data {
			b.Data[c][i] = v
		}
	}
	return b
}

// Silence returns a zeroed buffer.
func Silence(channels, frames int) *audio.Buffer { return audio.NewBuffer(channels, frames) }

// WhiteNoise returns uniform white noise with the given peak level, from a
// seeded generator; each channel is independent.
func WhiteNoise(seed uint64, channels, frames int, peakDBFS float64) *audio.Buffer {
	return noise(seed, channels, frames, audio.Amplitude(peakDBFS), func(rng *rand.Rand) float64 { return 2*rng.Float64() - 1 })
}

// GaussianNoise returns Gaussian white noise of the given RMS level (dBFS,
// where a full-scale sine is -3.01 dB RMS… here 0 dB RMS = RMS of 1.0).
func GaussianNoise(seed uint64, channels, frames int, rmsDB float64) *audio.Buffer {
	return noise(seed, channels, frames, audio.Amplitude(rmsDB), (*rand.Rand).NormFloat64)
}

// noise fills channels × frames with a·next(rng), channel after channel,
// from a generator seeded with seed.
func noise(seed uint64, channels, frames int, a float64, next func(*rand.Rand) float64) *audio.Buffer {
	rng := newRand(seed)
	b := audio.NewBuffer(channels, frames)
	for c := range b.Data {
		for i := range b.Data[c] {
			b.Data[c][i] = float32(a * next(rng))
		}
	}
	return b
}

// newRand is the seeded generator of the noise signals.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// PinkNoise returns 1/f noise (Paul Kellet's refined filter on Gaussian
// white noise) normalised so that its sample peak is peakDBFS.
func PinkNoise(seed uint64, channels, frames int, peakDBFS float64) *audio.Buffer {
	rng := newRand(seed)
	b := audio.NewBuffer(channels, frames)
	for c := range b.Data {
		var b0, b1, b2, b3, b4, b5, b6 float64
		for i := range b.Data[c] {
			w := rng.NormFloat64()
			b0 = 0.99886*b0 + w*0.0555179
			b1 = 0.99332*b1 + w*0.0750759
			b2 = 0.96900*b2 + w*0.1538520
			b3 = 0.86650*b3 + w*0.3104856
			b4 = 0.55000*b4 + w*0.5329522
			b5 = -0.7616*b5 - w*0.0168980
			b.Data[c][i] = float32(b0 + b1 + b2 + b3 + b4 + b5 + b6 + w*0.5362)
			b6 = w * 0.115926
		}
	}
	Normalize(b, peakDBFS)
	return b
}

// Normalize scales b so its sample peak is peakDBFS. A silent buffer is left alone.
func Normalize(b *audio.Buffer, peakDBFS float64) {
	p := float64(b.Peak())
	if p == 0 {
		return
	}
	Scale(b, audio.Amplitude(peakDBFS)/p)
}

// Scale multiplies every sample by g.
func Scale(b *audio.Buffer, g float64) {
	for _, ch := range b.Data {
		for i := range ch {
			ch[i] = float32(float64(ch[i]) * g)
		}
	}
}

// Impulse returns a buffer with one sample of the given level at frame at.
func Impulse(channels, frames, at int, peakDBFS float64) *audio.Buffer {
	b := audio.NewBuffer(channels, frames)
	for c := range b.Data {
		b.Data[c][at] = float32(audio.Amplitude(peakDBFS))
	}
	return b
}

// OffGridPulses returns band-limited pulses (Σ cos(2π·200k·(t − t0)),
// k = 1 … 95: up to 19 kHz) every 1/200 s, each 0.375 or 0.875 of a sample
// past a frame at 44.1 kHz: between BS.1770's 4× points, where 4× reads
// them about 0.15 dB under their true peak. Unscaled: the caller sets the
// level (by TruePeak16x, say).
func OffGridPulses(rate float64, channels, frames int) *audio.Buffer {
	b := audio.NewBuffer(channels, frames)
	for i := range frames {
		dt := (float64(i) - 100.375) / rate
		var v float64
		for k := 1; k <= 95; k++ {
			v += math.Cos(2 * math.Pi * 200 * float64(k) * dt)
		}
		for c := range b.Data {
			b.Data[c][i] = float32(v)
		}
	}
	return b
}

// LogSweep returns an exponential sine sweep from f1 to f2 Hz (Farina) at the
// given peak level.
func LogSweep(rate float64, channels, frames int, f1, f2, peakDBFS float64) *audio.Buffer {
	b := audio.NewBuffer(channels, frames)
	a := audio.Amplitude(peakDBFS)
	T := float64(frames) / rate
	k := math.Log(f2 / f1)
	for i := 0; i < frames; i++ {
		t := float64(i) / rate
		v := float32(a * math.Sin(2*math.Pi*f1*T/k*(math.Exp(t/T*k)-1)))
		for c := range b.Data {
			b.Data[c][i] = v
		}
	}
	return b
}

// Add adds src to dst sample by sample (src holds at least dst's frames
// and channels) and returns dst: a mix of test signals.
func Add(dst, src *audio.Buffer) *audio.Buffer {
	for c := range dst.Data {
		for i := range dst.Data[c] {
			dst.Data[c][i] += src.Data[c][i]
		}
	}
	return dst
}

// Sum returns a new buffer holding the sample-by-sample sum of bs: as
// many channels as the widest and as many frames as the longest, each
// buffer added over its own length (stems of different lengths summed
// into a mix, where Add wants src to cover dst).
func Sum(bs ...*audio.Buffer) *audio.Buffer {
	n, ch := 0, 0
	for _, b := range bs {
		n = max(n, b.Frames())
		ch = max(ch, b.Channels())
	}
	out := audio.NewBuffer(ch, n)
	for _, b := range bs {
		for c := range b.Data {
			for i, v := range b.Data[c] {
				out.Data[c][i] += v
			}
		}
	}
	return out
}

// Concat joins buffers of equal channel count end to end.
func Concat(parts ...*audio.Buffer) *audio.Buffer {
	n, ch := 0, 0
	for _, p := range parts {
		n += p.Frames()
		ch = max(ch, p.Channels())
	}
	out := audio.NewBuffer(ch, n)
	off := 0
	for _, p := range parts {
		for c := range p.Data {
			copy(out.Data[c][off:], p.Data[c])
		}
		off += p.Frames()
	}
	return out
}

// Segment is one piece of a test sequence: a sine (Freq > 0) or silence
// (Freq == 0) lasting Seconds at PeakDBFS.
type Segment struct {
	Seconds  float64
	Freq     float64
	PeakDBFS float64
}

// Sequence renders segments one after another with a continuous phase, as the
// EBU Tech 3341/3342 test signals are built. Lengths round to whole frames.
func Sequence(rate float64, channels int, segs ...Segment) *audio.Buffer {
	total := 0
	for _, s := range segs {
		total += int(math.Round(s.Seconds * rate))
	}
	b := audio.NewBuffer(channels, total)
	i := 0
	for _, s := range segs {
		n := int(math.Round(s.Seconds * rate))
		a := audio.Amplitude(s.PeakDBFS)
		for k := 0; k < n; k++ {
			var v float32
			if s.Freq > 0 {
				v = float32(a * math.Sin(2*math.Pi*s.Freq*float64(i+k)/rate))
			}
			for c := range b.Data {
				b.Data[c][i+k] = v
			}
		}
		i += n
	}
	return b
}

// RMS returns the RMS of channel c.
func RMS(b *audio.Buffer, c int) float64 {
	var s float64
	for _, v := range b.Data[c] {
		s += float64(v) * float64(v)
	}
	if len(b.Data[c]) == 0 {
		return 0
	}
	return math.Sqrt(s / float64(len(b.Data[c])))
}

// BufferReader serves a Buffer through the audio.Reader interface, so code
// that streams from files can be tested on generated signals.
type BufferReader struct {
	Buf *audio.Buffer
	Fmt audio.Format
	pos int
}

// NewReader wraps b as an audio.Reader with the given sample rate (24-bit int).
func NewReader(b *audio.Buffer, rate int) *BufferReader {
	return &BufferReader{Buf: b, Fmt: audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: 24, SampleFormat: audio.Int}}
}

// Info implements audio.Reader.
func (r *BufferReader) Info() audio.Info {
	return audio.Info{Container: "memory", Format: r.Fmt, Frames: int64(r.Buf.Frames())}
}

// Read implements audio.Reader.
func (r *BufferReader) Read(dst *audio.Buffer) (int, error) {
	n := min(dst.Frames(), r.Buf.Frames()-r.pos)
	if n <= 0 {
		return 0, io.EOF
	}
	for c := range dst.Data {
		copy(dst.Data[c][:n], r.Buf.Data[c][r.pos:r.pos+n])
	}
	r.pos += n
	return n, nil
}

// SameSamples fails the test at the first sample where got differs from
// want, or when their shapes differ; against says what want is ("one
// block", "the Go loop") for the message.
func SameSamples(t testing.TB, got, want *audio.Buffer, against string) {
	t.Helper()
	if got.Channels() != want.Channels() || got.Frames() != want.Frames() {
		t.Fatalf("%d ch × %d frames, want %d × %d (%s)", got.Channels(), got.Frames(), want.Channels(), want.Frames(), against)
	}
	for c := range want.Data {
		for i, w := range want.Data[c] {
			if g := got.Data[c][i]; g != w {
				t.Fatalf("channel %d frame %d: %v, want %v (%s)", c, i, g, w, against)
			}
		}
	}
}
