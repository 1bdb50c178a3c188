package check

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// checkLengths compares frame counts at the reference rate: the stems'
// most common length is the reference (ties: the longest).
func (c *checker) checkLengths() {
	length := func(in *input) (int64, bool) { return in.st.frames, in.truncated == nil }
	ref, ok := mostCommon(c.summable(), length, -1) // no length is −1: a tie goes to the longest
	if !ok {
		return
	}
	c.stemFrames = ref
	ms := func(d int64) float64 { return float64(d) * 1000 / float64(c.rate) }
	what := func(d int64) string {
		if d > 0 {
			return "longer"
		}
		return "shorter"
	}
	for _, in := range c.summable() {
		if d := in.st.frames - ref; d != 0 && in.truncated == nil && !nothingRead(in) { // a cut or unread file's finding names its length
			c.add(stemmaster.CodeLengthMismatch, in.Name, ms(d),
				fmt.Sprintf("%s is %s %s than the other stems (%s)%s", in.Name, msText(ms(d)), what(d), countSamples(d), cmp.Or(c.lengthSuspect(in, ref), lengthWhy)),
				"export every stem over the same range, from the session start to the same end")
		}
	}
	if c.mix != nil && c.mix.truncated == nil {
		if d := c.mix.st.frames - ref; d != 0 {
			c.add(stemmaster.CodeLengthMismatch, c.mix.Name, ms(d),
				fmt.Sprintf("the mix %s is %s %s than the stems (%s)%s", c.mix.Name, msText(ms(d)), what(d), countSamples(d), lengthWhy),
				"export the mix over the same range as the stems")
		}
	}
}

// lengthWhy is a length finding's reading until the comparison with the
// mix knows better (retellLength).
const lengthWhy = ": usually a different start or end point"

// retellLength gives file's length finding the reading, and the fix, that
// the comparison with the mix found for the same fault (one story, where
// the length alone could only guess).
func (c *checker) retellLength(file, why, fix string) {
	for i, f := range c.findings {
		if f.Code == stemmaster.CodeLengthMismatch && f.File == file {
			c.findings[i].Message = strings.Replace(f.Message, lengthWhy, why, 1)
			c.findings[i].Fix = fix
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
		sr.DurationS = stemmaster.Level(float64(in.st.frames) / float64(in.srate))
		sr.IntegratedLUFS = stemmaster.Level(in.res.IntegratedLUFS)
		sr.TruePeakDBTP = stemmaster.Level(in.res.TruePeakDBTP)
		sr.SamplePeakDBFS = stemmaster.Level(in.res.SamplePeakDBFS)
		c.report.Stems = append(c.report.Stems, sr)
		c.truncationFinding(in)
		c.levelFindings(in)
	}
}

func (c *checker) levelFindings(in *input) {
	st := in.st
	il := in.res.IntegratedLUFS
	in.silent = st.peak == 0 || (math.IsNaN(il) || math.IsInf(il, -1)) && float64(st.frames) >= 0.4*float64(in.srate)
	if nothingRead(in) {
		// The read error naming the file is its one finding: it holds no
		// audio to be silent, clip or carry DC.
		return
	}
	if in.silent {
		c.add(stemmaster.CodeSilent, in.Name, in.res.SamplePeakDBFS,
			fmt.Sprintf("%s is silent: nothing in it reaches the −70 LUFS gate of BS.1770 (sample peak %s)", in.Name, dbfs(in.res.SamplePeakDBFS)),
			"check that the right track was exported, unmuted and with its output routed")
		return
	}
	if pk := in.res.SamplePeakDBFS; pk > OutOfRangeDBFS {
		c.add(stemmaster.CodeOutOfRange, in.Name, pk,
			fmt.Sprintf("%s peaks at %+.1f dBFS, more than %.0f dB above full scale: no mix holds such levels, and the master chain cannot bring it to the target and the ceiling (its float arithmetic overflows)", in.Name, pk, OutOfRangeDBFS),
			fixText(stemmaster.CodeOutOfRange))
		// Its DC and clip figures are overflow, not faults of their own.
		return
	}
	if st.floatOver > 0 {
		c.add(stemmaster.CodeClipping, in.Name, float64(st.floatOver),
			fmt.Sprintf("%s goes beyond full scale in %s (peak %+.1f dBFS): it will clip when converted to integer", in.Name, countSamples(int64(st.floatOver)), in.res.SamplePeakDBFS),
			"lower its fader (or the master fader) and export again, or keep it as 32-bit float all the way")
	}
	if st.clipRuns > 0 {
		in.clipped = true
		c.add(stemmaster.CodeClipping, in.Name, float64(st.clipRuns),
			fmt.Sprintf("%s clips: %d runs of %d or more full-scale samples", in.Name, st.clipRuns, ClipRunSamples),
			"lower the track or master level until nothing reaches full scale, and export again")
	} else if clippedSamples(st, in.srate) {
		in.clipped = true
		c.add(stemmaster.CodeClipping, in.Name, float64(st.fullScale),
			fmt.Sprintf("%s clips: %s at full scale (peaks flattened at the ceiling, one or two samples each)", in.Name, countSamples(st.fullScale)),
			"lower the track or master level until nothing reaches full scale, and export again")
	} else if at, inRuns, level, ok := flatClipped(in); ok {
		c.add(stemmaster.CodeClipping, in.Name, float64(at),
			fmt.Sprintf("%s has its peaks flattened under full scale: %s sit at exactly %s, its peak (%d of them flat over two samples or more) — clipped and then turned down (a gain change or a normalisation after a clipping stage), or a clipper on the track", in.Name, countSamples(at), dbfs(audio.DB(float64(level))), inRuns),
			"find the stage that clips (a plug-in's output, a bus, a fixed-point bounce before the gain change), lower the level into it or bypass it, and export again")
		in.flatPeaks, in.clipped = true, true
	}
	worst := 0.0
	for _, s := range st.dcSum {
		worst = max(worst, math.Abs(s/float64(st.frames)))
	}
	// A mean over less than one BS.1770 block (400 ms) is the waveform's
	// phase, not an offset: a short file has no DC figure.
	if p := in.dcProfile(); p.varies {
		c.addDC(in.Name, p.worstDB, movingDCText(in.Name, p, audio.DB(worst), "the mix"), movingDCFix(p, "on the track"))
	} else if db := audio.DB(worst); db > DCOffsetDBFS && float64(st.frames) >= dcMinSeconds*float64(in.srate) {
		c.addDC(in.Name, db,
			fmt.Sprintf("%s has a DC offset of %.1f dBFS (limit %.0f dBFS)", in.Name, db, DCOffsetDBFS),
			"remove the DC (a high-pass at 5–20 Hz on the track) and export again")
	}
	if in.monoAsStereo() {
		c.add(stemmaster.CodeMonoAsStereo, in.Name, math.NaN(),
			fmt.Sprintf("%s is mono stored as stereo: both channels are identical", in.Name),
			"that is fine; a mono export would be half the size")
	}
}

// flatClipped returns the input's flattened peaks (levelStats.flatPeaks)
// and whether they are a clip turned down, or a clipper well under full
// scale: enough of them, in runs, and either at most FlatPeaksMaxShare of
// its samples or, more, in runs most of which the waveform entered as a
// clip does (sharpEntry), at least one per ClipSamplesSeconds: a vocal
// clipped 10 dB under its peak sits flat on 12 % of its samples, a square
// wave or a DC jumps onto its level and a filtered square settles there.
func flatClipped(in *input) (at, inRuns int64, level float64, ok bool) {
	st := in.st
	at, inRuns, level, runs, sharp := st.flatPeaks()
	few := float64(at) <= FlatPeaksMaxShare*float64(st.frames)*float64(len(st.run))
	clipLike := 2*sharp >= runs && sharp >= ClipSamplesMin && manyPerChannel(sharp, st, in.srate)
	ok = inRuns >= ClipSamplesMin && manyPerChannel(at, st, in.srate) && (few || clipLike) && stepsAt(in, level) >= FlatPeaksMinSteps
	return at, inRuns, level, ok
}

// holdsClips says whether the input clips: full-scale runs, many samples
// at full scale, or flattened peaks (the clipping findings' readings).
func holdsClips(in *input) bool {
	if in.st == nil {
		return false
	}
	_, _, _, flat := flatClipped(in)
	return in.st.clipRuns > 0 || clippedSamples(in.st, in.srate) || flat
}

// dcMinSeconds is the shortest stem whose mean is a DC figure.
const dcMinSeconds = 0.4

// nothingRead: the file failed before its first frame (the unreadable or
// truncated finding says so); no other finding about its audio applies.
func nothingRead(in *input) bool { return in.partial && in.st.frames == 0 }

func dbfs(v float64) string {
	if math.IsInf(v, -1) || math.IsNaN(v) {
		return "−∞ dBFS"
	}
	if math.Abs(v) < 0.05 {
		v = 0 // a peak a hair under full scale reads 0.0, never "-0.0"
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
			if a.silent || a.duplicateOf >= 0 || a.Name == b.Name {
				// The same file twice is a session's choice (a dry
				// and a processed strip of one stem), not a copy
				// exported by mistake.
				continue
			}
			rho := c.gram.Correlation(i, j)
			null := nullOf(rho)
			if null > DuplicateDB {
				continue
			}
			b.duplicateOf = a.index
			g := math.Sqrt(c.gram.Energy(j) / c.gram.Energy(i))
			how, sum := "identical to", "summing both doubles that part"
			if math.Abs(audio.DB(g)) > 0.05 {
				how = fmt.Sprintf("a copy (%+.1f dB) of", audio.DB(g))
			}
			if rho < 0 {
				how, sum = "a polarity-inverted copy of", "summed, the two cancel that part"
				if math.Abs(audio.DB(g)) > 0.05 {
					how = fmt.Sprintf("a polarity-inverted copy (%+.1f dB) of", audio.DB(g))
					sum = "summed, the two cancel most of that part"
				}
			}
			c.add(stemmaster.CodeDuplicate, b.Name, null,
				fmt.Sprintf("%s is %s %s (%s): %s", b.Name, how, a.Name, nullText(null), sum),
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
		// In float: two references near the ends of the int64 range
		// overflow their difference.
		if far := math.Abs(float64(in.info.TimeReference) - float64(ref)); far >= float64(in.st.frames) || far >= stemmaster.MaxOffsetFrames {
			// Moved by more than its own length (or than a session can
			// shift a stem), the stem would not overlap the others at all:
			// the time reference is wrong, not the audio's start.
			c.add(stemmaster.CodeOffset, in.Name, math.NaN(),
				fmt.Sprintf("%s has a BWF time reference (%d) further from the other stems' (%d) than the file is long (%s): it cannot be the stem's place in the session",
					in.Name, in.info.TimeReference, ref, countSamples(in.st.frames)),
				"export every stem again from the same session start, with the export writing the session position (BWF time reference); no offset in the session can fix this one")
			continue
		}
		c.add(stemmaster.CodeOffset, in.Name, float64(d),
			fmt.Sprintf("%s starts %s %s on the session timeline than the other stems (BWF time reference %d, the others %d)",
				in.Name, samplesText(d, c.rate), when, in.info.TimeReference, ref),
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
	var bal []analysis.FamilyBalance
	// A stem that is the whole mix puts every family in the sum twice
	// over: no balance is measured then.
	if c.report.Sum != nil && c.report.Sum.IntegratedLUFS.Defined() && len(c.mixCopyNames()) == 0 {
		// Each family against the sum where it plays (FamilyLevelOf).
		sum := c.sumMeter.Blocks()
		family := map[stemmaster.Role]analysis.FamilyLevel{}
		for role, m := range c.familyMeters {
			family[role] = analysis.FamilyLevelOf(m.Blocks(), sum)
		}
		for role, in := range c.familySolo {
			family[role] = analysis.FamilyLevelOf(in.blocks, sum)
		}
		if c.familyWhole != "" {
			family[c.familyWhole] = analysis.FamilyLevelOf(sum, sum)
		}
		bal = analysis.BalanceOf(family)
	}
	c.balance = bal
	a := analysis.Advise(analysis.AdviceInput{Stems: len(c.stems), Findings: c.findings, Balance: bal, MixMatched: c.mixMatched(), MixCopies: c.mixCopyNames(), Mix: c.mixName()})
	c.report.Advice = &a
}

// mixCopyNames names the stems that are the mix itself (mixcopy.go).
func (c *checker) mixCopyNames() []string {
	var out []string
	for _, in := range c.stems {
		if in.mixCopy {
			out = append(out, in.Name)
		}
	}
	return out
}

// mixMatched says whether the stems' sum is the mix's balance: a mix was
// given and the stems sum to it, or the findings explain the difference.
func (c *checker) mixMatched() bool {
	matched := c.mix != nil
	for _, f := range c.findings {
		matched = matched && (f.Code != stemmaster.CodeSumMismatch || f.Fix == fixText("explained"))
	}
	return matched
}

// mixName is the reference mix's name, "" with none (or none readable).
func (c *checker) mixName() string {
	if c.mix == nil {
		return ""
	}
	return c.mix.Name
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

// clippedSamples tells a stem whose full-scale samples, in runs or not,
// are too many to be a legitimate peak: ClipSamplesMin or more, and at
// least one per ClipSamplesSeconds of each channel.
func clippedSamples(st *levelStats, rate int) bool {
	return st.fullScale >= ClipSamplesMin && manyPerChannel(st.fullScale, st, rate)
}

// manyPerChannel tells whether n samples are at least one per
// ClipSamplesSeconds of each channel of the stem.
func manyPerChannel(n int64, st *levelStats, rate int) bool {
	if rate <= 0 {
		return false
	}
	chanSeconds := float64(st.frames) * float64(len(st.run)) / float64(rate)
	return float64(n) >= chanSeconds/ClipSamplesSeconds
}

// dropFlatPeaks withdraws, under a stem-dynamics diagnosis, the
// flattened-peaks clipping finding of the stems it names (named) and of
// those whose own gain per block moves against the mix by
// FlatPeaksMovingDB or more (10th to 90th percentile): a limiter without
// look-ahead on a stem holds its peaks at its threshold as a clip does,
// and moves the stem's level, which a clip turned down does not (it
// flattens a few samples); the diagnosis says what it is.
func (c *checker) dropFlatPeaks(sum []*input, named []int, t analysis.StemTracksResult) {
	for k, in := range sum {
		moving := slices.Contains(named, k) || k < len(t.Stems) && t.Stems[k].HighDB-t.Stems[k].LowDB >= FlatPeaksMovingDB
		if !in.flatPeaks || !moving {
			continue
		}
		c.findings = slices.DeleteFunc(c.findings, func(f stemmaster.Finding) bool {
			return f.Code == stemmaster.CodeClipping && f.File == in.Name
		})
		in.flatPeaks, in.clipped = false, false
	}
}

// FlatPeaksMovingDB is the spread of a stem's own gain against the mix
// (analysis.StemTrack, 10th to 90th percentile) from which its flattened
// peaks are a limiter's.
const FlatPeaksMovingDB = 1.0

// FlatPeaksMaxShare is the largest share of a stem's samples its
// flattened peaks may be: a clip flattens the tops of the loudest peaks
// (0.15 % of francium's drums clipped 12 dB deep), while a waveform that
// sits at its extreme for longer is flat by design — a DC, a square wave,
// a gate's constant.
const FlatPeaksMaxShare = 0.01

// monoAsStereo tells a stereo stem whose two channels hold the same
// signal (MonoAsStereoDB).
func (in *input) monoAsStereo() bool {
	st := in.st
	return in.channels() == 2 && st != nil && st.sideEnergy <= st.energy/2*math.Pow(10, MonoAsStereoDB/10)
}

// FlatPeaksMinSteps is the fewest quantisation steps of an integer file a
// flattened peak must stand above zero to be told from rounding: a smooth
// crest N steps high stays on its top code for about fs/(π·f)·√(2/N)
// samples, so in an 8-bit file (128 steps to full scale), or a 16-bit one
// peaking under −12 dBFS, the crests of a 100–400 Hz part sit on one code
// over two samples or more by themselves (an 8-bit vocal at −17 dBFS: 114
// samples at its peak, 26 of them in runs), which reads as a clip turned
// down.
const FlatPeaksMinSteps = 8192

// stepsAt returns how many quantisation steps of in's depth level is
// (+Inf for a float file, whose steps are relative to the level).
func stepsAt(in *input, level float64) float64 {
	f := in.info.Format
	if f.SampleFormat != audio.Int || f.BitDepth <= 0 {
		return math.Inf(1)
	}
	return level * math.Ldexp(1, f.BitDepth-1)
}
