package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"stemmaster/audio"
	"stemmaster/sessionfile"
)

// perFile runs measure on every file of a per-file command (info, meter).
// With asJSON each result is one JSON line on stdout; otherwise row gives
// its line of a table under header on stderr (docs/cli.md: human text goes to
// stderr). An unreadable file is reported by name on stderr and the others
// still run; the command then exits 1.
func perFile[T any](cmd *cobra.Command, paths []string, asJSON bool, header string, tabFlags uint,
	measure func(path string) (T, error), row func(T) string) error {
	var table *tabwriter.Writer
	if !asJSON {
		table = tabwriter.NewWriter(cmd.ErrOrStderr(), 0, 0, 2, ' ', tabFlags)
		fmt.Fprintln(table, header)
	}
	failed, rows := false, 0
	for _, path := range paths {
		if err := sessionfile.NotAFileError(path); err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "stemmaster:", err)
			failed = true
			fileErrorLine(cmd, asJSON, path, err)
			continue
		}
		v, err := measure(path)
		var around measuredAround
		if errors.As(err, &around) {
			// A result with a defect: the figures, and the error beside them.
			fmt.Fprintln(cmd.ErrOrStderr(), "stemmaster:", err)
			failed = true
			err = nil
		}
		var note measuredNote
		if errors.As(err, &note) {
			// A result to know more of, not a failure: said beside it.
			fmt.Fprintln(cmd.ErrOrStderr(), "stemmaster:", err)
			err = nil
		}
		if err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "stemmaster:", err)
			failed = true
			fileErrorLine(cmd, asJSON, path, err)
			continue
		}
		if !asJSON {
			fmt.Fprintln(table, row(v))
			rows++
			continue
		}
		line, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s\n", line)
	}
	if rows > 0 {
		// A header over no row (every file failed) would only add noise
		// under the errors.
		table.Flush()
	}
	if failed {
		return &exitError{code: exitInputError} // each error is already printed
	}
	return nil
}

// measuredAround is the error of a measure that still produced its result
// (a file with NaN samples, measured without them): perFile prints both and
// exits 1.
type measuredAround struct{ error }

func (m measuredAround) Unwrap() error { return m.error }

// measuredWithout is the error of figures measured around a file's
// non-finite samples.
func measuredWithout(path string, nf *audio.NonFiniteError) measuredAround {
	return measuredAround{fmt.Errorf("%s: %v: figures measured without them", path, nf)}
}

// measuredNote is the remark beside a measure that holds (frames past a
// file's declared length, which no reader reads): perFile prints it and
// does not fail.
type measuredNote struct{ error }

// pastNote is the note about the frames past the declared length of the
// file at path, once read to its end (audio.Info.Past), or nil.
func pastNote(path string, info audio.Info) error {
	past := info.Past()
	if past == "" {
		return nil
	}
	return measuredNote{fmt.Errorf("%s: %s, which no command reads (the figures are of the declared length)", path, past)}
}

// namedError returns err naming path, unless it already names a file.
func namedError(path string, err error) error {
	var fe *audio.FileError
	if errors.As(err, &fe) {
		return err
	}
	return &audio.FileError{Path: path, Err: err}
}

// blockFrames is how many frames info and meter read at a time.
const blockFrames = 4096

// fileErrorLine gives a file that cannot be measured its line of --json
// too, {"file", "error"}: a batch reading stdout learns which file failed
// and why, not only that one line is missing.
func fileErrorLine(cmd *cobra.Command, asJSON bool, path string, err error) {
	if !asJSON {
		return
	}
	line, _ := json.Marshal(struct {
		File  string `json:"file"`
		Error string `json:"error"`
	}{path, err.Error()})
	fmt.Fprintf(cmd.OutOrStdout(), "%s\n", line)
}
