package assist

import (
	"encoding/json"

	"stemmaster"
)

// The JSON forms write undefined figures (silence, a mono stem's side) as
// null, the way every stemmaster report does (stemmaster.Level).

// MarshalJSON implements json.Marshaler.
func (a *Analysis) MarshalJSON() ([]byte, error) {
	type res struct {
		FreqHz   stemmaster.Level `json:"freq_hz"`
		ExcessDB stemmaster.Level `json:"excess_db"`
		Q        stemmaster.Level `json:"q"`
	}
	rs := make([]res, len(a.Resonances))
	for i, r := range a.Resonances {
		rs[i] = res{stemmaster.Level(r.FreqHz), stemmaster.Level(r.ExcessDB), stemmaster.Level(r.Q)}
	}
	return json.Marshal(struct {
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
		Resonances      []res              `json:"resonances"`
	}{a.File, a.Role, stemmaster.Level(a.IntegratedLUFS), stemmaster.Level(a.LoudnessRangeLU), stemmaster.Level(a.SamplePeakDBFS),
		stemmaster.Level(a.CrestDB), stemmaster.Level(a.TransientsPerS), stemmaster.Level(a.SideToMidDB), stemmaster.Level(a.Correlation),
		stemmaster.Level(a.MonoLossDB), stemmaster.Level(a.LowCorrelation), stemmaster.Levels(thirdCentres), stemmaster.Levels(a.Spectrum), stemmaster.Levels(a.MidSpectrum),
		stemmaster.Levels(a.SideSpectrum), stemmaster.Level(a.SibilanceDB), stemmaster.Level(a.SibilanceHz), rs})
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
