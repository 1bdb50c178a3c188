package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"

	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/internal/demosong"
	"stemmaster/sessionfile"
)

func init() { subcommands = append(subcommands, newDemoCmd) }

// demoSampleRate is the rate of the demo stems.
const demoSampleRate = 48000

func newDemoCmd() *cobra.Command {
	var outDir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "demo [-o DIR]",
		Short: "Synthesize a demo song's stems and master them",
		Long: "demo synthesizes a 30 s song (120 BPM, A minor, Am–F–C–G; drums, bass, chords and a\n" +
			"lead line) as four 24-bit WAV stems in DIR/stems, writes DIR/session.yaml (a channel\n" +
			"strip per stem and the master chain), masters it to the streaming target into DIR and\n" +
			"prints a summary. Edit the session and run `stemmaster master -s DIR/session.yaml -o DIR`\n" +
			"to hear the difference.",
		Example: "  stemmaster demo\n  stemmaster demo -o /tmp/demo && ls /tmp/demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runDemo(ctx, cmd, outDir, asJSON)
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "stemmaster-demo", "output directory (created when missing)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print report.json on stdout")
	return cmd
}

func runDemo(ctx context.Context, cmd *cobra.Command, dir string, asJSON bool) error {
	// stdout is kept for --json; the summary goes to stderr.
	stderr := cmd.ErrOrStderr()
	out := stderr
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
		return inputError(err)
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
