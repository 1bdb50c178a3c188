package main

import (
	"bytes"
	"testing"
)

// skipShort skips a test that runs server processes, databases or long
// renders when the suite runs with -short; what says what it does.
func skipShort(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip(what + "; skipped with -short")
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}
