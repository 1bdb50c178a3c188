package main

import "testing"

// TestServiceFlagRanges: serve and worker refuse numeric flags out of
// their range at once, naming each, instead of starting a service that
// silently runs with the default (--retention -1h: 7 days) or refuses
// every upload (--max-file-mb 0). The special values the help names stay.
func TestServiceFlagRanges(t *testing.T) {
	t.Parallel()
	serve := func(flags ...string) []string {
		return append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, flags...)
	}
	checkExits(t, []exitCase{
		{"retention", serve("--retention", "-1h"), exitUsage, "--retention -1h0m0s: must be longer than 0"},
		{"job timeout", serve("--job-timeout", "0s"), exitUsage, "--job-timeout 0s: must be longer than 0"},
		{"file size", serve("--max-file-mb", "0"), exitUsage, "--max-file-mb 0: must be at least 1"},
		{"files", serve("--max-files", "-3"), exitUsage, "--max-files -3: must be at least 1"},
		{"files over a session's stems", serve("--max-files", "130"), exitUsage, "--max-files 130: must be at most 129"},
		{"render workers", serve("--render-workers", "0"), exitUsage, "--render-workers 0: must be at least 1"},
		{"revisions", serve("--keep-revisions", "0"), exitUsage, "--keep-revisions 0: must be at least 1"},
		{"projects", serve("--max-projects", "0"), exitUsage, "--max-projects 0: must be at least 1"},
		{"free disk", serve("--min-free-mb", "-2"), exitUsage, "--min-free-mb -2: must be at least -1"},
		{"jobs per project", serve("--jobs-per-project", "0"), exitUsage, "--jobs-per-project 0: must be at least 1"},
		{"jobs per client", serve("--jobs-per-client", "-2"), exitUsage, "--jobs-per-client -2: must be at least 1"},
		{"suggest budget", serve("--suggest-budget-s", "4"), exitUsage, "--suggest-budget-s 4: must be at least 5"},
		{"render work", serve("--render-work", "0"), exitUsage, "--render-work 0: must be at least 1"},
		{"render memory", serve("--render-memory-mb", "10"), exitUsage, "--render-memory-mb 10: must be at least 64"},
		{"two at once", serve("--conns-per-client", "0", "--creates-per-minute", "0"), exitUsage, "--creates-per-minute 0: must be at least 1\n--conns-per-client 0"},
		{"worker lease", []string{"worker", "--db", "postgres://localhost/x", "--blobs", t.TempDir(), "--job-lease", "0s"}, exitUsage, "--job-lease 0s: must be longer than 0"},
		{"log level", serve("--log-level", "loud"), exitUsage, `--log-level "loud": want debug, info, warn or error`},
		{"short admin token", serve("--admin-token", "s3cret"), exitUsage, "--admin-token (or $STEMMASTER_ADMIN_TOKEN) has 6 characters: give at least 16"},
		{"short metrics token", []string{"worker", "--db", "postgres://localhost/x", "--blobs", t.TempDir(), "--metrics-token", "s3cret"}, exitUsage, "--metrics-token (or $STEMMASTER_METRICS_TOKEN) has 6 characters"},
		{"worker log format", []string{"worker", "--db", "postgres://localhost/x", "--blobs", t.TempDir(), "--log-format", "xml"}, exitUsage, `--log-format "xml": want text or json`},
	})
	if err := (serveLimits{retention: 1, maxFileMB: 1, maxTotalMB: 1, maxFiles: 1,
		abuse: abuseFlags{createsPerMinute: 1, maxProjects: -1, minFreeMB: -1, connsPerClient: 1, clientsPerAddress: 1, projectsPerClient: -1, jobsPerProject: -1, jobsPerClient: -1, suggestBudgetS: 5, renderWork: -1}}).check(); err != nil {
		t.Errorf("the documented special values (-1: no cap, -1: no check): %v", err)
	}
}
