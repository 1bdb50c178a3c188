package analysis

import (
	"math"
	"testing"

	"stemmaster"
)

// Every style's point norms land inside TypicalBalance's ranges when all
// families play, so the assistant never aims at a balance the advice
// would report.
func TestNormsInsideTypicalBalance(t *testing.T) {
	t.Parallel()
	roles := []stemmaster.Role{stemmaster.RoleLeadVocal, stemmaster.RoleBackingVocals, stemmaster.RoleDrums, stemmaster.RoleBass, stemmaster.RoleInstruments, stemmaster.RoleFX}
	for style := range BalanceNorms {
		for r, v := range NormTargets(style, roles) {
			if rg := TypicalBalance[r]; !rg.Contains(v) {
				t.Errorf("%s: %s aims at %.1f LU, outside the usual %g … %g", style, r, v, rg.Low, rg.High)
			}
		}
	}
}

// NormBalance weighs the families that sound and have a norm: a silent
// family and one of role other take no part (the two left are weighed
// against each other alone), and one family alone has no balance.
func TestNormBalance(t *testing.T) {
	t.Parallel()
	fam := map[stemmaster.Role]float64{
		stemmaster.RoleDrums: -18, stemmaster.RoleInstruments: -24,
		stemmaster.RoleLeadVocal: math.Inf(-1), stemmaster.RoleOther: -10,
	}
	m := NormBalance("modern", fam)
	if len(m) != 2 {
		t.Fatalf("moves %v, want drums and instruments", m)
	}
	// drums −3.5 and instruments −5.5 in the modern norms: 2 dB apart;
	// delivered 6 dB apart, so the drums come down and the instruments up,
	// 4 dB between them; the norms, like the delivered levels, are
	// against the families' power sum (0 dB).
	d, i := m[stemmaster.RoleDrums], m[stemmaster.RoleInstruments]
	sum := 10 * math.Log10(math.Pow(10, -1.8)+math.Pow(10, -2.4))
	if math.Abs(d.Rel-(-18-sum)) > 1e-9 || math.Abs(i.Rel-(-24-sum)) > 1e-9 {
		t.Errorf("rel %.3f, %.3f; want %.3f, %.3f", d.Rel, i.Rel, -18-sum, -24-sum)
	}
	if g := (d.Want - i.Want); math.Abs(g-2) > 1e-9 || math.Abs(d.Gain()-i.Gain()+4) > 1e-9 {
		t.Errorf("norms %.3f apart, gains %+.3f %+.3f; want 2 apart and 4 dB between the gains", g, d.Gain(), i.Gain())
	}
	if p := math.Pow(10, d.Want/10) + math.Pow(10, i.Want/10); math.Abs(p-1) > 1e-9 {
		t.Errorf("the norms' powers sum to %g, want 1", p)
	}
	if m := NormBalance("modern", map[stemmaster.Role]float64{stemmaster.RoleDrums: -18, stemmaster.RoleLeadVocal: math.NaN()}); m != nil {
		t.Errorf("one family that sounds: %v, want none", m)
	}
}
