package stemmaster

import (
	"errors"
	"testing"
)

// TestValidateStemCount: a session listing more than MaxStems stems is one
// too_many error on "stems", and only the first MaxStems are checked
// further. A 0.9 MB session of 50,000 stems ran for minutes and took 24 GB
// (the check compares every pair of stems) before anything failed.
func TestValidateStemCount(t *testing.T) {
	t.Parallel()
	stems := make([]StemSpec, 50000)
	for i := range stems {
		stems[i] = StemSpec{File: "a.wav", GainDB: 100}
	}
	err := (&Session{Stems: stems}).Validate()
	var se *SessionError
	if !errors.As(err, &se) || se.Kind != ErrTooMany || se.Field != "stems" || se.Error() != "stems: 50000 stems are more than 128" {
		t.Fatalf("first error %v, want stems: 50000 stems are more than 128 (too_many)", err)
	}
	if n := len(SessionErrors(err)); n != 1+MaxStems {
		t.Errorf("%d errors, want the count and the gains of the first %d stems", n, MaxStems)
	}
	if err := (&Session{Stems: stems[:MaxStems:MaxStems]}).Validate(); err == nil || errors.As(err, &se) && se.Kind == ErrTooMany {
		t.Errorf("%d stems: %v, want only their gains refused", MaxStems, err)
	}
}
