package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// onceFlags makes every flag of cmd and its subcommands that holds one
// value refuse a second one (a usage error, exit 2). pflag keeps the last
// silently, so `master -s song1.yaml -s song2.yaml` rendered song2 alone
// and `--target apple --target loud` mastered loud, with nothing said.
// Flags that collect values (--reference, --reference-weight) and
// switches (--json twice says the same) are left as they are.
func onceFlags(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		t := f.Value.Type()
		if t == "bool" || t == "count" || strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array") {
			return
		}
		if _, done := f.Value.(*onceValue); !done {
			f.Value = &onceValue{Value: f.Value}
		}
	})
	for _, c := range cmd.Commands() {
		onceFlags(c)
	}
}

// onceValue is a flag value that may be set once on a command line.
type onceValue struct {
	pflag.Value
	set   bool
	first string
}

func (v *onceValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("given twice (first %q): give it once", v.first)
	}
	v.set, v.first = true, s
	return v.Value.Set(s)
}
