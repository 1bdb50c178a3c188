package check

import (
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/dynamics"
)

// TestBusProcessingOnMix puts master-bus processing on an otherwise exact
// mix — a compressor (threshold −20 dBFS, ratio 4, attack 10 ms, release
// 100 ms; with and without +4 dB makeup; and a fast one, −30 dBFS, 1 ms,
// 30 ms), a plain −2 dB bus gain, a peak limiter — and, for contrast, leaves a stem out of the delivery. Each
// case wants the diagnosis in ONE finding on the mix and nothing else.
// Through a compressor the residual's peak-following index reads between
// the two patterns ("no clear pattern", −2.2 and −2.6 dB), and every stem
// would get a gain_mismatch of the same sign (−1.2 … −4 dB, or +7 dB with
// makeup); the bus-gain track (analysis.BusGainTrack) recognises it.
func TestBusProcessingOnMix(t *testing.T) {
	t.Parallel()
	comp := dynamics.CompressorParams{ThresholdDB: -20, Ratio: 4, AttackMS: 10, ReleaseMS: 100}
	makeup := comp
	makeup.MakeupDB = 4
	fast := dynamics.CompressorParams{ThresholdDB: -30, Ratio: 4, AttackMS: 1, ReleaseMS: 30}
	type busCase struct {
		name string
		mix  func(t *testing.T, d *delivery) *audio.Buffer
		drop bool // leave the set's missing stem (delivery.missing) out
		want want
		not  string // what the finding's message must not say
	}
	cases := []busCase{
		{
			name: "compressor -20 dBFS 4:1",
			mix:  func(t *testing.T, d *delivery) *audio.Buffer { return compressed(t, d.mix, d.rate, comp) },
			want: want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "compressor — was left on the mix"},
			not:  "makeup",
		},
		{
			// The quiet passages pass at the makeup gain: the track's 90th
			// percentile reads it (+3.4 dB on the francium excerpt, +3.7
			// on the generated song).
			name: "compressor with +4 dB makeup",
			mix:  func(t *testing.T, d *delivery) *audio.Buffer { return compressed(t, d.mix, d.rate, makeup) },
			want: want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "dB of makeup gain"},
		},
		{
			// The case that failed before the bus-gain track: a fast
			// compressor deep into the mix (peak-following index −3.8 dB
			// on the generated song, −6.0 dB on francium: "no clear
			// pattern", even "a stem is probably missing"), with a
			// gain_mismatch of +9 … +13 dB on every stem.
			name: "fast compressor -30 dBFS 4:1, 1 ms / 30 ms",
			mix:  func(t *testing.T, d *delivery) *audio.Buffer { return compressed(t, d.mix, d.rate, fast) },
			want: want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "compressor — was left on the mix"},
		},
		{
			// A constant gain nulls exactly after the fit: the common-gain
			// path reports it on the mix with the gain put in.
			name: "plain -2 dB bus gain",
			mix:  func(_ *testing.T, d *delivery) *audio.Buffer { return scaled(d.mix, audio.Amplitude(-2)) },
			want: want{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(-2), text: "master-fader or bus gain"},
		},
		{
			name: "limiter 6 dB below the peak",
			mix: func(_ *testing.T, d *delivery) *audio.Buffer {
				return limited(d.mix, d.rate, audio.DB(float64(d.mix.Peak()))-6)
			},
			want: want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "master-bus processing"},
		},
		{
			// Before, "fx.wav is 2.1 dB quiet" beside "a stem is probably
			// missing" on francium: the fitted gains had taken up part of
			// the EQ, and no gain per moment explains it.
			name: "EQ: +3 dB low shelf at 100 Hz, +2 dB high shelf at 8 kHz",
			mix: func(_ *testing.T, d *delivery) *audio.Buffer {
				out := d.mix.Clone()
				fs := float64(d.rate)
				f := biquad.NewFilter(2, biquad.Cascade{biquad.LowShelf(fs, 100, 0.7071, 3), biquad.HighShelf(fs, 8000, 0.7071, 2)})
				x := make([]float64, out.Frames())
				for c, ch := range out.Data {
					biquad.Widen(x, ch)
					f.Process(c, x)
					biquad.Narrow(ch, x)
				}
				return out
			},
			want: want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "through an equaliser"},
		},
		{
			name: "mix missing a stem",
			mix:  func(_ *testing.T, d *delivery) *audio.Buffer { return d.mix },
			drop: true,
			want: want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"},
		},
	}
	eachSet(t, func(t *testing.T, d *delivery) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				stems := d.files()
				if tc.drop {
					stems = slices.Delete(stems, d.missing, d.missing+1)
				}
				mix := stemFile{name: "mix.wav", buf: tc.mix(t, d), format: pcm24(d.rate, 2)}
				rep := runDelivery(t, stems, &mix)
				assertFindings(t, rep, []want{tc.want})
				for _, f := range rep.Findings {
					if tc.not != "" && f.Code == tc.want.code && strings.Contains(f.Message, tc.not) {
						t.Errorf("%s on %s says %q: %s", f.Code, f.File, tc.not, f.Message)
					}
				}
				var raised []stemmaster.Finding
				for _, f := range rep.Findings {
					if f.Severity != stemmaster.SeverityInfo && !explainedSum(f) {
						raised = append(raised, f)
					}
				}
				if len(raised) != 1 {
					t.Errorf("%d warnings and errors, want the one %s on the mix: %s", len(raised), tc.want.code, describe(raised))
				}
				if t.Failed() || testing.Verbose() {
					t.Logf("findings: %s", describe(rep.Findings))
				}
			})
		}
	})
}
