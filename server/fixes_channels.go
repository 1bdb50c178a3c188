package server

import (
	"fmt"

	"stemmaster"
)

// channelApply returns the session correction of the findings the check
// words as a fault to export again but the engine can also correct as the
// stem is read: a stem whose left and right are exchanged against the mix
// (swap_channels), one channel inverted (the finding's value names it, 1
// left, 2 right: polarity left_inverted or right_inverted), and a stem at
// another sample rate than the song's (resample). Nil for any other
// finding.
func channelApply(f stemmaster.Finding) *Apply {
	switch f.Code {
	case stemmaster.CodeChannelsSwapped:
		return &Apply{File: f.File, Field: "swap_channels", Value: 1, Label: "exchange the left and right channels of " + f.File}
	case stemmaster.CodePolarityInverted:
		if f.Value == nil {
			return nil // the whole stem: the fix text names polarity: inverted
		}
		switch *f.Value {
		case 1:
			return &Apply{File: f.File, Field: "polarity", Value: -1, Setting: string(stemmaster.PolarityLeftInverted), Label: "invert the left channel of " + f.File}
		case 2:
			return &Apply{File: f.File, Field: "polarity", Value: -1, Setting: string(stemmaster.PolarityRightInverted), Label: "invert the right channel of " + f.File}
		}
	case stemmaster.CodeSampleRateMismatch:
		label := "convert " + f.File + " to the song's sample rate"
		if f.Value != nil {
			label = fmt.Sprintf("convert %s from %.0f Hz to the song's sample rate", f.File, *f.Value)
		}
		return &Apply{File: f.File, Field: "resample", Value: 1, Label: label}
	}
	return nil
}
