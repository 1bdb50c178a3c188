package check

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/dynamics"
)

// TestStemProcessing puts dynamics on the stems instead of the mix — a
// compressor or a limiter printed on one stem, a limiter on every stem —
// and noise on one stem that the mix lacks. Each case wants the diagnosis
// in the one sum_mismatch on the mix, naming the stem, and no gain
// finding on a stem that has no one level. Before, a limited stem read as
// "gain automation on the master" with the stem "1.5 dB quiet", the
// limiter on every stem as "a limiter or clipper was left on the mix",
// and the noise as "a stem is probably missing".
func TestStemProcessing(t *testing.T) {
	t.Parallel()
	lead := func(d *delivery) int {
		for i, n := range d.names {
			if strings.HasPrefix(n, "lead") {
				return i
			}
		}
		t.Fatal("no lead vocal in the set")
		return -1
	}
	peakDB := func(b *audio.Buffer) float64 { return audio.DB(float64(b.Peak())) }
	cases := []struct {
		name  string
		stems func(d *delivery) []stemFile
		text  string // in the sum_mismatch message; names the stem
		stem  func(d *delivery) int
		not   []string // what no message may say
		// a limiter on a steady stem is a constant gain: its level may be
		// reported
		gainsOK bool
	}{
		{
			name: "one stem through a fast compressor",
			stems: func(d *delivery) []stemFile {
				fs := d.files()
				k := d.delayed
				p := dynamics.CompressorParams{ThresholdDB: peakDB(d.bufs[k]) - 18, Ratio: 4, AttackMS: 1, ReleaseMS: 30}
				fs[k] = stemFile{name: d.names[k], buf: compressed(t, d.bufs[k], d.rate, p), format: pcm24(d.rate, 2)}
				return fs
			},
			text: "level moving against its part of the mix",
			stem: func(d *delivery) int { return d.delayed },
			not:  []string{"master-bus", "dB quiet", "dB hot", "probably missing"},
		},
		{
			name: "one stem through a limiter",
			stems: func(d *delivery) []stemFile {
				fs := d.files()
				k := d.hot
				fs[k] = stemFile{name: d.names[k], buf: limited(d.bufs[k], d.rate, peakDB(d.bufs[k])-8), format: pcm24(d.rate, 2)}
				return fs
			},
			text: "level moving against its part of the mix",
			stem: func(d *delivery) int { return d.hot },
			not:  []string{"master-bus", "dB quiet", "dB hot", "probably missing"},
		},
		{
			name: "every stem through a limiter",
			stems: func(d *delivery) []stemFile {
				fs := d.files()
				for k, b := range d.bufs {
					fs[k] = stemFile{name: d.names[k], buf: limited(b, d.rate, peakDB(b)-8), format: pcm24(d.rate, b.Channels())}
				}
				return fs
			},
			text:    "moving against their parts of the mix",
			stem:    func(d *delivery) int { return -1 },
			not:     []string{"master-bus", "probably missing"},
			gainsOK: true,
		},
		{
			name: "noise on one stem",
			stems: func(d *delivery) []stemFile {
				fs := d.files()
				k := lead(d)
				b := d.bufs[k].Clone()
				rng := rand.New(rand.NewPCG(3, 4))
				a := audio.Amplitude(-60)
				for _, ch := range b.Data {
					for i := range ch {
						ch[i] += float32(a * rng.NormFloat64())
					}
				}
				fs[k] = stemFile{name: d.names[k], buf: b, format: pcm24(d.rate, 2)}
				return fs
			},
			text: "holds something that the mix does not",
			stem: lead,
			not:  []string{"master-bus", "dB quiet", "dB hot", "probably missing"},
		},
	}
	for _, set := range deliverySets {
		t.Run(set.name, func(t *testing.T) {
			d := set.load(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					mix := d.mixFile()
					rep := runDelivery(t, tc.stems(d), &mix)
					name := "" // several stems: the message names them
					if k := tc.stem(d); k >= 0 {
						name = d.names[k]
					}
					if tc.gainsOK {
						rep.Findings = slices.DeleteFunc(rep.Findings, func(f stemmaster.Finding) bool {
							return f.Code == stemmaster.CodeGainMismatch && f.File != "mix.wav"
						})
					}
					assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: tc.text}})
					for _, f := range rep.Findings {
						if f.Code == stemmaster.CodeSumMismatch && !strings.Contains(f.Message, name) {
							t.Errorf("sum_mismatch does not name %s: %s", name, f.Message)
						}
						for _, p := range tc.not {
							if strings.Contains(f.Message, p) {
								t.Errorf("%s on %s says %q: %s", f.Code, f.File, p, f.Message)
							}
						}
					}
					if t.Failed() || testing.Verbose() {
						t.Logf("findings: %s", describe(rep.Findings))
					}
				})
			}
		})
	}
}
