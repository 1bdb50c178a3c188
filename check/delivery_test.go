package check

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/dsp"
	"stemmaster/dsp/dynamics"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
)

// stemFile is one file of a test delivery: either an existing file (path)
// or a buffer to write in format.
type stemFile struct {
	name   string
	path   string
	buf    *audio.Buffer
	format audio.Format
}

// pcm24 is the usual delivery format.
func pcm24(rate, ch int) audio.Format {
	return audio.Format{SampleRate: rate, Channels: ch, BitDepth: 24, SampleFormat: audio.Int}
}

// writeFiles writes every buffer of files into dir with
// audiotest.WriteFile and returns the paths of all of them, in order.
func writeFiles(t testing.TB, dir string, files []stemFile) []string {
	t.Helper()
	paths := make([]string, len(files))
	for i, f := range files {
		if f.buf == nil {
			paths[i] = f.path
			continue
		}
		paths[i] = filepath.Join(dir, f.name)
		audiotest.WriteFile(t, paths[i], "wav", f.format, f.buf)
	}
	return paths
}

// delayed returns b delayed by d frames (d < 0: advanced), same length.
func delayed(b *audio.Buffer, d int) *audio.Buffer {
	return audiotest.Shifted(b, 0, b.Frames(), d)
}

// scaled returns b times g.
func scaled(b *audio.Buffer, g float64) *audio.Buffer {
	out := b.Clone()
	for _, ch := range out.Data {
		for i, v := range ch {
			ch[i] = float32(float64(v) * g)
		}
	}
	return out
}

// rebalanced is stems as a mix plays them after the faders moved:
// stem k by movesDB[k] dB.
func rebalanced(stems []*audio.Buffer, movesDB []float64) []*audio.Buffer {
	out := make([]*audio.Buffer, len(stems))
	for k, b := range stems {
		out[k] = scaled(b, audio.Amplitude(movesDB[k]))
	}
	return out
}

// limited applies a simple stereo-linked peak limiter with no look-ahead:
// the gain drops at once to keep every sample under threshold (dBFS) and
// recovers with a 50 ms release, as a master-bus limiter left on a mix
// would. It returns a new buffer.
func limited(b *audio.Buffer, rate int, thresholdDBFS float64) *audio.Buffer {
	out := b.Clone()
	t := audio.Amplitude(thresholdDBFS)
	rel := math.Exp(-1 / (0.050 * float64(rate)))
	g := 1.0
	for i := 0; i < b.Frames(); i++ {
		var p float64
		for c := range b.Data {
			p = max(p, math.Abs(float64(b.Data[c][i])))
		}
		g = 1 - (1-g)*rel
		if p*g > t {
			g = t / p
		}
		for c := range out.Data {
			out.Data[c][i] = float32(float64(b.Data[c][i]) * g)
		}
	}
	return out
}

// mastered is b as a loud master of it: driven driveDB into stemmaster's
// true-peak limiter (ceiling −1 dBTP), its latency taken out, so that it
// lines up with b as a bounce does.
func mastered(b *audio.Buffer, rate int, driveDB float64) *audio.Buffer {
	l := limiter.New(limiter.Params{CeilingDBTP: -1})
	l.Prepare(dsp.Spec{SampleRate: float64(rate), MaxBlockSize: BlockFrames, Channels: b.Channels()})
	lat := l.Latency()
	in := audio.NewBuffer(b.Channels(), b.Frames()+lat)
	for c := range b.Data {
		for i, v := range b.Data[c] {
			in.Data[c][i] = float32(float64(v) * audio.Amplitude(driveDB))
		}
	}
	view := &audio.Buffer{Data: make([][]float32, in.Channels())}
	for at := 0; at < in.Frames(); at += BlockFrames {
		for c := range view.Data {
			view.Data[c] = in.Data[c][at:min(at+BlockFrames, in.Frames())]
		}
		l.Process(view)
	}
	out := audio.NewBuffer(b.Channels(), b.Frames())
	for c := range out.Data {
		copy(out.Data[c], in.Data[c][lat:])
	}
	return out
}

// compressed runs b through stemmaster's feed-forward compressor (package
// dynamics: stereo-linked peak detector, hard knee), as a master-bus
// compressor left on a mix would. It returns a new buffer.
func compressed(t testing.TB, b *audio.Buffer, rate int, p dynamics.CompressorParams) *audio.Buffer {
	t.Helper()
	if err := p.Validate(float64(rate)); err != nil {
		t.Fatal(err)
	}
	out := b.Clone()
	c := dynamics.NewCompressor(p)
	c.Prepare(dsp.Spec{SampleRate: float64(rate), MaxBlockSize: BlockFrames, Channels: b.Channels()})
	view := &audio.Buffer{Data: make([][]float32, out.Channels())}
	for at := 0; at < out.Frames(); at += BlockFrames {
		end := min(at+BlockFrames, out.Frames())
		for ch := range view.Data {
			view.Data[ch] = out.Data[ch][at:end]
		}
		c.Process(view)
	}
	return out
}

// testRate is the rate of the generated songs.
const testRate = 48000

// shortSongOnce generates the song most single-fault tests break, once
// per test binary.
var shortSongOnce = sync.OnceValues(func() ([]string, []*audio.Buffer) { return song(testRate, 4, 3) })

// shortSong is a 4 s song at testRate: every call gets its own copy of
// the names and stems, to modify freely.
func shortSong() (names []string, stems []*audio.Buffer) {
	n, b := shortSongOnce()
	return slices.Clone(n), cloneAll(b)
}

// cloneAll returns a copy of every buffer, to modify freely.
func cloneAll(bs []*audio.Buffer) []*audio.Buffer {
	out := make([]*audio.Buffer, len(bs))
	for i, b := range bs {
		out[i] = b.Clone()
	}
	return out
}

// checkShortSong checks the delivery build makes from a copy of the short
// song's stems.
func checkShortSong(t *testing.T, build func(b []*audio.Buffer) ([]Source, *Source)) *stemmaster.CheckReport {
	t.Helper()
	_, b := shortSong()
	s, m := build(b)
	return run(t, s, m)
}

// foldedDown is a stereo stem exported folded down to mono: the mean of
// its channels.
func foldedDown(b *audio.Buffer) *audio.Buffer {
	out := audio.NewBuffer(1, b.Frames())
	for i := range out.Data[0] {
		out.Data[0][i] = 0.5 * (b.Data[0][i] + b.Data[1][i])
	}
	return out
}

// centred is a mono stem as master places it in a stereo mix: the
// engine's pan law at the centre (the oracle is dsp itself, not this
// package's constant).
func centred(mono *audio.Buffer) *audio.Buffer {
	gl, gr := dsp.PanGains(0)
	placed := audio.NewBuffer(2, mono.Frames())
	for i, v := range mono.Data[0] {
		placed.Data[0][i] = float32(gl * float64(v))
		placed.Data[1][i] = float32(gr * float64(v))
	}
	return placed
}

// song generates a deterministic five-stem song (drums, bass, keys, lead
// vocal, fx) of the given length: enough musical structure (notes, hits,
// phrases with gaps) for alignment and balance to mean something, and, as
// in real recordings, broadband content beside the tones (the pluck of a
// bass note, the hammer of a key, breath and consonants), without which
// the delay of a pure tone is ambiguous by whole periods.
func song(rate, seconds int, seed uint64) (names []string, stems []*audio.Buffer) {
	n := rate * seconds
	rng := rand.New(rand.NewPCG(seed, 7))
	fr := float64(rate)
	drums := audio.NewBuffer(2, n)
	beat := rate / 2
	for start := 0; start < n; start += beat {
		amp := 0.5 + 0.1*rng.Float64()
		for i := 0; i < rate/5 && start+i < n; i++ {
			t := float64(i) / fr
			env := math.Exp(-t * 18)
			v := amp * env * (math.Sin(2*math.Pi*(55+90*math.Exp(-t*40))*t) + 0.3*(2*rng.Float64()-1)*math.Exp(-t*120))
			drums.Data[0][start+i] += float32(v)
			drums.Data[1][start+i] += float32(v * 0.9)
		}
		hat := start + beat/2
		for i := 0; i < rate/20 && hat+i < n; i++ {
			v := 0.15 * (2*rng.Float64() - 1) * math.Exp(-float64(i)/fr*80)
			drums.Data[0][hat+i] += float32(v * 0.7)
			drums.Data[1][hat+i] += float32(v)
		}
	}
	bassNotes := []float64{55, 55, 73.42, 65.41, 49, 55, 82.41, 73.42}
	bass := audio.NewBuffer(2, n)
	keys := audio.NewBuffer(2, n)
	vox := audio.NewBuffer(2, n)
	fx := audio.NewBuffer(2, n)
	chords := [][]float64{{220, 277.18, 329.63}, {196, 246.94, 293.66}, {174.61, 220, 261.63}, {196, 246.94, 329.63}}
	melody := []float64{392, 440, 493.88, 440, 392, 329.63, 349.23, 392}
	var bp, vp float64
	lp := 0.0
	for i := 0; i < n; i++ {
		t := float64(i) / fr
		f := bassNotes[int(t)%len(bassNotes)]
		bp += 2 * math.Pi * f / fr
		benv := 0.35 * math.Exp(-math.Mod(t, 1)*2)
		b := benv * (math.Sin(bp) + 0.3*math.Sin(2*bp) + 0.1*math.Sin(3*bp) + 0.3*(2*rng.Float64()-1)*math.Exp(-math.Mod(t, 1)*60))
		bass.Data[0][i], bass.Data[1][i] = float32(b), float32(b)

		ch := chords[int(t/2)%len(chords)]
		kenv := 0.06 * min(math.Mod(t, 2)*8, 1)
		var k0, k1 float64
		for j, cf := range ch {
			k0 += kenv * math.Sin(2*math.Pi*cf*t+float64(j))
			k1 += kenv * math.Sin(2*math.Pi*cf*1.002*t+float64(j)*2)
		}
		hammer := 0.05 * (2*rng.Float64() - 1) * math.Exp(-math.Mod(t, 0.5)*40)
		keys.Data[0][i], keys.Data[1][i] = float32(k0+hammer), float32(k1+hammer*0.8)

		phrase := math.Mod(t, 3)
		if phrase < 2.2 {
			mf := melody[int(t*2)%len(melody)] * (1 + 0.004*math.Sin(2*math.Pi*5.5*t))
			vp += 2 * math.Pi * mf / fr
			venv := 0.22 * min(phrase*10, 1) * min((2.2-phrase)*10, 1)
			breath := 0.15 * (2*rng.Float64() - 1) * (0.3 + math.Exp(-math.Mod(phrase, 0.5)*30))
			v := venv * (math.Sin(vp) + 0.5*math.Sin(2*vp) + 0.25*math.Sin(3*vp) + 0.12*math.Sin(4*vp) + breath)
			vox.Data[0][i], vox.Data[1][i] = float32(v), float32(v)
		}

		w := 2*rng.Float64() - 1
		lp = 0.97*lp + 0.03*w
		fenv := 0.25 * (0.5 + 0.5*math.Sin(2*math.Pi*t/6))
		fx.Data[0][i], fx.Data[1][i] = float32(fenv*lp), float32(fenv*(0.7*lp+0.3*w*0.03))
	}
	return []string{"drums.wav", "bass.wav", "keys.wav", "lead_vox.wav", "fx.wav"}, asDelivered(drums, bass, keys, vox, fx)
}

// asDelivered makes generated stems look as a DAW delivers them: no DC
// (removed in place), and scaled so that their sum peaks at −6 dBFS.
func asDelivered(stems ...*audio.Buffer) []*audio.Buffer {
	for _, b := range stems {
		for _, ch := range b.Data {
			var m float64
			for _, v := range ch {
				m += float64(v)
			}
			m /= float64(len(ch))
			for i := range ch {
				ch[i] -= float32(m)
			}
		}
	}
	g := audio.Amplitude(-6) / float64(audiotest.Sum(stems...).Peak())
	out := make([]*audio.Buffer, len(stems))
	for i, b := range stems {
		out[i] = scaled(b, g)
	}
	return out
}
