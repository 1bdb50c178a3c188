package service_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWorkerNeedsNoHTTPPackage: what a `stemmaster worker` process runs —
// the queue (jobs), the lifecycle (service), the store and the operations
// endpoints (ops) — depends on no HTTP handler: package server is not
// among their dependencies.
func TestWorkerNeedsNoHTTPPackage(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "stemmaster/jobs", "stemmaster/service", "stemmaster/store", "stemmaster/ops").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), out)
	}
	for _, d := range deps {
		if d == "stemmaster/server" || strings.HasPrefix(d, "stemmaster/server/") {
			t.Errorf("the worker's packages depend on %s", d)
		}
	}
}
