package check

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/audio"
)

// UncoveredShareMin is the share of what the stems as delivered leave
// against the mix that must lie where a stem has no samples (past its end)
// for sum_mismatch to name that part of the mix: then the export range is
// the fault, not the stems' content.
const UncoveredShareMin = 0.5

// commonSpan returns the mix frames lo…hi that every aligned stem covers
// once its offset is compensated: where moving a stem into place, or a
// stem exported over a shorter range, leaves it without material, the
// fit would see a difference that exporting again over the whole range
// fixes, so the fit and every pass after it read only this span.
func (c *checker) commonSpan(sum []*input) (lo, hi int64) {
	lo, hi = 0, c.mix.st.frames
	for _, in := range sum {
		if !in.aligned || in.silent || in.copyOf() {
			continue
		}
		lo = max(lo, -int64(in.lag))
		hi = min(hi, in.st.frames-int64(in.lag))
	}
	return lo, hi
}

// uncoveredPart is the end of the mix that no stem, or not every stem,
// covers: stems exported over a shorter range than the mix, or a mix
// exported with a tail the stems lack.
type uncoveredPart struct {
	from, to float64  // seconds of the mix
	short    []string // the stems that end at from; nil when every stem does
}

// uncovered returns the end of the mix past the end of the shortest aligned
// stem, or nil when every stem covers the whole mix.
func (c *checker) uncovered(sum []*input) *uncoveredPart {
	_, hi := c.commonSpan(sum)
	if hi <= 0 || hi >= c.mix.st.frames {
		return nil
	}
	u := &uncoveredPart{from: float64(hi) / float64(c.rate), to: float64(c.mix.st.frames) / float64(c.rate)}
	every := true
	for _, in := range sum {
		if !in.aligned || in.silent || in.copyOf() {
			continue
		}
		if in.st.frames-int64(in.lag) == hi {
			u.short = append(u.short, in.Name)
		} else {
			every = false
		}
	}
	if every {
		u.short = nil
	}
	return u
}

// uncoveredShare returns the share of the stems' residual as delivered
// (c.nullEnergy, over the whole mix) that lies outside the span c.gram
// now covers: the mix's part past the stems' ends. Only meaningful when
// no offset or channel fault was corrected (c.gram is then the delivery
// at unity over that span).
func (c *checker) uncoveredShare(sum []*input) float64 {
	if c.nullEnergy <= 0 {
		return 0
	}
	unity := make([]float64, len(sum))
	for k, in := range sum {
		if !in.copyOf() {
			unity[k] = 1
		}
	}
	inside := max(c.gram.ResidualEnergy(unity), 0)
	return math.Max(0, 1-inside/c.nullEnergy)
}

// uncoveredWhy words a difference that lies past the stems' ends, and its
// fix.
func uncoveredWhy(u *uncoveredPart, share float64) (why, fix string) {
	last := fmt.Sprintf("%.0f %% of what the stems as delivered leave lies in the mix's last %s (%s to %s), ", 100*share, secondsText(u.to-u.from), secondsText(u.from), secondsText(u.to))
	if u.short == nil {
		why = last + "after every stem ends: the mix holds audio there (a reverb or delay tail, the end of a fade, a note held over) that the stems' export range cut"
		fix = "export every stem again over the mix's whole range, to the end of its tails (or add the tail's length to the export range)"
		return why, fix
	}
	n := joinNames(u.short)
	its := "its"
	if len(u.short) > 1 {
		its = "their"
	}
	why = last + fmt.Sprintf("after %s %s, where the mix still holds %s part (a note held over, a reverb or delay tail): %s export range stopped short of the mix's", n, map[bool]string{true: "ends", false: "end"}[len(u.short) == 1], its, its)
	fix = fmt.Sprintf("export %s again over the mix's whole range, from the session start to the end of the mix", n)
	return why, fix
}

// lengthFixAgrees rewrites the length finding on the mix when the mix runs
// on past every stem with audio the stems lack: exporting the mix over the
// stems' range would cut that audio from the master's reference, where
// the stems are what must be exported again (one reading and one fix, the
// sum_mismatch's, for one fault).
func (c *checker) lengthFixAgrees(u *uncoveredPart, fix string) {
	if u.short != nil {
		return
	}
	c.retellLength(c.mix.Name, ": it holds audio past the stems' end (a tail their export range cut, as the sum finding says), so it is the stems that are short",
		fix+"; the mix holds audio past the stems' end, so it is the stems that are short")
}

// QuantNoiseShareMin is the share of the fitted residual that the
// quantisation noise of the files' bit depths must explain for
// sum_mismatch to name it: an 8-bit stem's rounding alone leaves about
// −50 dB of a −18 LUFS mix, which no fit of gains and offsets removes.
const QuantNoiseShareMin = 0.5

// quantNoise returns the energy the integer inputs' rounding adds to the
// comparison with the mix (a step q leaves q²/12 per sample: the
// rounding error is uniform over one step), relative to the mix's energy,
// and the bit depths under 24 that carry it (shallowest first, "" for
// none).
func (c *checker) quantNoise(sum []*input) (share float64, depths string) {
	if c.mixEnergy <= 0 {
		return 0, ""
	}
	var e float64
	seen := map[int]bool{}
	var bits []int
	for _, in := range append(slices.Clip(sum), c.mix) {
		f := in.info.Format
		if f.SampleFormat != audio.Int || f.BitDepth <= 0 {
			continue
		}
		q := math.Ldexp(1, 1-f.BitDepth)
		// A mono stem enters both channels at −3 dB: one channel's worth.
		ch := float64(c.sumCh)
		if in != c.mix && in.channels() == 1 {
			ch = 1
		}
		e += float64(in.st.frames) * ch * q * q / 12
		if f.BitDepth < 24 && !seen[f.BitDepth] {
			seen[f.BitDepth] = true
			bits = append(bits, f.BitDepth)
		}
	}
	slices.Sort(bits)
	parts := make([]string, len(bits))
	for i, b := range bits {
		parts[i] = fmt.Sprintf("%d-bit", b)
	}
	return e / c.mixEnergy, strings.Join(parts, " and ")
}

// monoIsNoFault rewrites the info findings that call a mono stem fine
// (channel_mismatch for a mono file, mono_as_stereo for a stereo file
// whose channels hold one signal) once the comparison with the mix finds
// that the stem plays in stereo there: "that is fine" beside "it lost its
// stereo image" would be two truths about one file.
func (c *checker) monoIsNoFault(in *input, fix string) {
	for i, f := range c.findings {
		if f.File != in.Name || f.Code != stemmaster.CodeMonoAsStereo && f.Code != stemmaster.CodeChannelMismatch {
			continue
		}
		c.findings[i].Message = fmt.Sprintf("%s is mono, but in the mix it plays in stereo (see the stems' sum against the mix)", in.Name)
		c.findings[i].Fix = fix
	}
}
