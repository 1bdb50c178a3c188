package limiter

import (
	"errors"
	"math"
	"testing"
)

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		name  string
		p     Params
		param string // "" when valid
	}{
		{"defaults", DefaultParams(), ""},
		{"zero value", Params{}, ""},
		{"ceiling above 0", Params{CeilingDBTP: 0.5}, "ceiling_dbtp"},
		{"ceiling NaN", Params{CeilingDBTP: math.NaN()}, "ceiling_dbtp"},
		{"lookahead too long", Params{CeilingDBTP: -1, LookaheadMS: 80}, "lookahead_ms"},
		{"lookahead negative", Params{CeilingDBTP: -1, LookaheadMS: -1}, "lookahead_ms"},
		{"release too short", Params{CeilingDBTP: -1, ReleaseMS: 0.1}, "release_ms"},
		{"margin too big", Params{CeilingDBTP: -1, SafetyMarginDB: 3}, "safety_margin_db"},
		{"character punchy", Params{CeilingDBTP: -1, Character: CharacterPunchy}, ""},
		{"character dense", Params{CeilingDBTP: -1, Character: CharacterDense}, ""},
		{"character unknown", Params{CeilingDBTP: -1, Character: "warm"}, "character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			var pe *ParamError
			switch {
			case c.param == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.param != "" && !errors.As(err, &pe):
				t.Errorf("error %v, want *ParamError", err)
			case c.param != "" && pe.Param != c.param:
				t.Errorf("error about %q, want %q", pe.Param, c.param)
			}
		})
	}
}
