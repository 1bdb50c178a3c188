package check

import "fmt"

// The fixes: what the client does in the DAW, in its own words. Each
// finding's Fix comes from here (or, for the older codes, from the text
// beside its finding), so that the CLI, the JSON and the web page give the
// same advice.
var fixes = map[string]string{
	"truncated": "the file was cut short after the export (an interrupted upload, copy or export): " +
		"export it again, or copy it again from the original, and check that it plays to the end",
	"frames_past_header": "the file holds audio after the length its header declares (an export or a recorder " +
		"that did not finish writing its header, or a tool that rewrote it): export it again from the session, " +
		"and listen to the end of the new file",
	"non_finite": "a plug-in on the track produced invalid numbers (NaN or infinity): find it (often a filter or " +
		"a synth at extreme settings; the track shows a burst or goes silent there), replace or bypass it, and " +
		"export again as 32-bit float or 24-bit integer",
	"out_of_range": "a plug-in or a gain on the track went wild (or the file was written with the wrong scale): " +
		"find the stage where the level explodes, and export again with the track peaking below full scale",
	"channels_swapped": "left and right are exchanged in %s: check the track's panning or a stereo-swap or " +
		"channel-routing plug-in on it, and export it again with the same routing as in the mix",
	"polarity_channel": "one channel of %s is inverted (%s): remove the phase/polarity-invert switch on that " +
		"channel (a utility or trim plug-in, or the mixer's Ø button) and export it again",
	"sample_rate_mismatch": "export it again from the session with the sample rate set to %d Hz in the export " +
		"dialog (do not convert the file afterwards)",
	"offset": "export every stem and the mix with the same start marker (from the session start, bar 1), " +
		"with plug-in delay compensation on; or set offset_samples: %d for %s in the session",
	"bus": "disable the master bus plugins (limiter, compressor, clipper, EQ) and export the mix again, " +
		"or export the stems through the same master bus processing, so that the stems add up to the mix",
	"unrelated": "send the mix bounced from the same session as these stems (the same song, version and " +
		"start), or the stems of this mix",
	"explained": "fix the findings above (offset, level, polarity, channels, DC); nothing else is missing from the stems",
}

// fixText returns the fix for key with its arguments.
func fixText(key string, args ...any) string {
	f, ok := fixes[key]
	if !ok {
		return ""
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}
