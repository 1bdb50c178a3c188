package check

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/dynamics"
)

// TestStemProcessing puts dynamics on the stems instead of the mix — a
// compressor or a limiter printed on one stem, a limiter on every stem,
// volume automation on one stem (what a pre-fader export leaves out) —
// and noise on one stem that the mix lacks. Each case wants the diagnosis
// in the one sum_mismatch on the mix, naming the stem, and no gain
// finding on a stem that has no one level: never a limited stem read as
// "gain automation on the master" with the stem "1.5 dB quiet" (nor the
// vocal's fader ride as "1.9 dB hot"), the limiter on every stem as "a
// limiter or clipper was left on the mix", or the noise as "a stem is
// probably missing".
func TestStemProcessing(t *testing.T) {
	t.Parallel()
	peakDB := func(b *audio.Buffer) float64 { return audio.DB(float64(b.Peak())) }
	noisy := func(_ *testing.T, b *audio.Buffer, _ int) *audio.Buffer {
		out := b.Clone()
		rng := rand.New(rand.NewPCG(3, 4))
		a := audio.Amplitude(-60)
		for _, ch := range out.Data {
			for i := range ch {
				ch[i] += float32(a * rng.NormFloat64())
			}
		}
		return out
	}
	ridden := func(_ *testing.T, b *audio.Buffer, rate int) *audio.Buffer {
		out := b.Clone()
		for _, ch := range out.Data {
			for i := range ch {
				ch[i] *= float32(audio.Amplitude(2 * math.Sin(2*math.Pi*0.5*float64(i)/float64(rate))))
			}
		}
		return out
	}
	lead := func(d *delivery) int {
		return slices.IndexFunc(d.names, func(n string) bool { return strings.HasPrefix(n, "lead") })
	}
	cases := []struct {
		name    string
		stem    func(d *delivery) int // the stem processed; −1: every stem
		process func(t *testing.T, b *audio.Buffer, rate int) *audio.Buffer
		text    string // in the sum_mismatch message, which names the stem
		// a limiter on a steady stem is a constant gain: its level may be
		// reported
		gainsOK bool
		// drop leaves the set's missing stem (delivery.missing) out: the
		// message names both faults
		drop bool
	}{
		{"one stem through a fast compressor", func(d *delivery) int { return d.delayed },
			func(t *testing.T, b *audio.Buffer, rate int) *audio.Buffer {
				return compressed(t, b, rate, dynamics.CompressorParams{ThresholdDB: peakDB(b) - 18, Ratio: 4, AttackMS: 1, ReleaseMS: 30})
			}, "level moving against its part of the mix", false, false},
		{"one stem through a limiter", func(d *delivery) int { return d.hot },
			func(_ *testing.T, b *audio.Buffer, rate int) *audio.Buffer { return limited(b, rate, peakDB(b)-8) },
			"level moving against its part of the mix", false, false},
		{"every stem through a limiter", func(*delivery) int { return -1 },
			func(_ *testing.T, b *audio.Buffer, rate int) *audio.Buffer { return limited(b, rate, peakDB(b)-8) },
			"moving against their parts of the mix", true, false},
		{"one stem with volume automation (or the mix's, as a pre-fader export)", lead, ridden,
			"level moving against its part of the mix", false, false},
		{"noise on one stem", lead, noisy, "holds something that the mix does not", false, false},
		// Not "a stem is probably missing" alone, with the limited stem
		// 1.7 dB hot: the missing stem's residual must not drown its
		// moving level.
		{"one stem through a limiter, another missing", func(d *delivery) int { return (d.missing + 1) % len(d.names) },
			func(_ *testing.T, b *audio.Buffer, rate int) *audio.Buffer { return limited(b, rate, peakDB(b)-8) },
			"a stem is probably missing; besides, the level of", false, true},
	}
	not := []string{"master-bus", "probably missing"}
	eachSet(t, func(t *testing.T, d *delivery) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				fs, k := d.files(), tc.stem(d)
				for i, b := range d.bufs {
					if k < 0 || i == k {
						fs[i] = stemFile{name: d.names[i], buf: tc.process(t, b, d.rate), format: pcm24(d.rate, b.Channels())}
					}
				}
				mix := d.mixFile()
				if tc.drop {
					fs = slices.Delete(fs, d.missing, d.missing+1)
				}
				rep := runDelivery(t, fs, &mix)
				if tc.gainsOK {
					rep.Findings = slices.DeleteFunc(rep.Findings, func(f stemmaster.Finding) bool {
						return f.Code == stemmaster.CodeGainMismatch && f.File != "mix.wav"
					})
				}
				assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: tc.text}})
				for _, f := range rep.Findings {
					if f.Code == stemmaster.CodeSumMismatch && k >= 0 && !strings.Contains(f.Message, d.names[k]) {
						t.Errorf("sum_mismatch does not name %s: %s", d.names[k], f.Message)
					}
					for _, p := range not {
						if strings.Contains(f.Message, p) && !(tc.drop && p == "probably missing") {
							t.Errorf("%s on %s says %q: %s", f.Code, f.File, p, f.Message)
						}
					}
				}
			})
		}
	})
}
