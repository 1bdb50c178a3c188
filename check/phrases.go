package check

import (
	"fmt"
	"math"
)

// samplesText says a number of samples for people, with its duration at
// rate: "1 sample (0.021 ms)", "7 samples (0.15 ms)", "480 samples (10.0
// ms)". It is the one wording of a lag, an offset or a move in samples.
func samplesText(n int64, rate int) string {
	return fmt.Sprintf("%s (%s)", countSamples(n), msText(float64(n)*1000/float64(rate)))
}

// countSamples says |n| samples with the right number: "1 sample".
func countSamples(n int64) string {
	if n = abs64(n); n == 1 {
		return "1 sample"
	}
	return fmt.Sprintf("%d samples", n)
}

// msText formats a duration given in milliseconds: in seconds with two
// decimals from a second up ("3.00 s", not "3000.0 ms"; the sample count
// beside it keeps the precision), one decimal from 1 ms up, two
// significant digits under it, so that a lag of a few samples reads to the
// precision its count has ("0.15 ms" for 7 samples at 48 kHz, where one
// decimal would round it by a third) and never as "0.0 ms".
func msText(ms float64) string {
	ms = math.Abs(ms)
	switch {
	case ms >= 999.95:
		return fmt.Sprintf("%.2f s", ms/1000)
	case ms == 0 || ms >= 0.995:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		d := 1 - int(math.Floor(math.Log10(ms)))
		if r := math.Round(ms*math.Pow10(d)) / math.Pow10(d); r >= math.Pow10(1-d+1) {
			d-- // 0.0996 rounds up to 0.100: two digits are 0.10
		}
		return fmt.Sprintf("%.*f ms", d, ms)
	}
}

// nullText says how deep two signals null, a perfect null (or one below
// ResidualFloorDB) as such rather than as the arithmetic's floor.
func nullText(db float64) string {
	if db <= ResidualFloorDB {
		return "they null completely"
	}
	return fmt.Sprintf("they null to %.0f dB", db)
}

// codecDelays are the offsets a lossy codec leaves on a file decoded by a
// player that does not remove them: the samples it adds before the audio.
var codecDelays = map[int]string{
	1105: "an MP3 encoder and decoder add (576 + 529 samples, as LAME and most decoders do)",
	2112: "an AAC (M4A) encoder adds (its 2112-sample priming)",
}

// offsetWhy adds to an offset finding what its figure says about the
// cause, when it says something: a lossy codec's delay, or a start that
// was trimmed (the stem is exactly as much shorter than the mix as it is
// early).
// It returns the words to add to the message and to put before the fix.
func offsetWhy(in, mix *input) (msg, fix string) {
	if what, ok := codecDelays[in.lag]; ok {
		return fmt.Sprintf(": %d samples is the delay %s, so %s was probably decoded from a lossy file, which also loses detail", in.lag, what, in.Name),
			"export it again from the session as WAV (24-bit or 32-bit float), not from an MP3 or AAC copy; "
	}
	if in.lag > 0 && in.lag <= LatencyMaxSamples {
		return ": a short delay, as a plug-in's latency leaves a track that delay compensation did not correct (compensation off for the export, or a plug-in that reports no latency)", ""
	}
	if startCut(in, mix) {
		return ", and it is that much shorter than the mix: its start was cut (the silence before its first sound trimmed by the export, or its region starting at the first note)",
			startCutFix + "; "
	}
	return "", ""
}

// LatencyMaxSamples is the longest lateness read as a plug-in's latency:
// 4096 samples (85 ms at 48 kHz) holds a linear-phase EQ's or a
// look-ahead limiter's; a lateness past it is a start point or an edit.
const LatencyMaxSamples = 4096

// startCutFix is the fix for a stem whose start the export trimmed.
const startCutFix = "export it again from the session start with silence trimming off in the export dialog"

// startCut tells a stem early by exactly as many samples as it is shorter
// than the mix: an export that trims the start cuts exactly what it moves.
func startCut(in, mix *input) bool {
	short := mix.st.frames - in.st.frames
	return in.lag < 0 && short == -int64(in.lag)
}
