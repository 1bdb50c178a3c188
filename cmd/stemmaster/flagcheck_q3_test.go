package main

import "testing"

// TestJobBoundFlags: the bounds on active jobs take a count of at least 1
// or -1 (no cap); anything else stops the start, naming the flag.
func TestJobBoundFlags(t *testing.T) {
	t.Parallel()
	serve := func(flags ...string) []string {
		return append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, flags...)
	}
	checkExits(t, []exitCase{
		{"per project", serve("--jobs-per-project", "0"), exitUsage, "--jobs-per-project 0: must be at least 1"},
		{"per client", serve("--jobs-per-client", "-2"), exitUsage, "--jobs-per-client -2: must be at least 1"},
	})
}
