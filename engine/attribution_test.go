package engine

import (
	"math"
	"testing"

	"stemmaster"
	"stemmaster/dsp"
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

// TestCorrelationNoSignal: a silent master has no correlation (null
// figures), not a perfect +1; a mono one has +1 and an inverted pair −1.
func TestCorrelationNoSignal(t *testing.T) {
	t.Parallel()
	const n = 9600
	sine := make([]float32, n)
	neg := make([]float32, n)
	for i := range sine {
		sine[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/48000))
		neg[i] = -sine[i]
	}
	zero := make([]float32, n)
	tests := []struct {
		name    string
		l, r    []float32
		defined bool
		want    float64
	}{
		{"silence", zero, zero, false, 0},
		{"one channel silent", sine, zero, false, 0},
		{"mono", sine, sine, true, 1},
		{"inverted", sine, neg, true, -1},
	}
	for _, tc := range tests {
		c := dsp.NewCorrelation(48000)
		c.Add(tc.l, tc.r)
		rep := correlation(c)
		if rep.Overall.Defined() != tc.defined || rep.MinWindow.Defined() != tc.defined {
			t.Errorf("%s: correlation %v / %v, want defined %v", tc.name, rep.Overall, rep.MinWindow, tc.defined)
			continue
		}
		if tc.defined && math.Abs(float64(rep.Overall)-tc.want) > 1e-6 {
			t.Errorf("%s: correlation %v, want %v", tc.name, rep.Overall, tc.want)
		}
	}
}
