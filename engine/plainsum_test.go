package engine

import (
	"math"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/check"
)

// TestOneMonoLaw: the strips, the plain sum and the check place a mono stem
// in the centre with the same gain (the check's float64 one is √½; the
// engine sums in float32).
func TestOneMonoLaw(t *testing.T) {
	t.Parallel()
	if check.MonoCentreGain != math.Sqrt(0.5) {
		t.Errorf("check.MonoCentreGain = %v, want √½", check.MonoCentreGain)
	}
	l, r := panGains(stemmaster.StemSpec{}, 1)
	g := float32(check.MonoCentreGain)
	if l != g || r != g {
		t.Errorf("strip's centre gains %v %v, check's %v", l, r, g)
	}
	sum := audio.NewBuffer(2, 1)
	mono := audio.NewBuffer(1, 1)
	mono.Data[0][0] = 1
	AddPlain(sum, mono, 1)
	if sum.Data[0][0] != g || sum.Data[1][0] != g {
		t.Errorf("plain sum's centre gains %v %v, check's %v", sum.Data[0][0], sum.Data[1][0], g)
	}
}
