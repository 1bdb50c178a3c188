package testkit

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// builds holds the binaries Build made in this test process, by package
// directory, so that every test of a package runs the same build.
var builds struct {
	sync.Mutex
	dir  string // the temporary directory holding them
	bins map[string]string
}

// Build builds the main package in pkgDir (with go build) once per test
// process and returns the executable's path. The package's TestMain calls
// RemoveBuilds after the run.
func Build(t testing.TB, pkgDir string) string {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	abs, err := filepath.Abs(pkgDir)
	if err != nil {
		t.Fatal(err)
	}
	if bin, ok := builds.bins[abs]; ok {
		return bin
	}
	if builds.dir == "" {
		if builds.dir, err = os.MkdirTemp("", "stemmaster-test-bin-"); err != nil {
			t.Fatal(err)
		}
		builds.bins = map[string]string{}
	}
	// The executable keeps the package directory's name, in a folder of
	// its own.
	sub := filepath.Join(builds.dir, fmt.Sprint(len(builds.bins)))
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(sub, filepath.Base(abs))
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = abs
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkgDir, err, out)
	}
	builds.bins[abs] = bin
	return bin
}

// RemoveBuilds deletes what Build made; TestMain calls it after m.Run.
func RemoveBuilds() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
		builds.dir, builds.bins = "", nil
	}
}

// Proc is a process a test started with Start: a server or a worker.
type Proc struct {
	Cmd *exec.Cmd
	// Ready is the rest of the line that said the process was ready (a
	// server's URL).
	Ready string
}

// Start runs bin with args, env added to the test's environment, and
// waits up to 30 s for a line of its standard error that starts with
// ready. The process is killed when the test ends. With -v its other lines
// go to the test binary's standard error (the process may outlive the
// test's log).
func Start(t testing.TB, bin, ready string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{Cmd: cmd}
	t.Cleanup(p.Kill)
	readyc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, ready); ok && !sent {
				readyc <- rest
				sent = true
			} else if testing.Verbose() {
				fmt.Fprintln(os.Stderr, filepath.Base(bin)+":", line)
			}
		}
	}()
	select {
	case p.Ready = <-readyc:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s %s did not start in 30 s", filepath.Base(bin), strings.Join(args, " "))
	}
	return p
}

// Kill kills the process, if it still runs, and waits for it.
func (p *Proc) Kill() {
	if p.Cmd.Process != nil && p.Cmd.ProcessState == nil {
		p.Cmd.Process.Signal(syscall.SIGKILL)
		p.Cmd.Wait()
	}
}
