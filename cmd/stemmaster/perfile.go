package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
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
	failed := false
	for _, path := range paths {
		v, err := measure(path)
		if err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "stemmaster:", err)
			failed = true
			continue
		}
		if !asJSON {
			fmt.Fprintln(table, row(v))
			continue
		}
		line, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s\n", line)
	}
	if table != nil {
		table.Flush()
	}
	if failed {
		return &exitError{code: exitInputError} // each error is already printed
	}
	return nil
}
