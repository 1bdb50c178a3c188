package analysis

import (
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
