package stemmaster

// ChecklistRule is one line of the delivery checklist that the CLI's check
// and the page both show: the line, the finding codes that break it, and
// when it has nothing to say. Both faces read ChecklistRules, so the same
// findings group and mark the same way on each.
type ChecklistRule struct {
	// Line is the rule as the checklist reads it.
	Line string
	// OneFile is the line for a delivery of one file (a stereo master has
	// no stems and no sum); empty when Line reads the same.
	OneFile string
	// Codes are the finding codes that break the rule.
	Codes []string
	// NeedsMix marks a rule that holds the stems against the reference
	// mix: without the mix it is not checked.
	NeedsMix bool
	// Between marks a rule that compares the files with each other: a
	// single file has nothing to compare, so the rule is "not needed",
	// never a ✓ that says nothing.
	Between bool
}

// LineFor is the rule's line for a delivery of one file (single) or more.
func (r ChecklistRule) LineFor(single bool) string {
	if single && r.OneFile != "" {
		return r.OneFile
	}
	return r.Line
}

// ChecklistRules are the checklist's lines in the order both faces show
// them. channel_mismatch and mono_as_stereo share one line: both are about
// the files' channel layout, and mono_as_stereo speaks of one file, so the
// line is not a comparison between files.
var ChecklistRules = []ChecklistRule{
	{Line: "Every file is readable audio", Codes: []string{CodeUnreadable, CodeUnsupportedFormat}},
	{Line: "Every file whole (as long as its header says)", Codes: []string{CodeTruncated, CodeFramesPastHeader}},
	{Line: "No NaN or infinite samples", Codes: []string{CodeNonFinite}},
	{Line: "Same sample rate", Codes: []string{CodeSampleRateMismatch}, Between: true},
	{Line: "Same start (time-zero)", Codes: []string{CodeOffset, CodeDrift}, Between: true},
	{Line: "Polarity as in the mix", Codes: []string{CodePolarityInverted}, NeedsMix: true},
	{Line: "Left and right as in the mix", Codes: []string{CodeChannelsSwapped}, NeedsMix: true},
	{Line: "24-bit or float", Codes: []string{CodeBitDepthLow}},
	{Line: "Same length", Codes: []string{CodeLengthMismatch}, Between: true},
	{Line: "Levels and panning as in the mix (each channel)", Codes: []string{CodeGainMismatch}, NeedsMix: true},
	{Line: "Stems sum to the mix", Codes: []string{CodeSumMismatch}, NeedsMix: true},
	{Line: "Headroom on the sum", OneFile: "Headroom", Codes: []string{CodeHeadroom}},
	{Line: "No clipping", Codes: []string{CodeClipping, CodeOutOfRange}},
	{Line: "No silent stems", OneFile: "Not silent", Codes: []string{CodeSilent}},
	{Line: "No DC offset", Codes: []string{CodeDCOffset, CodeOutOfRange}},
	{Line: "No duplicated stems", Codes: []string{CodeDuplicate}, Between: true},
	{Line: "Channel layout", Codes: []string{CodeChannelMismatch, CodeMonoAsStereo}},
	{Line: "Number of stems", Codes: []string{CodeTooManyStems, CodeSingleStem}, Between: true},
}
