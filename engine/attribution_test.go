package engine

import (
	"testing"

	"stemmaster"
)

func TestAttributionTextNamesStemsOneWay(t *testing.T) {
	t.Parallel()
	stem := func(file string, role stemmaster.Role, share float64) stemmaster.StemLoudness {
		return stemmaster.StemLoudness{File: "/in/" + file, Role: role,
			Limiter: &stemmaster.StemLimiterReport{CausedShare: stemmaster.Level(share)}}
	}
	cases := []struct {
		name  string
		stems []stemmaster.StemLoudness
		want  string
	}{
		{"roles unique", []stemmaster.StemLoudness{
			stem("b.wav", stemmaster.RoleBass, 0.29), stem("d.wav", stemmaster.RoleDrums, 0.71)},
			"drums caused 71 % of the limiter's gain reduction, bass 29 %"},
		{"a role shared", []stemmaster.StemLoudness{
			stem("drums.wav", stemmaster.RoleDrums, 0.4), stem("lead.wav", stemmaster.RoleInstruments, 0.26),
			stem("chords.wav", stemmaster.RoleInstruments, 0.21), stem("bass.wav", stemmaster.RoleBass, 0.13)},
			"drums.wav caused 40 % of the limiter's gain reduction, lead.wav 26 %, chords.wav 21 %, bass.wav 13 %"},
		{"an other stem", []stemmaster.StemLoudness{
			stem("drums.wav", stemmaster.RoleDrums, 0.5), stem("fx.wav", stemmaster.RoleOther, 0.5)},
			"drums.wav caused 50 % of the limiter's gain reduction, fx.wav 50 %"},
		{"no reduction", []stemmaster.StemLoudness{stem("d.wav", stemmaster.RoleDrums, 0)},
			"the limiter did not reduce the gain"},
	}
	for _, c := range cases {
		if got := attributionText(c.stems); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
