package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
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
	// ShortOffsetSeconds is how far the first alignment search looks
	// either way at the full rate's resolution (plug-in latency, a nudged
	// region); MaxOffsetSeconds how far the long search looks for a stem
	// the first cannot place (an export from another start marker: a bar,
	// a count-in, a pre-roll).
	ShortOffsetSeconds = 2.0
	MaxOffsetSeconds   = 30.0
	// AlignSeconds is the length of the excerpt of each stem that is
	// correlated with the mix: the stem's loudest stretch of that length.
	AlignSeconds = 10.0
	// ClipRunSamples full-scale samples in a row in an integer stem count as
	// a clip: one or two can be a legitimate peak, three in a row are the
	// converter or the bounce flattening the waveform (the rule mastering
	// engineers and meters such as the common "over" counters use).
	ClipRunSamples = 3
	// ClipSamplesMin full-scale samples in a stem, in runs or not, are a
	// clip too, when there is also at least one per ClipSamplesSeconds of
	// each channel: a gain pushed into the ceiling (sox's "vol +9dB", a
	// plug-in's output stage) flattens many peaks by one or two samples
	// each, piling them at the one extreme code, while clean material
	// reaches full scale once or twice (a normalised stem, a 24-bit peak
	// exactly at the top code) and a limiter stops below it.
	ClipSamplesMin     = 10
	ClipSamplesSeconds = 60.0
	// DCOffsetDBFS is the channel mean above which a stem has a DC offset:
	// 0.3 % of full scale. A converter or plug-in DC fault is typically
	// −40 dBFS or more and costs headroom on the sum and thumps at edits,
	// while programme with strong low frequencies (or noise) can average
	// −60 dBFS over a few seconds without any fault. An engineering rule of
	// thumb between the two.
	DCOffsetDBFS = -50.0
	// OutOfRangeDBFS is the float sample peak above which a stem is refused
	// as out of range: float32 squares (meters, detectors) overflow near
	// +385 dBFS, and the sum of stems, an EQ boost and the detectors'
	// running sums take up to about 60 dB of that; above +300 dBFS the
	// meters already lose precision. No mix holds +200 dBFS (a fader would
	// need 200 dB of boost), so a stem beyond it is a broken export.
	OutOfRangeDBFS = 200.0
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
	// ResampledSumMismatchDB replaces SumMismatchDB when a stem or the mix
	// was converted from another rate. What lies above the lower rate's
	// band (20–24 kHz between 44.1 and 48 kHz) is not compared at all (a
	// full-band noise stem leaves −20 dB there, which says nothing about
	// the delivery); below it, the converter the client's DAW used and
	// stemmaster's differ a little in their passbands, more for cheap
	// converters. A missing stem still leaves far more.
	ResampledSumMismatchDB = -30.0
	// ResidualFloorDB is the lowest residual against the mix the report
	// gives (mix.null_residual_db, mix.fitted_residual_db, the
	// sum_mismatch value): a deeper residual, down to a perfect null (no
	// residual at all, −∞), reads this floor. 24-bit stems against a
	// 24-bit mix null to their quantisation, about −140 dB relative to a
	// mastered-level mix, and nothing below it tells a reader anything
	// more; null stays "not measured" (no fit, a silent mix).
	ResidualFloorDB = -140.0
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

// MixSource is FileSource for an optional mix: nil for "".
func MixSource(path string) *Source {
	if path == "" {
		return nil
	}
	s := FileSource(path)
	return &s
}

// FileSources returns a Source per path, named by base name; two stems
// with the same base name are named by their paths instead.
func FileSources(paths []string) []Source {
	srcs := make([]Source, len(paths))
	seen := map[string]int{}
	for _, p := range paths {
		seen[filepath.Base(p)]++
	}
	for i, p := range paths {
		srcs[i] = FileSource(p)
		if seen[srcs[i].Name] > 1 {
			srcs[i].Name = p
		}
	}
	return srcs
}

// input is one stem or the mix during a check.
type input struct {
	Source
	index  int // position among the stems; -1 for the mix
	r      audio.Reader
	info   audio.Info
	failed bool // unreadable or unsupported: left out of everything
	// flatPeaks: its clipping finding is peaks flattened under full scale
	// (levelStats.flatPeaks), which a limiter without look-ahead leaves
	// too: the comparison with the mix withdraws it when the stem's level
	// moves against the mix (dropFlatPeaks)
	flatPeaks bool
	// clipped: it has a clipping finding for samples held at its
	// extremes (full scale, or its flattened peaks), which the
	// residual's diagnosis reads against the mix (clipReading)
	clipped bool
	// partial: the file failed part-way (truncated, damaged); the frames
	// before the failure count, and every later pass stops where the
	// first one did instead of failing the whole check.
	partial bool
	// summable: readable, at the reference rate, with a channel layout the
	// sum can take; it enters the sum, the fit and the alignment.
	summable bool
	st       *levelStats
	res      loudness.Result
	// blocks are its meter's gating blocks (loudness.Meter.Blocks): a
	// family of this stem alone is measured on them (advise).
	blocks []float64
	silent bool
	// duplicateOf is the index of the stem this one copies, or -1.
	duplicateOf int
	// mixCopy: the stem is the mix itself under another name (mixCopies)
	mixCopy bool
	// dcOnly: the stem holds nothing but its DC (removeDC): without it
	// there is nothing to align or fit
	dcOnly bool
	// lag is the offset against the mix (samples late); aligned says it
	// was measured with confidence.
	lag     int
	aligned bool
	// resampled: at another rate than the reference, converted to it for
	// every pass (the finding says so); srate is the rate of its stream.
	resampled bool
	srate     int
	// audioRate, when above 0, is the rate the file's audio is at though
	// its header says another (relabelledRate): every pass reads it at
	// that rate and converts it to the reference.
	audioRate int
	// swapped and sign are what the joint fit found against the mix: the
	// channels exchanged, a channel's polarity (+1 or −1 per channel as
	// delivered).
	swapped   bool
	sign      [2]float64
	longLag   bool // the long search ran: longCands are its lags
	longCands []analysis.LongCandidate
	// the joint fit's lag sat on the edge of its range (edgeLag); extraLags
	// are the further candidates tried
	atEdge    bool
	edgeLag   int
	extraLags []int
	// what the joint fit said: material in its window, and the share of
	// the rest of the mix it explains
	jointActive bool
	jointShare  float64
	jointPoor   bool // the fit left more than jointPoorDB of its window
	// wideDone: the stem was searched against the joint fit's residual
	// over ±MaxOffsetSeconds; wideCands are the lags it offered
	wideDone  bool
	wideCands []analysis.LongCandidate
	// fitGain is its gain in the plain fit (measureEdits)
	fitGain float64
	// drift, when not nil, is the line its lag follows along it
	// (measureDrift found it): the edit search reads it there (lagAt)
	drift *drift
	// undone, when not nil, is an edit the drift is measured across: its
	// passage is read at its lag (lagAt), so a drift the edit hid shows
	undone *stemEdit
	// probe, when set, are the only lags the joint fit tries
	// (probeCandidates)
	probe []int
	// truncated and nonFinite are the decoder's reports.
	truncated *audio.TruncatedError
	nonFinite *audio.NonFiniteError
}

func (in *input) rate() int     { return in.info.Format.SampleRate }
func (in *input) channels() int { return in.info.Format.Channels }

// checker carries one check.
type checker struct {
	ctx   context.Context
	opt   Options
	stems []*input
	mix   *input // nil when none (or it failed)
	rate  int    // reference sample rate
	sumCh int    // channels of the sum
	// bandEdgeHz, when above 0, is where the comparison with the mix stops:
	// an input converted from another rate carries nothing above the lower
	// rate's band (analysis.BandEdgeFraction of its Nyquist frequency).
	bandEdgeHz float64
	findings   []stemmaster.Finding
	report     *stemmaster.CheckReport
	// gainTolDB, when above 0, replaces GainToleranceDB for the gain
	// findings (gainTol)
	gainTolDB float64
	// deadChannel, when not "", words the stem channel found silent where
	// the mix holds the stem (deadChannelFinding), for sum_mismatch
	deadChannel string
	// stemFrames is the stems' most common length (checkLengths; 0: none)
	stemFrames int64
	// noRelabel, per stem, keeps relabelRates off a stem a first pass read
	// at another rate without a null (nil: none); unnulled marks such
	// stems in this pass (verifyRelabels)
	noRelabel, unnulled []bool
	measureState
}

// Run checks stems against an optional reference mix (nil for none).
// Problems with the inputs are findings in the report; the error is only
// ctx's (or a file that changed between two reads of it).
func Run(ctx context.Context, stems []Source, mix *Source, opt Options) (*stemmaster.CheckReport, error) {
	rep, unnulled, err := runPass(ctx, stems, mix, opt, nil)
	if err != nil || unnulled == nil {
		return rep, err
	}
	// A stem read at the rate its length suggests did not null against the
	// mix at that rate: its length matched the ratio by chance. Check again
	// with it read at its header's rate.
	rep, _, err = runPass(ctx, stems, mix, opt, unnulled)
	return rep, err
}

// runPass is one pass of Run. noRelabel marks the stems relabelRates must
// leave at their header's rate; the stems it read at another rate and the
// fit found not to null there come back marked (nil when none).
func runPass(ctx context.Context, stems []Source, mix *Source, opt Options, noRelabel []bool) (*stemmaster.CheckReport, []bool, error) {
	c := &checker{ctx: ctx, opt: opt, report: &stemmaster.CheckReport{Stems: []stemmaster.StemReport{}}, noRelabel: noRelabel}
	for i, s := range stems {
		if s.Role == "" {
			s.Role = stemmaster.InferRole(s.Name)
		}
		c.stems = append(c.stems, &input{Source: s, index: i, duplicateOf: -1, sign: [2]float64{1, 1}})
	}
	var all []*input
	all = append(all, c.stems...)
	if mix != nil {
		c.mix = &input{Source: *mix, index: -1, duplicateOf: -1, sign: [2]float64{1, 1}}
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
		return nil, nil, err
	}
	c.checkLengths()
	c.checkLevels()
	c.checkDuplicates()
	c.checkSum()
	if c.mix != nil {
		if err := c.compareWithMix(); err != nil {
			return nil, nil, err
		}
		if c.unnulled != nil {
			return nil, c.unnulled, nil
		}
	} else {
		if err := c.sumCopies(c.summable()); err != nil {
			return nil, nil, err
		}
		c.checkTimeReferences()
	}
	c.checkCount()
	c.report.Findings = c.findings
	if c.report.Findings == nil {
		c.report.Findings = []stemmaster.Finding{}
	}
	c.advise()
	if err := c.adviseCorrected(); err != nil {
		return nil, nil, err
	}
	return c.report, nil, nil
}

// add records a finding with its code's severity.
func (c *checker) add(code, file string, value float64, message, fix string) {
	c.addFinding(stemmaster.Finding{Code: code, File: file, Message: message, Fix: fix}, value)
}

// addFinding records f with its code's severity and value (NaN or ±Inf:
// none).
func (c *checker) addFinding(f stemmaster.Finding, value float64) {
	f.Severity = stemmaster.CodeSeverity[f.Code]
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
		in.srate = in.rate()
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
	code := stemmaster.CodeUnreadable
	if errors.Is(err, audio.ErrUnsupported) || errors.Is(err, audio.ErrUnknownFormat) {
		code = stemmaster.CodeUnsupportedFormat
	}
	c.add(code, in.Name, math.NaN(), fmt.Sprintf("%s cannot be read: %s", in.Name, msg), unreadableFix(err))
}

// unreadableFix says what to do about a file the check could not read,
// for its cause: a file that is not there was never exported, or was
// moved or misnamed, and exporting it "again" is no answer to that.
func unreadableFix(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "the file is not there: check its name and folder (a typo, a file moved or renamed since), or export it from the session if it never was, and add it to the delivery"
	case errors.Is(err, fs.ErrPermission):
		return "the file may not be read by this user: change its permissions (or copy it to a folder you own) and run the check again"
	case errors.Is(err, audio.ErrUnsupported) || errors.Is(err, audio.ErrUnknownFormat):
		return "export as WAV, AIFF or FLAC (24-bit integer or 32-bit float PCM)"
	}
	return "export the file again; it may be damaged or cut short (a copy or an upload that stopped early)"
}
