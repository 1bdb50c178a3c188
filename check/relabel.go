package check

import (
	"fmt"
	"io"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// commonRates are the rates a session runs at: a file whose length, read
// at its header's rate, is the mix's times the ratio of two of them holds
// audio at the other rate.
var commonRates = []int{22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000}

// RelabelTolerance is how close (a share of the mix's length, and at least
// two frames) a stem's length must come to the mix's times the ratio of
// two common rates to be read at the other rate: stems exported over one
// range have one length to the frame, and a stem cut short by chance to
// 91.875 % (44100/48000) of the song, to within 0.05 % (23 ms of a 45 s
// song), is far rarer than a session at 44.1 kHz exported with a 48 kHz
// header (or a header rewritten without converting the audio).
const RelabelTolerance = 0.0005

// relabelRates finds the stems at the reference rate whose length is the
// mix's times the ratio of another common rate to it, and reads them at
// that rate from then on (converted to the reference like a stem at
// another rate): their audio is at that rate under a header that says the
// reference. It finds as well the stems whose header says another rate
// but whose length is the mix's to the frame (within RelabelTolerance):
// their audio is at the reference rate under a header that says another,
// and they are read at the reference as they are (a 48 kHz stem labelled
// 44.1 kHz read as a stem at 44.1 kHz, converted, plays 8.8 % slow against
// the mix and read as missing). Without a mix there is nothing to measure
// them against; the length finding says what the ratio suggests
// (relabelSuspect).
func (c *checker) relabelRates() {
	if c.mix == nil || c.mix.rate() != c.rate || c.mix.info.Frames <= 0 {
		return
	}
	for _, in := range c.stems {
		if in.failed || c.noRelabel != nil && c.noRelabel[in.index] {
			continue
		}
		if in.rate() != c.rate {
			if in.info.Frames <= 0 || math.Abs(float64(in.info.Frames-c.mix.info.Frames)) > max(2, RelabelTolerance*float64(c.mix.info.Frames)) {
				continue
			}
			in.r, in.srate, in.audioRate = relabelled{Reader: in.r, rate: c.rate}, c.rate, c.rate
			c.relabelFinding(in, in.rate(), c.rate, "read at the mix's rate")
			continue
		}
		r := ratioRate(in.info.Frames, c.mix.info.Frames, c.rate)
		if r == 0 {
			continue
		}
		rs, err := newResampled(relabelled{Reader: in.r, rate: r}, c.rate)
		if err != nil {
			continue
		}
		in.r, in.resampled, in.srate, in.audioRate = rs, true, c.rate, r
		c.relabelFinding(in, c.rate, r, fmt.Sprintf("read at %d Hz and converted to %d Hz", r, c.rate))
	}
}

// relabelFinding reports a stem whose header says header Hz over audio at
// audio Hz, read for the check as how says.
func (c *checker) relabelFinding(in *input, header, audio int, how string) {
	fast := float64(header)/float64(audio) - 1
	c.add(stemmaster.CodeSampleRateMismatch, in.Name, float64(audio),
		fmt.Sprintf("%s says %d Hz in its header, but its audio is at %d Hz: read at %d Hz it lasts %s where the mix lasts %s, exactly the ratio of the two rates, so it would play %.1f %% %s (%.1f semitones %s); for this check it is %s, so the sum and the checks below still hold",
			in.Name, header, audio, header, secondsText(float64(in.info.Frames)/float64(header)), secondsText(float64(c.mix.info.Frames)/float64(c.rate)),
			100*math.Abs(fast), fastOrSlow(fast), math.Abs(12*math.Log2(1+fast)), highOrLow(fast), how),
		fmt.Sprintf("export it again from the session at %d Hz, the mix's rate (the export wrote the wrong rate in its header, or a tool changed the header without converting the audio); %s", c.rate, analysis.NoResampleFix))
}

// RelabelNullShare is the least share of what the other stems leave of the
// mix that a stem read at the rate its length suggests must explain in the
// joint fit for the reading to stand: audio at that rate under the wrong
// header nulls (the share is near 1, whatever else is wrong with its level
// or polarity), while a stem cut short to the ratio by chance, or
// stretched in tempo, explains little of the mix at any lag.
const RelabelNullShare = 0.5

// verifyRelabels marks the stems relabelRates read at another rate that
// the joint fit finds do not null there (c.unnulled): Run checks the
// delivery again with them read at their header's rate. A stem with no
// material in the fit's windows cannot be verified and keeps the reading.
func (c *checker) verifyRelabels(sum []*input) {
	for _, in := range sum {
		if in.audioRate > 0 && in.jointActive && in.jointShare < RelabelNullShare {
			if c.unnulled == nil {
				c.unnulled = make([]bool, len(c.stems))
			}
			c.unnulled[in.index] = true
		}
	}
}

// ratioRate returns the common rate other than rate at which frames (read
// at rate) would last as long as ref frames, within RelabelTolerance; 0
// when there is none.
func ratioRate(frames, ref int64, rate int) int {
	if frames <= 0 || ref <= 0 || frames == ref {
		return 0
	}
	for _, r := range commonRates {
		if r == rate {
			continue
		}
		want := float64(ref) * float64(r) / float64(rate)
		if math.Abs(float64(frames)-want) <= max(2, RelabelTolerance*float64(ref)) {
			return r
		}
	}
	return 0
}

// relabelSuspect words, for a length finding without a mix, a length that
// is the others' times the ratio of two common rates ("" when it is not).
func relabelSuspect(frames, ref int64, rate int) string {
	r := ratioRate(frames, ref, rate)
	if r == 0 {
		return ""
	}
	return fmt.Sprintf(": exactly %d/%d of their length, so its audio is probably at %d Hz under a header that says %d Hz (it would play at the wrong speed and pitch); checked with the mix, the check would confirm it", r, rate, r, rate)
}

func fastOrSlow(share float64) string {
	if share > 0 {
		return "fast"
	}
	return "slow"
}

func highOrLow(share float64) string {
	if share > 0 {
		return "high"
	}
	return "low"
}

// relabelled is a reader whose audio is at another rate than its header
// says: the same samples, another rate.
type relabelled struct {
	audio.Reader
	rate int
}

func (r relabelled) Info() audio.Info {
	info := r.Reader.Info()
	info.Format.SampleRate = r.rate
	return info
}

// Close closes the file underneath, as the reader it wraps would.
func (r relabelled) Close() error {
	if c, ok := r.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// lengthSuspect is relabelSuspect for a stem checked without a mix (with
// one, relabelRates has read it at its audio's rate already).
func (c *checker) lengthSuspect(in *input, ref int64) string {
	if in.audioRate > 0 || in.rate() != c.rate {
		return ""
	}
	if c.mix != nil {
		if c.noRelabel == nil || !c.noRelabel[in.index] {
			return ""
		}
		r := ratioRate(in.st.frames, ref, c.rate)
		return fmt.Sprintf(": exactly %d/%d of their length, yet read at %d Hz it does not null against the mix, so it is not audio at %d Hz under a %d Hz header but a stem cut short (or stretched in tempo)", r, c.rate, r, r, c.rate)
	}
	return relabelSuspect(in.st.frames, ref, c.rate)
}
