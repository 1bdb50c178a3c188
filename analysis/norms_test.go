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
		stemmaster.RoleDrums: {LUFS: -18, SumLUFS: sum}, stemmaster.RoleInstruments: {LUFS: -24, SumLUFS: sum},
		stemmaster.RoleLeadVocal: {LUFS: math.Inf(-1), SumLUFS: sum}, stemmaster.RoleOther: {LUFS: -14, SumLUFS: sum},
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
		{"one family that sounds", map[stemmaster.Role]FamilyLevel{stemmaster.RoleDrums: {LUFS: -18, SumLUFS: sum}, stemmaster.RoleLeadVocal: {LUFS: math.NaN(), SumLUFS: sum}}, 0},
		{"on the norms", map[stemmaster.Role]FamilyLevel{stemmaster.RoleDrums: {LUFS: -13.5, SumLUFS: -10}, stemmaster.RoleLeadVocal: {LUFS: -11.5, SumLUFS: -10}, stemmaster.RoleBass: {LUFS: -15, SumLUFS: -10}}, 3},
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

// From the gating blocks, NormBalance solves each move against the sum the
// moves make: drums that fill most of the sum and a backing vocal in half
// the song land, re-metered on the moved sum, at the norms' difference,
// and the same from a delivery with the drums 5 dB hotter (a single pass,
// each family moved by its norm less its delivered figure, leaves the
// hotter delivery's two 0.4 dB off the norms' difference).
func TestNormBalanceAgainstTheMovedSum(t *testing.T) {
	t.Parallel()
	const n = 100
	deliver := func(drumsDB float64) []FamilyBalance {
		drums, bv, sum := make([]float64, n), make([]float64, n), make([]float64, n)
		for b := range n {
			drums[b] = 1e-2 * math.Pow(10, drumsDB/10)
			if b%2 == 0 {
				bv[b] = 4e-3
			}
			sum[b] = drums[b] + bv[b]
		}
		return BalanceOf(map[stemmaster.Role]FamilyLevel{
			stemmaster.RoleDrums:         FamilyLevelOf(drums, sum),
			stemmaster.RoleBackingVocals: FamilyLevelOf(bv, sum),
		})
	}
	norm := BalanceNorms["modern"]
	var gains []float64
	for _, hot := range []float64{0, 5} {
		bal := deliver(hot)
		m := NormBalance("modern", bal)
		// Re-meter the moved delivery exactly: the families are power sums.
		drums, bv := bal[1].Blocks, bal[0].Blocks // BalanceOf's order: backing vocals, drums
		if bal[0].Role != stemmaster.RoleBackingVocals || bal[1].Role != stemmaster.RoleDrums {
			t.Fatalf("order %v %v", bal[0].Role, bal[1].Role)
		}
		gd, gb := math.Pow(10, m[stemmaster.RoleDrums].Gain()/10), math.Pow(10, m[stemmaster.RoleBackingVocals].Gain()/10)
		md, mb, ms := make([]float64, n), make([]float64, n), make([]float64, n)
		for b := range n {
			md[b], mb[b] = gd*drums[b], gb*bv[b]
			ms[b] = md[b] + mb[b]
		}
		d, v := FamilyLevelOf(md, ms), FamilyLevelOf(mb, ms)
		rd, rb := d.LUFS-d.SumLUFS, v.LUFS-v.SumLUFS
		want := norm[stemmaster.RoleDrums] - norm[stemmaster.RoleBackingVocals]
		t.Logf("drums %+g dB: moves %+.2f / %+.2f dB, moved sum: drums %.2f, backing vocals %.2f LU (want %.2f, %.2f)",
			hot, m[stemmaster.RoleDrums].Gain(), m[stemmaster.RoleBackingVocals].Gain(), rd, rb, m[stemmaster.RoleDrums].Want, m[stemmaster.RoleBackingVocals].Want)
		if math.Abs(rd-rb-want) > 0.01 || math.Abs(rd-m[stemmaster.RoleDrums].Want) > 0.01 || math.Abs(rb-m[stemmaster.RoleBackingVocals].Want) > 0.01 {
			t.Errorf("drums %+g dB: moved, drums %.3f and backing vocals %.3f LU against the moved sum, want %.3f apart and at %.3f, %.3f",
				hot, rd, rb, want, m[stemmaster.RoleDrums].Want, m[stemmaster.RoleBackingVocals].Want)
		}
		gains = append(gains, m[stemmaster.RoleDrums].Gain()-m[stemmaster.RoleBackingVocals].Gain()+hot)
	}
	if math.Abs(gains[0]-gains[1]) > 0.01 {
		t.Errorf("the drums end %.3f dB over the backing vocals from one delivery, %.3f from the other 5 dB hotter", gains[0], gains[1])
	}
}
