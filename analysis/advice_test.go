package analysis

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestAdviceLines holds the exact advice of a table of deliveries to
// testdata/advice.golden (go test -run TestAdviceLines -update rewrites
// it), and checks that no advice tells the musician two different things
// to do first: one that masters the mix as it is never also asks for the
// stems' errors fixed first.
func TestAdviceLines(t *testing.T) {
	t.Parallel()
	balanced := map[stemmaster.Role]float64{ // francium's figures, LUFS; sum −18.4
		stemmaster.RoleLeadVocal: -20.2, stemmaster.RoleBackingVocals: -24.2, stemmaster.RoleDrums: -21.1,
		stemmaster.RoleInstruments: -24.1, stemmaster.RoleFX: -22.2,
	}
	quietVocal := map[stemmaster.Role]float64{}
	for r, l := range balanced {
		quietVocal[r] = l
	}
	quietVocal[stemmaster.RoleLeadVocal] = -29
	errIn := func(files ...string) []stemmaster.Finding {
		var fs []stemmaster.Finding
		for _, f := range files {
			fs = append(fs, stemmaster.Finding{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError, File: f})
		}
		return append(fs, stemmaster.Finding{Code: stemmaster.CodeGainMismatch, Severity: stemmaster.SeverityWarning, File: "bass.wav"})
	}
	flipped := []stemmaster.Finding{{Code: stemmaster.CodePolarityInverted, Severity: stemmaster.SeverityError, File: "drums.wav",
		Fix: "export it again without the polarity flip, or set polarity: inverted for drums.wav in the session"}}
	deliveries := []struct {
		name       string
		in         AdviceInput
		unresolved int      // errors left once a session corrects some (Outstanding); -1: not asked
		corrected  []string // files whose level the session corrects (Outstanding)
	}{
		{"balanced stems, matched mix", AdviceInput{Stems: 5, Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
		{"balanced stems, matched mix, an error in a stem", AdviceInput{Stems: 5, Findings: errIn("drums.wav"), Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
		{"balanced stems, matched mix, two errors in stems, one corrected", AdviceInput{Stems: 5, Findings: errIn("drums.wav", "bass.wav"), Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, 1, nil},
		{"balanced stems, matched mix, an error in a stem, the session corrects bass's gain", AdviceInput{Stems: 5, Findings: errIn("drums.wav"), Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, 1, []string{"bass.wav"}},
		{"one stem and a mix, an error in the mix", AdviceInput{Stems: 1, Findings: errIn("mix.wav"), Mix: "mix.wav"}, 1, nil},
		{"balanced stems, matched mix, an error in the mix", AdviceInput{Stems: 5, Findings: errIn("drums.wav", "mix.wav"), Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
		{"balanced stems, matched mix, an error in the mix and one in a stem, the stem's corrected", AdviceInput{Stems: 5, Findings: errIn("mix.wav", "drums.wav"), Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, 1, nil},
		{"balanced stems, matched mix, an error about no file", AdviceInput{Stems: 5, Findings: errIn(""), Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
		{"balanced stems, no mix, an error in a stem", AdviceInput{Stems: 5, Findings: errIn("drums.wav"), Balance: Balance(balanced, -18.4)}, -1, nil},
		{"quiet vocal, matched mix, an error in a stem", AdviceInput{Stems: 5, Findings: errIn("drums.wav"), Balance: Balance(quietVocal, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
		{"one file with an error", AdviceInput{Stems: 1, Findings: errIn("song.wav")}, -1, nil},
		{"nine stems", AdviceInput{Stems: 9, Balance: Balance(balanced, -18.4)}, -1, nil},
		{"the mix among the stems", AdviceInput{Stems: 3, MixCopies: []string{"mix.wav"}}, -1, nil},
		// The stems sum to the mix once the drums' polarity is inverted:
		// the balance read as delivered is theirs, not the mix's.
		{"balanced stems, matched mix once the drums are inverted", AdviceInput{Stems: 5, Findings: flipped, Balance: Balance(balanced, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
		{"quiet vocal, matched mix once the drums are inverted", AdviceInput{Stems: 5, Findings: flipped, Balance: Balance(quietVocal, -18.4), MixMatched: true, Mix: "mix.wav"}, -1, nil},
	}
	var b strings.Builder
	for _, d := range deliveries {
		a := Advise(d.in)
		asked := []stemmaster.Advice{a}
		b.WriteString("# " + d.name + "\n" + string(a.Service) + "\n")
		for _, r := range a.Reasons {
			b.WriteString("- " + r + "\n")
		}
		if d.unresolved >= 0 {
			o := Outstanding(a, resolved(d.in.Findings, d.unresolved), d.in.Mix, d.corrected)
			asked = append(asked, o)
			b.WriteString("## with " + plural(d.unresolved, "error") + " left\n" + string(o.Service) + "\n")
			for _, r := range o.Reasons {
				b.WriteString("- " + r + "\n")
			}
		}
		b.WriteString("\n")
		for _, a := range asked {
			if len(a.Details) != len(a.Reasons) {
				t.Errorf("%s: %d details for %d reasons", d.name, len(a.Details), len(a.Reasons))
				continue
			}
			ofMix, _ := splitErrors(d.in.Findings, d.in.Mix)
			for i, det := range a.Details {
				// Mastering the mix as it is asks for no stem's error
				// fixed first: its blocking errors are the mix's alone.
				if det.Blocking && slices.Contains(a.Reasons, mixBalanced) && det.Errors > ofMix {
					t.Errorf("%s: the advice masters the mix and asks for %d errors fixed first, %d of them the mix's: %q", d.name, det.Errors, ofMix, a.Reasons)
				}
				if det.Kind == stemmaster.ReasonStemErrors && (det.Blocking || a.Service != stemmaster.ServiceStereoMastering) {
					t.Errorf("%s: reason %d (%q) names errors only stem mastering needs, beside %s (blocking %v)", d.name, i, a.Reasons[i], a.Service, det.Blocking)
				}
				if isErrors(det.Kind) && !strings.Contains(a.Reasons[i], plural(det.Errors, "error")) {
					t.Errorf("%s: reason %q counts %d errors in its detail", d.name, a.Reasons[i], det.Errors)
				}
			}
		}
	}
	const golden = "advice.golden"
	if want := testkit.Golden(t, golden, []byte(b.String()), *update); b.String() != string(want) {
		t.Errorf("advice lines differ from testdata/%s (rerun with -update if the change is meant):\n%s", golden, b.String())
	}
}

// resolved resolves fs as a session that corrects every error but the
// first blocking ones leaves them (Resolve's Blocking and Corrected).
func resolved(fs []stemmaster.Finding, blocking int) []Resolution {
	rs := make([]Resolution, len(fs))
	for i, f := range fs {
		rs[i].Finding = f
		if f.Severity == stemmaster.SeverityError {
			rs[i].Blocking = blocking > 0
			rs[i].Corrected = blocking <= 0
			blocking--
		}
	}
	return rs
}
