package stemmaster

// Report is report.json: what a render did and how every output measures.
// Figures that may be undefined (silence, too short) are Levels and print as
// null.
type Report struct {
	Stemmaster  string `json:"stemmaster"`   // program version
	SessionHash string `json:"session_hash"` // SHA-256 of the canonical session and the stems' headers; seeds the dither
	Target      Target `json:"target"`
	// CeilingDBTP is the true-peak ceiling the limiter ran at; null when no
	// limiter ran.
	CeilingDBTP Level `json:"ceiling_dbtp"`
	SampleRate  int   `json:"sample_rate"` // the stems' (and master bus's) rate
	Frames      int64 `json:"frames"`
	DurationS   Level `json:"duration_s"`

	// Sum measures the plain sum of the stems after their chains, before
	// the master chain; for a render of one input (a stereo master) it is
	// that input after its chain: the mix, as the CLI, report.html and the
	// pictures name it (report.Before).
	Sum    Measurement    `json:"sum"`
	Master MasterReport   `json:"master"`
	Stems  []StemLoudness `json:"stems"`
	// Outputs lists every file written, main first, in the order of the
	// session's versions and outputs.
	Outputs []OutputReport `json:"outputs"`
	// Findings are the check's findings on the stems (empty when no check
	// ran).
	Findings []Finding `json:"findings"`
	// CheckMix is the check's comparison of the stems as delivered with
	// the mix — the check report's "mix", the same measurement the
	// findings' figures come from (not the sum after the session's
	// corrections: that is Sum); absent without a mix or a check.
	CheckMix *MixReport `json:"check_mix,omitempty"`
	Warnings []string   `json:"warnings"`
	// MasteredAnyway lists the check errors the client chose to master
	// despite ("code: message"), empty when there were none.
	MasteredAnyway []string `json:"mastered_anyway,omitempty"`
	// CorrectedBySession lists the check findings the session corrects
	// ("code: message", as MasteredAnyway): an error listed here does not
	// make the render's exit status 1.
	CorrectedBySession []string `json:"corrected_by_session,omitempty"`
	// Advice is the check's advice as the session leaves the delivery
	// (the page's): on the stems measured again with the corrections once
	// the session makes every one the findings name. Absent without a
	// check.
	Advice *Advice `json:"advice,omitempty"`

	WallTimeS Level `json:"wall_time_s"`
	// XRealTime is the song's duration divided by the wall time.
	XRealTime Level `json:"x_real_time"`
	// CPUTimeS is the process's CPU time (user + system) during the
	// render, on every core; null where the system does not say.
	CPUTimeS Level `json:"cpu_time_s"`
	// Stages is the render's timing table (see StageTiming).
	Stages []StageTiming `json:"stages,omitempty"`

	Curves *Curves `json:"curves,omitempty"`
}

// Measurement is a BS.1770-4 / EBU R128 reading of a programme.
type Measurement struct {
	IntegratedLUFS  Level `json:"integrated_lufs"`
	LoudnessRangeLU Level `json:"loudness_range_lu"`
	TruePeakDBTP    Level `json:"true_peak_dbtp"`
	SamplePeakDBFS  Level `json:"sample_peak_dbfs"`
}

// MasterReport describes what the master chain did.
type MasterReport struct {
	// GainDB is the gain before the limiter that put the main version on
	// target (or the session's fixed gain with targeting off).
	GainDB Level `json:"gain_db"`
	// Iterations is how many gain → limiter → measure passes targeting took.
	Iterations int `json:"iterations"`
	// Main measures the main version's master at the bus rate in float,
	// before any deliverable's conversion.
	Main    Measurement    `json:"main"`
	Limiter *LimiterReport `json:"limiter,omitempty"`
	Glue    *GainReduction `json:"compressor,omitempty"`
	Latency LatencyReport  `json:"latency_frames"`
	// Correlation is the main master's stereo correlation (mono
	// compatibility).
	Correlation *CorrelationReport `json:"correlation,omitempty"`
	// Processors: the master multiband's figures.
	Processors *ProcessorReport `json:"processors,omitempty"`
}

// GainReduction summarises a dynamics processor's gain reduction.
type GainReduction struct {
	MaxDB  Level `json:"max_db"`
	MeanDB Level `json:"mean_db"` // mean over the whole programme, in dB
	// ActiveShare is the share of the time (0…1) with any gain reduction
	// (above 0.01 dB).
	ActiveShare Level `json:"active_share"`
}

// LimiterReport is the limiter's gain reduction on the main version.
type LimiterReport struct {
	GainReduction
	CeilingDBTP Level  `json:"ceiling_dbtp"`
	LookaheadMS Level  `json:"lookahead_ms"`
	ReleaseMS   Level  `json:"release_ms"`
	Character   string `json:"character,omitempty"`
	// StemAware is true when the reduction was taken from the stems by
	// weight (per-stem figures in Stems[i].Limiter).
	StemAware bool `json:"stem_aware,omitempty"`
	// Attribution says which stems caused the reduction, e.g. "drums
	// caused 71 % of the limiter's gain reduction, bass 20 %, …".
	Attribution string `json:"attribution,omitempty"`
}

// StemLimiterReport is the master limiter's reduction as one stem saw it:
// the share of the reduction it caused (by its level at the limited
// moments) and the reduction applied to it (the master's, unless the
// limiter is stem-aware).
type StemLimiterReport struct {
	CausedShare Level `json:"caused_share"`
	GainReduction
}

// ProcessorReport gives the largest gain reduction (dB) of a strip's or
// the master's dynamic processors beyond the compressor, over the whole
// render: the de-esser, each dynamic EQ band, each multiband band.
type ProcessorReport struct {
	DeEsserMaxGRDB *Level `json:"de_esser_max_gr_db,omitempty"`
	// DeEsserGRDB is the de-esser's largest reduction per curve step
	// (Curves.StepS), for its gain-reduction-over-time picture.
	DeEsserGRDB      []Level `json:"de_esser_gr_db,omitempty"`
	DynamicEQMaxGRDB []Level `json:"dynamic_eq_max_gr_db,omitempty"`
	MultibandMaxGRDB []Level `json:"multiband_max_gr_db,omitempty"`
}

// CorrelationReport is the stereo correlation of the main master: +1 mono,
// 0 unrelated channels, −1 out of phase (what cancels in a mono sum); the
// lowest over any 100 ms window beside the overall figure.
type CorrelationReport struct {
	Overall   Level `json:"overall"`
	MinWindow Level `json:"min_window"`
}

// LatencyReport gives the latencies the engine compensated, in frames at
// the bus rate.
type LatencyReport struct {
	Stems   int `json:"stems"`   // the largest stem chain latency
	Master  int `json:"master"`  // master EQ and compressor
	Limiter int `json:"limiter"` // the limiter's look-ahead
}

// StemLoudness is one stem's integrated loudness before and after its
// channel strip.
type StemLoudness struct {
	File       string `json:"file"`
	Role       Role   `json:"role"`
	Muted      bool   `json:"muted,omitempty"`
	BeforeLUFS Level  `json:"before_lufs"`
	AfterLUFS  Level  `json:"after_lufs"`
	// Limiter is the master limiter's reduction attributed to the stem.
	Limiter *StemLimiterReport `json:"limiter,omitempty"`
	// Processors: the strip's de-esser, dynamic EQ and multiband figures.
	Processors *ProcessorReport `json:"processors,omitempty"`
}

// OutputReport is one written file and its measurement, taken on the file's
// final samples (after conversion and dither).
type OutputReport struct {
	File         string  `json:"file"` // name inside the output directory
	Version      Version `json:"version"`
	Format       string  `json:"format"`
	BitDepth     int     `json:"bit_depth"`
	SampleFormat string  `json:"sample_format"`
	SampleRate   int     `json:"sample_rate"`
	Dither       string  `json:"dither"` // tpdf, shaped or none
	Frames       int64   `json:"frames"`
	Measurement
	// ExtraLimitingDB is the ceiling reduction of a second limiter pass
	// applied because conversion or dither pushed the true peak over the
	// ceiling; 0 when none was needed.
	ExtraLimitingDB Level `json:"extra_limiting_db"`
	Bytes           int64 `json:"bytes"`
}

// Curves are the time series and spectra the web page and the HTML report
// draw. Series run on a StepS grid: entry k covers [k·StepS, (k+1)·StepS).
type Curves struct {
	StepS float64 `json:"step_s"` // 0.1
	// WaveformMin and WaveformMax are the main master's smallest and
	// largest sample (over both channels) in each step, linear full scale.
	WaveformMin []float32 `json:"waveform_min"`
	WaveformMax []float32 `json:"waveform_max"`
	// ShortTermBefore is the plain sum's short-term loudness (3 s window
	// ending at the end of the step), ShortTermAfter the main master's.
	ShortTermBeforeLUFS []Level `json:"short_term_before_lufs"`
	ShortTermAfterLUFS  []Level `json:"short_term_after_lufs"`
	// LimiterGRDB is the limiter's largest gain reduction in each step, in
	// dB (positive; 0 = no reduction); empty when no limiter ran.
	LimiterGRDB []Level  `json:"limiter_gr_db"`
	Spectrum    Spectrum `json:"spectrum"`
}

// Spectrum is a long-term average spectrum at 1/6-octave bands from 20 Hz
// to 20 kHz, before (plain sum) and after (main master), in dB relative to
// a full-scale sine.
type Spectrum struct {
	FreqsHz  []float64 `json:"freqs_hz"` // band centres
	BeforeDB []Level   `json:"before_db"`
	AfterDB  []Level   `json:"after_db"`
}
