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

// NormMove is one family's place in a delivered balance, the place the
// style's norm gives it and the level change that takes it there, in dB
// against the sum where the family plays (FamilyBalance.RelativeLU, the
// check's figure). Want is against the sum the moves make: moving a family
// that is a large part of the sum moves the sum too, so GainDB is not
// Want − Rel in general.
type NormMove struct {
	Rel    float64 // the family's loudness against the sum where it plays, as delivered
	Want   float64 // the norm's for it, against the sum where it plays once every family is moved
	GainDB float64 // the level change that brings the family to Want
}

// Gain is the level change that brings the family to its norm.
func (m NormMove) Gain() float64 { return m.GainDB }

// NormBalance is the assistant's balance by norms, the one home of it: the
// assistant sets its gains from it and the advice quotes it, both from the
// one measure of a family's level (FamilyLevelOf, through BalanceOf). A
// family whose level is undefined (silent) or that has no norm in the
// style takes no part, neither as a family moved nor in the share the
// others are placed in. The norms are placed in the share of the sum the
// families that take part hold (the power sum of their RelativeLU): the
// moves set their balance against each other, so a delivery already on
// the norms moves nothing, and a stem of role other (no norm) keeps its
// place beside them. When the balance carries its gating blocks
// (FamilyLevelOf), the gains are solved against the sum they make
// (solveNormGains); from figures alone, each family is moved by its norm
// less its delivered figure. Nil when fewer than two families take part.
func NormBalance(style string, bal []FamilyBalance) map[stemmaster.Role]NormMove {
	norms := BalanceNorms[style]
	var roles []stemmaster.Role
	var part []FamilyBalance
	rel := map[stemmaster.Role]float64{}
	for _, fb := range bal {
		_, hasNorm := norms[fb.Role]
		if _, dup := rel[fb.Role]; dup || !hasNorm || math.IsInf(fb.RelativeLU, 0) || math.IsNaN(fb.RelativeLU) {
			continue
		}
		roles = append(roles, fb.Role)
		part = append(part, fb)
		rel[fb.Role] = fb.RelativeLU
	}
	if len(roles) < 2 {
		return nil
	}
	want := NormTargets(style, roles)
	out := make(map[stemmaster.Role]NormMove, len(roles))
	if gains, final, ok := solveNormGains(part, want); ok {
		for i, fb := range part {
			out[fb.Role] = NormMove{Rel: fb.RelativeLU, Want: final[i], GainDB: gains[i]}
		}
		return out
	}
	share := powerShare(part, nil)
	for _, r := range roles {
		w := want[r] + share
		out[r] = NormMove{Rel: rel[r], Want: w, GainDB: w - rel[r]}
	}
	return out
}

// powerShare is the power sum (dB) of the families' RelativeLU, each
// taken from rel when given, else from the family.
func powerShare(part []FamilyBalance, rel []float64) float64 {
	var pw float64
	for i, fb := range part {
		r := fb.RelativeLU
		if rel != nil {
			r = rel[i]
		}
		pw += math.Pow(10, r/10)
	}
	return 10 * math.Log10(pw)
}

// solveNormGains solves the moves of the families taking part so that
// each lands at its norm (want, against the norms' power sum, placed in
// the families' share) against the sum those moves make. The sum is
// re-metered from the gating blocks: a block of the moved sum is the
// delivered block plus each family's block times its power gain less one
// (the families' cross terms are left as delivered), and each family is
// read against it where it plays (FamilyLevelOf), as the check reads it.
// The gains are iterated to a fixed point and scaled so that the
// families' energy in the sum is as delivered (a delivery on the norms
// moves nothing). It returns the gains (dB), each family's level against
// the moved sum, and false when the blocks are missing or do not share
// one sum, or the iteration does not settle.
func solveNormGains(part []FamilyBalance, want map[stemmaster.Role]float64) (gains, final []float64, ok bool) {
	sum := part[0].SumBlocks
	var energy float64
	for _, fb := range part {
		if len(fb.Blocks) == 0 || len(fb.SumBlocks) != len(sum) || &fb.SumBlocks[0] != &sum[0] || len(fb.Blocks) > len(sum) {
			return nil, nil, false
		}
		for _, e := range fb.Blocks {
			energy += e
		}
	}
	if !(energy > 0) {
		return nil, nil, false
	}
	n := len(part)
	g := make([]float64, n) // power gains
	for i := range g {
		g[i] = 1
	}
	final = make([]float64, n)
	moved := make([]float64, len(sum))
	scaled := make([]float64, len(sum))
	meter := func() bool {
		copy(moved, sum)
		for i, fb := range part {
			for b, e := range fb.Blocks {
				moved[b] += (g[i] - 1) * e
			}
		}
		for b, e := range moved {
			moved[b] = max(e, 0)
		}
		for i, fb := range part {
			s := scaled[:len(fb.Blocks)]
			for b, e := range fb.Blocks {
				s[b] = g[i] * e
			}
			l := FamilyLevelOf(s, moved)
			final[i] = l.LUFS - l.SumLUFS
			if math.IsInf(final[i], 0) || math.IsNaN(final[i]) {
				return false
			}
		}
		return true
	}
	const maxIter, tol = 100, 1e-4
	for range maxIter {
		if !meter() {
			return nil, nil, false
		}
		share := powerShare(part, final)
		worst := 0.0
		for i, fb := range part {
			d := want[fb.Role] + share - final[i]
			worst = max(worst, math.Abs(d))
			g[i] *= math.Pow(10, d/10)
		}
		// The overall level is the master's: keep the families' energy.
		var e float64
		for i, fb := range part {
			for _, v := range fb.Blocks {
				e += g[i] * v
			}
		}
		for i := range g {
			g[i] *= energy / e
		}
		if worst < tol {
			if !meter() {
				return nil, nil, false
			}
			gains = make([]float64, n)
			for i := range g {
				gains[i] = 10 * math.Log10(g[i])
			}
			return gains, final, true
		}
	}
	return nil, nil, false
}
