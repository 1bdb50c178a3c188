package main

import (
	"errors"
	"fmt"
	"time"

	"stemmaster"
	"stemmaster/server"
	"stemmaster/service"
)

// The service's numeric flags are checked before anything starts: a value
// out of its range is a mistake whose effect would show only later, and
// differ by flag (--retention -1h, --job-timeout 0s and --render-workers 0
// fall back to their defaults, while --max-file-mb 0 refuses every upload).

// atLeast reports flag = v when v < lo.
func atLeast[T int | int64](errs *[]error, flag string, v, lo T) {
	if v < lo {
		*errs = append(*errs, fmt.Errorf("--%s %d: must be at least %d", flag, v, lo))
	}
}

// positive reports flag = d unless d > 0.
func positive(errs *[]error, flag string, d time.Duration) {
	if d <= 0 {
		*errs = append(*errs, fmt.Errorf("--%s %s: must be longer than 0", flag, d))
	}
}

// check validates the flags serve and worker share.
func (o *serviceOptions) check() error {
	var errs []error
	atLeast(&errs, "render-workers", o.renderWorkers, 1)
	positive(&errs, "job-timeout", o.jobTimeout)
	if o.stopWait < 0 {
		errs = append(errs, fmt.Errorf("--stop-wait %s: must not be negative", o.stopWait))
	}
	atLeast(&errs, "keep-revisions", o.keepRevisions, 1)
	atLeast(&errs, "renders-per-project", o.ops.limits.RendersPerProject, 1)
	atLeast(&errs, "max-renders", o.ops.limits.Renders, 0)
	positive(&errs, "job-lease", o.ops.limits.Lease)
	for _, tok := range []struct{ flag, env, value string }{
		{"admin-token", "STEMMASTER_ADMIN_TOKEN", o.ops.token()},
		{"metrics-token", "STEMMASTER_METRICS_TOKEN", o.ops.metricsTok()},
	} {
		// The job UI and /metrics may face the internet, where a short
		// token is found by trying; the token itself is never printed.
		if n := len(tok.value); n > 0 && n < minTokenLen {
			errs = append(errs, fmt.Errorf("--%s (or $%s) has %d characters: give at least %d (a short token is found by trying; openssl rand -hex 16 makes one)", tok.flag, tok.env, n, minTokenLen))
		}
	}
	return errors.Join(errs...)
}

// minTokenLen is the shortest admin or metrics token taken.
const minTokenLen = 16

// serveLimits are serve's own bounds of a project and of its clients.
type serveLimits struct {
	retention             time.Duration
	maxFileMB, maxTotalMB int64
	maxFiles              int
	abuse                 abuseFlags
}

func (l serveLimits) check() error {
	var errs []error
	positive(&errs, "retention", l.retention)
	atLeast(&errs, "max-file-mb", l.maxFileMB, 1)
	atLeast(&errs, "max-total-mb", l.maxTotalMB, 1)
	atLeast(&errs, "max-files", l.maxFiles, 1)
	// Every uploaded stem has a strip in the session, which holds at most
	// MaxStems; the mix is the one file more.
	if most := stemmaster.MaxStems + 1; l.maxFiles > most {
		errs = append(errs, fmt.Errorf("--max-files %d: must be at most %d (a session holds %d stems, and a mix)", l.maxFiles, most, stemmaster.MaxStems))
	}
	atLeast(&errs, "creates-per-minute", l.abuse.createsPerMinute, 1)
	if l.abuse.maxProjects != -1 {
		atLeast(&errs, "max-projects", l.abuse.maxProjects, 1)
	}
	if l.abuse.projectsPerClient != -1 {
		atLeast(&errs, "projects-per-client", l.abuse.projectsPerClient, 1)
	}
	atLeast(&errs, "min-free-mb", l.abuse.minFreeMB, -1)
	atLeast(&errs, "max-output-mb", l.abuse.maxOutputMB, 0)
	atLeast(&errs, "max-client-mb", l.abuse.maxClientMB, -1)
	atLeast(&errs, "conns-per-client", l.abuse.connsPerClient, 1)
	atLeast(&errs, "clients-per-address", l.abuse.clientsPerAddress, 1)
	atLeast(&errs, "suggest-budget-s", l.abuse.suggestBudgetS, server.MinSuggestExcerptS)
	if l.abuse.renderWork != -1 {
		atLeast(&errs, "render-work", l.abuse.renderWork, 1)
	}
	if l.abuse.renderMemoryMB != -1 && l.abuse.renderMemoryMB != 0 { // 0: the default
		atLeast(&errs, "render-memory-mb", l.abuse.renderMemoryMB, service.RenderBaseBytes>>20)
	}
	if l.abuse.jobsPerProject != -1 {
		atLeast(&errs, "jobs-per-project", l.abuse.jobsPerProject, 1)
	}
	if l.abuse.jobsPerClient != -1 {
		atLeast(&errs, "jobs-per-client", l.abuse.jobsPerClient, 1)
	}
	return errors.Join(errs...)
}
