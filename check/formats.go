package check

import (
	"fmt"
	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// checkFormats chooses the reference rate and the sum's channels and
// reports sample rates, bit depths and channel layouts.
func (c *checker) checkFormats() {
	// Most stems win; a tie goes to the mix's rate, then to the higher rate.
	c.rate = 0
	if c.mix != nil {
		c.rate = c.mix.rate()
	}
	rate := func(in *input) (int, bool) { return in.rate(), !in.failed }
	if best, ok := mostCommon(c.stems, rate, c.rate); ok {
		c.rate = best
	}
	c.relabelRates()
	c.setBandEdge()
	for _, in := range c.stems {
		if in.failed || in.rate() == c.rate || in.audioRate > 0 {
			continue
		}
		how := c.convert(in) + "; the master converts it only with resample: true for it in the session"
		c.add(stemmaster.CodeSampleRateMismatch, in.Name, float64(in.rate()),
			fmt.Sprintf("%s is at %d Hz; the other stems are at %d Hz (%s)", in.Name, in.rate(), c.rate, how),
			fixText(stemmaster.CodeSampleRateMismatch, c.rate))
	}
	if c.mix != nil && c.mix.rate() != c.rate {
		how := c.convert(c.mix)
		c.add(stemmaster.CodeSampleRateMismatch, c.mix.Name, float64(c.mix.rate()),
			fmt.Sprintf("the mix %s is at %d Hz; the stems are at %d Hz (%s)", c.mix.Name, c.mix.rate(), c.rate, how),
			fmt.Sprintf("export the mix again from the session at %d Hz, the stems' rate (in the export dialog: sample rate %d Hz; do not convert the file afterwards)", c.rate, c.rate))
		if !c.mix.resampled {
			c.mix = nil
		}
	}

	for _, in := range c.stems {
		f := in.info.Format
		if in.failed || f.SampleFormat != audio.Int || f.BitDepth >= 24 {
			continue
		}
		c.add(stemmaster.CodeBitDepthLow, in.Name, float64(f.BitDepth),
			bitDepthText(in.Name, f.BitDepth, ""),
			"export it again at 24-bit (or 32-bit float), without dither")
	}

	// The sum takes the mix's layout, or the widest stem's.
	if c.mix != nil {
		c.sumCh = c.mix.channels()
	} else {
		for _, in := range c.stems {
			if !in.failed && in.srate == c.rate {
				c.sumCh = max(c.sumCh, in.channels())
			}
		}
	}
	for _, in := range c.stems {
		if in.failed || in.srate != c.rate {
			continue
		}
		ch := in.channels()
		switch {
		case ch == c.sumCh:
			in.summable = true
		case ch == 1:
			in.summable = true
			c.add(stemmaster.CodeChannelMismatch, in.Name, 1,
				fmt.Sprintf("%s is mono beside %d-channel files: that is fine, it is placed in the centre (at −3 dB in each channel, the constant-power pan law master uses)", in.Name, c.sumCh), "")
		default:
			c.add(stemmaster.CodeChannelMismatch, in.Name, float64(ch),
				fmt.Sprintf("%s has %d channels beside %d-channel files: it is left out of the sum", in.Name, ch, c.sumCh),
				fmt.Sprintf("export it as %d-channel (or mono)", c.sumCh))
		}
	}
}

// bitDepthText is the bit_depth_low finding's message, with what the
// stem's samples show of how it was reduced (truncationFinding) when they
// show something.
func bitDepthText(name string, bits int, how string) string {
	return fmt.Sprintf("%s is %d-bit%s; stems for mastering should be 24-bit or 32-bit float", name, bits, how)
}

// summable returns the stems that enter the sum.
func (c *checker) summable() []*input {
	var out []*input
	for _, in := range c.stems {
		if in.summable {
			out = append(out, in)
		}
	}
	return out
}

// convert wraps an input at another rate in the resampler, so that it
// enters the sum and the comparison at the reference rate, and says what
// was done.
func (c *checker) convert(in *input) string {
	r, err := newResampled(in.r, c.rate)
	if err != nil {
		return "it is left out of the sum and the comparison: " + err.Error()
	}
	in.r, in.resampled, in.srate = r, true, c.rate
	how := fmt.Sprintf("for this check it is converted to %d Hz, so the sum and the checks below still hold", c.rate)
	if c.mix != nil && c.bandEdgeHz > 0 {
		how += fmt.Sprintf("; the stems are compared with the mix below %.1f kHz, the band both rates carry", c.bandEdgeHz/1000)
	}
	return how
}

// setBandEdge sets the band of the comparison with the mix when any input
// is at another rate than the reference: below BandEdgeFraction of the
// lowest rate's Nyquist frequency.
func (c *checker) setBandEdge() {
	low := c.rate
	other := c.mix != nil && c.mix.rate() != c.rate
	for _, in := range c.stems {
		if !in.failed {
			// A relabelled stem's band is its audio's rate's, not
			// its header's.
			r := in.rate()
			if in.audioRate > 0 {
				r = in.audioRate
			}
			low = min(low, r)
			other = other || r != c.rate
		}
	}
	if c.mix != nil {
		low = min(low, c.mix.rate())
	}
	if other {
		c.bandEdgeHz = analysis.BandEdgeFraction * float64(low) / 2
	}
}
