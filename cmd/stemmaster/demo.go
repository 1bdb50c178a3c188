package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/internal/demosong"
	"stemmaster/sessionfile"
)

// demoSampleRate is the rate of the demo stems.
const demoSampleRate = 48000

func newDemoCmd() *cobra.Command {
	var outDir string
	var asJSON bool
	cmd := newCommand("demo", cobra.NoArgs, func(cmd *cobra.Command, args []string) error {
		ctx, stop := interruptible(cmd.Context())
		defer stop()
		return runDemo(ctx, cmd, outDir, asJSON)
	})
	cmd.Flags().StringVarP(&outDir, "out", "o", "stemmaster-demo", "output directory (created when missing)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print report.json on stdout")
	return cmd
}

func runDemo(ctx context.Context, cmd *cobra.Command, dir string, asJSON bool) error {
	// stdout is kept for --json; the summary goes to stderr.
	stderr := cmd.ErrOrStderr()
	out := stderr
	if err := demoDirFree(dir); err != nil {
		return err
	}
	stemDir := filepath.Join(dir, "stems")
	if err := os.MkdirAll(stemDir, 0o755); err != nil {
		return inputError(fmt.Errorf("output directory: %w", err))
	}
	if _, err := demosong.WriteStems(stemDir, demoSampleRate); err != nil {
		return inputError(err)
	}
	sessionPath := filepath.Join(dir, "session.yaml")
	if err := writeFileAtomic(sessionPath, []byte(demosong.Session)); err != nil {
		return inputError(err)
	}
	s, err := sessionfile.Load(sessionPath)
	if err != nil {
		return inputError(err)
	}
	rep, err := renderCLI(ctx, stderr, s, engine.Options{OutDir: dir}, asJSON)
	if err != nil {
		return renderError(err)
	}
	if asJSON {
		return printJSON(cmd.OutOrStdout(), rep)
	}
	fmt.Fprintf(out, "demo song: %.0f s, %d stems in %s (%s)\n", float64(rep.DurationS), len(rep.Stems), stemDir, sessionPath)
	for _, st := range rep.Stems {
		fmt.Fprintf(out, "  %-12s %-12s %s LUFS → %s LUFS through its strip\n", st.File, st.Role, fmtLevel(st.BeforeLUFS), fmtLevel(st.AfterLUFS))
	}
	printSummary(out, rep, dir)
	return nil
}

// writeFileAtomic writes data to path through atomicfile.
func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data) }

// demoDirFree refuses a directory where the demo would replace files it
// did not write: `demo -o .` in a project replaced its session.yaml,
// stems/bass.wav and masters with the demo's. A directory holding the
// demo's own session.yaml is a previous demo, written over again.
func demoDirFree(dir string) error {
	sessionPath := filepath.Join(dir, "session.yaml")
	if b, err := os.ReadFile(sessionPath); err == nil && string(b) == demosong.Session {
		return nil
	}
	s, err := sessionfile.Parse([]byte(demosong.Session), "session.yaml")
	if err != nil {
		return err
	}
	names := []string{"session.yaml", engine.ReportFile}
	for _, st := range s.Stems {
		names = append(names, st.File)
	}
	full := s.WithDefaults()
	for _, v := range full.Versions {
		for _, o := range full.Outputs {
			names = append(names, o.FileName(v))
		}
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if _, err := os.Lstat(p); err == nil {
			return usageError(fmt.Errorf("%s exists and the demo would replace it: give demo a directory of its own (-o)", p))
		}
	}
	return nil
}
