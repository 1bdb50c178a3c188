package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// channelFit is the least-squares fit of the stems to the mix with one
// gain per stem in each channel of a stereo sum: it tells a stem exported
// with one channel hot, or panned otherwise than in the mix, from one that
// is hot as a whole.
type channelFit struct {
	fits       []analysis.Fit // per channel
	grams      []*analysis.Gram
	residualDB float64 // over both channels, relative to the mix
}

// channelFit solves each channel's fit (nil for a mono sum).
func (c *checker) channelFit(sum []*input, use []bool) *channelFit {
	if c.sumCh != 2 || len(c.chGrams) != 2 {
		return nil
	}
	cf := &channelFit{grams: c.chGrams}
	var left, mix float64
	for _, g := range c.chGrams {
		f := g.Solve(use)
		silentAtUnity(g, &f, sum)
		cf.fits = append(cf.fits, f)
		left += f.ResidualEnergy
		mix += f.MixEnergy
	}
	cf.residualDB = 10 * math.Log10(left/mix)
	return cf
}

// gainsDB returns stem k's gain in each channel in dB, and whether both
// are measured (the stem has material in both channels).
func (cf *channelFit) gainsDB(k int) ([2]float64, bool) {
	var db [2]float64
	for c, f := range cf.fits {
		if cf.grams[c].Energy(k) <= 0 || f.Gains[k] == 0 {
			return db, false
		}
		db[c] = audio.DB(math.Abs(f.Gains[k]))
	}
	return db, true
}

// disagrees says whether any stem in use has channel gains more than
// GainToleranceDB apart.
func (cf *channelFit) disagrees(use []bool) bool {
	for k, u := range use {
		if db, ok := cf.gainsDB(k); u && ok && math.Abs(db[0]-db[1]) > GainToleranceDB {
			return true
		}
	}
	return false
}

var channelNames = [2]string{"left", "right"}

// channelGainFindings reports a stem whose gains in the two channels
// differ by more than GainToleranceDB, one gain_mismatch per channel that
// is off, naming the channel. It returns whether it reported any (then the
// stem's one-gain finding is not made).
func (c *checker) channelGainFindings(in *input, cf *channelFit, k int) bool {
	if ch := cf.deadChannel(in, k); ch >= 0 {
		c.deadChannelFinding(in, ch)
		return true
	}
	db, ok := cf.gainsDB(k)
	if !ok || math.Abs(db[0]-db[1]) <= c.gainTol() {
		return false
	}
	words := func(d float64) string {
		if math.Abs(d) <= c.gainTol() {
			return "is at the mix's level"
		}
		return fmt.Sprintf("is %.1f dB %s", math.Abs(d), hotOrQuiet(d))
	}
	any := false
	for ch, name := range channelNames {
		d := db[ch]
		if math.Abs(d) <= c.gainTol() {
			continue
		}
		any = true
		var msg string
		if in.channels() == 1 {
			msg = fmt.Sprintf("%s (mono) is %.1f dB %s in the mix's %s channel (in the %s channel it %s): it is panned otherwise than in the mix", in.Name, math.Abs(d), hotOrQuiet(d), name, channelNames[1-ch], words(db[1-ch]))
		} else {
			msg = fmt.Sprintf("the %s channel of %s is %.1f dB %s against the mix (the %s channel %s): a channel exported at another level, or the stem panned otherwise than in the mix", name, in.Name, math.Abs(d), hotOrQuiet(d), channelNames[1-ch], words(db[1-ch]))
		}
		c.addFinding(stemmaster.Finding{Code: stemmaster.CodeGainMismatch, File: in.Name, Channel: name, Message: msg,
			Fix: fmt.Sprintf("check the pan and balance of %s (and any plug-in that changes one channel's level), and export it again as it plays in the mix", in.Name)}, -d)
	}
	return any
}

// hotOrQuiet words a fitted gain in dB: a stem the fit turns down (a
// negative gain) is hot.
func hotOrQuiet(db float64) string {
	if db > 0 {
		return "quiet"
	}
	return "hot"
}

// DeadChannelDB: a stereo stem's channel this far under its other one is
// silent.
const DeadChannelDB = -60.0

// DeadChannelResidualDB: the channel fit's residual in a stem's silent
// channel must exceed the other channel's by this much (relative to each
// channel of the mix) for the silence to be what the residual is: the
// mix then holds that stem in both channels.
const DeadChannelResidualDB = 10.0

// deadChannel returns the channel (0 left, 1 right) of stereo stem k that
// is silent while its other channel plays and the mix has the stem in
// both, or −1.
func (cf *channelFit) deadChannel(in *input, k int) int {
	if in.channels() != 2 || len(cf.fits) != 2 {
		return -1
	}
	e := [2]float64{cf.grams[0].Energy(k), cf.grams[1].Energy(k)}
	rel := func(c int) float64 { return cf.fits[c].ResidualEnergy / cf.fits[c].MixEnergy }
	for c := range 2 {
		o := 1 - c
		// The residual in that channel must also be one the null test
		// fails: a stem panned hard in the mix as well nulls there.
		if e[o] > 0 && e[c] <= e[o]*math.Pow(10, DeadChannelDB/10) && cf.fits[c].MixEnergy > 0 && cf.fits[o].MixEnergy > 0 &&
			rel(c) > math.Pow(10, SumMismatchDB/10) && rel(c) >= rel(o)*math.Pow(10, DeadChannelResidualDB/10) {
			return c
		}
	}
	return -1
}

// deadChannelFinding reports stem channel ch silent where the mix has the
// stem in both channels.
func (c *checker) deadChannelFinding(in *input, ch int) {
	name := channelNames[ch]
	c.deadChannel = fmt.Sprintf("the residual lies in the %s channel, where %s is silent (its %s channel plays) while the mix has it in both: those findings explain the difference", name, in.Name, channelNames[1-ch])
	c.addFinding(stemmaster.Finding{Code: stemmaster.CodeGainMismatch, File: in.Name, Channel: name,
		Message: fmt.Sprintf("the %s channel of %s is silent, but the mix holds %s in both channels: the stem is panned hard %s, or its %s channel was lost in the export (a mono track routed to one side, a channel muted)", name, in.Name, in.Name, channelNames[1-ch], name),
		Fix:     fmt.Sprintf("check the pan, width and routing of %s, and export it again in stereo as it plays in the mix", in.Name)}, math.NaN())
}
