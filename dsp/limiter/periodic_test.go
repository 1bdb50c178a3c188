package limiter

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/envelope"
	"stemmaster/internal/audiotest"
)

// withoutPeriodicHold is l with the release's periodic hold off (the plain
// hold alone): the reference the periodic hold is measured against.
func withoutPeriodicHold(l *TruePeakLimiter) *TruePeakLimiter {
	fast, slow, avg, hold := l.p.releaseTimes()
	l.rel = envelope.NewRelease(fast, slow, avg, hold, 0, l.spec.SampleRate)
	return l
}

// sineTHDN is the THD+N of channel 0 of y, a sine of hz: the residual of
// the fitted tone over whole periods of the second half, relative to the
// tone's RMS.
func sineTHDN(y []float32, rate, hz float64) float64 {
	from := len(y) / 2
	period := rate / hz
	to := from + int(math.Floor(float64(len(y)-from)/period-1)*period)
	amp, _, resid := audiotest.FitSine(y, 2*math.Pi*hz/rate, from, to)
	return resid / (amp / math.Sqrt2)
}

// TestLowSineTHD: a steady sine driven into the limiter asks for a steady
// gain. Down to 20 Hz (|x| peaking every 25 ms, past the plain hold plus
// the look-ahead window) the periodic hold keeps the gain still: THD+N
// under −100 dB at 0, +6 and +12 dB of drive, where the plain hold gave
// −37.9 dB at 20 Hz +6 dB (the gain rippling at 40 Hz) and x42-dpl gives
// −57.9 dB (bench/limiter.sh). Each character, 44.1 and 96 kHz too.
func TestLowSineTHD(t *testing.T) {
	t.Parallel()
	cases := []struct {
		hz, rate  float64
		character string
	}{{20, 48000, ""}, {23, 44100, ""}, {30, 96000, ""}, {40, 48000, ""}, {100, 48000, ""},
		{20, 48000, CharacterPunchy}, {20, 48000, CharacterDense}}
	for _, c := range cases {
		for _, drive := range []float64{0, 6, 12} {
			t.Run(fmt.Sprintf("%gHz@%g%s+%gdB", c.hz, c.rate, c.character, drive), func(t *testing.T) {
				t.Parallel()
				p := DefaultParams()
				p.Character = c.character
				x := audiotest.Sine(c.rate, 2, int(c.rate), c.hz, p.CeilingDBTP+drive, 0)
				l := newLimiter(p, c.rate, 2)
				y := process(l, x, 1024).Data[0][l.Latency():]
				got := audio.DB(sineTHDN(y, c.rate, c.hz))
				plain := audio.DB(sineTHDN(process(withoutPeriodicHold(newLimiter(p, c.rate, 2)), x, 1024).Data[0][l.Latency():], c.rate, c.hz))
				t.Logf("THD+N %.1f dB (plain hold %.1f dB)", got, plain)
				if got > -100 {
					t.Errorf("THD+N %.1f dB, want under −100 dB", got)
				}
			})
		}
	}
}

// nullDB is the RMS of a − b relative to the RMS of b, dB (channel 0 and 1).
func nullDB(a, b *audio.Buffer) float64 {
	var d, r float64
	for c := range b.Data {
		for i, v := range b.Data[c] {
			e := float64(a.Data[c][i]) - float64(v)
			d += e * e
			r += float64(v) * float64(v)
		}
	}
	return 10 * math.Log10(d/r)
}

// TestPeriodicHoldLeavesProgramme: on music and noise, whose peaks come at
// irregular intervals, the periodic hold stays out of the way: the
// francium mix driven +15 dB (about −9 LUFS), pink noise driven +12 dB and
// pink noise faded in from silence (a reduction that grows, where a
// longer plain hold fed on itself) come out within a null of −60 dB of the
// plain hold's output (a hold taken on chance agreements of the noise's
// peak intervals read −39 dB on the pink noise), with a mean reduction
// within 0.01 dB of it.
func TestPeriodicHoldLeavesProgramme(t *testing.T) {
	t.Parallel()
	const rate = 48000
	fade := audiotest.PinkNoise(7, 2, 8*rate, 6)
	for _, ch := range fade.Data {
		for i := range ch {
			ch[i] *= float32(min(1, float64(i)/float64(6*rate)))
		}
	}
	seconds := 45
	if testing.Short() {
		seconds = 15
	}
	mix, _ := readHead(t, filepath.Join(audiotest.FranciumDir(t), "mix.wav"), seconds*rate)
	audiotest.Scale(mix, audio.Amplitude(15))
	for _, c := range []struct {
		name string
		x    *audio.Buffer
	}{
		{"francium+15dB", mix},
		{"pink+12dB", audiotest.PinkNoise(3, 2, 8*rate, 11)},
		{"pink-fade-in", fade},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultParams()
			l, ref := newLimiter(p, rate, 2), withoutPeriodicHold(newLimiter(p, rate, 2))
			y, want := process(l, c.x, 4096), process(ref, c.x, 4096)
			s, sr := l.Stats(), ref.Stats()
			null := nullDB(y, want)
			t.Logf("null %.1f dB; mean reduction %.3f dB (plain hold %.3f), max %.2f (%.2f)", null, s.MeanGRDB, sr.MeanGRDB, s.MaxGRDB, sr.MaxGRDB)
			if null > -60 {
				t.Errorf("null against the plain hold %.1f dB, want under −60 dB", null)
			}
			if d := s.MeanGRDB - sr.MeanGRDB; math.Abs(d) > 0.01 {
				t.Errorf("mean reduction %.3f dB, plain hold %.3f dB: %+.3f dB apart, want within 0.01", s.MeanGRDB, sr.MeanGRDB, d)
			}
		})
	}
}
