package stemmaster

import (
	"slices"
	"strings"
	"unicode"
)

// Role is the family a stem belongs to.
type Role string

// Roles a stem can have (docs/session.md).
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
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// IsVocal reports whether r is a lead or backing vocal.
func (r Role) IsVocal() bool { return r == RoleLeadVocal || r == RoleBackingVocals }

// roleWords maps the words of a stem's file name to roles, in the order they
// are tried: effects first (a "vox fx" stem holds effects, not the vocal),
// then backing vocals before lead vocals ("backing vox"), drums before bass
// ("bass drum" is a drum), and instruments last (a "lead" alone is an
// instrument: lead synth, lead guitar). The words are what engineers write
// when they name an export.
var roleWords = []struct {
	role  Role
	words []string
}{
	{RoleFX, []string{"fx", "sfx", "efx", "effect", "effects", "riser", "risers", "impact", "impacts", "sweep", "sweeps", "atmos", "ambience", "texture", "textures", "foley"}},
	{RoleBackingVocals, []string{"backing", "backings", "bv", "bvs", "bgv", "bgvs", "bgvox", "bvox", "backvox", "choir", "choirs", "harm", "harms", "harmony", "harmonies", "adlib", "adlibs", "backingvocals", "backingvocal", "backingvox"}},
	{RoleLeadVocal, []string{"vox", "vocal", "vocals", "voc", "vocs", "voice", "leadvox", "leadvocal", "leadvocals", "rap"}},
	{RoleDrums, []string{"drum", "drums", "kick", "kicks", "kik", "snare", "snares", "hat", "hats", "hihat", "hihats", "tom", "toms", "cymbal", "cymbals", "overhead", "overheads", "oh", "perc", "percs", "percussion", "clap", "claps", "shaker", "tamb", "tambourine", "beat", "beats", "drumkit", "kit"}},
	{RoleBass, []string{"bass", "basses", "sub", "subbass", "bassline", "bassgtr", "808", "808s"}},
	{RoleInstruments, []string{"keys", "key", "piano", "pno", "rhodes", "organ", "synth", "synths", "pad", "pads", "gtr", "gtrs", "guitar", "guitars", "strings", "str", "brass", "horn", "horns", "lead", "leads", "melody", "arp", "arps", "pluck", "plucks", "chords", "instrument", "instruments", "inst", "instr", "music"}},
}

// InferRole guesses a stem's role from its file name: the name (without
// directory and extension) is split into words at every character that is
// not a letter or a digit, between letters and digits and at lower-to-upper
// case changes ("LeadVox_02.wav" → lead, vox, 02), and the words are matched
// case-insensitively against roleWords. A name with no known word is
// RoleOther. A session can always set the role explicitly.
func InferRole(filename string) Role {
	words := fileWords(filename)
	for _, rw := range roleWords {
		for _, w := range words {
			for _, k := range rw.words {
				if w == k {
					return rw.role
				}
			}
		}
	}
	return RoleOther
}

// fileWords splits a file name into lower-case words (see InferRole).
func fileWords(filename string) []string {
	name := filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	var words []string
	var cur []rune
	var prev rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case len(cur) > 0 && (unicode.IsDigit(r) != unicode.IsDigit(prev) ||
			unicode.IsUpper(r) && unicode.IsLower(prev)):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return words
}
