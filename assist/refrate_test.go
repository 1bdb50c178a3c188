package assist

import (
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
)

// TestReferenceBelowStemsRate: a reference at a lower rate than the
// stems has nothing above its Nyquist frequency, which the match took as
// silence there: against pink-noise stems a 16 kHz pink-noise reference
// asked for -15 dB from 8 kHz up and a cut of the stems' air. Now no
// point of the match curve, and no stem shelf, acts from 8 kHz up, and
// below it the curve is the one the same reference at 48 kHz gives
// (within 3 dB: the two are different noises).
func TestReferenceBelowStemsRate(t *testing.T) {
	t.Parallel()
	stems := func() []*Track {
		return []*Track{
			{Name: "drums.wav", Role: stemmaster.RoleDrums, Rate: rate, Buf: audiotest.PinkNoise(5, 2, 4*rate, -20)},
			{Name: "keys.wav", Role: stemmaster.RoleInstruments, Rate: rate, Buf: audiotest.PinkNoise(6, 2, 4*rate, -20)},
		}
	}
	curve := map[int]map[float64]float64{}
	for _, r := range []int{16000, rate} {
		ref := &Track{Name: "ref.wav", Rate: r, Buf: audiotest.PinkNoise(7, 2, 4*r, -14)}
		p := propose(t, stems(), Options{Amount: 1, References: []Reference{{Track: ref}}})
		valid(t, p)
		curve[r] = map[float64]float64{}
		for _, pt := range p.Session.Master.MatchEQ {
			curve[r][pt.FreqHz] = pt.GainDB
		}
		for _, d := range p.Decisions {
			if r == 16000 && strings.Contains(d.Reason, "of air") {
				t.Errorf("a stem's air is matched to a reference without any: %s", d.Reason)
			}
		}
	}
	for f, g := range curve[16000] {
		if f >= 8000 {
			t.Errorf("match point %.0f Hz %+.1f dB at or above the 16 kHz reference's Nyquist", f, g)
		} else if g48, ok := curve[rate][f]; !ok || math.Abs(g-g48) > 3 {
			t.Errorf("match point %.0f Hz: %+.1f dB against a 16 kHz reference, %+.1f dB against 48 kHz", f, g, g48)
		}
	}
}
