package check

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// withDCFrom adds a DC of the given level to b from frame from on: a
// plug-in or converter fault switched in partway.
func withDCFrom(b *audio.Buffer, dbfs float64, from int) *audio.Buffer {
	dc := float32(audio.Amplitude(dbfs))
	for _, ch := range b.Data {
		for i := from; i < len(ch); i++ {
			ch[i] += dc
		}
	}
	return b
}

// withDrift adds a slow sine (a DC that drifts) of the given peak level
// and period to b.
func withDrift(b *audio.Buffer, dbfs, periodS float64, rate int) *audio.Buffer {
	a := audio.Amplitude(dbfs)
	for _, ch := range b.Data {
		for i := range ch {
			ch[i] += float32(a * math.Sin(2*math.Pi*float64(i)/(periodS*float64(rate))))
		}
	}
	return b
}

// brownNoise is leaky-integrated white noise (a 1/f² slope down to
// 10 Hz): programme whose means wander from second to second without any
// fault, at about the given RMS.
func brownNoise(frames, rate int, rms float64, seed uint64) *audio.Buffer {
	rng := rand.New(rand.NewPCG(seed, 3))
	b := audio.NewBuffer(2, frames)
	leak := 1 - 2*math.Pi*10/float64(rate)
	for c, ch := range b.Data {
		var y, e float64
		for i := range ch {
			y = leak*y + rng.NormFloat64()
			ch[i] = float32(y)
			e += y * y
		}
		_ = c
		g := float32(rms / math.Sqrt(e/float64(frames)))
		for i := range ch {
			ch[i] *= g
		}
	}
	return b
}

// TestMovingDC: a DC that starts partway through a stem, or drifts, is a
// dc_offset on that stem (its figure the largest mean over a second, its
// message where it changes), and the comparison with the mix leaves it
// out: no stem is called missing, hot or quiet, and the fitted residual
// nulls. A stem whose means wander as programme (brown noise) is no DC.
func TestMovingDC(t *testing.T) {
	t.Parallel()
	const seconds = 10
	names, clean := song(testRate, seconds, 1)
	mixBuf := sumOf(clean...)
	tests := []struct {
		name     string
		build    func(b []*audio.Buffer) (stems []*audio.Buffer, mix *audio.Buffer)
		want     []want
		text     string // in the dc_offset message
		maxFitDB float64
	}{
		{
			name: "DC from 6 s on one stem",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				withDCFrom(b[1], -30, 6*testRate)
				return b, mixBuf
			},
			want:     []want{{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-30)}},
			text:     "changes most at about 6 s",
			maxFitDB: SumMismatchDB,
		},
		{
			name: "DC drifting on one stem",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				withDrift(b[2], -30, 40, testRate)
				return b, mixBuf
			},
			want:     []want{{code: stemmaster.CodeDCOffset, file: "keys.wav"}},
			text:     "changes along the file",
			maxFitDB: SumMismatchDB,
		},
		{
			name: "DC from 3 s on the mix",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				return b, withDCFrom(mixBuf.Clone(), -30, 3*testRate)
			},
			want:     []want{{code: stemmaster.CodeDCOffset, file: "mix.wav"}},
			text:     "changes most at about 3 s",
			maxFitDB: SumMismatchDB,
		},
		{
			name: "a brown-noise stem is no DC",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				b[4] = brownNoise(b[4].Frames(), testRate, 0.03, 5)
				return b, sumOf(b...)
			},
			maxFitDB: ResidualFloorDB,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := make([]*audio.Buffer, len(clean))
			for i, s := range clean {
				b[i] = s.Clone()
			}
			stems, m := tc.build(b)
			mix := memSource("mix.wav", m, pcm24(testRate, 2))
			rep := run(t, memSet(names, stems, testRate), &mix)
			assertFindings(t, rep, tc.want)
			for _, f := range rep.Findings {
				if f.Code == stemmaster.CodeDCOffset && !strings.Contains(f.Message, tc.text) {
					t.Errorf("%q does not say %q", f.Message, tc.text)
				}
				for _, p := range []string{"probably missing", "hot", "quiet", "late", "early"} {
					if strings.Contains(f.Message, p) {
						t.Errorf("%q says %q", f.Message, p)
					}
				}
			}
			if got := float64(rep.Mix.FittedResidualDB); !(got <= tc.maxFitDB) {
				t.Errorf("fitted residual %.1f dB, want at most %.0f", got, tc.maxFitDB)
			}
		})
	}
}
