package stemmaster

import "testing"

// TestInferRole covers the role words and the precedence rules of
// roleWords; the expected roles are what a mastering engineer would file
// each name under.
func TestInferRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want Role
	}{
		{"plain vox", "vox.wav", RoleLeadVocal},
		{"plain vocal upper case", "VOCAL.WAV", RoleLeadVocal},
		{"lead vox", "Lead Vox.wav", RoleLeadVocal},
		{"lead vocal underscores", "lead_vocal.wav", RoleLeadVocal},
		{"camel case lead vox", "LeadVox_02.aif", RoleLeadVocal},
		{"compound leadvox", "leadvox.flac", RoleLeadVocal},
		{"vocals with digits", "vocals2.wav", RoleLeadVocal},
		{"backing vocals", "backing_vocals.wav", RoleBackingVocals},
		{"backing vox", "Backing Vox.wav", RoleBackingVocals},
		{"bgv", "song-BGV.wav", RoleBackingVocals},
		{"bv", "BV 1.wav", RoleBackingVocals},
		{"bgvox compound", "BGVOX.wav", RoleBackingVocals},
		{"choir", "choir.wav", RoleBackingVocals},
		{"harm", "harm_hi.wav", RoleBackingVocals},
		{"drums", "drums.wav", RoleDrums},
		{"kick", "Kick In.wav", RoleDrums},
		{"perc", "perc.wav", RoleDrums},
		{"bass drum is a drum", "bass drum.wav", RoleDrums},
		{"overheads abbreviated", "OH.wav", RoleDrums},
		{"808 is the bass", "808.wav", RoleBass},
		{"808 kick is a drum", "808 Kick.wav", RoleDrums},
		{"bass", "Bass.wav", RoleBass},
		{"sub bass", "sub_bass.wav", RoleBass},
		{"keys", "keys.wav", RoleInstruments},
		{"gtr", "GTR L.wav", RoleInstruments},
		{"synth", "synth-pad.wav", RoleInstruments},
		{"pad", "pad.wav", RoleInstruments},
		{"lead alone is an instrument", "lead.wav", RoleInstruments},
		{"lead synth", "Lead Synth.wav", RoleInstruments},
		{"instruments", "instruments.wav", RoleInstruments},
		{"fx", "fx.wav", RoleFX},
		{"sfx", "SFX.wav", RoleFX},
		{"vox fx are effects", "vox_fx.wav", RoleFX},
		{"directory ignored", "/tmp/vox/mix_bus.wav", RoleOther},
		{"windows directory ignored", `C:\drums\thing.wav`, RoleOther},
		{"unknown", "track 12.wav", RoleOther},
		{"word inside another word does not count", "voxel.wav", RoleOther},
		{"no extension", "bass", RoleBass},
		{"empty", "", RoleOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := InferRole(tc.file); got != tc.want {
				t.Errorf("InferRole(%q) = %q, want %q (words %q)", tc.file, got, tc.want, fileWords(tc.file))
			}
		})
	}
}
