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
// family and one of role other take no part (the two left are placed
// against each other, in the share of the sum they hold), one family alone
// has no balance, and a delivery on the norms moves nothing.
func TestNormBalance(t *testing.T) {
	t.Parallel()
	const sum = -12.0 // the sum's loudness where each family plays
	bal := BalanceOf(map[stemmaster.Role]FamilyLevel{
		stemmaster.RoleDrums: {-18, sum}, stemmaster.RoleInstruments: {-24, sum},
		stemmaster.RoleLeadVocal: {math.Inf(-1), sum}, stemmaster.RoleOther: {-14, sum},
	})
	m := NormBalance("modern", bal)
	if len(m) != 2 {
		t.Fatalf("moves %v, want drums and instruments", m)
	}
	// drums −3.5 and instruments −5.5 in the modern norms: 2 dB apart;
	// delivered 6 dB apart, so the drums come down and the instruments up,
	// 4 dB between them. Rel is the check's figure (against the sum where
	// it plays); the norms are placed in the two families' share of it.
	d, i := m[stemmaster.RoleDrums], m[stemmaster.RoleInstruments]
	if d.Rel != -18-sum || i.Rel != -24-sum {
		t.Errorf("rel %.3f, %.3f; want %.3f, %.3f (RelativeLU)", d.Rel, i.Rel, -18-sum, -24-sum)
	}
	if g := (d.Want - i.Want); math.Abs(g-2) > 1e-9 || math.Abs(d.Gain()-i.Gain()+4) > 1e-9 {
		t.Errorf("norms %.3f apart, gains %+.3f %+.3f; want 2 apart and 4 dB between the gains", g, d.Gain(), i.Gain())
	}
	share := math.Pow(10, d.Rel/10) + math.Pow(10, i.Rel/10)
	if p := math.Pow(10, d.Want/10) + math.Pow(10, i.Want/10); math.Abs(p-share) > 1e-9 {
		t.Errorf("the norms' powers sum to %g, want the families' share %g", p, share)
	}
	for _, tc := range []struct {
		name   string
		levels map[stemmaster.Role]FamilyLevel
		moves  int
	}{
		{"one family that sounds", map[stemmaster.Role]FamilyLevel{stemmaster.RoleDrums: {-18, sum}, stemmaster.RoleLeadVocal: {math.NaN(), sum}}, 0},
		{"on the norms", map[stemmaster.Role]FamilyLevel{stemmaster.RoleDrums: {-13.5, -10}, stemmaster.RoleLeadVocal: {-11.5, -10}, stemmaster.RoleBass: {-15, -10}}, 3},
	} {
		m := NormBalance("modern", BalanceOf(tc.levels))
		if len(m) != tc.moves {
			t.Errorf("%s: moves %v, want %d", tc.name, m, tc.moves)
		}
		for r, mv := range m {
			if math.Abs(mv.Gain()) > 1e-9 {
				t.Errorf("%s: %s moves %+.3f dB, want 0", tc.name, r, mv.Gain())
			}
		}
	}
}
