package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
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

// start starts the profiles asked for; stop writes them. With --memprofile
// every allocation is sampled (MemProfileRate 1), which slows the run.
func (p *profileFlags) start() (stop func() error, err error) {
	var cpu *os.File
	if p.cpu != "" {
		if cpu, err = os.Create(p.cpu); err != nil {
			return nil, usageError(err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
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
		f, err := os.Create(p.mem)
		if err != nil {
			return fmt.Errorf("memory profile: %w", err)
		}
		// The profile holds the allocations up to the last completed
		// collection: one more takes in the end of the run.
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			f.Close()
			return fmt.Errorf("memory profile: %w", err)
		}
		return f.Close()
	}, nil
}
