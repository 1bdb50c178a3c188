package check

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestOtherRateFullBandStem: a stem at another rate than the rest holds
// nothing above the lower rate's band, so a full-band stem (pink noise,
// the most energy up there) leaves a residual above that band the
// delivery cannot avoid. The check compares the band both rates carry:
// the rate is the one error, the fitted residual is deep, and nothing is
// called missing. The same both ways (44.1 kHz among 48 kHz stems, and
// 48 kHz among 44.1 kHz stems and mix), and for a mix at the lower rate.
// A stem really missing still reads as missing (the band limit does not
// blind the comparison).
//
// With a stem converted, what it lacks above its band is orthogonal to
// everything it carries, so the fit is unbiased and the band nulls deep.
// With the mix converted, every stem carries a little the mix lacks, which
// pulls the full-band fit's gains down by the share of their energy above
// the band (−0.2 dB for pink noise, far less for music): the band then
// nulls only to about −39 dB, still clear of the −30 dB threshold.
func TestOtherRateFullBandStem(t *testing.T) {
	t.Parallel()
	const seconds = 4
	type delivery struct {
		stems []Source
		mix   Source
	}
	build := func(rate, pinkRate, mixRate int) delivery {
		names, bufs := song(rate, seconds, 4)
		names[4] = "pink_noise.wav"
		// Full-band pink noise: the hardest material for a stem converted
		// from another rate, as much energy in the octave the lower rate
		// cannot hold as in any other.
		bufs[4] = asDelivered(audiotest.PinkNoise(1, 2, rate*seconds, -12))[0]
		stems := memSet(names, bufs, rate)
		if pinkRate != rate {
			// The stem as the DAW bounces it at pinkRate: converted from
			// the session's rate.
			stems[4] = memSource(names[4], resampleBuf(bufs[4], rate, pinkRate), pcm24(pinkRate, 2))
		}
		mix := audiotest.Sum(bufs...)
		if mixRate != rate {
			mix = resampleBuf(mix, rate, mixRate)
		}
		return delivery{stems, memSource("mix.wav", mix, pcm24(mixRate, 2))}
	}
	for _, tc := range []struct {
		name                    string
		rate, pinkRate, mixRate int
		file                    string
		rateValue               float64
		missing                 bool
		maxResidualDB           float64
	}{
		{name: "44.1 kHz pink noise among 48 kHz stems", rate: 48000, pinkRate: 44100, mixRate: 48000, file: "pink_noise.wav", rateValue: 44100, maxResidualDB: -50},
		{name: "48 kHz pink noise among 44.1 kHz stems", rate: 44100, pinkRate: 48000, mixRate: 44100, file: "pink_noise.wav", rateValue: 48000, maxResidualDB: -50},
		{name: "mix at 44.1 kHz, pink noise in the stems", rate: 48000, pinkRate: 48000, mixRate: 44100, file: "mix.wav", rateValue: 44100, maxResidualDB: -35},
		{name: "44.1 kHz pink noise, drums missing", rate: 48000, pinkRate: 44100, mixRate: 48000, file: "pink_noise.wav", rateValue: 44100, missing: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := build(tc.rate, tc.pinkRate, tc.mixRate)
			stems := d.stems
			wants := []want{{code: stemmaster.CodeSampleRateMismatch, file: tc.file, value: v(tc.rateValue), text: "below 18.7 kHz, the band both rates carry"}}
			if tc.missing {
				stems = stems[1:]
				wants = append(wants, want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"})
			}
			rep := run(t, stems, &d.mix)
			for _, p := range findingProblems(rep, wants) {
				t.Error(p)
			}
			if rep.Mix == nil {
				t.Fatal("no comparison with the mix")
			}
			if res := float64(rep.Mix.FittedResidualDB); !tc.missing && res > tc.maxResidualDB {
				t.Errorf("fitted residual %.1f dB, want the band both rates carry to null below %.0f dB", res, tc.maxResidualDB)
			}
			t.Logf("delivered %.1f dB, fitted (in band) %.1f dB", float64(rep.Mix.NullResidualDB), float64(rep.Mix.FittedResidualDB))
			if t.Failed() {
				t.Logf("findings: %s", describe(rep.Findings))
			}
		})
	}
}

// TestSurroundFileUnsupported: a 5.1 stem (or mix) is an unsupported format
// with its channel count, and the stereo stems beside it are checked as
// usual: were the widest file to set the sum's layout, every stereo stem
// would be "left out of the sum" with an info finding, and the check would
// pass a delivery that master refuses.
func TestSurroundFileUnsupported(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	surround := audio.NewBuffer(6, bufs[0].Frames())
	for c := range 2 {
		copy(surround.Data[c], bufs[0].Data[c])
	}
	t.Run("stem", func(t *testing.T) {
		stems := memSet(names, bufs, rate)
		stems = append(stems, memSource("surround.wav", surround, pcm24(rate, 6)))
		rep := run(t, stems, nil)
		assertFindings(t, rep, []want{{code: stemmaster.CodeUnsupportedFormat, file: "surround.wav", value: v(6), text: "6 channels"}})
	})
	t.Run("mix", func(t *testing.T) {
		mix := memSource("mix51.wav", surround, pcm24(rate, 6))
		rep := run(t, memSet(names, bufs, rate), &mix)
		assertFindings(t, rep, []want{{code: stemmaster.CodeUnsupportedFormat, file: "mix51.wav", value: v(6), text: "the mix mix51.wav has 6 channels"}})
		if rep.Mix != nil {
			t.Errorf("a 6-channel mix was compared with stereo stems: %+v", rep.Mix)
		}
	})
}

// TestTruncatedFade: a held note fading out on a 16-bit stem. Truncated
// (or rounded) to 16 bits with no dither, its fade's end is a stepped
// waveform on the grid's lowest codes, and bit_depth_low says so and asks
// for dither on any shallow copy; under TPDF dither, or at 24 bits, it
// reads as a plain bit depth (or nothing). The fade runs 8 s from −20 to
// −100 dBFS and is followed by 1 s of digital silence, which no dither of
// the DAWs that blank silence would fill, so silence is no evidence.
func TestTruncatedFade(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 10
	n := rate * seconds
	note := audio.NewBuffer(2, n)
	for i := range 9 * rate {
		db := -20.0
		if i > rate {
			db -= 80 * float64(i-rate) / float64(8*rate)
		}
		x := math.Pow(10, db/20) * math.Sin(2*math.Pi*110*float64(i)/rate)
		note.Data[0][i], note.Data[1][i] = float32(x), float32(0.9*x)
	}
	rng := rand.New(rand.NewPCG(3, 9))
	quantise := func(how string) *audio.Buffer {
		out := audio.NewBuffer(2, n)
		for c := range out.Data {
			for i, x := range note.Data[c] {
				q := float64(x) * 32768
				switch how {
				case "truncated":
					q = math.Floor(q)
				case "TPDF dither":
					q = math.Round(q + rng.Float64() - rng.Float64())
				}
				out.Data[c][i] = float32(q / 32768)
			}
		}
		return out
	}
	for _, tc := range []struct {
		how       string
		bits      int
		truncated bool
	}{
		{"truncated", 16, true},
		{"rounded", 16, true},
		{"TPDF dither", 16, false},
		{"24-bit", 24, false},
	} {
		t.Run(tc.how, func(t *testing.T) {
			t.Parallel()
			b := note
			switch tc.how {
			case "rounded":
				b = rounded(note, 16)
			case "truncated", "TPDF dither":
				b = quantise(tc.how)
			}
			f := pcm24(rate, 2)
			f.BitDepth = tc.bits
			rep := run(t, []Source{memSource("pad.wav", b, f)}, nil)
			var wants []want
			if tc.bits < 24 {
				wants = []want{{code: stemmaster.CodeBitDepthLow, file: "pad.wav", value: v(16)}}
			}
			if tc.truncated {
				wants[0].text = "pad.wav is 16-bit, truncated without dither: its quiet passages (from "
			}
			for _, p := range findingProblems(rep, wants) {
				t.Error(p)
			}
			for _, f := range rep.Findings {
				if f.Code == stemmaster.CodeBitDepthLow && !tc.truncated && strings.Contains(f.Message+f.Fix, "dither (") {
					t.Errorf("%s reads as truncated: %s (fix: %s)", tc.how, f.Message, f.Fix)
				}
			}
		})
	}
}
