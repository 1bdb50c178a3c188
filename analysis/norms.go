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

// NormMove is one family's place in a delivered balance and the place the
// style's norm gives it, both in dB against the sum where the family plays
// (FamilyBalance.RelativeLU, the check's figure).
type NormMove struct {
	Rel  float64 // the family's loudness against the sum where it plays
	Want float64 // the norm's for it against the same sum
}

// Gain is the level change that brings the family to its norm.
func (m NormMove) Gain() float64 { return m.Want - m.Rel }

// NormBalance is the assistant's balance by norms, the one home of it: the
// assistant sets its gains from it and the advice quotes it, both from the
// one measure of a family's level (FamilyLevelOf, through BalanceOf). A
// family whose level is undefined (silent) or that has no norm in the
// style takes no part, neither as a family moved nor in the share the
// others are placed in. The norms are placed in the share of the sum the
// families that take part hold (the power sum of their RelativeLU): the
// moves set their balance against each other and leave that share as
// delivered, so a delivery already on the norms moves nothing, and a stem
// of role other (no norm) keeps its place beside them. Nil when fewer than
// two families take part.
func NormBalance(style string, bal []FamilyBalance) map[stemmaster.Role]NormMove {
	norms := BalanceNorms[style]
	var roles []stemmaster.Role
	rel := map[stemmaster.Role]float64{}
	var pw float64
	for _, fb := range bal {
		_, hasNorm := norms[fb.Role]
		if _, dup := rel[fb.Role]; dup || !hasNorm || math.IsInf(fb.RelativeLU, 0) || math.IsNaN(fb.RelativeLU) {
			continue
		}
		roles = append(roles, fb.Role)
		rel[fb.Role] = fb.RelativeLU
		pw += math.Pow(10, fb.RelativeLU/10)
	}
	if len(roles) < 2 {
		return nil
	}
	want := NormTargets(style, roles)
	share := 10 * math.Log10(pw)
	out := make(map[stemmaster.Role]NormMove, len(roles))
	for _, r := range roles {
		out[r] = NormMove{Rel: rel[r], Want: want[r] + share}
	}
	return out
}
