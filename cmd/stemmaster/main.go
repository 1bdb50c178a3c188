// Command stemmaster checks, meters and masters stem deliveries.
//
// Each subcommand lives in its own file, its help in help/NAME.txt;
// newRootCmd lists them. Exit status: 0 ok; 1 the input has errors; 2 wrong usage.
//
// The commands, their exit statuses and their JSON are in docs/cli.md; the
// session file in docs/session.md; the finding codes in docs/checks.md.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"stemmaster/audio"
	_ "stemmaster/audio/aiff"
	_ "stemmaster/audio/flac"
	_ "stemmaster/audio/wav"
	"stemmaster/engine"
	"stemmaster/internal/safego"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit statuses (docs/cli.md).
const (
	exitOK         = 0
	exitInputError = 1
	exitUsage      = 2
)

// exitError carries an exit status; commands return it to fail with a given
// code. A nil Err means the message was already printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// inputError marks err as a problem with the user's files (exit 1).
func inputError(err error) error { return &exitError{code: exitInputError, err: err} }

// usageError marks err as wrong usage (exit 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "stemmaster",
		Short:         "Check, meter and master stem deliveries",
		Long:          "stemmaster checks stem deliveries (time-zero, sample rate, bit depth, headroom, sum = mix),\nmeters them to ITU-R BS.1770-4 / EBU R128 and masters them to a loudness target.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError(flagError(err)) })
	for _, add := range []func() *cobra.Command{
		newAssistCmd, newCheckCmd, newDemoCmd, newInfoCmd, newMasterCmd,
		newMeterCmd, newMigrateCmd, newServeCmd, newWorkerCmd,
	} {
		root.AddCommand(add())
	}
	root.SetHelpCommand(newHelpCmd(root))
	onceFlags(root)
	return root
}

// flagError words a flag value that is not a number as the session's
// errors do (--ceiling "-0.5dB" is not a number) in place of pflag's
// `invalid argument "-0.5dB" for "--ceiling" flag: strconv.ParseFloat:
// parsing "-0.5dB": invalid syntax`.
func flagError(err error) error {
	var iv *pflag.InvalidValueError
	var ne *strconv.NumError
	if !errors.As(err, &iv) || !errors.As(err, &ne) {
		return err
	}
	what := "a number"
	if strings.HasPrefix(iv.GetFlag().Value.Type(), "int") {
		what = "a whole number"
	}
	if errors.Is(ne.Err, strconv.ErrRange) {
		what += " in range"
	}
	return fmt.Errorf("--%s %q is not %s", iv.GetFlag().Name, iv.GetValue(), what)
}

// newHelpCmd is `stemmaster help [COMMAND]`: cobra's own printed "Unknown
// help topic" and the command list for a command that does not exist, and
// exited 0, so a script's `stemmaster help mastr` read as success.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := root.Find(args)
			if err != nil || cmd == nil {
				return usageError(fmt.Errorf("help: no command %q (stemmaster help lists them)", strings.Join(args, " ")))
			}
			cmd.InitDefaultHelpFlag()
			return cmd.Help()
		},
	}
}

// run executes the CLI with args and returns the exit status. Tests call it
// directly.
func run(args []string, stdout, stderr io.Writer) int {
	out := &resultWriter{w: stdout}
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(stderr)
	err := execute(root)
	if out.err != nil {
		// The JSON or the session a script reads from stdout is missing
		// or cut short (a full disk, a closed file): the run failed,
		// whatever the command made of it.
		if err != nil && !errors.Is(err, out.err) {
			printExitError(stderr, err)
		}
		fmt.Fprintln(stderr, "stemmaster: standard output:", out.err)
		return exitInputError
	}
	if err == nil {
		return exitOK
	}
	code := printExitError(stderr, err)
	if out.n == 0 && jsonAsked(root, args) {
		// A batch reads stdout: a run that failed before its JSON still
		// gives one object, with the file the error is about.
		printJSONError(out, err, code)
	}
	return code
}

// jsonError is what --json prints on stdout for a run that ends in an
// error before printing its result (docs/cli.md).
type jsonError struct {
	Error      string `json:"error"`
	File       string `json:"file,omitempty"`
	ExitStatus int    `json:"exit_status"`
}

func printJSONError(w io.Writer, err error, code int) {
	je := jsonError{Error: err.Error(), ExitStatus: code}
	var ee *exitError
	if errors.As(err, &ee) && ee.err != nil {
		je.Error = ee.err.Error()
	}
	var fe *audio.FileError
	if errors.As(err, &fe) {
		je.File = fe.Path
	}
	b, _ := json.Marshal(je)
	fmt.Fprintf(w, "%s\n", b)
}

// jsonAsked reports whether the command args run was given --json.
func jsonAsked(root *cobra.Command, args []string) bool {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("json")
	return f != nil && f.Changed
}

// execute runs the command; a panic that reaches it (a bug, carried over
// from a check's or a render's side goroutine by internal/safego) exits 1
// with its stage and message instead of a crash. A bug's stack, panicked
// here or returned as a render's error, goes to stderr for the report.
func execute(root *cobra.Command) (err error) {
	defer func() {
		var pe *safego.PanicError
		if p := recover(); p != nil {
			pe = safego.FromPanic("command", p)
			err = &exitError{code: exitInputError, err: pe}
		} else if !errors.As(err, &pe) {
			return
		}
		fmt.Fprintf(root.ErrOrStderr(), "stemmaster: the stack of the %s's internal error:\n%s", pe.Stage, pe.Stack)
	}()
	return root.Execute()
}

// printExitError prints err (unless it was printed already) and returns its exit
// status.
func printExitError(stderr io.Writer, err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "stemmaster:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors (unknown command, wrong argument count) are usage errors.
	fmt.Fprintln(stderr, "stemmaster:", err)
	return exitUsage
}

// resultWriter is the commands' stdout: it keeps the first write error,
// which the commands' many small writes would otherwise drop.
type resultWriter struct {
	w   io.Writer
	err error
	n   int64 // bytes written
}

func (r *resultWriter) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.w.Write(p)
	r.n += int64(n)
	if err != nil {
		r.err = err
	}
	return n, err
}

func main() {
	// Set once for the process, so every render (master, demo, serve,
	// worker) reports the build's version in report.json.
	engine.ProgramVersion = version
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	if code != exitOK && stoppedByCtrlC() {
		endBySIGINT()
	}
	os.Exit(code)
}
