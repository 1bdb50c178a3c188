package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/audio"
)

// Truncation evidence. A stem reduced to 16 bits (or fewer) with dither
// carries the dither's noise under every passage, so no sample value
// repeats for long while anything plays; one truncated (or rounded)
// without dither holds a quiet passage — a fade's end, a held note dying
// away — on the grid's few lowest codes, the same non-zero value for many
// samples in a row: the stepped waveform whose error follows the signal
// (truncation distortion) that mastering's gain then brings up. Under
// ±1 LSB TPDF dither a value repeats 32 times with odds of about 10⁻⁴ at
// the codes nearest zero, and less elsewhere.
const (
	// StuckRunSamples is the run of one repeated non-zero code that
	// counts as a waveform stepped on the grid.
	StuckRunSamples = 32
	// QuietBlockLSB is the RMS, in steps of the file's grid, under which
	// a block is a quiet passage where truncation shows (32 steps: −60
	// dBFS at 16 bits).
	QuietBlockLSB = 32
	// TruncatedSeconds is how long a stem's stuck runs must last in all
	// (per channel) for the check to call it truncated without dither:
	// a 16-bit truncated fade over 15 s from 0 to −60 dB holds 0.76 s,
	// the same fade under TPDF dither none, and francium's stems
	// truncated to 16 bits with no fade (their quiet passages holding
	// their own noise) none.
	TruncatedSeconds = 0.25
)

// truncation holds one low-bit integer stem's evidence of truncation.
type truncation struct {
	lsb      float64 // one step of the grid
	stuck    int64   // samples (all channels) in stuck runs of quiet blocks
	firstAt  int64   // the first frame of the first block with a stuck run; −1 for none
	frames   int64   // frames seen
	channels int
}

// newTruncation returns the truncation watch for an integer stem under 24
// bits, nil for any other.
func newTruncation(f audio.Format) *truncation {
	if f.SampleFormat != audio.Int || f.BitDepth >= 24 || f.BitDepth < 2 {
		return nil
	}
	return &truncation{lsb: math.Ldexp(1, 1-f.BitDepth), firstAt: -1, channels: f.Channels}
}

// add takes a block of n frames whose Σx² over channels is e. Only a
// quiet block that is not digital silence is read sample by sample.
func (t *truncation) add(b *audio.Buffer, n int, e float64) {
	at := t.frames
	t.frames += int64(n)
	ms := e / float64(n*len(b.Data)) / (t.lsb * t.lsb)
	if ms == 0 || ms > QuietBlockLSB*QuietBlockLSB {
		return
	}
	var stuck int64
	for _, ch := range b.Data {
		run := 1
		for i := 1; i < n; i++ {
			if v := ch[i]; v == ch[i-1] && v != 0 {
				run++
				if run == StuckRunSamples {
					stuck += StuckRunSamples
				} else if run > StuckRunSamples {
					stuck++
				}
			} else {
				run = 1
			}
		}
	}
	if stuck > 0 && t.firstAt < 0 {
		t.firstAt = at
	}
	t.stuck += stuck
}

// truncated tells whether the stem holds TruncatedSeconds of stuck runs,
// with their length in seconds (per channel) and where the first lies.
func (t *truncation) truncated(rate int) (seconds, fromS float64, ok bool) {
	if t == nil || rate <= 0 {
		return 0, 0, false
	}
	seconds = float64(t.stuck) / float64(max(t.channels, 1)) / float64(rate)
	return seconds, float64(t.firstAt) / float64(rate), seconds >= TruncatedSeconds
}

// truncationFinding adds to a low-bit stem's bit_depth_low finding what
// its quiet passages show: a stem truncated without dither is more than
// a shallow file, its fades and decays distorted, and the fix says so.
func (c *checker) truncationFinding(in *input) {
	sec, from, ok := in.st.trunc.truncated(in.srate)
	if !ok {
		return
	}
	for i, f := range c.findings {
		if f.Code == stemmaster.CodeBitDepthLow && f.File == in.Name {
			c.findings[i].Message = bitDepthText(in.Name, in.info.Format.BitDepth, fmt.Sprintf(", truncated without dither: its quiet passages (from %s) hold one sample value %d times or more in a row, %s in all, a waveform stepped on the grid with no dither noise under it — truncation distortion on its fades and decays, which the master's gain brings up", secondsText(from), StuckRunSamples, secondsText(sec)))
			c.findings[i].Fix = "export it again at 24-bit (or 32-bit float) from the session; a shallower file, when that is all that can be had, is exported with dither (TPDF), never truncated"
		}
	}
}
