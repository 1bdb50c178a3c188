package analysis

import (
	"math"

	"stemmaster"
)

// Range is an interval of relative loudness, in LU.
type Range struct{ Low, High float64 }

// Contains reports whether v lies in the range (inclusive).
func (r Range) Contains(v float64) bool { return v >= r.Low && v <= r.High }

// TypicalBalance gives, per family, the usual integrated loudness of that
// family's stems summed, relative to the integrated loudness of the sum of
// all stems (ITU-R BS.1770-4, in LU; a family that plays only part of the
// song is gated over the part where it plays).
//
// These are engineering rules of thumb, not published norms: no standard
// fixes a mix balance and we cite no study. They encode common mixing
// practice for pop, rock and electronic music — the lead vocal sits roughly
// level with the rest of the mix (about −3 … +1 LU against everything
// else, which is about −5 … −0.5 LU against the whole sum), drums and bass
// carry the mix's energy, backing vocals, instruments and effects sit
// under the lead — and they are wide on purpose, so that only a clear
// imbalance is reported. They were checked against the francium stem set
// (lead −1.8, backing −5.8, drums −2.7, instruments −5.7, fx −3.8 LU), a
// balanced commercial mix, which falls inside every range. Stems of role
// other have no range.
var TypicalBalance = map[stemmaster.Role]Range{
	stemmaster.RoleLeadVocal:     {-5, -0.5},
	stemmaster.RoleBackingVocals: {-14, -3},
	stemmaster.RoleDrums:         {-8, 0},
	stemmaster.RoleBass:          {-10, -1},
	stemmaster.RoleInstruments:   {-12, -1},
	stemmaster.RoleFX:            {-25, -2},
}

// FamilyBalance is one family's loudness against the sum.
type FamilyBalance struct {
	Role           stemmaster.Role
	IntegratedLUFS float64 // the family's own loudness
	RelativeLU     float64 // IntegratedLUFS minus the sum's; NaN when either is undefined
	Typical        Range   // zero Range when the role has none
	HasRange       bool
	InRange        bool // true when there is no range or RelativeLU is undefined
}

// Balance compares each family's integrated loudness (by role) with the
// sum's, in the fixed order of stemmaster.Roles.
func Balance(family map[stemmaster.Role]float64, sumLUFS float64) []FamilyBalance {
	var out []FamilyBalance
	for _, role := range stemmaster.Roles {
		l, ok := family[role]
		if !ok {
			continue
		}
		fb := FamilyBalance{Role: role, IntegratedLUFS: l, RelativeLU: l - sumLUFS, InRange: true}
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
