package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/loudness"
)

// Thresholds of the checks.
const (
	// BlockFrames is the streaming block size.
	BlockFrames = 4096
	// MaxChannels is the widest file the check accepts: stem mastering
	// (and stemmaster's engine) works on mono and stereo stems and mixes.
	MaxChannels = 2
	// MaxOffsetSeconds is how far alignment searches either way: a longer
	// offset is a different edit, not a bad export.
	MaxOffsetSeconds = 2.0
	// AlignSeconds is the length of the excerpt of each stem that is
	// correlated with the mix: the stem's loudest stretch of that length.
	AlignSeconds = 10.0
	// ClipRunSamples full-scale samples in a row in an integer stem count as
	// a clip: one or two can be a legitimate peak, three in a row are the
	// converter or the bounce flattening the waveform (the rule mastering
	// engineers and meters such as the common "over" counters use).
	ClipRunSamples = 3
	// DCOffsetDBFS is the channel mean above which a stem has a DC offset:
	// 0.3 % of full scale. A converter or plug-in DC fault is typically
	// −40 dBFS or more and costs headroom on the sum and thumps at edits,
	// while programme with strong low frequencies (or noise) can average
	// −60 dBFS over a few seconds without any fault. An engineering rule of
	// thumb between the two.
	DCOffsetDBFS = -50.0
	// MonoAsStereoDB: a stereo stem whose L − R energy is this far below its
	// channels' is a mono signal stored twice (−90 dB is below 16-bit
	// quantisation, so only an identical copy passes).
	MonoAsStereoDB = -90.0
	// DuplicateDB: two stems whose best null against each other (after a
	// gain) is this far down are copies of one another (near-identical:
	// a copy re-encoded or re-dithered still nulls far below −40 dB).
	DuplicateDB = -40.0
	// GainToleranceDB: a stem whose level in the mix differs by more than
	// this from its level as delivered has the wrong fader level.
	GainToleranceDB = 0.5
	// AbsentGainDB: a solved gain below this means the stem is not in the
	// mix at all.
	AbsentGainDB = -40.0
	// SumMismatchDB: a residual after the fit above this (relative to the
	// mix) is a sum that does not match the mix. −50 dB is far below any
	// audible difference of a fader move and far above what a 16-bit
	// export leaves (about −90 dB).
	SumMismatchDB = -50.0
	// HeadroomDBTP is the highest true peak of the sum that leaves room for
	// mastering (the streaming ceiling of the target presets).
	HeadroomDBTP = -1.0
)

// Source is one input of a check: a name for the findings and a way to open
// it (more than once: alignment and the compensated passes re-read it).
type Source struct {
	Name string
	Role stemmaster.Role // empty: stemmaster.InferRole(Name)
	Open func() (audio.Reader, error)
}

// FileSource is a Source for a file, named by its base name.
func FileSource(path string) Source {
	return Source{Name: filepath.Base(path), Open: func() (audio.Reader, error) {
		f, err := audio.Open(path)
		if err != nil {
			return nil, err
		}
		return f, nil
	}}
}

// Options tune a check. The zero value is the full check.
type Options struct {
	// NoStemTruePeak leaves out the stems' true peaks: each StemReport's
	// true_peak_dbtp is then null. No finding depends on them (the headroom
	// finding reads the sum's, which is always measured), so a caller that
	// keeps only the findings — the engine, rendering beside the check —
	// saves oversampling every stem.
	NoStemTruePeak bool
}

// Files checks stem files against an optional mix file ("" for none). Two
// stems with the same base name are named by their paths instead.
func Files(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error) {
	return FilesWith(ctx, stems, mix, Options{})
}

// FilesWith is Files with options.
func FilesWith(ctx context.Context, stems []string, mix string, opt Options) (*stemmaster.CheckReport, error) {
	srcs := make([]Source, len(stems))
	seen := map[string]int{}
	for _, p := range stems {
		seen[filepath.Base(p)]++
	}
	for i, p := range stems {
		srcs[i] = FileSource(p)
		if seen[srcs[i].Name] > 1 {
			srcs[i].Name = p
		}
	}
	var m *Source
	if mix != "" {
		s := FileSource(mix)
		m = &s
	}
	return RunWith(ctx, srcs, m, opt)
}

// input is one stem or the mix during a check.
type input struct {
	Source
	index  int // position among the stems; -1 for the mix
	r      audio.Reader
	info   audio.Info
	failed bool // unreadable or unsupported: left out of everything
	// partial: the file failed part-way (truncated, damaged); the frames
	// before the failure count, and every later pass stops where the
	// first one did instead of failing the whole check.
	partial bool
	// summable: readable, at the reference rate, with a channel layout the
	// sum can take; it enters the sum, the fit and the alignment.
	summable bool
	st       *levelStats
	res      loudness.Result
	silent   bool
	// duplicateOf is the index of the stem this one copies, or -1.
	duplicateOf int
	// lag is the offset against the mix (samples late); aligned says it
	// was measured with confidence.
	lag     int
	aligned bool
}

func (in *input) rate() int     { return in.info.Format.SampleRate }
func (in *input) channels() int { return in.info.Format.Channels }

// checker carries one check.
type checker struct {
	ctx      context.Context
	opt      Options
	stems    []*input
	mix      *input // nil when none (or it failed)
	rate     int    // reference sample rate
	sumCh    int    // channels of the sum
	findings []stemmaster.Finding
	report   *stemmaster.CheckReport
	measureState
}

// Run checks stems against an optional reference mix. Problems with the
// inputs are findings in the report; the error is only ctx's.
func Run(ctx context.Context, stems []Source, mix *Source) (*stemmaster.CheckReport, error) {
	return RunWith(ctx, stems, mix, Options{})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, stems []Source, mix *Source, opt Options) (*stemmaster.CheckReport, error) {
	c := &checker{ctx: ctx, opt: opt, report: &stemmaster.CheckReport{Stems: []stemmaster.StemReport{}}}
	for i, s := range stems {
		if s.Role == "" {
			s.Role = stemmaster.InferRole(s.Name)
		}
		c.stems = append(c.stems, &input{Source: s, index: i, duplicateOf: -1})
	}
	var all []*input
	all = append(all, c.stems...)
	if mix != nil {
		c.mix = &input{Source: *mix, index: -1, duplicateOf: -1}
		all = append(all, c.mix)
	}
	defer func() {
		for _, in := range all {
			if cl, ok := in.r.(io.Closer); ok && in.r != nil {
				cl.Close()
			}
		}
	}()
	for _, in := range all {
		c.open(in)
	}
	if c.mix != nil && c.mix.failed {
		c.mix = nil
	}
	c.checkFormats()
	if err := c.measure(); err != nil {
		return nil, err
	}
	c.checkLengths()
	c.checkLevels()
	c.checkDuplicates()
	c.checkSum()
	if c.mix != nil {
		if err := c.compareWithMix(); err != nil {
			return nil, err
		}
	} else {
		c.checkTimeReferences()
	}
	c.checkCount()
	c.report.Findings = c.findings
	if c.report.Findings == nil {
		c.report.Findings = []stemmaster.Finding{}
	}
	c.advise()
	return c.report, nil
}

// add records a finding with its code's severity.
func (c *checker) add(code, file string, value float64, message, fix string) {
	f := stemmaster.Finding{Code: code, Severity: stemmaster.CodeSeverity[code], File: file, Message: message, Fix: fix}
	if !math.IsNaN(value) && !math.IsInf(value, 0) {
		v := math.Round(value*100) / 100
		f.Value = &v
	}
	c.findings = append(c.findings, f)
}

// open opens an input, or records why it cannot be read.
func (c *checker) open(in *input) {
	r, err := in.Open()
	if err == nil {
		in.r = r
		in.info = r.Info()
		err = loudness.CheckFormat(float64(in.rate()), in.channels())
		if err != nil {
			err = fmt.Errorf("%w: %v", audio.ErrUnsupported, err)
		}
	}
	if err != nil {
		in.failed = true
		c.unreadable(in, err)
		return
	}
	// More than two channels is refused here as master refuses it, rather
	// than letting a surround file set the sum's layout and leave every
	// stereo stem out of the sum.
	if ch := in.channels(); ch > MaxChannels {
		in.failed = true
		what := in.Name
		if in.index < 0 {
			what = "the mix " + in.Name
		}
		c.add(stemmaster.CodeUnsupportedFormat, in.Name, float64(ch),
			fmt.Sprintf("%s has %d channels: stem mastering takes mono and stereo files", what, ch),
			"export it again as stereo (or mono)")
	}
}

func (c *checker) unreadable(in *input, err error) {
	var fe *audio.FileError
	msg := err.Error()
	if errors.As(err, &fe) {
		msg = strings.Replace(msg, fe.Path+": ", "", 1)
	}
	code, fix := stemmaster.CodeUnreadable, "export the file again; it may be damaged or cut short"
	if errors.Is(err, audio.ErrUnsupported) || errors.Is(err, audio.ErrUnknownFormat) {
		code, fix = stemmaster.CodeUnsupportedFormat, "export as WAV, AIFF or FLAC (24-bit integer or 32-bit float PCM)"
	}
	c.add(code, in.Name, math.NaN(), fmt.Sprintf("%s cannot be read: %s", in.Name, msg), fix)
}

// checkFormats chooses the reference rate and the sum's channels and
// reports sample rates, bit depths and channel layouts.
func (c *checker) checkFormats() {
	count := map[int]int{}
	for _, in := range c.stems {
		if !in.failed {
			count[in.rate()]++
		}
	}
	// Most stems win; a tie goes to the mix's rate, then to the higher rate.
	mixRate := 0
	if c.mix != nil {
		mixRate = c.mix.rate()
	}
	best := mixRate
	for rate, n := range count {
		switch {
		case n > count[best],
			n == count[best] && best != mixRate && (rate == mixRate || rate > best):
			best = rate
		}
	}
	c.rate = best
	others := "the other stems"
	for _, in := range c.stems {
		if in.failed || in.rate() == c.rate {
			continue
		}
		c.add(stemmaster.CodeSampleRateMismatch, in.Name, float64(in.rate()),
			fmt.Sprintf("%s is at %d Hz; %s are at %d Hz", in.Name, in.rate(), others, c.rate),
			fmt.Sprintf("export it again from the session at %d Hz (not by converting the file)", c.rate))
	}
	if c.mix != nil && c.mix.rate() != c.rate {
		c.add(stemmaster.CodeSampleRateMismatch, c.mix.Name, float64(c.mix.rate()),
			fmt.Sprintf("the mix %s is at %d Hz; the stems are at %d Hz, so they cannot be compared with it", c.mix.Name, c.mix.rate(), c.rate),
			fmt.Sprintf("export the mix again at %d Hz", c.rate))
		c.mix = nil
	}

	for _, in := range c.stems {
		f := in.info.Format
		if in.failed || f.SampleFormat != audio.Int || f.BitDepth >= 24 {
			continue
		}
		c.add(stemmaster.CodeBitDepthLow, in.Name, float64(f.BitDepth),
			fmt.Sprintf("%s is %d-bit; stems for mastering should be 24-bit or 32-bit float", in.Name, f.BitDepth),
			"export it again at 24-bit (or 32-bit float), without dither")
	}

	// The sum takes the mix's layout, or the widest stem's.
	if c.mix != nil {
		c.sumCh = c.mix.channels()
	} else {
		for _, in := range c.stems {
			if !in.failed && in.rate() == c.rate {
				c.sumCh = max(c.sumCh, in.channels())
			}
		}
	}
	for _, in := range c.stems {
		if in.failed || in.rate() != c.rate {
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

// checkLengths compares frame counts at the reference rate: the stems'
// most common length is the reference (ties: the longest).
func (c *checker) checkLengths() {
	count := map[int64]int{}
	for _, in := range c.summable() {
		count[in.st.frames]++
	}
	var ref int64 = -1
	for l, n := range count {
		if ref < 0 || n > count[ref] || n == count[ref] && l > ref {
			ref = l
		}
	}
	if ref < 0 {
		return
	}
	ms := func(d int64) float64 { return float64(d) * 1000 / float64(c.rate) }
	what := func(d int64) string {
		if d > 0 {
			return "longer"
		}
		return "shorter"
	}
	for _, in := range c.summable() {
		if d := in.st.frames - ref; d != 0 {
			c.add(stemmaster.CodeLengthMismatch, in.Name, ms(d),
				fmt.Sprintf("%s is %.1f ms %s than the other stems (%d samples): usually a different start or end point", in.Name, math.Abs(ms(d)), what(d), abs64(d)),
				"export every stem over the same range, from the session start to the same end")
		}
	}
	if c.mix != nil {
		if d := c.mix.st.frames - ref; d != 0 {
			c.add(stemmaster.CodeLengthMismatch, c.mix.Name, ms(d),
				fmt.Sprintf("the mix %s is %.1f ms %s than the stems (%d samples): usually a different start or end point", c.mix.Name, math.Abs(ms(d)), what(d), abs64(d)),
				"export the mix over the same range as the stems")
		}
	}
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// checkLevels reports clipping, silence, DC offset and mono-as-stereo per
// stem, and fills the stems' part of the report.
func (c *checker) checkLevels() {
	for _, in := range c.stems {
		sr := stemmaster.StemReport{File: in.Name, Role: in.Role,
			DurationS:      stemmaster.Level(math.NaN()),
			IntegratedLUFS: stemmaster.Level(math.NaN()), TruePeakDBTP: stemmaster.Level(math.NaN()),
			SamplePeakDBFS: stemmaster.Level(math.NaN())}
		if in.failed {
			c.report.Stems = append(c.report.Stems, sr)
			continue
		}
		f := in.info.Format
		sr.SampleRate, sr.BitDepth, sr.SampleFormat, sr.Channels = f.SampleRate, f.BitDepth, f.SampleFormat.String(), f.Channels
		sr.Frames = in.st.frames
		sr.DurationS = stemmaster.Level(float64(in.st.frames) / float64(f.SampleRate))
		sr.IntegratedLUFS = stemmaster.Level(in.res.IntegratedLUFS)
		sr.TruePeakDBTP = stemmaster.Level(in.res.TruePeakDBTP)
		sr.SamplePeakDBFS = stemmaster.Level(in.res.SamplePeakDBFS)
		c.report.Stems = append(c.report.Stems, sr)
		c.levelFindings(in)
	}
}

func (c *checker) levelFindings(in *input) {
	st := in.st
	il := in.res.IntegratedLUFS
	in.silent = st.peak == 0 || (math.IsNaN(il) || math.IsInf(il, -1)) && float64(st.frames) >= 0.4*float64(in.rate())
	if in.silent {
		c.add(stemmaster.CodeSilent, in.Name, in.res.SamplePeakDBFS,
			fmt.Sprintf("%s is silent: nothing in it reaches the −70 LUFS gate of BS.1770 (sample peak %s)", in.Name, dbfs(in.res.SamplePeakDBFS)),
			"check that the right track was exported, unmuted and with its output routed")
		return
	}
	if st.floatOver > 0 {
		c.add(stemmaster.CodeClipping, in.Name, float64(st.floatOver),
			fmt.Sprintf("%s goes beyond full scale in %d samples (peak %+.1f dBFS): it will clip when converted to integer", in.Name, st.floatOver, in.res.SamplePeakDBFS),
			"lower its fader (or the master fader) and export again, or keep it as 32-bit float all the way")
	}
	if st.clipRuns > 0 {
		c.add(stemmaster.CodeClipping, in.Name, float64(st.clipRuns),
			fmt.Sprintf("%s clips: %d runs of %d or more full-scale samples", in.Name, st.clipRuns, ClipRunSamples),
			"lower the track or master level until nothing reaches full scale, and export again")
	}
	worst := 0.0
	for _, s := range st.dcSum {
		worst = max(worst, math.Abs(s/float64(st.frames)))
	}
	if db := audio.DB(worst); db > DCOffsetDBFS {
		c.add(stemmaster.CodeDCOffset, in.Name, db,
			fmt.Sprintf("%s has a DC offset of %.1f dBFS (limit %.0f dBFS)", in.Name, db, DCOffsetDBFS),
			"remove the DC (a high-pass at 5–20 Hz on the track) and export again")
	}
	if in.channels() == 2 && st.sideEnergy <= st.energy/2*math.Pow(10, MonoAsStereoDB/10) {
		c.add(stemmaster.CodeMonoAsStereo, in.Name, math.NaN(),
			fmt.Sprintf("%s is mono stored as stereo: both channels are identical", in.Name),
			"that is fine; a mono export would be half the size")
	}
}

func dbfs(v float64) string {
	if math.IsInf(v, -1) || math.IsNaN(v) {
		return "−∞ dBFS"
	}
	return fmt.Sprintf("%.1f dBFS", v)
}

// checkDuplicates finds pairs of stems that null against each other.
func (c *checker) checkDuplicates() {
	if c.gram == nil {
		return
	}
	s := c.summable()
	for j, b := range s {
		if b.silent {
			continue
		}
		for i := 0; i < j; i++ {
			a := s[i]
			if a.silent || a.duplicateOf >= 0 {
				continue
			}
			rho := c.gram.Correlation(i, j)
			null := 10 * math.Log10(max(1-rho*rho, 1e-30))
			if null > DuplicateDB {
				continue
			}
			b.duplicateOf = a.index
			g := math.Sqrt(c.gram.Energy(j) / c.gram.Energy(i))
			how := "identical to"
			if math.Abs(audio.DB(g)) > 0.05 {
				how = fmt.Sprintf("a copy (%+.1f dB) of", audio.DB(g))
			}
			if rho < 0 {
				how = "a polarity-inverted " + how
			}
			c.add(stemmaster.CodeDuplicate, b.Name, null,
				fmt.Sprintf("%s is %s %s (they null to %.0f dB): summing both doubles that part", b.Name, how, a.Name, null),
				fmt.Sprintf("check the export: %s was probably meant to be a different track", b.Name))
			break
		}
	}
}

// checkSum fills the sum's report and checks its headroom.
func (c *checker) checkSum() {
	if c.sumMeter == nil {
		return
	}
	r := c.sumMeter.Result()
	c.sumResult = r
	c.report.Sum = &stemmaster.SumReport{IntegratedLUFS: stemmaster.Level(r.IntegratedLUFS),
		TruePeakDBTP: stemmaster.Level(r.TruePeakDBTP), SamplePeakDBFS: stemmaster.Level(r.SamplePeakDBFS)}
	if r.TruePeakDBTP > HeadroomDBTP {
		c.add(stemmaster.CodeHeadroom, "", r.TruePeakDBTP,
			fmt.Sprintf("the sum of the stems peaks at %.1f dBTP, above %.0f dBTP: no headroom left for mastering", r.TruePeakDBTP, HeadroomDBTP),
			fmt.Sprintf("lower the master fader by %.1f dB or more (so that the sum peaks at −3 dBTP) and export every stem again, with nothing on the master bus", r.TruePeakDBTP+3))
	}
}

// checkTimeReferences compares BWF time references between stems when
// there is no mix to align against.
func (c *checker) checkTimeReferences() {
	count := map[int64]int{}
	var with []*input
	for _, in := range c.stems {
		if !in.failed && in.rate() == c.rate && in.info.HasTimeReference {
			with = append(with, in)
			count[in.info.TimeReference]++
		}
	}
	if len(count) < 2 {
		return
	}
	var ref int64 = -1
	for t, n := range count {
		if ref < 0 || n > count[ref] || n == count[ref] && t < ref {
			ref = t
		}
	}
	for _, in := range with {
		d := in.info.TimeReference - ref
		if d == 0 {
			continue
		}
		when := "later"
		if d < 0 {
			when = "earlier"
		}
		c.add(stemmaster.CodeOffset, in.Name, float64(d),
			fmt.Sprintf("%s starts %d samples (%.1f ms) %s on the session timeline than the other stems (BWF time reference %d, the others %d)",
				in.Name, abs64(d), math.Abs(float64(d))*1000/float64(c.rate), when, in.info.TimeReference, ref),
			fmt.Sprintf("export every stem again from the same session start, or set offset_samples: %d for %s in the session", d, in.Name))
	}
}

// checkCount reports a single stem or a multitrack.
func (c *checker) checkCount() {
	n := len(c.stems)
	switch {
	case n > analysis.MaxStems:
		c.add(stemmaster.CodeTooManyStems, "", float64(n),
			fmt.Sprintf("%d stems: more than %d is a multitrack, which calls for mixing rather than stem mastering", n, analysis.MaxStems),
			fmt.Sprintf("group the tracks into at most %d stems (lead vocal, backing vocals, drums, bass, instruments, effects)", analysis.MaxStems))
	case n == 1:
		c.add(stemmaster.CodeSingleStem, c.stems[0].Name, 1,
			fmt.Sprintf("a single file (%s): that is stereo mastering, not stem mastering", c.stems[0].Name), "")
	}
}

// advise measures the balance of the families and gives the advice.
func (c *checker) advise() {
	family := map[stemmaster.Role]float64{}
	for role, m := range c.familyMeters {
		family[role] = m.Result().IntegratedLUFS
	}
	for role, in := range c.familySolo {
		family[role] = in.res.IntegratedLUFS
	}
	var bal []analysis.FamilyBalance
	if c.report.Sum != nil && c.report.Sum.IntegratedLUFS.Defined() {
		bal = analysis.Balance(family, c.sumResult.IntegratedLUFS)
	}
	c.balance = bal
	a := analysis.Advise(analysis.AdviceInput{Stems: len(c.stems), Findings: c.findings, Balance: bal})
	c.report.Advice = &a
}

// sortedRoles returns the roles of m in stemmaster.Roles order.
func sortedRoles[V any](m map[stemmaster.Role]V) []stemmaster.Role {
	var out []stemmaster.Role
	for _, r := range stemmaster.Roles {
		if _, ok := m[r]; ok {
			out = append(out, r)
		}
	}
	return slices.Clip(out)
}
