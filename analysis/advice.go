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
	// corrected: Balance is of the stems with every correction the
	// findings name made (CorrectedAdvice), the stems the assistant fits
	// to the mix; otherwise of the stems as delivered.
	corrected bool
}

// mixBalanced is Advise's last reason when the stems sum to a balanced
// mix.
const mixBalanced = "every family sits within its usual range against the mix: the mix is balanced, and stereo mastering of the mix is enough"

// advice builds an Advice reason by reason, each with its detail.
type advice struct{ stemmaster.Advice }

func (a *advice) add(d stemmaster.ReasonDetail, text string) {
	a.Reasons = append(a.Reasons, text)
	a.Details = append(a.Details, d)
}

// errors adds the reason of n errors to fix first (none when n is 0), of
// the whole export, of one file with no mix mastered alone (inFile), or of
// the mix mastered alone beside stems with errors of their own (inMix).
func (a *advice) errors(n int, w errorsWhere) {
	if n == 0 {
		return
	}
	kind := stemmaster.ReasonErrors
	if w == inFile {
		kind = stemmaster.ReasonFileErrors
	}
	a.add(stemmaster.ReasonDetail{Kind: kind, Blocking: true, Errors: n}, errorsReason(n, w))
}

// errorsWhere is where the errors of an errors reason are.
type errorsWhere int

const (
	inExport errorsWhere = iota
	inFile
	inMix
)

// stemErrors adds the reason of n errors in the stems while the advice
// masters the mix: they block nothing it advises. mixToo: the mix has
// errors of its own, which the reason before says to fix.
func (a *advice) stemErrors(n int, mixToo bool) {
	if n > 0 {
		a.add(stemmaster.ReasonDetail{Kind: stemmaster.ReasonStemErrors, Errors: n}, stemErrorsReason(n, mixToo))
	}
}

func (a *advice) done(s stemmaster.Service) stemmaster.Advice {
	a.Service = s
	return a.Advice
}

// Advise recommends stem mastering, stereo mastering or mixing, with
// reasons in plain words and, reason by reason, what each is (Details).
func Advise(in AdviceInput) stemmaster.Advice {
	var a advice
	errs := countErrors(in.Findings)
	count := stemmaster.ReasonDetail{Kind: stemmaster.ReasonStemCount}
	verdict := stemmaster.ReasonDetail{Kind: stemmaster.ReasonBalance}
	switch {
	case in.Stems > MaxStems:
		a.errors(errs, inExport)
		a.add(count, fmt.Sprintf("%d stems is a multitrack, not a stem delivery: it needs mixing (group them into at most %d stems for stem mastering)", in.Stems, MaxStems))
		return a.done(stemmaster.ServiceMixing)
	case in.Stems == 1:
		w := inExport
		if in.Mix == "" {
			w = inFile
		}
		a.errors(errs, w)
		a.add(count, "a single file is a stereo master: stereo mastering")
		return a.done(stemmaster.ServiceStereoMastering)
	}

	var out advice
	moves := NormBalance(DefaultStyle, in.Balance)
	// While a finding names a correction that moves a stem's level in the
	// sum (a polarity, a gain: Correction.LevelMoving), the stems as
	// delivered do not sum to the mix, though the corrected ones do
	// (MixMatched): the balance read from them is theirs, not the mix's,
	// and the words say so; the advice once corrected (CorrectedAdvice)
	// reads the stems the assistant corrects first and fits to the mix.
	asDelivered := in.MixMatched && !in.corrected && slices.ContainsFunc(in.Findings, movesLevel)
	whole := "the whole mix"
	switch {
	case !in.MixMatched:
		whole = "the sum of the stems"
	case asDelivered:
		whole = "the sum of the stems as delivered"
	}
	for _, fb := range in.Balance {
		if fb.InRange {
			continue
		}
		dir, by := "too loud", fb.RelativeLU-fb.Typical.High
		if fb.RelativeLU < fb.Typical.Low {
			dir, by = "too quiet", fb.Typical.Low-fb.RelativeLU
		}
		rel := fb.RelativeLU
		d := stemmaster.ReasonDetail{Kind: stemmaster.ReasonFamily, Role: fb.Role, RelativeLU: &rel}
		msg := fmt.Sprintf("%s %s %.1f LU against %s where %s, %.1f LU %s for the usual %g … %g LU",
			roleWords(fb.Role), roleVerb(fb.Role), fb.RelativeLU, whole, roleWhere(fb.Role), by, dir, fb.Typical.Low, fb.Typical.High)
		if m, ok := moves[fb.Role]; ok {
			// The move is the assistant's (NormBalance) on the same
			// figure: the advice, the assistant and the page say one
			// number.
			g := m.Gain()
			d.GainDB = &g
			msg += fmt.Sprintf("; the assistant (stemmaster assist, %s norms) would move it %+.1f dB, to %.1f LU against the sum the moves make", DefaultStyle, g, m.Want)
			if in.Mix != "" {
				// Given the mix, the assistant keeps its balance (the
				// client's intent): the move is the one it makes
				// without it.
				stems := "the stems"
				switch {
				case asDelivered:
					stems = "the stems as delivered"
				case in.corrected:
					stems = "the stems with these corrections"
				}
				msg += fmt.Sprintf(", from %s without the mix (given the mix, it makes the check's corrections and keeps the mix's balance)", stems)
			}
		}
		out.add(d, msg)
	}
	switch {
	case len(out.Reasons) >= MixingFamilies:
		a.errors(errs, inExport)
		a.add(verdict, fmt.Sprintf("%d families are out of balance, which is a mix problem: mixing", len(out.Reasons)))
		for i := range out.Reasons {
			a.add(out.Details[i], out.Reasons[i])
		}
		return a.done(stemmaster.ServiceMixing)
	case len(out.Reasons) > 0:
		a.errors(errs, inExport)
		a.add(verdict, "stem mastering can rebalance what stands out while mastering:")
		for i := range out.Reasons {
			a.add(out.Details[i], out.Reasons[i])
		}
		return a.done(stemmaster.ServiceStemMastering)
	case len(in.Balance) == 0 && len(in.MixCopies) > 0:
		a.errors(errs, inExport)
		a.add(verdict, fmt.Sprintf("%s is the whole mix, not a stem, so every family is in the sum twice and the balance could not be measured: leave it out of the stems (upload it as the mix, or not at all) and check again to be advised on the balance; meanwhile stem mastering keeps every option open", strings.Join(in.MixCopies, ", ")))
		return a.done(stemmaster.ServiceStemMastering)
	case len(in.Balance) == 0:
		a.errors(errs, inExport)
		a.add(verdict, "the balance could not be measured; stem mastering keeps every option open")
		return a.done(stemmaster.ServiceStemMastering)
	case !in.MixMatched:
		a.errors(errs, inExport)
		a.add(verdict, stemsBalanced)
		return a.done(stemmaster.ServiceStereoMastering)
	}
	// Mastering the mix alone needs the mix's errors fixed (and the
	// delivery's, on no one file), not the stems': each is said apart, so
	// "fix the errors first" never stands beside "mastering the mix is
	// enough" for errors that mastering the mix does not read.
	mixErrs, stemErrs := splitErrors(in.Findings, in.Mix)
	w := inExport
	if stemErrs > 0 {
		w = inMix
	}
	a.errors(mixErrs, w)
	a.stemErrors(stemErrs, mixErrs > 0)
	if asDelivered {
		a.add(verdict, deliveredBalanced)
	} else {
		a.add(verdict, mixBalanced)
	}
	return a.done(stemmaster.ServiceStereoMastering)
}

// deliveredBalanced is Advise's last reason for balanced stems that sum
// to the mix only once a polarity or a gain the findings name is
// corrected: the balance is the delivered stems', which the mix confirms
// or not in the advice once corrected.
const deliveredBalanced = "every family sits within its usual range against the sum of the stems as delivered (the corrections the findings name bring them to the mix, whose balance the advice once they are made reads): stereo mastering of the mix is enough"

// movesLevel reports whether f names a correction that moves its stem's
// level in the stems' sum.
func movesLevel(f stemmaster.Finding) bool {
	c := CorrectionFor(f)
	return c != nil && c.LevelMoving()
}

// stemsBalanced is Advise's last reason for balanced stems with no mix.
const stemsBalanced = "every family sits within its usual range against the sum of the stems: the stems are balanced, and stereo mastering of their sum is enough (the stems summed as they are, with no work on any one of them)"

// roleWhere is "it plays" or "they play", to agree with roleWords.
func roleWhere(r stemmaster.Role) string {
	if roleVerb(r) == "is" {
		return "it plays"
	}
	return "they play"
}

// errorsReason is the advice's first reason while n errors stand. One
// file (single) is the mix mastered alone: "would not match your mix"
// told a musician whose file is the mix that it would not match itself.
func errorsReason(n int, w errorsWhere) string {
	switch w {
	case inFile:
		return fmt.Sprintf("fix the %s in the file first: a master keeps the faults of the file it is made from", plural(n, "error"))
	case inMix:
		return fmt.Sprintf("fix the %s in the mix first: a master keeps the faults of the file it is made from", plural(n, "error"))
	}
	return fmt.Sprintf("fix the %s in the export first: mastering from a broken delivery would not match your mix", plural(n, "error"))
}

// stemErrorsReason is the reason of n errors in the stems when the advice
// is to master a balanced mix: mixToo when the mix has errors of its own
// (the reason before says to fix them), so it is not "as it is".
func stemErrorsReason(n int, mixToo bool) string {
	verb, need, them, their := "are", "need", "them", "their"
	if n == 1 {
		verb, need, them, their = "is", "needs", "it", "its"
	}
	if mixToo {
		return fmt.Sprintf("the %s in the stems %s no fix to master the mix (fix %s only to master the stems instead)",
			plural(n, "error"), need, them)
	}
	return fmt.Sprintf("master the mix as it is: the %s %s in the stems, and mastering the mix alone needs none of %s fixes (fix %s only to master the stems instead)",
		plural(n, "error"), verb, their, them)
}

// splitErrors counts the errors of fs that mastering the mix alone reads
// (the mix's, and those about no file: the delivery's, the mix's too) and
// those only in the stems.
func splitErrors(fs []stemmaster.Finding, mix string) (ofMix, ofStems int) {
	for _, f := range fs {
		switch {
		case f.Severity != stemmaster.SeverityError:
		case ofTheMix(f.File, mix):
			ofMix++
		default:
			ofStems++
		}
	}
	return ofMix, ofStems
}

// ofTheMix reports whether a finding on file is one mastering the mix
// alone reads: the mix's, or about no file; with no mix named, any.
func ofTheMix(file, mix string) bool { return mix == "" || file == "" || file == mix }

// CorrectedAdvice is Advise on the stems measured again with the
// corrections the findings name made (the check's second measuring pass):
// in.Findings are the findings no correction resolves, in.Balance the
// balance of the corrected stems. A reason after the errors' says which
// corrections the balance rests on.
func CorrectedAdvice(in AdviceInput, made []*Correction) stemmaster.Advice {
	in.corrected = true
	a := Advise(in)
	labels := make([]string, len(made))
	for i, c := range made {
		labels[i] = c.Label
	}
	why := fmt.Sprintf("measured again on the stems with the session's corrections (%s):", strings.Join(labels, "; "))
	at := 0
	for at < len(a.Details) && isErrors(a.Details[at].Kind) {
		at++ // after Advise's errors reasons
	}
	a.Reasons = slices.Insert(a.Reasons, at, why)
	a.Details = slices.Insert(a.Details, at, stemmaster.ReasonDetail{Kind: stemmaster.ReasonCorrected})
	return a
}

// isErrors reports whether a reason of kind k counts errors.
func isErrors(k stemmaster.ReasonKind) bool {
	return k == stemmaster.ReasonErrors || k == stemmaster.ReasonFileErrors || k == stemmaster.ReasonStemErrors
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
		a.Details = slices.Clone(a.Details)
		return &a
	}
	mix := ""
	if rep.Mix != nil {
		mix = rep.Mix.File
	}
	a := Outstanding(*rep.Advice, rs, mix, corrected)
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

// details returns a's Details, or, for an advice stored before it had
// them, what Advise put: an errors reason first exactly when the findings
// hold an error (fs), the rest about the stem count or the balance.
func details(a stemmaster.Advice, fs []stemmaster.Finding) []stemmaster.ReasonDetail {
	if len(a.Details) == len(a.Reasons) {
		return a.Details
	}
	out := make([]stemmaster.ReasonDetail, len(a.Reasons))
	for i := range out {
		out[i].Kind = stemmaster.ReasonBalance
	}
	if len(out) > 0 && hasError(fs) {
		out[0] = stemmaster.ReasonDetail{Kind: stemmaster.ReasonErrors, Blocking: true, Errors: countErrors(fs)}
	}
	return out
}

// Outstanding returns the advice a check gave as it stands once a session
// corrects some of its findings (rs, from Resolve; mix is the reference
// mix's file, "" with none). Its errors reasons count only the errors the
// session leaves, and go when none remain: the errors to fix first count
// the findings that block a plain render (Resolution.Blocking), and the
// stems' errors that only mastering the stems needs fixed
// (ReasonStemErrors) count those the session does not correct. corrected
// names the files whose level in the stems' sum the session corrects (a
// gain or a polarity: Correction.LevelMoving): each changes the stems'
// sum, so the balance the check measured on the stems as delivered, and
// the service it chose from that balance, no longer stand; the advice
// then says so and falls back to stem mastering, as Advise does for a
// balance it could not measure, whose errors are all to be fixed first.
// An advice chosen by the stem count (a single file, a multitrack) does
// not rest on the balance and stays. The caller decides what is
// unresolved and corrected with Resolve, the rule its render gate uses, so
// the advice, the ✓ on a finding and the gate cannot disagree. Each reason
// is found by its detail (Details), never by its words.
func Outstanding(a stemmaster.Advice, rs []Resolution, mix string, corrected []string) stemmaster.Advice {
	fs := make([]stemmaster.Finding, len(rs))
	for i, r := range rs {
		fs[i] = r.Finding
	}
	ds := details(a, fs)
	byCount := slices.ContainsFunc(ds, func(d stemmaster.ReasonDetail) bool { return d.Kind == stemmaster.ReasonStemCount }) ||
		slices.ContainsFunc(fs, func(f stemmaster.Finding) bool {
			return f.Code == stemmaster.CodeTooManyStems || f.Code == stemmaster.CodeSingleStem
		})
	rebalanced := len(corrected) > 0 && !byCount
	if (!hasError(fs) && !rebalanced) || len(a.Reasons) == 0 {
		return a
	}
	split := slices.ContainsFunc(ds, func(d stemmaster.ReasonDetail) bool { return d.Kind == stemmaster.ReasonStemErrors })
	var blocking, ofStems int
	for _, r := range rs {
		switch {
		case split && !rebalanced && r.Severity == stemmaster.SeverityError && !ofTheMix(r.File, mix):
			if !r.Corrected {
				ofStems++
			}
		case r.Blocking:
			blocking++
		}
	}
	var out advice
	errorsDone := false
	for i, d := range ds {
		switch {
		case isErrors(d.Kind) && !errorsDone:
			// The errors reasons, where Advise put them, counted again. A
			// rebalanced session is stem mastering, which needs the
			// stems' errors fixed too: "master the mix as it is" no
			// longer applies, and one reason counts them all.
			errorsDone = true
			w := inExport
			switch {
			case d.Kind == stemmaster.ReasonFileErrors:
				w = inFile
			case split && !rebalanced:
				w = inMix
			}
			out.errors(blocking, w)
			if split && !rebalanced {
				out.stemErrors(ofStems, blocking > 0)
			}
		case isErrors(d.Kind), rebalanced:
		default:
			out.add(d, a.Reasons[i])
		}
	}
	if !rebalanced {
		return out.done(a.Service)
	}
	out.add(stemmaster.ReasonDetail{Kind: stemmaster.ReasonRebalanced}, fmt.Sprintf("the session corrects %s as the findings say, so the balance the check measured on the stems as delivered no longer stands: stem mastering keeps every option open (set the balance by ear, or export the stems again and check them)", strings.Join(corrected, ", ")))
	return out.done(stemmaster.ServiceStemMastering)
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
