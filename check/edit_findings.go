package check

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
)

// Edits: the findings an edit makes.

// editFindings reports each edit as the delivery's sum_mismatch, in place
// of the diagnosis of its residual, and returns the stems whose fitted
// gains mean nothing (the fit cancels them only where they are in step).
// drifts are the drifts found beside them: an edit on a drifting stem is
// measured along its drift's line, and says so.
func (c *checker) editFindings(sum []*input, edits []stemEdit, drifts []drift, residualDB, threshold float64) []*input {
	var moved []*input
	msg := fmt.Sprintf("the stems, even at their fitted gains, offsets and polarities, differ from the mix %s by a residual of %.1f dB (relative to the mix, threshold %.0f dB; as delivered %s)", c.mix.Name, residualDB, threshold, residualWords(float64(c.report.Mix.NullResidualDB)))
	var fixes []string
	for i, e := range edits {
		moved = append(moved, e.in)
		sep := "; "
		if i > 0 {
			sep = "; and "
		}
		n, d, when := e.in.Name, samplesText(int64(absInt(e.move)), c.rate), earlyLate(-e.move)
		who, rest := n, "since the rest of it is in step"
		if slices.ContainsFunc(drifts, func(d drift) bool { return d.in == e.in }) {
			who, rest = n+", its drift corrected,", "and the drift finding's re-export at the session's rate alone leaves the edit"
		}
		// Music late up to the edit and in step after it is a bar cut
		// (what followed the opening comes early against it), late after
		// it a bar inserted.
		cut := "cut out of it"
		if (e.move > 0) == (e.from >= 0) {
			cut = "inserted in it"
		}
		from, to := secondsText(float64(e.from)/float64(c.rate)), secondsText(float64(e.to)/float64(c.rate))
		where := from
		span := fmt.Sprintf("from %s to %s of the mix", from, to)
		switch {
		case e.from < 0:
			span = "from its start to " + to + " of the mix"
		case e.to < 0:
			span = "from " + from + " of the mix to its end"
		}
		switch {
		case e.invert:
			if e.from < 0 {
				where = to
			}
			msg += fmt.Sprintf("%s%s has its polarity inverted against the mix %s, and as the mix has it elsewhere: a polarity flip on part of its track (its polarity_inverted finding)", sep, who, span)
			c.add(stemmaster.CodePolarityInverted, n, math.NaN(),
				fmt.Sprintf("%s has its polarity inverted against the mix %s only, and as the mix has it elsewhere: a polarity (phase) invert on part of its track — a region's, or an automated switch or plug-in", n, span),
				fmt.Sprintf("export %s again without the polarity flip over that passage (listen to it against the mix around %s); inverting the whole stem would break the rest of it", n, where))
			fixes = append(fixes, fmt.Sprintf("export %s again without the polarity flip (its polarity_inverted finding)", n))
			continue
		case e.swap:
			if e.from < 0 {
				where = to
			}
			msg += fmt.Sprintf("%s%s has its left and right channels exchanged against the mix %s, and as the mix has them elsewhere: a channel swap (or a region's pan) on part of its track", sep, who, span)
		case e.from < 0:
			where = to
			msg += fmt.Sprintf("%s%s plays the mix's music %s %s from its start to %s of the mix, and is in step with it after: an edit (a bar or more %s there, or its opening moved)", sep, who, d, when, to, cut)
		case e.to < 0:
			msg += fmt.Sprintf("%s%s is in step with the mix up to %s of the mix, but from there to its end it plays the mix's music %s %s: an edit (a bar or more %s there)", sep, who, from, d, when, cut)
		default:
			msg += fmt.Sprintf("%s%s is in step with the mix except from %s to %s of the mix, where it plays the mix's music %s %s: an edit (that passage moved)", sep, who, from, to, d, when)
		}
		if e.swap {
			fixes = append(fixes, fmt.Sprintf("export %s again with its left and right channels as the mix has them over the whole song (listen to its stereo image against the mix around %s); exchanging its channels would break the rest of it", n, where))
			continue
		}
		msg += " in the arrangement it was exported from, which the mix does not have"
		fixes = append(fixes, fmt.Sprintf("export %s again from the same session and arrangement as the mix, over the whole song (listen to it against the mix around %s); no offset corrects it, %s", n, where, rest))
	}
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, residualDB, msg, strings.Join(fixes, "; "))
	return moved
}

// moveAt is the edit's move at the stem's frame s: its move inside the
// passage, 0 outside it (and for a passage with its channels exchanged).
func (e *stemEdit) moveAt(s int64) int64 {
	if e == nil || e.swap || e.invert || s < e.fromS || e.toS >= 0 && s >= e.toS {
		return 0
	}
	return int64(e.move)
}

// earlyLate words a move of the stem's music: positive, early.
func earlyLate(v int) string {
	if v > 0 {
		return "early"
	}
	return "late"
}
