package stemmaster

import "strings"

// Severity of a finding.
type Severity string

// Severities: an error means the delivery must be fixed (the CLI exits 1); a
// warning works but the client should be asked; info is for the record.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding codes; docs/checks.md says how each is measured and fixed.
const (
	CodeUnreadable         = "unreadable"
	CodeUnsupportedFormat  = "unsupported_format"
	CodeSampleRateMismatch = "sample_rate_mismatch"
	CodeOffset             = "offset"
	CodePolarityInverted   = "polarity_inverted"
	CodeBitDepthLow        = "bit_depth_low"
	CodeLengthMismatch     = "length_mismatch"
	CodeGainMismatch       = "gain_mismatch"
	CodeSumMismatch        = "sum_mismatch"
	CodeHeadroom           = "headroom"
	CodeClipping           = "clipping"
	CodeSilent             = "silent"
	CodeDCOffset           = "dc_offset"
	CodeDuplicate          = "duplicate"
	CodeChannelMismatch    = "channel_mismatch"
	CodeMonoAsStereo       = "mono_as_stereo"
	CodeTooManyStems       = "too_many_stems"
	CodeSingleStem         = "single_stem"
	CodeTruncated          = "truncated"        // the file is shorter than its header declares
	CodeNonFinite          = "non_finite"       // NaN or infinite samples
	CodeChannelsSwapped    = "channels_swapped" // left and right exchanged against the mix
	CodeOutOfRange         = "out_of_range"     // float samples too far above full scale to process
	CodeDrift              = "drift"            // a lag against the mix that changes along the file
	// CodeFramesPastHeader: the file holds frames after the length its
	// header declares, which no reader reads.
	CodeFramesPastHeader = "frames_past_header"
)

// CodeSeverity gives the severity each finding code carries (a dc_offset
// from check.DCErrorDBFS is raised to an error: see docs/checks.md).
var CodeSeverity = map[string]Severity{
	CodeUnreadable: SeverityError, CodeUnsupportedFormat: SeverityError,
	CodeSampleRateMismatch: SeverityError, CodeOffset: SeverityError, CodePolarityInverted: SeverityError,
	CodeBitDepthLow: SeverityWarning, CodeLengthMismatch: SeverityWarning, CodeGainMismatch: SeverityWarning,
	CodeSumMismatch: SeverityWarning, CodeHeadroom: SeverityWarning, CodeClipping: SeverityWarning,
	CodeSilent: SeverityWarning, CodeDCOffset: SeverityWarning, CodeDuplicate: SeverityWarning,
	CodeChannelMismatch: SeverityInfo, CodeMonoAsStereo: SeverityInfo, CodeTooManyStems: SeverityInfo,
	CodeSingleStem: SeverityInfo,
	CodeTruncated:  SeverityError, CodeNonFinite: SeverityError, CodeChannelsSwapped: SeverityError,
	CodeOutOfRange: SeverityError, CodeDrift: SeverityError,
	CodeFramesPastHeader: SeverityWarning,
}

// Finding is one result of the stem checks.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"`
	Message  string   `json:"message"`
	Value    *float64 `json:"value,omitempty"` // the figure (samples, dB, ms) where one applies
	Fix      string   `json:"fix,omitempty"`   // how to fix the export, in plain words
	// Channel names the channel ("left" or "right") a finding is about
	// when it is about one channel of the file (a gain_mismatch where the
	// channels' levels disagree).
	Channel string `json:"channel,omitempty"`
}

// Service is what the advice recommends.
type Service string

// Services the advice can recommend.
const (
	ServiceStemMastering   Service = "stem_mastering"
	ServiceStereoMastering Service = "stereo_mastering"
	ServiceMixing          Service = "mixing"
)

// Headline is the advice's headline, lower case: the terminal and
// report.html print it, and the server writes the page's SERVICE from it
// (server/web.go, as a sentence), so all three say "stereo mastering is
// enough", or "this needs mixing first" where the stems need mixing.
func (s Service) Headline() string {
	switch s {
	case ServiceStemMastering:
		return "stem mastering"
	case ServiceStereoMastering:
		return "stereo mastering is enough"
	case ServiceMixing:
		return "this needs mixing first"
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// Line is the finding as report.json lists it ("code: file: message";
// the file left out when the message names it).
func (f Finding) Line() string {
	msg := f.Message
	if f.File != "" && !strings.Contains(msg, f.File) {
		msg = f.File + ": " + msg
	}
	return f.Code + ": " + msg
}

// Advice says which service the delivery calls for, and why.
type Advice struct {
	Service Service  `json:"service"`
	Reasons []string `json:"reasons"`
	// Details says what each reason is, one per reason in the same order:
	// the advice as data, which the code that carries the advice forward
	// (analysis.Outstanding) and a client read instead of the words.
	// Absent from an advice stored before it was added.
	Details []ReasonDetail `json:"details,omitempty"`
}

// ReasonDetail is one reason of an Advice as data.
type ReasonDetail struct {
	Kind ReasonKind `json:"kind"`
	// Blocking: the reason names something to do before the advised
	// service (errors to fix); a reason that is not blocking informs.
	Blocking bool `json:"blocking"`
	// Errors is the number of errors the reason counts (the error kinds).
	Errors int `json:"errors,omitempty"`
	// Role is the family a ReasonFamily reason is about, RelativeLU its
	// loudness against the sum where it plays (analysis.FamilyLevelOf),
	// GainDB the move the assistant makes on it by its norms (absent when
	// it makes none).
	Role       Role     `json:"role,omitempty"`
	RelativeLU *float64 `json:"relative_lu,omitempty"`
	GainDB     *float64 `json:"gain_db,omitempty"`
}

// ReasonKind says what a reason of an Advice is.
type ReasonKind string

// The kinds of reason.
const (
	// ReasonErrors: errors in the delivery to fix before the advised
	// service (blocking).
	ReasonErrors ReasonKind = "errors"
	// ReasonFileErrors: errors in one file mastered alone with no mix
	// (blocking).
	ReasonFileErrors ReasonKind = "file_errors"
	// ReasonStemErrors: errors in the stems while the advice masters the
	// mix, which only mastering the stems would need fixed (not blocking).
	ReasonStemErrors ReasonKind = "stem_errors"
	// ReasonCorrected: the advice is on the stems measured again with
	// the corrections the findings name.
	ReasonCorrected ReasonKind = "corrected"
	// ReasonStemCount: the service follows from the number of files.
	ReasonStemCount ReasonKind = "stem_count"
	// ReasonBalance: the service follows from the families' balance (or
	// from a balance that could not be measured).
	ReasonBalance ReasonKind = "balance"
	// ReasonFamily: one family out of its usual range (Role, GainDB).
	ReasonFamily ReasonKind = "family"
	// ReasonRebalanced: the session corrects a stem's level, so the
	// balance measured on the delivery no longer stands.
	ReasonRebalanced ReasonKind = "rebalanced"
)

// StemReport describes one stem in a check report.
type StemReport struct {
	File           string `json:"file"`
	Role           Role   `json:"role"`
	SampleRate     int    `json:"sample_rate"`
	BitDepth       int    `json:"bit_depth"`
	SampleFormat   string `json:"sample_format"`
	Channels       int    `json:"channels"`
	Frames         int64  `json:"frames"`
	DurationS      Level  `json:"duration_s"`
	IntegratedLUFS Level  `json:"integrated_lufs"`
	TruePeakDBTP   Level  `json:"true_peak_dbtp"`
	SamplePeakDBFS Level  `json:"sample_peak_dbfs"`
}

// SumReport gives the levels of the plain sum of the stems.
type SumReport struct {
	IntegratedLUFS Level `json:"integrated_lufs"`
	TruePeakDBTP   Level `json:"true_peak_dbtp"`
	SamplePeakDBFS Level `json:"sample_peak_dbfs"`
}

// MixReport compares the sum with the reference mix.
type MixReport struct {
	File string `json:"file"`
	// NullResidualDB is the residual of the stems as delivered (unity
	// gains, no correction) against the mix, relative to the mix.
	NullResidualDB Level `json:"null_residual_db"`
	// FittedResidualDB is the residual once the offsets, gains, polarities
	// and channel faults the check found are corrected (null when the fit
	// did not run).
	FittedResidualDB Level `json:"fitted_residual_db"`
	// ThresholdDB is the residual above which the stems do not sum to the
	// mix (a sum_mismatch finding): "stems sum to the mix" holds when
	// NullResidualDB and FittedResidualDB are both at or below it.
	ThresholdDB float64 `json:"threshold_db"`
}

// CheckReport is the output of `stemmaster check --json` and the findings
// part of report.json.
type CheckReport struct {
	Stems    []StemReport `json:"stems"`
	Sum      *SumReport   `json:"sum,omitempty"`
	Mix      *MixReport   `json:"mix,omitempty"`
	Findings []Finding    `json:"findings"`
	Advice   *Advice      `json:"advice,omitempty"`
	// AdviceCorrected is the advice on the stems measured again with every
	// correction the findings name made (a gain, a polarity, an offset, a
	// channel swap, a resampling: analysis.CorrectionFor), as a session
	// that makes them all leaves the delivery; present only when a finding
	// names one.
	AdviceCorrected *Advice `json:"advice_corrected,omitempty"`
}

// HasErrors reports whether any finding has error severity: what a
// program that runs the check as a library asks of its report (check's
// Example), kept for it though stemmaster itself does not call it. The
// CLI and the service weigh finding by finding instead, since an error a
// session corrects no longer blocks (analysis.Outstanding).
func (r *CheckReport) HasErrors() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}
