package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"stemmaster/internal/atomicfile"
	"stemmaster/sessionfile"
)

// profileFlags are --cpuprofile and --memprofile: Go pprof profiles of a
// command's work, for benchmarks (go tool pprof stemmaster FILE).
type profileFlags struct {
	cpu, mem string
}

// add registers the flags on cmd.
func (p *profileFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.cpu, "cpuprofile", "", "write a Go CPU profile of the run to this file")
	cmd.Flags().StringVar(&p.mem, "memprofile", "", "write a Go allocation profile (every allocation of the run) to this file")
}

// keep refuses a profile written over one of files (the command's inputs
// and outputs, by the same path or a link to the same file): a profile
// named like a stem replaced the stem.
func (p *profileFlags) keep(files []string) error {
	abs := func(f string) string {
		if a, err := filepath.Abs(f); err == nil {
			return a
		}
		return filepath.Clean(f)
	}
	for _, prof := range []struct{ flag, path string }{{"--cpuprofile", p.cpu}, {"--memprofile", p.mem}} {
		if prof.path == "" {
			continue
		}
		for _, f := range files {
			if f != "" && abs(f) == abs(prof.path) {
				return fmt.Errorf("%s %s would overwrite %s: write the profile elsewhere", prof.flag, prof.path, f)
			}
		}
		if i := sessionfile.MixAmongStems(prof.path, files); i >= 0 {
			return fmt.Errorf("%s %s would overwrite %s: write the profile elsewhere", prof.flag, prof.path, files[i])
		}
	}
	return nil
}

// start starts the profiles asked for; stop writes them, each under its
// name only once complete (atomically). With --memprofile every
// allocation is sampled (MemProfileRate 1), which slows the run.
func (p *profileFlags) start() (stop func() error, err error) {
	var cpu *atomicfile.File
	if p.cpu != "" {
		if cpu, err = atomicfile.Create(p.cpu); err != nil {
			return nil, usageError(err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Abort()
			return nil, usageError(err)
		}
	}
	if p.mem != "" {
		runtime.MemProfileRate = 1
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
		}
		if p.mem == "" {
			return nil
		}
		f, err := atomicfile.Create(p.mem)
		if err != nil {
			return fmt.Errorf("memory profile: %w", err)
		}
		// The profile holds the allocations up to the last completed
		// collection: one more takes in the end of the run.
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			f.Abort()
			return fmt.Errorf("memory profile: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("memory profile: %w", err)
		}
		return nil
	}, nil
}
