package analysis

import (
	"reflect"
	"testing"

	"stemmaster"
)

func TestOutstanding(t *testing.T) {
	t.Parallel()
	errs := []stemmaster.Finding{{Code: "offset", Severity: stemmaster.SeverityError}, {Code: "polarity_inverted", Severity: stemmaster.SeverityError},
		{Code: "gain_mismatch", Severity: stemmaster.SeverityWarning}}
	a := Advise(AdviceInput{Stems: 2, Findings: errs})
	if a.Reasons[0] != errorsReason(2) {
		t.Fatalf("advice %q does not open with the errors", a.Reasons)
	}
	rest := a.Reasons[1:]
	if got := Outstanding(a, errs, 2); !reflect.DeepEqual(got, a) {
		t.Errorf("nothing corrected: %q, want the check's own %q", got.Reasons, a.Reasons)
	}
	if got := Outstanding(a, errs, 1); got.Reasons[0] != errorsReason(1) || !reflect.DeepEqual(got.Reasons[1:], rest) || got.Service != a.Service {
		t.Errorf("one corrected: %q", got.Reasons)
	}
	if got := Outstanding(a, errs, 0); !reflect.DeepEqual(got.Reasons, rest) {
		t.Errorf("all corrected: %q, want %q", got.Reasons, rest)
	}
	if a.Reasons[0] != errorsReason(2) {
		t.Error("Outstanding changed the advice it was given")
	}
	// No errors in the check: the advice is the check's, whatever the count.
	clean := Advise(AdviceInput{Stems: 2})
	if got := Outstanding(clean, nil, 0); !reflect.DeepEqual(got, clean) {
		t.Errorf("clean check: %q, want %q", got.Reasons, clean.Reasons)
	}
}
