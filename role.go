package stemmaster

// Role is the family a stem belongs to.
type Role string

// Roles of DESIGN.md.
const (
	RoleLeadVocal     Role = "lead_vocal"
	RoleBackingVocals Role = "backing_vocals"
	RoleDrums         Role = "drums"
	RoleBass          Role = "bass"
	RoleInstruments   Role = "instruments"
	RoleFX            Role = "fx"
	RoleOther         Role = "other"
)

// Roles lists every role in a fixed order.
var Roles = []Role{RoleLeadVocal, RoleBackingVocals, RoleDrums, RoleBass, RoleInstruments, RoleFX, RoleOther}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// IsVocal reports whether r is a lead or backing vocal.
func (r Role) IsVocal() bool { return r == RoleLeadVocal || r == RoleBackingVocals }
