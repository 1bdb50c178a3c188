package dsptest

import "testing"

// PanicCase is a misuse that must panic: a caller's error the kernel does
// not answer with an error value (a short slice, a bad factor).
type PanicCase struct {
	Name string
	F    func()
}

// CheckPanics runs each case as a subtest and reports the ones that return
// without panicking.
func CheckPanics(t *testing.T, cases ...PanicCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			c.F()
		})
	}
}
