package assist

import (
	"encoding/json"

	"stemmaster"
)

// The JSON forms write undefined figures (silence, a mono stem's side) as
// null, the way every stemmaster report does (stemmaster.Level).

// analysisJSON is Analysis's JSON form, the one list of its names: every
// figure a stemmaster.Level, the band centres beside the spectra, the
// resonances always present.
type analysisJSON struct {
	File            string             `json:"file"`
	Role            stemmaster.Role    `json:"role,omitempty"`
	IntegratedLUFS  stemmaster.Level   `json:"integrated_lufs"`
	LoudnessRangeLU stemmaster.Level   `json:"loudness_range_lu"`
	SamplePeakDBFS  stemmaster.Level   `json:"sample_peak_dbfs"`
	CrestDB         stemmaster.Level   `json:"crest_db"`
	TransientsPerS  stemmaster.Level   `json:"transients_per_s"`
	SideToMidDB     stemmaster.Level   `json:"side_to_mid_db"`
	Correlation     stemmaster.Level   `json:"correlation"`
	MonoLossDB      stemmaster.Level   `json:"mono_loss_db"`
	LowCorrelation  stemmaster.Level   `json:"low_correlation"`
	CentresHz       []stemmaster.Level `json:"centres_hz"`
	Spectrum        []stemmaster.Level `json:"spectrum_db"`
	MidSpectrum     []stemmaster.Level `json:"mid_spectrum_db"`
	SideSpectrum    []stemmaster.Level `json:"side_spectrum_db"`
	SibilanceDB     stemmaster.Level   `json:"sibilance_db"`
	SibilanceHz     stemmaster.Level   `json:"sibilance_hz"`
	Resonances      []resonanceJSON    `json:"resonances"`
	LowPeaks        []resonanceJSON    `json:"low_peaks"`
}

// resonanceJSON is Resonance's JSON form.
type resonanceJSON struct {
	FreqHz   stemmaster.Level `json:"freq_hz"`
	ExcessDB stemmaster.Level `json:"excess_db"`
	Q        stemmaster.Level `json:"q"`
	MainsHz  float64          `json:"mains_hz,omitempty"`
}

func resonancesJSON(rs []Resonance) []resonanceJSON {
	out := make([]resonanceJSON, len(rs))
	for i, r := range rs {
		out[i] = resonanceJSON{stemmaster.Level(r.FreqHz), stemmaster.Level(r.ExcessDB), stemmaster.Level(r.Q), r.MainsHz}
	}
	return out
}

func resonancesOf(rs []resonanceJSON) []Resonance {
	out := make([]Resonance, len(rs))
	for i, r := range rs {
		out[i] = Resonance{float64(r.FreqHz), float64(r.ExcessDB), float64(r.Q), r.MainsHz}
	}
	return out
}

// MarshalJSON implements json.Marshaler.
func (a *Analysis) MarshalJSON() ([]byte, error) {
	return json.Marshal(analysisJSON{a.File, a.Role, stemmaster.Level(a.IntegratedLUFS), stemmaster.Level(a.LoudnessRangeLU), stemmaster.Level(a.SamplePeakDBFS),
		stemmaster.Level(a.CrestDB), stemmaster.Level(a.TransientsPerS), stemmaster.Level(a.SideToMidDB), stemmaster.Level(a.Correlation),
		stemmaster.Level(a.MonoLossDB), stemmaster.Level(a.LowCorrelation), stemmaster.Levels(thirdCentres), stemmaster.Levels(a.Spectrum), stemmaster.Levels(a.MidSpectrum),
		stemmaster.Levels(a.SideSpectrum), stemmaster.Level(a.SibilanceDB), stemmaster.Level(a.SibilanceHz), resonancesJSON(a.Resonances), resonancesJSON(a.LowPeaks)})
}

// UnmarshalJSON implements json.Unmarshaler: it reads what MarshalJSON
// writes, null as NaN.
func (a *Analysis) UnmarshalJSON(b []byte) error {
	var j analysisJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = Analysis{File: j.File, Role: j.Role, IntegratedLUFS: float64(j.IntegratedLUFS), LoudnessRangeLU: float64(j.LoudnessRangeLU),
		SamplePeakDBFS: float64(j.SamplePeakDBFS), CrestDB: float64(j.CrestDB), TransientsPerS: float64(j.TransientsPerS),
		SideToMidDB: float64(j.SideToMidDB), Correlation: float64(j.Correlation), MonoLossDB: float64(j.MonoLossDB),
		LowCorrelation: float64(j.LowCorrelation), Spectrum: floats(j.Spectrum), MidSpectrum: floats(j.MidSpectrum),
		SideSpectrum: floats(j.SideSpectrum), SibilanceDB: float64(j.SibilanceDB), SibilanceHz: float64(j.SibilanceHz), Resonances: resonancesOf(j.Resonances),
		LowPeaks: resonancesOf(j.LowPeaks)}
	return nil
}

// floats is the inverse of stemmaster.Levels.
func floats(ls []stemmaster.Level) []float64 {
	out := make([]float64, len(ls))
	for i, l := range ls {
		out[i] = float64(l)
	}
	return out
}

// MarshalJSON implements json.Marshaler.
func (p *Proposal) MarshalJSON() ([]byte, error) {
	type plain Proposal
	ms := make([]struct {
		Between  [2]string        `json:"between"`
		RangeHz  [2]float64       `json:"range_hz"`
		DeltaDB  stemmaster.Level `json:"delta_db"`
		Conflict bool             `json:"conflict"`
	}, len(p.Masking))
	for i, m := range p.Masking {
		ms[i].Between, ms[i].RangeHz, ms[i].DeltaDB, ms[i].Conflict = m.Between, m.RangeHz, stemmaster.Level(m.DeltaDB), m.Conflict
	}
	return json.Marshal(struct {
		*plain
		FinalLUFS []stemmaster.Level `json:"final_lufs"`
		Masking   any                `json:"masking,omitempty"`
	}{(*plain)(p), stemmaster.Levels(p.FinalLUFS), ms})
}
