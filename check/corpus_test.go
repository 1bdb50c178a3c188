package check

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/dynamics"
	"stemmaster/internal/audiotest"
)

// The corpus: hard deliveries built in code from the francium stems and
// from a generated song of the stems that defeat a per-stem alignment (a
// pure sub bass, a slow pad, transients, a lead, a reverb return), each
// broken one way (or a few at once) as real exports are, and checked for
// the right code on the right file with the right value, and nothing else.
// TestCorpus prints the confusion table (expected code × found code).

// corpusSeconds is the length of each delivery of the corpus.
const corpusSeconds = 10

// corpusOffsets are the offsets applied to each stem in turn.
var corpusOffsets = []int{1, -1, 2, -2, 37, 64, 1000, 144000}

// hardSong generates five stems that give a per-stem alignment trouble:
// a sub bass of pure sines (41 to 62 Hz, no attack noise), a pad of slow
// chords without attacks, drum transients, a lead with vibrato and a
// reverb return (the lead's decaying, filtered tail).
func hardSong(rate, seconds int, seed uint64) (names []string, stems []*audio.Buffer) {
	n := rate * seconds
	rng := rand.New(rand.NewPCG(seed, 11))
	fr := float64(rate)
	for range 5 {
		stems = append(stems, audio.NewBuffer(2, n))
	}
	sub, pad, drums, lead, verb := stems[0], stems[1], stems[2], stems[3], stems[4]
	notes := []float64{41.2, 55, 49, 61.7, 46.2, 55, 41.2, 51.9}
	chords := [][]float64{{220, 261.6, 329.6}, {196, 246.9, 293.7}, {174.6, 220, 261.6}, {196, 246.9, 311.1}}
	var sp, lp float64
	var lpf [2]float64
	var air [2]float64
	for i := range n {
		t := float64(i) / fr
		// Sub bass: a note per 0.75 s, smooth swell, mono.
		f := notes[int(t/0.75)%len(notes)]
		sp += 2 * math.Pi * f / fr
		ph := math.Mod(t, 0.75) / 0.75
		b := 0.4 * math.Sin(math.Pi*ph) * math.Sin(sp)
		sub.Data[0][i], sub.Data[1][i] = float32(b), float32(b)
		// Pad: chords of 2.5 s fading in and out, two voices per note
		// detuned by a slow chorus, wide, with a little air (filtered
		// noise) as a synth pad has.
		ch := chords[int(t/2.5)%len(chords)]
		env := 0.05 * math.Sin(math.Pi*math.Mod(t, 2.5)/2.5)
		for c := range 2 {
			var v float64
			for j, cf := range ch {
				det := 1 + 0.002*float64(c) + 0.001*math.Sin(2*math.Pi*0.3*t+float64(j))
				v += math.Sin(2*math.Pi*cf*det*t+float64(j+c)) + 0.7*math.Sin(2*math.Pi*cf*(2-det)*t+float64(2*j+c))
			}
			air[c] = 0.9*air[c] + 0.1*rng.NormFloat64()
			pad.Data[c][i] = float32(env * (v + 0.3*air[c]))
		}
		// Drums: kick and snare transients every 0.25 s.
		beat := math.Mod(t, 0.25)
		for c := range 2 {
			lpf[c] = 0.5*lpf[c] + 0.5*rng.NormFloat64()
		}
		k := 0.5 * math.Exp(-beat*25) * math.Sin(2*math.Pi*(50+120*math.Exp(-beat*30))*beat)
		if int(t/0.25)%2 == 1 {
			k = 0
		}
		s := 0.0
		if int(t/0.25)%4 == 2 {
			s = 0.25 * math.Exp(-beat*40)
		}
		drums.Data[0][i] = float32(k + s*lpf[0])
		drums.Data[1][i] = float32(k + s*lpf[1]*0.8)
		// Lead: a vibrato tone with harmonics in phrases, left of centre.
		phrase := math.Mod(t, 2)
		l := 0.0
		if phrase < 1.5 {
			lp += 2 * math.Pi * (330 + 40*float64(int(t*2)%3)) * (1 + 0.006*math.Sin(2*math.Pi*5*t)) / fr
			l = 0.12 * math.Min(phrase*8, 1) * math.Min((1.5-phrase)*8, 1) * (math.Sin(lp) + 0.4*math.Sin(2*lp) + 0.2*math.Sin(3*lp))
		}
		lead.Data[0][i], lead.Data[1][i] = float32(l), float32(0.6*l)
	}
	// Reverb return: the lead through a decaying random tail (0.4 s), a
	// different one per channel, as a reverb plug-in on a send gives.
	for c := range 2 {
		const taps = 160
		for range taps {
			d := 200 + rng.IntN(rate*2/5)
			g := 0.08 * rng.NormFloat64() * math.Exp(-float64(d)/(0.15*fr))
			src, dst := lead.Data[0], verb.Data[c]
			for i := d; i < n; i++ {
				dst[i] += float32(g) * src[i-d]
			}
		}
	}
	return []string{"sub_bass.wav", "pad.wav", "drums.wav", "lead_vox.wav", "reverb_return.wav"}, asDelivered(stems...)
}

// genres are songs of other character than francium's pop and the
// generated songs, on which thresholds tuned there are tried (genreSong).
var genres = []string{"piano", "distorted", "electronic", "speech"}

// genreSong generates the stems of a song of the given genre:
//   - piano: sparse piano notes (inharmonic partials decaying over
//     seconds, a hammer's noise), a sung line, slow string swells;
//   - distorted: two guitar takes panned apart (saw chords through a hard
//     clipper), a distorted bass, dense drums (noise snare, cymbals), a
//     wall of noise;
//   - electronic: a pure sine sub bass pumped by a sidechain, a sine
//     kick sweeping down, noise hats, a low-passed saw pad;
//   - speech: two voices taking turns (glottal pulses through formants,
//     fricatives, pauses), a quiet music bed.
//
// Every stem is stereo, scaled by asDelivered.
func genreSong(genre string, rate, seconds int, seed uint64) (names []string, stems []*audio.Buffer) {
	n := rate * seconds
	fr := float64(rate)
	rng := rand.New(rand.NewPCG(seed, 23))
	add := func(names_ ...string) {
		names = names_
		for range names_ {
			stems = append(stems, audio.NewBuffer(2, n))
		}
	}
	put := func(b *audio.Buffer, i int, l, r float64) {
		b.Data[0][i] += float32(l)
		b.Data[1][i] += float32(r)
	}
	saw := func(ph float64) float64 { return 2*(ph-math.Floor(ph)) - 1 }
	switch genre {
	case "piano":
		add("piano.wav", "vocal.wav", "strings.wav")
		piano, vocal, strings := stems[0], stems[1], stems[2]
		for at := 0; at < n; at += int((0.5 + rng.Float64()) * fr) {
			f0 := 110 * math.Pow(2, float64(rng.IntN(30))/12)
			pan := rng.Float64()
			amp := 0.15 + 0.1*rng.Float64()
			for i := at; i < n && i < at+4*rate; i++ {
				t := float64(i-at) / fr
				var v float64
				for k := 1.0; k <= 8; k++ {
					fk := f0 * k * math.Sqrt(1+0.0004*k*k)
					if fk > fr/2 {
						break
					}
					v += math.Exp(-t*k*0.8) * math.Sin(2*math.Pi*fk*t) / k
				}
				v = amp * (v + 0.3*rng.NormFloat64()*math.Exp(-t*400))
				put(piano, i, v*(1-0.5*pan), v*(0.5+0.5*pan))
			}
		}
		var vp float64
		for i := range n {
			t := float64(i) / fr
			phrase := math.Mod(t, 4)
			if phrase < 3 {
				f := 220 * math.Pow(2, float64(int(t*1.5)%5)/12) * (1 + 0.005*math.Sin(2*math.Pi*5*t))
				vp += 2 * math.Pi * f / fr
				env := 0.1 * math.Min(phrase*4, 1) * math.Min((3-phrase)*4, 1)
				v := env * (math.Sin(vp) + 0.3*math.Sin(2*vp) + 0.1*math.Sin(3*vp) + 0.05*rng.NormFloat64())
				put(vocal, i, v, v)
			}
			sw := 0.03 * (0.5 - 0.5*math.Cos(2*math.Pi*t/5))
			l := sw * (math.Sin(2*math.Pi*196*t) + math.Sin(2*math.Pi*293.7*t+1))
			r := sw * (math.Sin(2*math.Pi*196.4*t+2) + math.Sin(2*math.Pi*294.2*t))
			put(strings, i, l, r)
		}
	case "distorted":
		add("guitars.wav", "bass.wav", "drums.wav", "noise.wav")
		gtr, bass, drums, noise := stems[0], stems[1], stems[2], stems[3]
		roots := []float64{82.4, 98, 110, 73.4}
		var lp [2]float64
		for i := range n {
			t := float64(i) / fr
			f := roots[int(t/1)%len(roots)]
			var side [2]float64
			for c := range 2 {
				det := 1 + 0.003*float64(c)
				x := saw(f*det*t) + saw(1.5*f*det*t+0.3*float64(c)) + saw(2*f*det*t)
				side[c] = 0.3 * math.Tanh(6*x)
			}
			put(gtr, i, side[0], 0.3*side[1])
			put(gtr, i, 0.3*side[0]*0.5, side[1])
			b := 0.35 * math.Tanh(4*saw(f/2*t))
			put(bass, i, b, b)
			beat := math.Mod(t, 0.25)
			k := 0.6 * math.Exp(-beat*30) * math.Sin(2*math.Pi*(50+100*math.Exp(-beat*40))*beat)
			var sn, cy float64
			if int(t/0.25)%2 == 1 {
				sn, k = 0.4*math.Exp(-beat*25), 0
			}
			cy = 0.08 * math.Exp(-math.Mod(t, 0.125)*20)
			for c := range 2 {
				w := rng.NormFloat64()
				lp[c] = 0.6*lp[c] + 0.4*w
				drums.Data[c][i] += float32(k + sn*lp[c] + cy*(w-lp[c]))
			}
			for c := range 2 {
				noise.Data[c][i] = float32(0.05 * math.Tanh(3*rng.NormFloat64()) * (0.7 + 0.3*math.Sin(2*math.Pi*0.5*t)))
			}
		}
	case "electronic":
		add("sub.wav", "kick.wav", "hats.wav", "pad.wav")
		sub, kick, hats, pad := stems[0], stems[1], stems[2], stems[3]
		notes := []float64{43.65, 43.65, 51.9, 38.9}
		var sp, kp float64
		var lpf [2]float64
		for i := range n {
			t := float64(i) / fr
			beat := math.Mod(t, 0.5)
			duck := 1 - 0.8*math.Exp(-beat*12)
			sp += 2 * math.Pi * notes[int(t/2)%len(notes)] / fr
			s := 0.5 * duck * math.Sin(sp)
			put(sub, i, s, s)
			if beat < 1.0/fr {
				kp = 0
			}
			kp += 2 * math.Pi * (45 + 105*math.Exp(-beat*35)) / fr
			k := 0.7 * math.Exp(-beat*9) * math.Sin(kp)
			put(kick, i, k, k)
			hb := math.Mod(t+0.25, 0.25)
			for c := range 2 {
				w := rng.NormFloat64()
				hats.Data[c][i] = float32(0.1 * math.Exp(-hb*60) * (w - 0.9*lpf[c]))
				lpf[c] = 0.9*lpf[c] + 0.1*w
			}
			var l, r float64
			for j, f := range []float64{174.6, 220, 261.6} {
				l += saw(f*t + 0.1*float64(j))
				r += saw(f*1.004*t + 0.3*float64(j))
			}
			put(pad, i, 0.04*duck*l, 0.04*duck*r)
		}
	case "speech":
		add("host.wav", "guest.wav", "bed.wav")
		host, guest, bed := stems[0], stems[1], stems[2]
		vowels := [][3]float64{{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}, {570, 840, 2410}}
		at, who := 0, 0
		for at < n {
			dst, f0 := host, 120.0
			if who == 1 {
				dst, f0 = guest, 210.0
			}
			turn := at + int((2+2*rng.Float64())*fr)
			var y [3][2]float64
			next := 0.0
			for i := at; i < n && i < turn; {
				syl := int((0.12 + 0.13*rng.Float64()) * fr)
				form := vowels[rng.IntN(len(vowels))]
				fric := rng.Float64() < 0.3
				for j := 0; j < syl && i < n && i < turn; j, i = j+1, i+1 {
					env := math.Sin(math.Pi * float64(j) / float64(syl))
					var x float64
					if fric {
						x = 0.3 * rng.NormFloat64()
					} else if float64(j) >= next {
						x, next = 1, float64(j)+fr/(f0*(1+0.05*rng.NormFloat64()))
					}
					var v float64
					for k, fk := range form {
						r := math.Exp(-math.Pi * 80 / fr)
						th := 2 * math.Pi * fk / fr
						o := x + 2*r*math.Cos(th)*y[k][0] - r*r*y[k][1]
						y[k][1], y[k][0] = y[k][0], o
						v += o / float64(k+1)
					}
					v *= 0.02 * env
					put(dst, i, v, v)
				}
				next = 0
				if rng.Float64() < 0.2 {
					i += int((0.2 + 0.3*rng.Float64()) * fr)
				}
			}
			at, who = turn+int(0.3*fr), 1-who
		}
		for i := range n {
			t := float64(i) / fr
			l := 0.01 * (math.Sin(2*math.Pi*261.6*t) + math.Sin(2*math.Pi*329.6*t))
			r := 0.01 * (math.Sin(2*math.Pi*392*t) + math.Sin(2*math.Pi*261.9*t))
			put(bed, i, l, r)
		}
	}
	return names, asDelivered(stems...)
}

// corpusSet is a clean delivery the corpus breaks.
type corpusSet struct {
	name  string
	rate  int
	names []string
	bufs  []*audio.Buffer
	mix   *audio.Buffer
	// which stems the cases with one fault break
	hot, trunc, nan, rate44, missing, bus int
	// stems that take a gain on one channel
	chGain []int
}

func corpusSets(t *testing.T) []func(t *testing.T) *corpusSet {
	return []func(t *testing.T) *corpusSet{
		func(t *testing.T) *corpusSet {
			names, bufs := hardSong(48000, corpusSeconds, 2)
			return &corpusSet{name: "generated", rate: 48000, names: names, bufs: bufs, mix: audiotest.Sum(bufs...),
				hot: 0, trunc: 2, nan: 4, rate44: 1, missing: 4, bus: 2,
				// drums, and the lead (one source panned: with its left
				// channel hot it must not read as exchanged)
				chGain: []int{2, 3}}
		},
		func(t *testing.T) *corpusSet {
			// 33–43 s of the song, where the lead vocal, the backing
			// vocals, the drums and the instruments play (the fx stem is
			// silent there, and left out; the real mix is the reference).
			fs := franciumFiles(t)
			const from = 33
			names := audiotest.FranciumStems[:4]
			s := &corpusSet{name: "francium", rate: fs.rate, names: names, mix: fs.cut("mix.wav", from, corpusSeconds),
				// lead_vocal, backing_vocals, drums, instruments
				hot: 0, trunc: 3, nan: 0, rate44: 3, missing: 1, bus: 2,
				chGain: []int{0, 2}}
			for _, n := range names {
				s.bufs = append(s.bufs, fs.cut(n, from, corpusSeconds))
			}
			return s
		},
	}
}

// corpusCase is one broken delivery.
type corpusCase struct {
	name  string
	build func(t *testing.T, dir string) ([]Source, *Source)
	want  []want
}

func (s *corpusSet) sources(bufs []*audio.Buffer) []Source {
	return memSet(s.names, bufs, s.rate)
}

func (s *corpusSet) mixSource(b *audio.Buffer, rate int) *Source {
	m := memSource("mix.wav", b, pcm24(rate, 2))
	return &m
}

// with returns the stems with stem k replaced by b.
func (s *corpusSet) with(k int, b *audio.Buffer) []*audio.Buffer {
	out := slices.Clone(s.bufs)
	out[k] = b
	return out
}

func (s *corpusSet) cases() []corpusCase {
	clean := func(t *testing.T, dir string) ([]Source, *Source) {
		return s.sources(s.bufs), s.mixSource(s.mix, s.rate)
	}
	cs := []corpusCase{{name: "clean", build: clean}}
	offset := func(lags map[int]int) corpusCase {
		var parts []string
		var wants []want
		keys := make([]int, 0, len(lags))
		for k := range lags {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %+d", s.names[k], lags[k]))
			wants = append(wants, want{code: stemmaster.CodeOffset, file: s.names[k], value: v(float64(lags[k]))})
		}
		return corpusCase{name: "offset " + strings.Join(parts, ", "), want: wants,
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				bufs := slices.Clone(s.bufs)
				for k, d := range lags {
					bufs[k] = delayed(bufs[k], d)
				}
				return s.sources(bufs), s.mixSource(s.mix, s.rate)
			}}
	}
	for _, d := range corpusOffsets {
		for k := range s.names {
			cs = append(cs, offset(map[int]int{k: d}))
		}
	}
	cs = append(cs, offset(map[int]int{2: 64, 1: 37}), offset(map[int]int{0: 1, 1: -2, 3: 1000}))
	swapped := func(b *audio.Buffer) *audio.Buffer {
		out := b.Clone()
		out.Data[0], out.Data[1] = out.Data[1], out.Data[0]
		return out
	}
	inverted := func(b *audio.Buffer) *audio.Buffer {
		out := b.Clone()
		for i, v := range out.Data[1] {
			out.Data[1][i] = -v
		}
		return out
	}
	// Every stereo stem swapped, and with its right channel inverted: a
	// stem whose channels are nearly alike (a centred vocal) must be read
	// as well as a wide one.
	for k := range s.bufs {
		if len(s.bufs[k].Data) != 2 {
			continue
		}
		if !slices.Equal(s.bufs[k].Data[0], s.bufs[k].Data[1]) {
			// (Exchanging two identical channels changes nothing.)
			cs = append(cs, corpusCase{name: "channels swapped on " + s.names[k],
				want: []want{{code: stemmaster.CodeChannelsSwapped, file: s.names[k]}},
				build: func(t *testing.T, dir string) ([]Source, *Source) {
					return s.sources(s.with(k, swapped(s.bufs[k]))), s.mixSource(s.mix, s.rate)
				}})
		}
		cs = append(cs, corpusCase{name: "right channel inverted on " + s.names[k],
			want: []want{{code: stemmaster.CodePolarityInverted, file: s.names[k], value: v(2), text: "right channel", channel: "right"}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				return s.sources(s.with(k, inverted(s.bufs[k]))), s.mixSource(s.mix, s.rate)
			}})
	}
	// One channel at another level: exported hot, or panned otherwise
	// than in the mix.
	channelGain := func(b *audio.Buffer, ch int, db float64) *audio.Buffer {
		out := b.Clone()
		g := float32(audio.Amplitude(db))
		for i := range out.Data[ch] {
			out.Data[ch][i] *= g
		}
		return out
	}
	for _, k := range s.chGain {
		for _, tc := range []struct {
			ch   int
			db   float64
			text string
		}{{0, 6, "left channel of " + s.names[k] + " is 6.0 dB hot"}, {1, -4, "right channel of " + s.names[k] + " is 4.0 dB quiet"}} {
			cs = append(cs, corpusCase{name: fmt.Sprintf("%s channel %+.0f dB on %s", channelNames[tc.ch], tc.db, s.names[k]),
				want: []want{{code: stemmaster.CodeGainMismatch, file: s.names[k], value: v(tc.db), text: tc.text, channel: channelNames[tc.ch]}},
				build: func(t *testing.T, dir string) ([]Source, *Source) {
					return s.sources(s.with(k, channelGain(s.bufs[k], tc.ch, tc.db))), s.mixSource(s.mix, s.rate)
				}})
		}
	}
	// One channel silent: panned hard to the other side, or a channel
	// lost in the export (not "a stem is probably missing").
	for _, k := range s.chGain {
		cs = append(cs, corpusCase{name: "right channel silent on " + s.names[k],
			want: []want{{code: stemmaster.CodeGainMismatch, file: s.names[k], text: "right channel of " + s.names[k] + " is silent, but the mix holds", channel: "right"}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				return s.sources(s.with(k, channelGain(s.bufs[k], 1, math.Inf(-1)))), s.mixSource(s.mix, s.rate)
			}})
		// Panned hard left in the mix too: a clean delivery.
		cs = append(cs, corpusCase{name: "panned hard left in the stem and the mix: " + s.names[k],
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				left := channelGain(s.bufs[k], 1, math.Inf(-1))
				return s.sources(s.with(k, left)), s.mixSource(audiotest.Sum(s.with(k, left)...), s.rate)
			}})
	}
	cs = append(cs,
		corpusCase{name: "normalised export (+6 dB) of " + s.names[s.hot],
			want: []want{{code: stemmaster.CodeGainMismatch, file: s.names[s.hot], value: v(6), text: "6.0 dB hot"}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				return s.sources(s.with(s.hot, scaled(s.bufs[s.hot], audio.Amplitude(6)))), s.mixSource(s.mix, s.rate)
			}},
		corpusCase{name: "truncated " + s.names[s.trunc],
			want: []want{{code: stemmaster.CodeTruncated, file: s.names[s.trunc], value: v(float64(corpusSeconds*s.rate - corpusSeconds*s.rate/4)), text: fmt.Sprintf("declares %d frames", corpusSeconds*s.rate)}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				p := filepath.Join(dir, s.names[s.trunc])
				audiotest.WriteFile(t, p, "wav", pcm24(s.rate, 2), s.bufs[s.trunc])
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				// Keep the header and a quarter of the audio.
				data := int64(corpusSeconds * s.rate * 6)
				if err := os.Truncate(p, st.Size()-data+data/4); err != nil {
					t.Fatal(err)
				}
				srcs := s.sources(s.bufs)
				srcs[s.trunc] = FileSource(p)
				return srcs, s.mixSource(s.mix, s.rate)
			}},
		corpusCase{name: "NaN and Inf in " + s.names[s.nan],
			want: []want{{code: stemmaster.CodeNonFinite, file: s.names[s.nan], value: v(3), text: "the first at 2.500 s"}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				p := filepath.Join(dir, s.names[s.nan])
				writeFloatWithBadSamples(t, p, s.bufs[s.nan], s.rate, map[int]float32{
					s.rate * 5 / 2:    float32(math.NaN()),
					s.rate*5/2 + 7:    float32(math.Inf(1)),
					s.rate*7 + s.rate: float32(math.Inf(-1)),
				})
				srcs := s.sources(s.bufs)
				srcs[s.nan] = FileSource(p)
				return srcs, s.mixSource(s.mix, s.rate)
			}},
		corpusCase{name: s.names[s.rate44] + " at 44.1 kHz",
			want: []want{{code: stemmaster.CodeSampleRateMismatch, file: s.names[s.rate44], value: v(44100)}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				srcs := s.sources(s.bufs)
				srcs[s.rate44] = memSource(s.names[s.rate44], resampleBuf(s.bufs[s.rate44], s.rate, 44100), pcm24(44100, 2))
				return srcs, s.mixSource(s.mix, s.rate)
			}},
		corpusCase{name: "mix at 44.1 kHz",
			want: []want{{code: stemmaster.CodeSampleRateMismatch, file: "mix.wav", value: v(44100)}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				return s.sources(s.bufs), s.mixSource(resampleBuf(s.mix, s.rate, 44100), 44100)
			}},
		corpusCase{name: "missing " + s.names[s.missing],
			want: []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				srcs := s.sources(s.bufs)
				return slices.Delete(srcs, s.missing, s.missing+1), s.mixSource(s.mix, s.rate)
			}},
		corpusCase{name: "bus compression on the mix",
			want: []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "master-bus processing"}},
			build: func(t *testing.T, dir string) ([]Source, *Source) {
				m := compressed(t, s.mix, s.rate, dynamics.CompressorParams{ThresholdDB: -24, Ratio: 4, AttackMS: 5, ReleaseMS: 100, KneeDB: 0, MakeupDB: 3})
				return s.sources(s.bufs), s.mixSource(m, s.rate)
			}},
	)
	return cs
}

// writeFloatWithBadSamples writes b as 32-bit float WAV with the given
// samples of the left channel replaced.
func writeFloatWithBadSamples(t *testing.T, path string, b *audio.Buffer, rate int, bad map[int]float32) {
	t.Helper()
	audiotest.WriteFile(t, path, "wav", audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, b)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Index(string(raw), "data") + 8
	for frame, val := range bad {
		binary.LittleEndian.PutUint32(raw[data+frame*8:], math.Float32bits(val))
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// confusion counts expected code × found code over the corpus.
type confusion struct {
	mu    sync.Mutex
	cells map[[2]string]int
}

func (c *confusion) add(expected, found string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cells[[2]string{expected, found}]++
}

// offDiagonal counts the findings whose code is not the one expected.
func (c *confusion) offDiagonal() int {
	n := 0
	for k, v := range c.cells {
		if k[0] != k[1] {
			n += v
		}
	}
	return n
}

func (c *confusion) String() string {
	rows, cols := map[string]bool{}, map[string]bool{}
	for k := range c.cells {
		rows[k[0]], cols[k[1]] = true, true
	}
	keys := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	rs, cl := keys(rows), keys(cols)
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s", "expected \\ found")
	for _, col := range cl {
		fmt.Fprintf(&b, " %*s", max(len(col), 4), col)
	}
	b.WriteString("\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "%-22s", r)
		for _, col := range cl {
			n := c.cells[[2]string{r, col}]
			cell := "."
			if n > 0 {
				cell = fmt.Sprint(n)
			}
			fmt.Fprintf(&b, " %*s", max(len(col), 4), cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestCorpus runs every case of the corpus on both sets and prints the
// confusion table. A found code that no case expected, or an expected one
// not found, fails the test; "(none)" rows and columns are the clean
// delivery and missed findings. With -short only the first stem of each
// set takes the offsets.
func TestCorpus(t *testing.T) {
	t.Parallel()
	conf := &confusion{cells: map[[2]string]int{}}
	t.Cleanup(func() {
		t.Logf("confusion table (expected code × found code, warnings and errors; what a fault legitimately raises besides its own code — an explained sum_mismatch, headroom on a hot stem — is left out):\n%s", conf)
		if off := conf.offDiagonal(); off > 0 {
			t.Errorf("%d findings off the diagonal", off)
		}
	})
	for i, load := range corpusSets(t) {
		t.Run([]string{"generated", "francium"}[i], func(t *testing.T) {
			s := load(t)
			for _, tc := range s.cases() {
				if testing.Short() && strings.HasPrefix(tc.name, "offset") && !strings.HasPrefix(tc.name, "offset "+s.names[0]+" ") {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					stems, mix := tc.build(t, t.TempDir())
					rep, err := Run(context.Background(), stems, mix, Options{NoStemTruePeak: true})
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range findingProblems(rep, tc.want) {
						t.Error(p)
					}
					expected := map[string]bool{}
					for _, w := range tc.want {
						expected[w.code] = true
					}
					row := "(none)"
					if len(tc.want) > 0 {
						row = tc.want[0].code
					}
					seen := map[string]bool{}
					for _, f := range rep.Findings {
						if f.Severity == stemmaster.SeverityInfo || incidental(f, tc.want) {
							continue
						}
						conf.add(row, f.Code)
						seen[f.Code] = true
					}
					for code := range expected {
						if !seen[code] {
							conf.add(code, "(none)")
						}
					}
					if len(tc.want) == 0 && len(seen) == 0 {
						conf.add("(none)", "(none)")
					}
					if t.Failed() {
						t.Logf("findings: %s", describe(rep.Findings))
					}
				})
			}
		})
	}
}

// findingProblems is assertFindings returning its complaints: every wanted
// finding there with its value, no other error or warning.
func findingProblems(rep *stemmaster.CheckReport, wants []want) []string {
	out, used := wantedProblems(rep, wants)
	for i, f := range rep.Findings {
		if !used[i] && f.Severity != stemmaster.SeverityInfo && !incidental(f, wants) {
			out = append(out, fmt.Sprintf("unexpected %s %s on %q: %s", f.Severity, f.Code, f.File, f.Message))
		}
	}
	return out
}

// wantedProblems says which wanted findings are missing or wrong (code,
// file, severity, value, message, channel), whatever else the report
// holds; used marks the findings that matched.
func wantedProblems(rep *stemmaster.CheckReport, wants []want) (out []string, used []bool) {
	used = make([]bool, len(rep.Findings))
	for _, w := range wants {
		found := false
		for i, f := range rep.Findings {
			if f.Code != w.code || f.File != w.file || used[i] {
				continue
			}
			found, used[i] = true, true
			sev := cmp.Or(w.severity, stemmaster.CodeSeverity[w.code])
			if f.Severity != sev {
				out = append(out, fmt.Sprintf("%s on %s: severity %s, want %s", f.Code, f.File, f.Severity, sev))
			}
			if w.value != nil && (f.Value == nil || math.Abs(*f.Value-*w.value) > valueTol) {
				out = append(out, fmt.Sprintf("%s on %s: value %v, want %v ± %v", f.Code, f.File, fmtValue(f.Value), *w.value, valueTol))
			}
			if !strings.Contains(f.Message, w.text) {
				out = append(out, fmt.Sprintf("%s on %s: message %q does not say %q", f.Code, f.File, f.Message, w.text))
			}
			if f.Channel != w.channel {
				out = append(out, fmt.Sprintf("%s on %s: channel %q, want %q", f.Code, f.File, f.Channel, w.channel))
			}
			break
		}
		if !found {
			out = append(out, fmt.Sprintf("no %s finding on %q", w.code, w.file))
		}
	}
	return out, used
}

// TestGenres checks deliveries of other character than the corpus's
// (genreSong: sparse piano, distorted guitars and noise, sine sub bass,
// speech) for false findings: clean, with their mix and without, they
// raise no warning, and through a bus compressor their mix reads as
// master-bus processing — not as a stem's dynamics, a lossy file, a
// filtered stem or a missing stem, whose thresholds were tuned on the
// francium stems and the generated pop songs.
func TestGenres(t *testing.T) {
	t.Parallel()
	for _, g := range genres {
		t.Run(g, func(t *testing.T) {
			t.Parallel()
			names, bufs := genreSong(g, testRate, 8, 1)
			mix := audiotest.Sum(bufs...)
			bus := compressed(t, mix, testRate, dynamics.CompressorParams{ThresholdDB: -24, Ratio: 4, AttackMS: 5, ReleaseMS: 100, MakeupDB: 3})
			for _, tc := range []struct {
				name string
				mix  *Source
				want []want
			}{
				{name: "clean, with the mix", mix: asMix(mix)},
				{name: "clean, no mix"},
				{name: "bus compressor on the mix", mix: asMix(bus), want: []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "master-bus processing"}}},
			} {
				rep := run(t, memSet(names, bufs, testRate), tc.mix)
				if ps := findingProblems(rep, tc.want); len(ps) > 0 {
					t.Errorf("%s: %s", tc.name, strings.Join(ps, "; "))
				}
			}
		})
	}
}
