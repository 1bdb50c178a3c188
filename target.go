package stemmaster

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Target is a loudness target: the integrated loudness (ITU-R BS.1770-4) the
// main master lands on and the true-peak ceiling it stays under. None turns
// loudness targeting off (the session's `target: none`).
type Target struct {
	Preset         string  `json:"preset,omitempty"`
	IntegratedLUFS float64 `json:"integrated_lufs"`
	TruePeakDBTP   float64 `json:"true_peak_dbtp"`
	None           bool    `json:"-"`
}

// DefaultTargetPreset is the target of a session that names none.
const DefaultTargetPreset = "streaming"

// TargetPresets are the named targets, in a fixed order. The figures
// are the common delivery specs: streaming services normalise to -14 LUFS
// (Spotify, YouTube, Tidal), Apple Music to -16, EBU R128 broadcast is -23
// LUFS / -1 dBTP, podcasts -16 (AES TD1004 / Apple podcasts).
var TargetPresets = []Target{
	{Preset: "streaming", IntegratedLUFS: -14, TruePeakDBTP: -1},
	{Preset: "apple", IntegratedLUFS: -16, TruePeakDBTP: -1},
	{Preset: "loud", IntegratedLUFS: -9, TruePeakDBTP: -1},
	{Preset: "club", IntegratedLUFS: -7, TruePeakDBTP: -0.3},
	{Preset: "ebu_r128", IntegratedLUFS: -23, TruePeakDBTP: -1},
	{Preset: "podcast", IntegratedLUFS: -16, TruePeakDBTP: -1},
}

// MinTargetLUFS is the quietest integrated loudness a target may ask for.
// BS.1770 leaves out every 400 ms block under -70 LUFS (its absolute gate);
// from -60 LUFS up that gate lies at or below the one 10 LU under the
// song's own loudness, so the reading moves with the master's gain as it
// does at any level. Below it the absolute gate drops the song's quiet
// passages: a -70 target could only read higher (-69.3 for a song of 4 LU
// range, after 7 passes), and the loudness range shrinks with the target.
const MinTargetLUFS = -60.0

// NoTarget turns loudness targeting off.
var NoTarget = Target{Preset: "none", None: true, IntegratedLUFS: math.NaN(), TruePeakDBTP: math.NaN()}

// TargetPreset returns the preset of that name ("none" gives NoTarget).
func TargetPreset(name string) (Target, bool) {
	if name == "none" {
		return NoTarget, true
	}
	for _, t := range TargetPresets {
		if t.Preset == name {
			return t, true
		}
	}
	return Target{}, false
}

// PresetNames lists the preset names for messages.
func PresetNames() string {
	names := make([]string, len(TargetPresets))
	for i, t := range TargetPresets {
		names[i] = t.Preset
	}
	return strings.Join(names, ", ")
}

// ParseTarget reads a target as the CLI's --target takes it: a preset name,
// "none", or an integrated loudness in LUFS ("-14"), which keeps the default
// -1 dBTP ceiling.
func ParseTarget(s string) (Target, error) {
	if t, ok := TargetPreset(s); ok {
		return t, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "LUFS"), 64)
	if err != nil {
		return Target{}, fmt.Errorf("target %q is neither a preset (%s, none) nor a loudness in LUFS", s, PresetNames())
	}
	t := Target{IntegratedLUFS: v, TruePeakDBTP: -1}
	if err := t.check(); err != nil {
		return Target{}, fmt.Errorf("target %q: %s", s, err.Problem)
	}
	return t, nil
}

// check validates the figures; Field is relative to the target.
func (t Target) check() *SessionError {
	if t.None {
		return nil
	}
	lufs := func(problem string) *SessionError {
		return &SessionError{Field: "integrated_lufs", Value: FormatNumber(t.IntegratedLUFS), Problem: problem}
	}
	switch {
	case math.IsNaN(t.IntegratedLUFS):
		return lufs("is not a number")
	case t.IntegratedLUFS < MinTargetLUFS:
		return lufs(fmt.Sprintf("is below %g LUFS: quieter, BS.1770's absolute gate (-70 LUFS) leaves the song's quiet passages out of the reading, which then cannot follow the gain", MinTargetLUFS))
	case t.IntegratedLUFS >= 0:
		// Full-scale loudness is out of reach: a target lies below it.
		return lufs(fmt.Sprintf("is not below 0 LUFS (targets lie from %g up to, not including, 0)", MinTargetLUFS))
	}
	if math.IsNaN(t.TruePeakDBTP) {
		return &SessionError{Field: "true_peak_dbtp", Value: FormatNumber(t.TruePeakDBTP), Problem: "is not a number"}
	}
	if t.TruePeakDBTP > 0 {
		return &SessionError{Field: "true_peak_dbtp", Value: FormatNumber(t.TruePeakDBTP), Problem: "is above 0 dBTP"}
	}
	if t.TruePeakDBTP < -20 {
		return &SessionError{Field: "true_peak_dbtp", Value: FormatNumber(t.TruePeakDBTP), Problem: "is below -20 dBTP"}
	}
	return nil
}

// String gives "streaming (-14 LUFS, -1 dBTP)", "-12 LUFS, -1 dBTP" or "none".
func (t Target) String() string {
	if t.None {
		return "none"
	}
	fig := fmt.Sprintf("%s LUFS, %s dBTP", FormatNumber(t.IntegratedLUFS), FormatNumber(t.TruePeakDBTP))
	if t.Preset != "" {
		return t.Preset + " (" + fig + ")"
	}
	return fig
}

// MarshalJSON writes "none" for no target and an object otherwise.
func (t Target) MarshalJSON() ([]byte, error) {
	if t.None {
		return []byte(`"none"`), nil
	}
	type plain Target
	return json.Marshal(plain(t))
}

// UnmarshalJSON reads a preset name or "none" as a string, or an object
// {preset} / {integrated_lufs, true_peak_dbtp}; unknown fields are errors.
// Figures given beside a preset override the preset's.
func (t *Target) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		p, ok := TargetPreset(name)
		if !ok {
			return &SessionError{Field: "preset", Value: strconv.Quote(name), Problem: "is not a preset (" + PresetNames() + ", none)"}
		}
		*t = p
		return nil
	}
	var raw struct {
		Preset         *string  `json:"preset"`
		IntegratedLUFS *float64 `json:"integrated_lufs"`
		TruePeakDBTP   *float64 `json:"true_peak_dbtp"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	nt, err := BuildTarget(raw.Preset, raw.IntegratedLUFS, raw.TruePeakDBTP)
	if err != nil {
		return err
	}
	*t = nt
	return nil
}

// BuildTarget combines a preset and explicit figures, as a session's target
// mapping gives them (nil means absent): figures override the preset's, and
// without a preset integrated_lufs is required. The error's Field is relative
// to the target ("preset", "integrated_lufs"); the session-file reader
// prefixes the target's path and adds the line.
func BuildTarget(preset *string, lufs, tp *float64) (Target, *SessionError) {
	t := Target{IntegratedLUFS: math.NaN(), TruePeakDBTP: -1}
	if preset != nil {
		p, ok := TargetPreset(*preset)
		if !ok {
			return Target{}, &SessionError{Field: "preset", Value: strconv.Quote(*preset), Problem: "is not a preset (" + PresetNames() + ", none)"}
		}
		t = p
	}
	if t.None {
		return t, nil
	}
	if lufs != nil {
		t.IntegratedLUFS = *lufs
		if preset != nil && *lufs != t.IntegratedLUFS {
			t.Preset = ""
		}
	}
	if tp != nil {
		t.TruePeakDBTP = *tp
	}
	if preset == nil && lufs == nil {
		return Target{}, &SessionError{Field: "integrated_lufs", Value: "(absent)", Problem: "is required without a preset"}
	}
	if p, ok := TargetPreset(t.Preset); ok && (p.IntegratedLUFS != t.IntegratedLUFS || p.TruePeakDBTP != t.TruePeakDBTP) {
		t.Preset = "" // custom figures are no longer the preset
	}
	return t, nil
}
