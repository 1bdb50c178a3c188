package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"stemmaster/internal/doccheck"
)

// jsonKeys returns the JSON keys of a struct's fields, those of an
// untagged embedded struct in its place, as encoding/json writes them.
func jsonKeys(typ reflect.Type) []string {
	var keys []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			keys = append(keys, jsonKeys(f.Type)...)
			continue
		}
		keys = append(keys, name)
	}
	return keys
}

// TestCLIDoc keeps the JSON keys of info and meter and docs/cli.md in step.
func TestCLIDoc(t *testing.T) {
	t.Parallel()
	doc := doccheck.Read(t, "../../docs/cli.md")
	for _, c := range []struct {
		heading string
		typ     reflect.Type
	}{
		{"### `info --json`", reflect.TypeFor[infoJSON]()},
		{"### `meter --json`", reflect.TypeFor[meterJSON]()},
	} {
		section, ok := doccheck.Section(doc, c.heading)
		if !ok {
			t.Fatalf("docs/cli.md has no heading %q", c.heading)
		}
		doccheck.InStep(t, jsonKeys(c.typ), doccheck.FirstColumn(doccheck.Tables(section), ""),
			c.heading+": key %s is not in docs/cli.md",
			c.heading+": docs/cli.md lists %s, which the command does not print")
	}
}

// docCommands returns the commands docs/cli.md's table gives a row of
// their own (serve and worker: docs/deploy.md).
func docCommands(t *testing.T) []*cobra.Command {
	root := newRootCmd()
	var cmds []*cobra.Command
	for _, name := range []string{"info", "meter", "check", "master", "demo", "assist", "migrate"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// TestUsageLinesNameEveryFlag: the usage line of each command an engineer
// types (help/NAME.txt's first line, what `stemmaster COMMAND --help`
// shows) names every flag the command takes, and docs/cli.md's table row
// is that usage line; the profiling flags have their own section. demo's
// --json, assist's --json and master's --report were missing from both,
// and assist from the table; migrate's row lacked --data.
func TestUsageLinesNameEveryFlag(t *testing.T) {
	t.Parallel()
	doc := string(doccheck.Read(t, "../../docs/cli.md"))
	for _, cmd := range docCommands(t) {
		name := cmd.Name()
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			switch f.Name {
			case "help", "cpuprofile", "memprofile":
				return
			}
			if !strings.Contains(cmd.Use, "--"+f.Name) && (f.Shorthand == "" || !strings.Contains(cmd.Use, "-"+f.Shorthand+" ")) {
				t.Errorf("%s: the usage line %q does not name --%s", name, cmd.Use, f.Name)
			}
		})
		row := "| `stemmaster " + strings.ReplaceAll(cmd.Use, "|", `\|`) + "` |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/cli.md has no row %s", row)
		}
	}
}

// TestFlagDefaultsDoc: docs/cli.md's "Flag defaults" lists every flag whose
// default is not off, empty or 0, with the default --help prints, and no
// other. assist's --help printed "(default: --amount) (default -1)",
// "(default 1) (default [])" and "(default 0.3333333333333333)", and no
// page said -o's defaults.
func TestFlagDefaultsDoc(t *testing.T) {
	t.Parallel()
	section, ok := doccheck.Section(doccheck.Read(t, "../../docs/cli.md"), "## Flag defaults")
	if !ok {
		t.Fatal("docs/cli.md has no heading ## Flag defaults")
	}
	var documented []string
	for _, tab := range doccheck.Tables(section) {
		for _, row := range tab.Rows {
			flag, def := doccheck.CodeSpans(row[0]), doccheck.CodeSpans(row[1])
			if len(flag) == 1 && len(def) > 0 {
				documented = append(documented, flag[0]+" = "+def[0])
			}
		}
	}
	var code []string
	for _, cmd := range docCommands(t) {
		name := cmd.Name()
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			switch f.DefValue {
			case "", "false", "0", "[]":
				return
			}
			if strings.Contains(f.Usage, "default") {
				t.Errorf("%s --%s: its usage %q says a default, and --help adds (default %s)", name, f.Name, f.Usage, f.DefValue)
			}
			code = append(code, name+" --"+f.Name+" = "+f.DefValue)
		})
	}
	doccheck.InStep(t, code, documented,
		"flag default %s is not in docs/cli.md's Flag defaults",
		"docs/cli.md's Flag defaults lists %s, which --help does not print")
}
