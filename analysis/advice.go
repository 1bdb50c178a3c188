package analysis

import (
	"fmt"
	"slices"
	"strings"

	"stemmaster"
)

// Advice rules. A stem set is a good fit for stem mastering when it has
// between two and MaxStems stems: more is a multitrack that calls for
// mixing, one is a stereo master. Beyond the count, the balance decides:
// every family within its TypicalBalance range means the mix is balanced
// and stereo mastering of the mix is enough; one or two families out of
// range is what stem mastering is for (rebalancing a family while
// mastering); MixingFamilies or more out of range means the mix itself
// needs work.
const (
	MaxStems       = 8
	MixingFamilies = 3
)

// AdviceInput is what Advise decides from.
type AdviceInput struct {
	Stems    int // stems delivered (readable or not)
	Findings []stemmaster.Finding
	Balance  []FamilyBalance
	// MixMatched: a reference mix was given and the stems sum to it, so
	// the balance of the stems' sum is the mix's. Otherwise the advice
	// speaks of the stems' sum, never of a mix it did not measure.
	MixMatched bool
	// MixCopies names the stems that are the mix itself under another
	// name: every family is then in the sum twice and no balance is
	// measured; the advice says which file to leave out.
	MixCopies []string
	// Mix names the reference mix's file ("" with none): errors only in
	// other files are the stems', which mastering the mix alone does not
	// need fixed.
	Mix string
}

// mixBalanced is Advise's last reason when the stems sum to a balanced
// mix.
const mixBalanced = "every family sits within its usual range against the mix: the mix is balanced, and stereo mastering of the mix is enough"

// Advise recommends stem mastering, stereo mastering or mixing, with
// reasons in plain words.
func Advise(in AdviceInput) stemmaster.Advice {
	var reasons []string
	errs := countErrors(in.Findings)
	if errs > 0 {
		reasons = append(reasons, errorsReason(errs, in.Stems == 1 && in.Mix == ""))
	}
	switch {
	case in.Stems > MaxStems:
		reasons = append(reasons, fmt.Sprintf("%d stems is a multitrack, not a stem delivery: it needs mixing (group them into at most %d stems for stem mastering)", in.Stems, MaxStems))
		return stemmaster.Advice{Service: stemmaster.ServiceMixing, Reasons: reasons}
	case in.Stems == 1:
		reasons = append(reasons, "a single file is a stereo master: stereo mastering")
		return stemmaster.Advice{Service: stemmaster.ServiceStereoMastering, Reasons: reasons}
	}

	var out []string
	family := map[stemmaster.Role]float64{}
	for _, fb := range in.Balance {
		family[fb.Role] = fb.IntegratedLUFS
	}
	moves := NormBalance(DefaultStyle, family)
	whole := "the whole mix"
	if !in.MixMatched {
		whole = "the sum of the stems"
	}
	for _, fb := range in.Balance {
		if fb.InRange {
			continue
		}
		dir, by := "too loud", fb.RelativeLU-fb.Typical.High
		if fb.RelativeLU < fb.Typical.Low {
			dir, by = "too quiet", fb.Typical.Low-fb.RelativeLU
		}
		msg := fmt.Sprintf("%s %s %.1f LU against %s, %.1f LU %s for the usual %g … %g LU",
			roleWords(fb.Role), roleVerb(fb.Role), fb.RelativeLU, whole, by, dir, fb.Typical.Low, fb.Typical.High)
		if m, ok := moves[fb.Role]; ok {
			// The assistant weighs each family by its loudness where it
			// plays (NormBalance), not against the measured sum: its move
			// is quoted with its own figures, never mixed with RelativeLU.
			msg += fmt.Sprintf("; the assistant (stemmaster assist, %s norms) would move it %+.1f dB (weighing each family by its loudness where it plays, %s %s %.1f dB against the delivered families, the norm %.1f dB)",
				DefaultStyle, m.Gain(), roleWords(fb.Role), roleVerb(fb.Role), m.Rel, m.Want)
		}
		out = append(out, msg)
	}
	switch {
	case len(out) >= MixingFamilies:
		reasons = append(reasons, fmt.Sprintf("%d families are out of balance, which is a mix problem: mixing", len(out)))
		reasons = append(reasons, out...)
		return stemmaster.Advice{Service: stemmaster.ServiceMixing, Reasons: reasons}
	case len(out) > 0:
		reasons = append(reasons, "stem mastering can rebalance what stands out while mastering:")
		reasons = append(reasons, out...)
		return stemmaster.Advice{Service: stemmaster.ServiceStemMastering, Reasons: reasons}
	}
	if len(in.Balance) == 0 && len(in.MixCopies) > 0 {
		reasons = append(reasons, fmt.Sprintf("%s is the whole mix, not a stem, so every family is in the sum twice and the balance could not be measured: leave it out of the stems (upload it as the mix, or not at all) and check again to be advised on the balance; meanwhile stem mastering keeps every option open", strings.Join(in.MixCopies, ", ")))
		return stemmaster.Advice{Service: stemmaster.ServiceStemMastering, Reasons: reasons}
	}
	if len(in.Balance) == 0 {
		reasons = append(reasons, "the balance could not be measured; stem mastering keeps every option open")
		return stemmaster.Advice{Service: stemmaster.ServiceStemMastering, Reasons: reasons}
	}
	if !in.MixMatched {
		reasons = append(reasons, "every family sits within its usual range against the sum of the stems: the stems are balanced, and stereo mastering of their sum is enough")
		return stemmaster.Advice{Service: stemmaster.ServiceStereoMastering, Reasons: reasons}
	}
	if errs > 0 && stemsOnly(in.Findings, in.Mix) {
		// "Fix the errors first" beside "mastering the mix is enough"
		// told the musician two things to do first: the mix needs none
		// of the stems' fixes, so the advice says that instead.
		reasons[0] = stemErrorsReason(errs)
	}
	reasons = append(reasons, mixBalanced)
	return stemmaster.Advice{Service: stemmaster.ServiceStereoMastering, Reasons: reasons}
}

// errorsReason is the advice's first reason while n errors stand. One
// file (single) is the mix mastered alone: "would not match your mix"
// told a musician whose file is the mix that it would not match itself.
func errorsReason(n int, single bool) string {
	if single {
		return fmt.Sprintf("fix the %s%s", plural(n, "error"), fileErrorsTail)
	}
	return fmt.Sprintf("fix the %s in the export first: mastering from a broken delivery would not match your mix", plural(n, "error"))
}

// fileErrorsTail ends errorsReason's wording for one file delivered alone,
// by which Outstanding tells it from the export's.
const fileErrorsTail = " in the file first: a master keeps the faults of the file it is made from"

// stemErrorsReason is the first reason, in place of errorsReason's, when
// the advice is to master a balanced mix and the n errors are all in the
// stems.
func stemErrorsReason(n int) string {
	verb, them := "are", "them"
	if n == 1 {
		verb, them = "is", "it"
	}
	return fmt.Sprintf("%s the %s %s in the stems, and mastering the mix alone needs none of their fixes (fix %s only to master the stems instead)",
		masterTheMix, plural(n, "error"), verb, them)
}

// masterTheMix opens stemErrorsReason: Outstanding knows the reason by it.
const masterTheMix = "master the mix as it is:"

// stemsOnly reports whether every error in fs is about a file other than
// the mix (an error about no file is the delivery's, the mix's too).
func stemsOnly(fs []stemmaster.Finding, mix string) bool {
	return mix != "" && !slices.ContainsFunc(fs, func(f stemmaster.Finding) bool {
		return f.Severity == stemmaster.SeverityError && (f.File == "" || f.File == mix)
	})
}

// CorrectedAdvice is Advise on the stems measured again with the
// corrections the findings name made (the check's second measuring pass):
// in.Findings are the findings no correction resolves, in.Balance the
// balance of the corrected stems. A reason after the errors' says which
// corrections the balance rests on.
func CorrectedAdvice(in AdviceInput, made []*Correction) stemmaster.Advice {
	a := Advise(in)
	labels := make([]string, len(made))
	for i, c := range made {
		labels[i] = c.Label
	}
	why := fmt.Sprintf("measured again on the stems with the session's corrections (%s):", strings.Join(labels, "; "))
	at := 0
	if hasError(in.Findings) {
		at = 1 // after Advise's errors reason
	}
	a.Reasons = slices.Insert(a.Reasons, at, why)
	return a
}

// SessionAdvice returns the advice of a check as a session leaves the
// delivery, rs being the check's findings resolved against the session
// (Resolve): the check's own advice while the session corrects nothing;
// the advice on the corrected stems (rep.AdviceCorrected) once it makes
// every correction the findings name; otherwise Outstanding's. Nil when
// the check gave no advice.
func SessionAdvice(rep *stemmaster.CheckReport, rs []Resolution) *stemmaster.Advice {
	if rep == nil || rep.Advice == nil {
		return nil
	}
	var corrected, missing []string
	for _, r := range rs {
		switch {
		case r.Correction == nil:
		case !r.Corrected:
			missing = append(missing, r.Correction.Label)
		case r.Correction.LevelMoving() && !slices.Contains(corrected, r.File):
			corrected = append(corrected, r.File)
		}
	}
	allMade := len(missing) == 0 && slices.ContainsFunc(rs, func(r Resolution) bool { return r.Corrected })
	if allMade && rep.AdviceCorrected != nil {
		a := *rep.AdviceCorrected
		a.Reasons = slices.Clone(a.Reasons)
		return &a
	}
	a := Outstanding(*rep.Advice, rep.Findings, Blocking(rs), corrected)
	if len(corrected) > 0 && rep.AdviceCorrected != nil && len(a.Reasons) > 0 {
		// The check measured the stems with every correction made: the
		// rest of them is all it takes to be told what they need.
		last := &a.Reasons[len(a.Reasons)-1]
		*last += fmt.Sprintf("; make the other corrections too (%s) to be advised on the corrected stems", strings.Join(missing, "; "))
	}
	return &a
}

func countErrors(fs []stemmaster.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == stemmaster.SeverityError {
			n++
		}
	}
	return n
}

func hasError(fs []stemmaster.Finding) bool {
	return slices.ContainsFunc(fs, func(f stemmaster.Finding) bool { return f.Severity == stemmaster.SeverityError })
}

// Outstanding returns the advice a check gave (from findings) as it stands
// once a session corrects some of them. Its "fix the errors" reason counts
// only the unresolved errors, and goes when none remain. corrected names
// the files whose level in the stems' sum the session corrects (a gain or
// a polarity: Correction.LevelMoving): each changes the stems' sum, so the
// balance the check measured on the stems as delivered, and the service it
// chose from that balance, no longer stand; the advice then says so and
// falls back to stem mastering, as Advise does for a balance it could not
// measure. An advice chosen by the stem count (a single file, a
// multitrack) does not rest on the balance and stays. The caller decides
// what is unresolved and corrected with Resolve, the rule its render gate
// uses, so the advice, the ✓ on a finding and the gate cannot disagree.
// Advise puts the errors reason first exactly when the findings hold an
// error, so it is found by the findings, not by its words.
func Outstanding(a stemmaster.Advice, findings []stemmaster.Finding, unresolved int, corrected []string) stemmaster.Advice {
	hasErrors, byCount := hasError(findings), false
	for _, f := range findings {
		byCount = byCount || f.Code == stemmaster.CodeTooManyStems || f.Code == stemmaster.CodeSingleStem
	}
	rebalanced := len(corrected) > 0 && !byCount
	if (!hasErrors && !rebalanced) || len(a.Reasons) == 0 {
		return a
	}
	out := stemmaster.Advice{Service: a.Service, Reasons: make([]string, 0, len(a.Reasons))}
	if hasErrors && unresolved > 0 {
		// A rebalanced session is stem mastering, which needs the stems'
		// errors fixed: "master the mix as it is" no longer applies. The
		// file-or-export wording is the one Advise chose (one file with no
		// mix), kept as it counts down.
		if strings.HasPrefix(a.Reasons[0], masterTheMix) && !rebalanced {
			out.Reasons = append(out.Reasons, stemErrorsReason(unresolved))
		} else {
			out.Reasons = append(out.Reasons, errorsReason(unresolved, strings.HasSuffix(a.Reasons[0], fileErrorsTail)))
		}
	}
	if !rebalanced {
		out.Reasons = append(out.Reasons, a.Reasons[1:]...)
		return out
	}
	out.Service = stemmaster.ServiceStemMastering
	out.Reasons = append(out.Reasons, fmt.Sprintf("the session corrects %s as the findings say, so the balance the check measured on the stems as delivered no longer stands: stem mastering keeps every option open (set the balance by ear, or export the stems again and check them)", strings.Join(corrected, ", ")))
	return out
}

func roleWords(r stemmaster.Role) string {
	switch r {
	case stemmaster.RoleLeadVocal:
		return "the lead vocal"
	case stemmaster.RoleBackingVocals:
		return "the backing vocals"
	case stemmaster.RoleFX:
		return "the effects"
	}
	return "the " + strings.ReplaceAll(string(r), "_", " ")
}

// roleVerb is "is" or "are", to agree with roleWords ("the drums are").
func roleVerb(r stemmaster.Role) string {
	switch r {
	case stemmaster.RoleLeadVocal, stemmaster.RoleBass, stemmaster.RoleOther:
		return "is"
	}
	return "are"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
