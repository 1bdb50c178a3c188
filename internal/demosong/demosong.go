// Package demosong synthesises the demo song of `stemmaster demo`: 30
// seconds at 120 BPM in A minor, a i–VI–III–VII progression (Am F C G)
// with an intro, a verse, a chorus, a breakdown and a last chorus that
// fades out, as four stems — drums (synthesised kick, snare and hi-hats),
// bass, chords (a detuned saw pad) and a lead line (a pentatonic melody
// with vibrato). Everything is computed from the note list and a seeded
// noise generator, so the stems are identical on every run.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package demosong

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"

	"stemmaster"
	"stemmaster/audio"
)

// Song figures.
const (
	DurationS = 30.0
	BPM       = 120.0
	beatS     = 60 / BPM
	barS      = 4 * beatS // 2 s
	bars      = 15
)

// Stem is one synthesised stem.
type Stem struct {
	Name string // file name, e.g. "drums.wav"
	Role stemmaster.Role
	Buf  *audio.Buffer // stereo
}

// section levels per bar: which parts play and how loud (0…1).
type bar struct {
	chord             int // index into progression
	kick, snare, hats float64
	bass, pad, lead   float64
}

// progression: Am F C G, as MIDI notes of the triads (root position, around
// middle C) and the bass roots.
var progression = []struct {
	triad [3]int
	root  int
}{
	{[3]int{57, 60, 64}, 33}, // A minor: A3 C4 E4, bass A1
	{[3]int{53, 57, 60}, 29}, // F major: F3 A3 C4, bass F1
	{[3]int{55, 60, 64}, 36}, // C major: G3 C4 E4 (2nd inversion), bass C2
	{[3]int{55, 59, 62}, 31}, // G major: G3 B3 D4, bass G1
}

// arrangement of the 15 bars.
func arrangement() []bar {
	var a []bar
	for i := range bars {
		b := bar{chord: i % 4}
		switch {
		case i < 2: // intro: pad and hats
			b.pad, b.hats = 0.6, 0.4
		case i < 6: // verse
			b.pad, b.hats, b.kick, b.bass, b.lead = 0.55, 0.55, 0.8, 0.75, 0.55
		case i < 10: // chorus
			b.pad, b.hats, b.kick, b.snare, b.bass, b.lead = 0.75, 0.7, 1, 0.9, 0.9, 0.8
		case i < 12: // breakdown
			b.pad, b.lead, b.hats = 0.5, 0.45, 0.25
		default: // last chorus
			b.pad, b.hats, b.kick, b.snare, b.bass, b.lead = 0.8, 0.75, 1, 1, 0.95, 0.85
		}
		a = append(a, b)
	}
	return a
}

// melody: per bar, eighth-note steps of A minor pentatonic (A C D E G)
// degrees, -1 a rest. Two phrases, a question and an answer.
var phrases = [][8]int{
	{0, -1, 2, 3, 4, -1, 3, 2},
	{1, -1, 2, 1, 0, -1, -1, -1},
	{4, -1, 5, 4, 3, 2, 3, -1},
	{2, -1, 1, 0, 1, -1, -1, -1},
}

var pentatonic = []int{69, 72, 74, 76, 79, 81} // A4 C5 D5 E5 G5 A5

func mtof(m int) float64 { return 440 * math.Pow(2, float64(m-69)/12) }

// Stems synthesises the four stems at the given rate.
func Stems(rate int) []Stem {
	n := int(DurationS * float64(rate))
	fs := float64(rate)
	arr := arrangement()
	drums, bass, pad, lead := newStereo(n), newStereo(n), newStereo(n), newStereo(n)
	rng := rand.New(rand.NewPCG(2026, 11))
	for bi, b := range arr {
		t0 := float64(bi) * barS
		ch := progression[b.chord]
		fade := 1.0
		if bi >= bars-2 { // fade over the last two bars
			fade = 1 - 0.45*float64(bi-(bars-2))
		}
		for beat := range 4 {
			bt := t0 + float64(beat)*beatS
			if b.kick > 0 && (beat == 0 || beat == 2 || (beat == 3 && bi%2 == 1)) {
				kick(drums, fs, bt, b.kick*fade*0.4)
			}
			if b.kick > 0 && beat == 2 && bi%4 == 3 {
				kick(drums, fs, bt+beatS/2, b.kick*fade*0.28) // a pickup kick
			}
			if b.snare > 0 && (beat == 1 || beat == 3) {
				snare(drums, fs, bt, b.snare*fade*0.32, rng)
			}
			for e := range 2 {
				if b.hats > 0 {
					accent := 0.6
					if e == 0 {
						accent = 1
					}
					hat(drums, fs, bt+float64(e)*beatS/2, b.hats*fade*0.12*accent, rng)
				}
				if b.bass > 0 {
					note := ch.root
					if beat == 3 && e == 1 {
						note += 7 // a fifth leading into the next bar
					}
					pluckBass(bass, fs, bt+float64(e)*beatS/2, beatS/2*0.9, mtof(note), b.bass*fade*0.3)
				}
			}
		}
		if b.pad > 0 {
			for k, m := range ch.triad {
				padNote(pad, fs, t0, barS, mtof(m), b.pad*fade*0.12, k)
			}
		}
		if b.lead > 0 {
			ph := phrases[bi%4]
			for e, d := range ph {
				if d < 0 {
					continue
				}
				dur := beatS / 2
				for e2 := e + 1; e2 < len(ph) && ph[e2] < 0; e2++ {
					dur += beatS / 2
				}
				leadNote(lead, fs, t0+float64(e)*beatS/2, dur*0.92, mtof(pentatonic[d]), b.lead*fade*0.22)
			}
		}
	}
	return []Stem{
		{Name: "drums.wav", Role: stemmaster.RoleDrums, Buf: drums},
		{Name: "bass.wav", Role: stemmaster.RoleBass, Buf: bass},
		{Name: "chords.wav", Role: stemmaster.RoleInstruments, Buf: pad},
		{Name: "lead.wav", Role: stemmaster.RoleInstruments, Buf: lead},
	}
}

func newStereo(n int) *audio.Buffer { return audio.NewBuffer(2, n) }

// add mixes v at frame i with left/right gains.
func add(b *audio.Buffer, i int, v, gl, gr float64) {
	if i < 0 || i >= b.Frames() {
		return
	}
	b.Data[0][i] += float32(v * gl)
	b.Data[1][i] += float32(v * gr)
}

// kick: a sine swept from 150 to 48 Hz with an exponential decay and a
// short click.
func kick(b *audio.Buffer, fs, t, amp float64) {
	start := int(t * fs)
	n := int(0.45 * fs)
	phase := 0.0
	for i := range n {
		tt := float64(i) / fs
		f := 48 + 102*math.Exp(-tt*28)
		phase += 2 * math.Pi * f / fs
		env := math.Exp(-tt * 7.5)
		click := 0.0
		if tt < 0.004 {
			click = 0.3 * (1 - tt/0.004)
		}
		v := amp * (env*math.Sin(phase) + click)
		add(b, start+i, v, 1, 1)
	}
}

// snare: a 190 Hz body and band-limited noise, decaying fast.
func snare(b *audio.Buffer, fs, t, amp float64, rng *rand.Rand) {
	start := int(t * fs)
	n := int(0.25 * fs)
	var lp, hpPrev, hp float64
	for i := range n {
		tt := float64(i) / fs
		noise := rng.Float64()*2 - 1
		lp += 0.45 * (noise - lp) // soften the top
		hp = 0.9 * (hp + lp - hpPrev)
		hpPrev = lp
		body := math.Sin(2*math.Pi*190*tt) * math.Exp(-tt*30)
		v := amp * (0.55*body + 0.8*hp*math.Exp(-tt*18))
		add(b, start+i, v, 0.95, 1)
	}
}

// hat: high-passed noise with a very short decay, panned a little right.
func hat(b *audio.Buffer, fs, t, amp float64, rng *rand.Rand) {
	start := int(t * fs)
	n := int(0.06 * fs)
	var prev, hp float64
	for i := range n {
		tt := float64(i) / fs
		x := rng.Float64()*2 - 1
		hp = 0.6 * (hp + x - prev)
		prev = x
		add(b, start+i, amp*hp*math.Exp(-tt*70), 0.8, 1)
	}
}

// pluckBass: a saw through a one-pole low-pass whose cut-off falls with
// the note, for a plucked synth bass; mono in the centre.
func pluckBass(b *audio.Buffer, fs, t, dur, f, amp float64) {
	start := int(t * fs)
	n := int(dur * fs)
	var y, phase float64
	for i := range n + int(0.02*fs) {
		tt := float64(i) / fs
		phase += f / fs
		phase -= math.Floor(phase)
		saw := 2*phase - 1
		cut := 200 + 1400*math.Exp(-tt*14)
		a := 1 - math.Exp(-2*math.Pi*cut/fs)
		y += a * (saw - y)
		env := math.Min(1, tt/0.003) * math.Exp(-tt*2.5)
		if i >= n { // release
			env *= math.Max(0, 1-float64(i-n)/(0.02*fs))
		}
		add(b, start+i, amp*env*y, 1, 1)
	}
}

// padNote: two saws detuned ±7 cents, one per side, low-passed, with a slow
// attack and release: a wide chord pad. voice spreads the voices' phases.
func padNote(b *audio.Buffer, fs, t, dur, f, amp float64, voice int) {
	start := int(t * fs)
	n := int(dur * fs)
	rel := int(0.3 * fs)
	fl, fr := f*math.Pow(2, -7.0/1200), f*math.Pow(2, 7.0/1200)
	pl, pr := float64(voice)*0.31, float64(voice)*0.57
	var yl, yr float64
	a := 1 - math.Exp(-2*math.Pi*1800/fs)
	for i := range n + rel {
		tt := float64(i) / fs
		pl += fl / fs
		pl -= math.Floor(pl)
		pr += fr / fs
		pr -= math.Floor(pr)
		yl += a * ((2*pl - 1) - yl)
		yr += a * ((2*pr - 1) - yr)
		env := math.Min(1, tt/0.25)
		if i >= n {
			env *= 1 - float64(i-n)/float64(rel)
		}
		if start+i >= b.Frames() {
			break
		}
		b.Data[0][start+i] += float32(amp * env * yl)
		b.Data[1][start+i] += float32(amp * env * yr)
	}
}

// leadNote: a square-ish lead (odd harmonics of a band-limited sum) with
// delayed vibrato, panned slightly left.
func leadNote(b *audio.Buffer, fs, t, dur, f, amp float64) {
	start := int(t * fs)
	n := int(dur * fs)
	rel := int(0.08 * fs)
	phase := 0.0
	for i := range n + rel {
		tt := float64(i) / fs
		vib := 1 + 0.004*math.Sin(2*math.Pi*5.5*tt)*math.Min(1, tt/0.3)
		phase += 2 * math.Pi * f * vib / fs
		v := 0.0
		for h := 1; h <= 7 && float64(h)*f < fs/2.2; h += 2 {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		env := math.Min(1, tt/0.01) * (0.75 + 0.25*math.Exp(-tt*6))
		if i >= n {
			env *= 1 - float64(i-n)/float64(rel)
		}
		add(b, start+i, amp*env*v, 1, 0.8)
	}
}

// WriteStems writes the stems as 24-bit WAV files into dir (atomically, with
// audio.Create; the caller imports the wav codec) and returns their paths.
func WriteStems(dir string, rate int) ([]string, error) {
	return WriteStemsContext(context.Background(), dir, rate)
}

// WriteStemsContext is WriteStems that stops between stems when ctx is done.
func WriteStemsContext(ctx context.Context, dir string, rate int) ([]string, error) {
	var paths []string
	for _, st := range Stems(rate) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, st.Name)
		w, err := audio.Create(path, "wav", audio.Format{SampleRate: rate, Channels: st.Buf.Channels(), BitDepth: 24, SampleFormat: audio.Int})
		if err != nil {
			return nil, err
		}
		if err := w.Write(st.Buf); err != nil {
			w.Abort()
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// Session is the demo's session file: a light channel strip per stem and
// the default master chain to the streaming target, delivered as a 24-bit
// WAV and a dithered 16-bit 44.1 kHz CD master.
const Session = `# stemmaster demo session: edit and re-run with
#   stemmaster master -s session.yaml -o .
stems:
  - file: stems/drums.wav
    role: drums
    eq: [{type: low_shelf, freq_hz: 80, gain_db: 1.5, q: 0.707}]
    compressor: {threshold_db: -14, ratio: 2.5, attack_ms: 15, release_ms: 120, knee_db: 4}
  - file: stems/bass.wav
    role: bass
    eq: [{type: high_pass, freq_hz: 35, q: 0.707}]
    compressor: {threshold_db: -20, ratio: 3, attack_ms: 20, release_ms: 150, knee_db: 6}
  - file: stems/chords.wav
    role: instruments
    pan: 0
    eq: [{type: high_pass, freq_hz: 150, q: 0.707}, {type: peak, freq_hz: 2500, gain_db: -1.5, q: 1.2}]
  - file: stems/lead.wav
    role: instruments
    gain_db: -1
    pan: -0.1
    eq: [{type: peak, freq_hz: 3000, gain_db: 1.5, q: 1.0}]
master:
  eq: [{type: high_pass, freq_hz: 20, q: 0.707}]
  compressor: {threshold_db: -12, ratio: 1.5, attack_ms: 30, release_ms: 200, knee_db: 6, sidechain_hpf_hz: 100}
  limiter: {lookahead_ms: 5, release_ms: 80}
  target: {preset: streaming}
outputs:
  - {format: wav, bit_depth: 24}
  - {format: wav, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: cd}
versions: [main]
`

// Late is one late delivery of the tests that read an offset: a stem Lag
// frames late, half a frame more with Half (LateDelivery).
type Late struct {
	Lag  int
	Half bool
}

// LateCases are the lags the tests of one offset measurement (the check's,
// read by the assistant and by the server's suggest) deliver: one frame,
// 100, 4800, and 100.5, between two whole frames, where two measurements
// could each round their own way.
var LateCases = []Late{{1, false}, {100, false}, {4800, false}, {100, true}}

func (l Late) String() string { return fmt.Sprintf("%d half %v", l.Lag, l.Half) }

// Undoes reports whether offset_samples puts the late stem back in step:
// -Lag, or with Half either of the whole frames the lag lies between
// (-Lag or -Lag-1).
func (l Late) Undoes(offset int64) bool {
	return offset == int64(-l.Lag) || l.Half && offset == int64(-l.Lag-1)
}

// LateDelivery is the demo song delivered with one stem (name) lag frames
// late, half a frame more with half (the mean of neighbouring frames: a
// lag between two whole frames, where two measurements of it could each
// round their own way), and the mix of the intact stems: the broken
// delivery the check and the assistant are tested on.
func LateDelivery(rate int, name string, lag int, half bool) (stems []Stem, mix *audio.Buffer) {
	for _, s := range Stems(rate) {
		if mix == nil {
			mix = newStereo(s.Buf.Frames())
		}
		out := newStereo(s.Buf.Frames())
		for c, ch := range s.Buf.Data {
			for i, v := range ch {
				mix.Data[c][i] += v
				switch j := i - lag; {
				case s.Name != name:
					out.Data[c][i] = v
				case j >= 0 && half:
					out.Data[c][i] = ch[j] / 2
					if j > 0 {
						out.Data[c][i] += ch[j-1] / 2
					}
				case j >= 0:
					out.Data[c][i] = ch[j]
				}
			}
		}
		s.Buf = out
		stems = append(stems, s)
	}
	return stems, mix
}
