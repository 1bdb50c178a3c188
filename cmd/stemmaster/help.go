package main

import (
	"embed"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"stemmaster"
)

// helpFiles holds each subcommand's help, one plain-text file a command so
// the prose reads and diffs as prose: the usage line, the one-line summary,
// a blank line, the long help and, after a line "Examples:", the examples.
// "{presets}" in the long help stands for the loudness presets' names, so
// the help lists the presets the code has.
//
//go:embed help/*.txt
var helpFiles embed.FS

// newCommand returns the subcommand whose help is help/NAME.txt, taking
// args and running run. A missing or malformed help file is a build
// mistake that every test of the command shows, so it panics.
func newCommand(name string, args cobra.PositionalArgs, run func(*cobra.Command, []string) error) *cobra.Command {
	data, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic(err)
	}
	text := strings.TrimSuffix(string(data), "\n")
	use, rest, ok1 := strings.Cut(text, "\n")
	short, long, ok2 := strings.Cut(rest, "\n\n")
	if !ok1 || !ok2 || !strings.HasPrefix(use, name) {
		panic(fmt.Sprintf("help/%s.txt: want the usage line, the summary, a blank line and the long help", name))
	}
	long, example, _ := strings.Cut(long, "\n\nExamples:\n")
	long = strings.ReplaceAll(long, "{presets}", stemmaster.PresetNames())
	return &cobra.Command{Use: use, Short: short, Long: long, Example: example, Args: args, RunE: run}
}
