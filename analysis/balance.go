package analysis

import (
	"math"

	"stemmaster"
	"stemmaster/loudness"
)

// Range is an interval of relative loudness, in LU.
type Range struct{ Low, High float64 }

// Contains reports whether v lies in the range (inclusive).
func (r Range) Contains(v float64) bool { return v >= r.Low && v <= r.High }

// TypicalBalance gives, per family, the usual integrated loudness of that
// family's stems summed, relative to the loudness of the sum of all stems
// over the part of the song where the family plays (ITU-R BS.1770-4, in
// LU; FamilyLevelOf).
//
// These are engineering rules of thumb, not published norms: no standard
// fixes a mix balance and we cite no study. They encode common mixing
// practice for pop, rock and electronic music — the lead vocal sits roughly
// level with the rest of the mix (about −3 … +1 LU against everything
// else, which is about −5 … −0.5 LU against the whole sum), drums and bass
// carry the mix's energy, backing vocals, instruments and effects sit
// under the lead — and they are wide on purpose, so that only a clear
// imbalance is reported. They were checked against the francium stem set
// (each against the sum where it plays: lead −2.0, backing −6.0, drums
// −3.4, instruments −6.0, fx −4.2 LU), a balanced commercial mix, which
// falls inside every range. Stems of role other have no range.
var TypicalBalance = map[stemmaster.Role]Range{
	stemmaster.RoleLeadVocal:     {-5, -0.5},
	stemmaster.RoleBackingVocals: {-14, -3},
	stemmaster.RoleDrums:         {-8, 0},
	stemmaster.RoleBass:          {-10, -1},
	stemmaster.RoleInstruments:   {-12, -1},
	stemmaster.RoleFX:            {-25, -2},
}

// FamilyBalance is one family's loudness against the sum where it plays.
type FamilyBalance struct {
	Role           stemmaster.Role
	IntegratedLUFS float64 // the family's own loudness (its stems summed, gated where it plays)
	// SumLUFS is the sum's loudness over the stretch where the family
	// plays (FamilyLevelOf): the whole sum's for a family that plays
	// throughout.
	SumLUFS    float64
	RelativeLU float64 // IntegratedLUFS minus SumLUFS; NaN when either is undefined
	Typical    Range   // zero Range when the role has none
	HasRange   bool
	InRange    bool // true when there is no range or RelativeLU is undefined
	// Blocks and SumBlocks are the gating blocks the figures were read
	// from (FamilyLevelOf): NormBalance re-meters the sum its moves make
	// from them. Nil for a balance given as figures only (Balance).
	Blocks, SumBlocks []float64 `json:"-"`
}

// FamilyLevel is a family's loudness and the sum's where it plays, and
// the gating blocks (the family's and the sum's) they were read from.
type FamilyLevel struct {
	LUFS, SumLUFS     float64
	Blocks, SumBlocks []float64
}

// FamilyLevelOf is the one measure of a family's level, which the check's
// balance, the advice and the assistant's balance by norms all read:
// family holds the gating blocks (loudness.Meter.Blocks) of the family's
// stems summed as one signal, sum those of every stem summed, fed from the
// same first frame. The family's loudness is its own integrated loudness;
// the sum's is taken over the blocks where the family passes its gates
// (loudness.GatedLoudnessWhere), so a family that plays in the chorus only
// is held against the chorus, not against a sum whose gate takes in the
// verses where it is silent. Two stems of one family are metered summed,
// as they play: two coherent stems (a kick's two microphones) sum 6 dB
// over each, 3 dB more than the power sum of their loudness says.
func FamilyLevelOf(family, sum []float64) FamilyLevel {
	l, s := loudness.GatedLoudnessWhere(family, sum)
	return FamilyLevel{LUFS: l, SumLUFS: s, Blocks: family, SumBlocks: sum}
}

// Balance compares each family's integrated loudness (by role) with the
// sum's, sumLUFS, in the fixed order of stemmaster.Roles: BalanceOf for
// families that each play wherever the sum does.
func Balance(family map[stemmaster.Role]float64, sumLUFS float64) []FamilyBalance {
	levels := make(map[stemmaster.Role]FamilyLevel, len(family))
	for r, l := range family {
		levels[r] = FamilyLevel{LUFS: l, SumLUFS: sumLUFS}
	}
	return BalanceOf(levels)
}

// BalanceOf compares each family's loudness with the sum's where it plays
// (FamilyLevelOf), in the fixed order of stemmaster.Roles.
func BalanceOf(levels map[stemmaster.Role]FamilyLevel) []FamilyBalance {
	var out []FamilyBalance
	for _, role := range stemmaster.Roles {
		l, ok := levels[role]
		if !ok {
			continue
		}
		fb := FamilyBalance{Role: role, IntegratedLUFS: l.LUFS, SumLUFS: l.SumLUFS, RelativeLU: l.LUFS - l.SumLUFS, InRange: true, Blocks: l.Blocks, SumBlocks: l.SumBlocks}
		if math.IsInf(fb.RelativeLU, 0) {
			fb.RelativeLU = math.NaN()
		}
		fb.Typical, fb.HasRange = TypicalBalance[role]
		if fb.HasRange && !math.IsNaN(fb.RelativeLU) {
			fb.InRange = fb.Typical.Contains(fb.RelativeLU)
		}
		out = append(out, fb)
	}
	return out
}
