package analysis

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"stemmaster"
)

// The one rule for "this finding is corrected by the session": a finding
// the session can correct (a stem's offset, polarity — of the stem or of
// one channel —, gain against the mix, exchanged channels or sample rate)
// names a Correction of one stem's session fields; the session corrects
// the finding when that stem's fields hold it. An error the session does
// not correct blocks a plain render. The page's ✓ applied and its render
// gate, the CLI's `master` exit status, report.json and the advice all
// read this rule, so they cannot disagree.

// Correction is a correction of one stem's session fields.
type Correction struct {
	File  string  `json:"file"`
	Field string  `json:"field"` // offset_samples, polarity, gain_db, swap_channels or resample
	Value float64 `json:"value"` // for polarity, -1 means inverted; for swap_channels and resample, 1 means true
	// Setting is the session value written where it is a name
	// (polarity: "inverted", "left_inverted", "right_inverted").
	Setting string `json:"setting,omitempty"`
	Label   string `json:"label"` // "move drums.wav 1000 samples earlier"
}

// The check states the session correction in its fix text ("… or set
// offset_samples: -1000 for drums.wav in the session"); the correction is
// exactly what the text says, so the two cannot disagree.
var (
	reOffset   = regexp.MustCompile(`set offset_samples: (-?\d+) for `)
	reGain     = regexp.MustCompile(`set gain_db: (-?\d+(?:\.\d+)?) for `)
	rePolarity = regexp.MustCompile(`set polarity: inverted for `)
)

// CorrectionFor returns the session correction a finding on a stem names,
// nil for none. The caller knows f.File is a stem (a finding on the mix
// names no correction of a stem).
func CorrectionFor(f stemmaster.Finding) *Correction {
	if f.File == "" {
		return nil // the delivery as a whole
	}
	if a := channelCorrection(f); a != nil {
		return a
	}
	if m := reOffset.FindStringSubmatch(f.Fix); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		when := "later"
		if v < 0 {
			when = "earlier"
		}
		unit := "samples"
		if math.Abs(v) == 1 {
			unit = "sample"
		}
		return &Correction{File: f.File, Field: "offset_samples", Value: v, Label: fmt.Sprintf("move %s %.0f %s %s", f.File, math.Abs(v), unit, when)}
	}
	if rePolarity.MatchString(f.Fix) {
		return &Correction{File: f.File, Field: "polarity", Value: -1, Setting: string(stemmaster.PolarityInverted), Label: "invert the polarity of " + f.File}
	}
	if m := reGain.FindStringSubmatch(f.Fix); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		return &Correction{File: f.File, Field: "gain_db", Value: v, Label: fmt.Sprintf("set %s to %s dB", f.File, m[1])}
	}
	return nil
}

// NoResampleFix closes the fix of a sample_rate_mismatch the session
// cannot correct: a file whose audio is at another rate than its header
// says (resample trusts the header, so it would convert nothing).
const NoResampleFix = "resample: true cannot correct it, since it trusts the header"

// channelCorrection returns the session correction of the findings the
// check words as a fault to export again but the engine can also correct
// as the stem is read: a stem whose left and right are exchanged against
// the mix (swap_channels), one channel inverted (the finding's value names
// it, 1 left, 2 right: polarity left_inverted or right_inverted), and a
// stem at another sample rate than the song's (resample). Nil for any
// other finding.
func channelCorrection(f stemmaster.Finding) *Correction {
	switch f.Code {
	case stemmaster.CodeChannelsSwapped:
		return &Correction{File: f.File, Field: "swap_channels", Value: 1, Label: "exchange the left and right channels of " + f.File}
	case stemmaster.CodePolarityInverted:
		if f.Value == nil {
			return nil // the whole stem: the fix text names polarity: inverted
		}
		switch *f.Value {
		case 1:
			return &Correction{File: f.File, Field: "polarity", Value: -1, Setting: string(stemmaster.PolarityLeftInverted), Label: "invert the left channel of " + f.File}
		case 2:
			return &Correction{File: f.File, Field: "polarity", Value: -1, Setting: string(stemmaster.PolarityRightInverted), Label: "invert the right channel of " + f.File}
		}
	case stemmaster.CodeSampleRateMismatch:
		if strings.Contains(f.Fix, NoResampleFix) {
			return nil
		}
		label := "convert " + f.File + " to the song's sample rate"
		if f.Value != nil {
			label = fmt.Sprintf("convert %s from %.0f Hz to the song's sample rate", f.File, *f.Value)
		}
		return &Correction{File: f.File, Field: "resample", Value: 1, Label: label}
	}
	return nil
}

// MadeBy reports whether st holds the correction. A gain within 0.05 dB
// of the fix's (the precision the fix text gives) holds it.
func (c *Correction) MadeBy(st *stemmaster.StemSpec) bool {
	switch c.Field {
	case "offset_samples":
		return float64(st.OffsetSamples) == c.Value
	case "polarity":
		return st.Polarity == stemmaster.Polarity(c.Setting)
	case "gain_db":
		return math.Abs(st.GainDB-c.Value) < 0.05
	case "swap_channels":
		return st.SwapChannels
	case "resample":
		return st.Resample
	}
	return false
}

// Set writes the correction into st.
func (c *Correction) Set(st *stemmaster.StemSpec) {
	switch c.Field {
	case "offset_samples":
		st.OffsetSamples = int64(c.Value)
	case "polarity":
		st.Polarity = stemmaster.Polarity(c.Setting)
	case "gain_db":
		st.GainDB = c.Value
	case "swap_channels":
		st.SwapChannels = true
	case "resample":
		st.Resample = true
	}
}

// LevelMoving reports whether the correction moves its stem's level in
// the stems' sum: a gain, or a polarity (an inverted stem cancels part of
// the sum). An offset, a channel swap or a resampling leaves each
// family's level in the sum about as it was.
func (c *Correction) LevelMoving() bool { return c.Field == "gain_db" || c.Field == "polarity" }

// Resolution is one finding as a session leaves it.
type Resolution struct {
	stemmaster.Finding
	// Stems are the session's strips the finding names (one file the
	// session lists twice is two strips); none in stereo mode or for a
	// finding on no stem.
	Stems      []*stemmaster.StemSpec
	Correction *Correction // nil: the session cannot correct it
	Corrected  bool        // the session holds the correction
	Blocking   bool        // an error the session does not correct
	// Outstanding marks a warning or an error on what the session
	// masters that it does not correct: the master is made with it. A
	// finding on the mix as a file alone is outstanding only while the
	// mix is what is mastered; a stem's or one between the files only
	// while the stems are.
	Outstanding bool
}

// Resolve reads findings against a session: which the session can
// correct, which it corrects, which still block a plain render. A
// finding's file is matched to a stem by the name the check gives it
// (the file's base name, or its path as the session or the render names
// it). With stereo set (the mix mastered alone, the session's one stem)
// no finding is corrected, and a finding on a stem or between the files
// blocks nothing (no stem is rendered); an error of the mix as a file
// (unreadable, cut short, samples not finite or out of range) still
// blocks, as it would for any stem mastered: the render reads it.
func Resolve(findings []stemmaster.Finding, s *stemmaster.Session, stereo bool) []Resolution {
	stems := stemsByName(s)
	out := make([]Resolution, 0, len(findings))
	for _, f := range findings {
		r := Resolution{Finding: f}
		if stereo {
			r.Outstanding = f.Severity != stemmaster.SeverityInfo && f.File != "" && len(stems[f.File]) > 0 && ofOneFile(f.Code)
			r.Blocking = r.Outstanding && f.Severity == stemmaster.SeverityError
		} else {
			if strips := stems[f.File]; len(strips) > 0 && f.File != "" {
				r.Stems = strips
				r.Correction = CorrectionFor(f)
				// A file the session lists twice (a dry and a processed
				// strip) is corrected when every strip of it is.
				r.Corrected = r.Correction != nil && !slices.ContainsFunc(strips, func(st *stemmaster.StemSpec) bool { return !r.Correction.MadeBy(st) })
			}
			r.Blocking = f.Severity == stemmaster.SeverityError && !r.Corrected
			// The mix's own faults (its clipping, its DC) are not in a
			// master of the stems.
			mixAlone := f.File != "" && len(r.Stems) == 0 && ofOneFile(f.Code)
			r.Outstanding = f.Severity != stemmaster.SeverityInfo && !r.Corrected && !mixAlone
		}
		out = append(out, r)
	}
	return out
}

// ofOneFile reports whether a finding code is about a file on its own:
// its checklist rule neither compares files with each other nor holds
// them against the mix.
func ofOneFile(code string) bool {
	for _, r := range stemmaster.ChecklistRules {
		if slices.Contains(r.Codes, code) && !r.Between && !r.NeedsMix {
			return true
		}
	}
	return false
}

// stemsByName maps each name a check may give a session's stem to its
// strips: its file as written, its path under the session's directory,
// and its base name when no other file shares it (the check names stems
// so).
func stemsByName(s *stemmaster.Session) map[string][]*stemmaster.StemSpec {
	out := map[string][]*stemmaster.StemSpec{}
	if s == nil {
		return out
	}
	bases := map[string]map[string]bool{}
	for _, st := range s.Stems {
		b := filepath.Base(st.File)
		if bases[b] == nil {
			bases[b] = map[string]bool{}
		}
		bases[b][s.Path(st.File)] = true
	}
	for i := range s.Stems {
		st := &s.Stems[i]
		names := []string{st.File, s.Path(st.File)}
		if b := filepath.Base(st.File); len(bases[b]) == 1 {
			names = append(names, b)
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			out[n] = append(out[n], st)
		}
	}
	return out
}

// CorrectedLines lists the findings the session corrects (Finding.Line).
func CorrectedLines(rs []Resolution) []string {
	var out []string
	for _, r := range rs {
		if r.Corrected {
			out = append(out, r.Line())
		}
	}
	return out
}

// Blocking counts the resolutions that block a plain render.
func Blocking(rs []Resolution) int {
	n := 0
	for _, r := range rs {
		if r.Blocking {
			n++
		}
	}
	return n
}
