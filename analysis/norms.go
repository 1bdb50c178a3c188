package analysis

import (
	"math"

	"stemmaster"
)

// BalanceNorms are the point balances the mastering assistant (package
// assist) aims at, per style family: each family's loudness against the
// others in dB. Only differences matter — NormTargets normalises them over
// the families present. They are engineering rules of thumb, not published
// norms, chosen inside TypicalBalance's ranges (a test checks that they
// land there); the advice quotes them as what the assistant would change.
var BalanceNorms = map[string]map[stemmaster.Role]float64{
	"modern":     {stemmaster.RoleLeadVocal: -1.5, stemmaster.RoleBackingVocals: -8, stemmaster.RoleDrums: -3.5, stemmaster.RoleBass: -5, stemmaster.RoleInstruments: -5.5, stemmaster.RoleFX: -9},
	"bass_heavy": {stemmaster.RoleLeadVocal: -1.5, stemmaster.RoleBackingVocals: -9, stemmaster.RoleDrums: -3, stemmaster.RoleBass: -3.5, stemmaster.RoleInstruments: -6.5, stemmaster.RoleFX: -9},
	"acoustic":   {stemmaster.RoleLeadVocal: -2, stemmaster.RoleBackingVocals: -7, stemmaster.RoleDrums: -5, stemmaster.RoleBass: -7, stemmaster.RoleInstruments: -4, stemmaster.RoleFX: -11},
}

// DefaultStyle is the style family the advice assumes.
const DefaultStyle = "modern"

// NormTargets returns, for the roles present that have a norm in the
// style, the loudness each family should have against the sum of those
// families (LU): the norm minus the norms' power sum.
func NormTargets(style string, roles []stemmaster.Role) map[stemmaster.Role]float64 {
	norms := BalanceNorms[style]
	var pw float64
	out := map[stemmaster.Role]float64{}
	for _, r := range roles {
		if n, ok := norms[r]; ok {
			if _, dup := out[r]; !dup {
				out[r] = n
				pw += math.Pow(10, n/10)
			}
		}
	}
	for r := range out {
		out[r] -= 10 * math.Log10(pw)
	}
	return out
}
