package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/check"
	"stemmaster/sessionfile"
)

func newCheckCmd() *cobra.Command {
	var asJSON bool
	var mix, session string
	prof := &profileFlags{}
	cmd := newCommand("check", nil, func(cmd *cobra.Command, args []string) error {
		sess, err := checkSession(session, args)
		if err != nil {
			return err
		}
		if sess != nil {
			args = sessionStemFiles(sess)
			if mix == "" && sess.Mix != "" {
				mix = sess.Path(sess.Mix)
			}
		}
		if err := stemArgs(args); err != nil {
			return err
		}
		inputs := append([]string{mix}, args...)
		if err := prof.keep(inputs); err != nil {
			return usageError(err)
		}
		stopProf, err := prof.start()
		if err != nil {
			return err
		}
		if err := filesOnly(inputs); err != nil {
			return err
		}
		if mix != "" {
			if i := sessionfile.MixAmongStems(mix, args); i >= 0 {
				return inputError(sessionfile.MixAmongStemsError(mix, args[i]))
			}
		}
		rep, err := check.Run(cmd.Context(), check.FileSources(args), check.MixSource(mix), check.Options{})
		if perr := stopProf(); perr != nil && err == nil {
			return perr
		}
		if err != nil {
			return inputError(err) // an I/O failure, not wrong usage: exit 1
		}
		// Without a session nothing is corrected: every error blocks.
		rs := analysis.Resolve(rep.Findings, sess, false)
		lines := printChecklist(cmd.ErrOrStderr(), rep, rs, sess != nil)
		if asJSON {
			out := checkJSON{CheckReport: rep, Checklist: lines}
			if sess != nil {
				// What the checklist says of the session, in the
				// words master's report.json uses, so that a script
				// reads what the terminal shows.
				out.CorrectedBySession = analysis.CorrectedLines(rs)
				out.AdviceSession = analysis.SessionAdvice(rep, rs)
			}
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
		}
		if analysis.Blocking(rs) > 0 {
			return inputError(nil)
		}
		return nil
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the check report as JSON on stdout")
	cmd.Flags().StringVar(&mix, "mix", "", "the reference mix the stems should sum to (default: the session's mix)")
	cmd.Flags().StringVarP(&session, "session", "s", "", "check the stems (and mix) of a session file, and read the findings as its corrections leave them")
	prof.add(cmd)
	return cmd
}

// checkJSON is what check --json prints: the check report, the checklist
// the terminal shows (the lines the page's project JSON sends) and, with
// -s, the findings the session corrects ("code: message", as report.json's
// corrected_by_session) and the advice as the session leaves the stems
// (the checklist's last lines; report.json's advice).
type checkJSON struct {
	*stemmaster.CheckReport
	Checklist          []analysis.ChecklistLine `json:"checklist"`
	CorrectedBySession []string                 `json:"corrected_by_session,omitempty"`
	AdviceSession      *stemmaster.Advice       `json:"advice_session,omitempty"`
}

// checkSession loads the session of check -s (nil without one) and
// refuses stems given both ways or not at all.
func checkSession(path string, args []string) (*stemmaster.Session, error) {
	switch {
	case path != "" && len(args) > 0:
		return nil, usageError(errors.New("give the stems in the session file or on the command line, not both"))
	case path == "" && len(args) == 0:
		return nil, usageError(errors.New("no stems: give stem files or a session (-s)"))
	case path == "":
		return nil, nil
	}
	s, err := sessionfile.Load(path)
	if err != nil {
		return nil, inputError(err)
	}
	return s, nil
}

// sessionStemFiles lists a session's stem files once each (a file may be
// listed twice, for a dry and a processed strip), as paths.
func sessionStemFiles(s *stemmaster.Session) []string {
	var out []string
	for _, st := range s.Stems {
		if p := s.Path(st.File); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// printChecklist writes the human report: the stems, the checklist's
// lines (analysis.Checklist, the lines the page shows) with every finding
// and its fix, the sum, the mix and the advice. rs are the findings
// resolved against the session (analysis.Resolve; withSession when one was
// given): a finding it corrects says so instead of its fix, an error it
// corrects no longer marks its rule ✗ (as on the page), and the advice is
// the one the session leaves (analysis.SessionAdvice). It returns the
// lines it printed, which check --json carries.
func printChecklist(w io.Writer, rep *stemmaster.CheckReport, rs []analysis.Resolution, withSession bool) []analysis.ChecklistLine {
	if rs == nil {
		rs = analysis.Resolve(rep.Findings, nil, false)
	}
	lines := analysis.Checklist(rep, rs, false)
	files := len(rep.Stems)
	if rep.Mix != nil {
		files++
	}
	single := files == 1
	fmt.Fprintln(w, "Stems")
	for _, s := range rep.Stems {
		var fs []analysis.Resolution
		var codes []string
		for _, r := range rs {
			// One file is a stereo master: being a single file is what
			// it is, not a finding to mark (the advice says so).
			if r.File == s.File && !(single && r.Code == stemmaster.CodeSingleStem) {
				fs = append(fs, r)
				codes = append(codes, r.Code)
			}
		}
		line := fmt.Sprintf("  %s %-24s %-15s", analysis.MarkOf(fs).Glyph(), s.File, s.Role)
		if s.SampleRate > 0 {
			line += fmt.Sprintf(" %d Hz %d-bit %s, %d ch, %s s, %s LUFS, %s dBTP", s.SampleRate, s.BitDepth, s.SampleFormat,
				s.Channels, fmtFixed(s.DurationS, 2), fmtFixed(s.IntegratedLUFS, 1), fmtFixed(s.TruePeakDBTP, 1))
		}
		if len(codes) > 0 {
			line += "  (" + strings.Join(codes, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "Checks")
	for _, l := range lines {
		fmt.Fprintf(w, "  %s %s\n", l.Glyph, l.Text)
		for _, i := range l.Findings {
			r := rs[i]
			fmt.Fprintf(w, "      %s: %s\n", r.Severity, r.Message)
			if r.Corrected {
				fmt.Fprintf(w, "        corrected by the session: %s\n", r.Correction.Label)
			} else if r.Fix != "" {
				fmt.Fprintf(w, "        fix: %s\n", r.Fix)
			}
		}
	}
	if rep.Sum != nil {
		// One file is no sum: it is named as the master's summary and
		// report.html name a stereo master's "before".
		sum := "Sum"
		if single {
			sum = "The file"
		}
		fmt.Fprintf(w, "%s: %s LUFS, true peak %s dBTP, sample peak %s dBFS\n", sum,
			fmtFixed(rep.Sum.IntegratedLUFS, 1), fmtFixed(rep.Sum.TruePeakDBTP, 1), fmtFixed(rep.Sum.SamplePeakDBFS, 1))
	}
	if rep.Mix != nil {
		fmt.Fprintln(w, mixLine(rep.Mix))
	}
	if withSession {
		printAdvice(w, "Advice, as the session leaves the stems", analysis.SessionAdvice(rep, rs))
		return lines
	}
	printAdvice(w, "Advice", rep.Advice)
	printAdvice(w, "Advice once the session makes the corrections the findings name (check -s or master -s with them, or Apply on the page)", rep.AdviceCorrected)
	return lines
}

// printAdvice writes an advice under a title, its headline in the page's
// words (Service.Headline) and its reasons; nothing for none.
func printAdvice(w io.Writer, title string, a *stemmaster.Advice) {
	if a == nil {
		return
	}
	fmt.Fprintf(w, "%s: %s\n", title, a.Service.Headline())
	for _, r := range a.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
}

// fmtFixed prints a level with the given decimals, "-inf" or "n/a".
func fmtFixed(l stemmaster.Level, decimals int) string {
	f := float64(l)
	switch {
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f) || math.IsInf(f, 1):
		return "n/a"
	}
	return fmt.Sprintf("%.*f", decimals, l.Round(decimals))
}

// mixLine is the summary of the comparison with the mix: the residual as
// delivered, the one left once the findings are corrected, and whether the
// last of them is within the threshold under which stems sum to their mix
// (the check's own test: over it, a sum_mismatch finding says why).
func mixLine(m *stemmaster.MixReport) string {
	line := fmt.Sprintf("Mix: %s; the stems as delivered %s", m.File, nullWords(m.NullResidualDB))
	last := m.NullResidualDB
	if m.FittedResidualDB != m.NullResidualDB && !math.IsNaN(float64(m.FittedResidualDB)) {
		line += "; corrected for the findings above they " + nullWords(m.FittedResidualDB)
		last = m.FittedResidualDB
	}
	// The verdict is the checklist's "stems sum to the mix": it holds only
	// when the stems as delivered are at or under the threshold, so a
	// delivery the findings explain is still one that does not sum.
	switch {
	case !last.Defined():
	case float64(last) <= m.ThresholdDB && float64(m.NullResidualDB) <= m.ThresholdDB:
		line += fmt.Sprintf(": at or under the %.0f dB threshold, they sum to the mix", m.ThresholdDB)
	case float64(last) <= m.ThresholdDB:
		line += fmt.Sprintf(": as delivered over the %.0f dB threshold, they do not sum to the mix; the findings above explain all of the difference", m.ThresholdDB)
	default:
		line += fmt.Sprintf(": over the %.0f dB threshold, they do not sum to the mix", m.ThresholdDB)
	}
	return line
}

// nullWords describes a residual against the mix; the check floors it
// at check.ResidualFloorDB, which a perfect null reads.
func nullWords(l stemmaster.Level) string {
	switch {
	case !l.Defined():
		return "cannot be compared with it"
	case float64(l) <= check.ResidualFloorDB:
		return fmt.Sprintf("null against it (residual at the %.0f dB floor: nothing left)", check.ResidualFloorDB)
	}
	return fmt.Sprintf("leave a residual of %.1f dB against it", float64(l))
}
