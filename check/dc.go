package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/audio"
)

// DC against the mix. A DC offset is a fault of its own (the dc_offset
// finding), not a level, an offset or a missing stem: the comparison with
// the mix works on the inputs with their means removed, so that a stem
// carrying DC is fitted at its fader level and aligned by its audio, and
// the fitted residual is what is left once that finding is corrected.

// dcRemoveDBFS is the mean above which an input's DC is removed from what
// is compared with the mix. Below it (under 16-bit quantisation) a mean
// moves no figure of the check, and leaving it keeps the figures of a
// clean delivery exactly as the plain sums give them.
const dcRemoveDBFS = -96.0

// means returns an input's mean per channel of its file, or nil when none
// reaches dcRemoveDBFS (or nothing was read).
func (in *input) means() []float64 {
	if in.st == nil || in.st.frames == 0 {
		return nil
	}
	out := make([]float64, len(in.st.dcSum))
	any := false
	for ch, s := range in.st.dcSum {
		out[ch] = s / float64(in.st.frames)
		any = any || audio.DB(math.Abs(out[ch])) > dcRemoveDBFS
	}
	if !any {
		return nil
	}
	return out
}

// removeDC takes every input's mean out of the Grams of the comparison:
// Σ(sᵢ−μᵢ)(sⱼ−μⱼ) over the n frames both hold is Σsᵢsⱼ − n·μᵢμⱼ (each
// sum over the file being n·μ). The means enter each channel of the sum
// as the summer feeds it (a mono stem at MonoCentreGain in both, a stem's
// channels exchanged or inverted as the joint fit found them).
func (c *checker) removeDC(sum []*input) {
	if len(c.chGrams) == 0 {
		return
	}
	mu, mixMu := c.channelMeans(sum)
	if mu == nil && mixMu == nil {
		return
	}
	n := make([]float64, len(sum))
	for k, in := range sum {
		n[k] = float64(in.st.frames)
	}
	nm := float64(c.mix.st.frames)
	before := make([]float64, len(sum))
	for _, g := range c.chGrams {
		for k := range sum {
			before[k] += g.Energy(k)
		}
	}
	for ch, g := range c.chGrams {
		for i := range sum {
			if mu == nil || mu[i] == nil {
				continue
			}
			for j := i; j < len(sum); j++ {
				if mu[j] != nil {
					g.G[i][j] -= min(n[i], n[j], nm) * mu[i][ch] * mu[j][ch]
				}
			}
			if mixMu != nil {
				g.B[i] -= min(n[i], nm) * mu[i][ch] * mixMu[ch]
			}
		}
		if mixMu != nil {
			g.MM = max(g.MM-nm*mixMu[ch]*mixMu[ch], 0)
		}
	}
	c.gram = sumGrams(c.chGrams)
	for k, in := range sum {
		// Under −60 dB of what it held, what is left is the rounding of
		// the sums: the stem was all DC.
		in.dcOnly = mu != nil && mu[k] != nil && c.gram.Energy(k) <= 1e-6*before[k]
	}
}

// channelMeans returns each stem's mean in each channel of the sum, as the
// summer feeds it (nil for a stem without DC, and nil altogether when no
// stem has any), and the mix's per channel (nil without DC).
func (c *checker) channelMeans(sum []*input) (mu [][]float64, mixMu []float64) {
	found := false
	mu = make([][]float64, len(sum)) // [stem][sum channel]
	for k, in := range sum {
		m := in.means()
		if m == nil {
			continue
		}
		found = true
		mu[k] = make([]float64, c.sumCh)
		for ch := range c.sumCh {
			sc, scale := ch, 1.0
			if len(m) == 1 {
				sc = 0
				if c.sumCh == 2 {
					scale = MonoCentreGain
				}
			} else if in.swapped {
				sc = 1 - ch
			}
			mu[k][ch] = m[sc] * scale * in.sign[sc]
		}
	}
	if !found {
		mu = nil
	}
	return mu, c.mix.means()
}

// residualDC returns, per channel of the sum, the DC of the mix less the
// stems' at the given gains: what a residual measured from the audio
// subtracts to leave the DC out, as the Grams do.
func (c *checker) residualDC(sum []*input, gains func(ch int) []float64) []float64 {
	out := make([]float64, c.sumCh)
	if c.dcHP {
		return out // the passes high-pass every input: no DC is left
	}
	mu, mixMu := c.channelMeans(sum)
	for ch := range out {
		if mixMu != nil {
			out[ch] = mixMu[ch]
		}
		for k, g := range gains(ch) {
			if mu != nil && mu[k] != nil {
				out[ch] -= g * mu[k][ch]
			}
		}
	}
	return out
}

// dcFree removes an input's mean from an excerpt of it (in place), for
// the alignment.
func dcFree(in *input, x [][]float32) [][]float32 {
	m := in.means()
	if m == nil {
		return x
	}
	for ch, s := range x {
		mu := float32(m[min(ch, len(m)-1)])
		for i := range s {
			s[i] -= mu
		}
	}
	return x
}

// dcAgainstMix reports the DC the comparison removes wherever no
// dc_offset finding says it is there: on the mix above DCOffsetDBFS, as on
// a stem; and on any input whose DC, under that limit, alone leaves more
// than SumMismatchDB against this mix, when the DC the stems and the mix
// do not share does too and is a tenth or more of the delivered residual
// — the residual the findings must explain when the stems as delivered do
// not null.
func (c *checker) dcAgainstMix(sum []*input) {
	// The residual's own DC: the stems' means as they sum, less the mix's
	// (a mean the mix shares with the stems leaves nothing).
	left := make([]float64, c.sumCh)
	for _, in := range append(sum[:len(sum):len(sum)], c.mix) {
		sign := 1.0
		if in == c.mix {
			sign = -1
		}
		m := in.means()
		for ch, v := range m {
			if len(m) == 1 && c.sumCh == 2 {
				left[0] += sign * v * MonoCentreGain
				left[1] += sign * v * MonoCentreGain
				continue
			}
			left[ch] += sign * v
		}
	}
	var leftEnergy float64
	for _, v := range left {
		leftEnergy += float64(c.mix.st.frames) * v * v
	}
	// It matters when it leaves more than the null threshold and at least
	// a tenth of what the delivery leaves: beside a residual of another
	// cause (a compressor on the mix, a missing stem) a programme's own
	// mean is no fault to report.
	leftDB := 10 * math.Log10(leftEnergy/c.mixEnergy)
	matters := leftDB > SumMismatchDB && leftDB >= float64(c.report.Mix.NullResidualDB)-10
	for _, in := range append(sum[:len(sum):len(sum)], c.mix) {
		m, p := in.means(), in.dcProfile()
		if m == nil && !(in == c.mix && p.varies) || float64(in.st.frames) < dcMinSeconds*float64(in.srate) || c.hasFinding(stemmaster.CodeDCOffset, in.Name) {
			continue
		}
		worst, energy := 0.0, 0.0
		for _, v := range m {
			worst = max(worst, math.Abs(v))
			energy += float64(in.st.frames) * v * v
		}
		if len(m) == 1 && c.sumCh == 2 {
			energy *= 2 * MonoCentreGain * MonoCentreGain
		}
		db, share := audio.DB(worst), 10*math.Log10(energy/c.mixEnergy)
		what, where := in.Name, "on the track"
		if in == c.mix {
			what, where = "the mix "+in.Name, "on the master bus, before any limiter"
		}
		fix := fmt.Sprintf("remove the DC (a high-pass at 5–20 Hz %s) and export again", where)
		switch {
		case in == c.mix && p.varies:
			c.addDC(in.Name, p.worstDB, movingDCText(what, p, db, "the stems"), movingDCFix(p, where))
		case in == c.mix && db > DCOffsetDBFS:
			c.addDC(in.Name, db,
				fmt.Sprintf("%s has a DC offset of %.1f dBFS (limit %.0f dBFS); the comparison with the stems leaves it out", what, db, DCOffsetDBFS), fix)
		case matters && share > SumMismatchDB:
			c.add(stemmaster.CodeDCOffset, in.Name, db,
				fmt.Sprintf("%s has a DC offset of %.1f dBFS: under the %.0f dBFS limit, but against this mix it alone leaves a residual of %.1f dB (threshold %.0f dB); the comparison with the mix leaves it out", what, db, DCOffsetDBFS, share, SumMismatchDB), fix)
		}
	}
}

// DCErrorDBFS is the DC offset from which dc_offset is an error: measured
// through the engine on francium with a DC added to one stem, from −20
// dBFS a compressor on that stem turns it down by 0.5 dB or more (−7.4 dB
// at −6 dBFS), a limiter with no high-pass before it works on the offset
// half the time or more (at −6 dBFS it holds 45 dB of reduction and the
// master misses its target by 3 LU), and the default chain's rumble
// filter turns the DC's start and end into thumps of half the step through
// the master's gain (−21.5 dBFS at −20, −7.5 dBFS at −6); at −30 dBFS each
// effect is under 0.05 dB. docs/checks.md has the table.
const DCErrorDBFS = -20.0

// addDC records a dc_offset of the given level: a warning, an error from
// DCErrorDBFS.
func (c *checker) addDC(file string, db float64, message, fix string) {
	if db >= DCErrorDBFS {
		message += fmt.Sprintf("; from %.0f dBFS a DC changes the master: a compressor on the track or a limiter with no high-pass before it works on the offset instead of the music, and a high-pass turns its start into a thump", DCErrorDBFS)
	}
	c.add(stemmaster.CodeDCOffset, file, db, message, fix)
	if db >= DCErrorDBFS {
		c.findings[len(c.findings)-1].Severity = stemmaster.SeverityError
	}
}

// hasFinding says whether a finding with code names file.
func (c *checker) hasFinding(code, file string) bool {
	for _, f := range c.findings {
		if f.Code == code && f.File == file {
			return true
		}
	}
	return false
}

// alignExcerpt is excerpt without the input's DC.
func (c *checker) alignExcerpt(in *input, from int64, length int) ([][]float32, error) {
	x, err := c.excerpt(in, from, length)
	if err != nil {
		return nil, err
	}
	return dcFree(in, x), nil
}

// dcScratch holds, per stem (and the mix, last) and channel, a block with
// its mean removed (dcScratch.view); nil rows for inputs without DC.
type dcScratch struct {
	mu   [][]float64 // per stem and channel of the sum; nil rows without DC
	bufs [][][]float64
}

func newDCScratch(stems, ch int, mu [][]float64, mixMu []float64) *dcScratch {
	s := &dcScratch{mu: make([][]float64, stems+1), bufs: make([][][]float64, stems+1)}
	for k := range stems {
		if mu != nil {
			s.mu[k] = mu[k]
		}
	}
	s.mu[stems] = mixMu
	for k, m := range s.mu {
		if m == nil {
			continue
		}
		s.bufs[k] = make([][]float64, ch)
		for c := range s.bufs[k] {
			s.bufs[k][c] = make([]float64, BlockFrames)
		}
	}
	return s
}

// view returns x, a channel of stem k's block as the summer feeds it (of
// the mix for k = −1), without the input's mean in that channel: x itself
// when it has none, else a copy.
func (s *dcScratch) view(x []float64, k, ch int) []float64 {
	if k < 0 {
		k = len(s.mu) - 1
	}
	if s.mu[k] == nil {
		return x
	}
	m, dst := s.mu[k][ch], s.bufs[k][ch][:len(x)]
	for i, v := range x {
		dst[i] = v - m
	}
	return dst
}
