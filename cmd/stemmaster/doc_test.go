package main

import (
	"reflect"
	"strings"
	"testing"

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

// TestUsageLinesNameEveryFlag: the usage line of each command an engineer
// types (help/NAME.txt's first line, what `stemmaster COMMAND --help`
// shows) names every flag the command takes, and docs/cli.md's table row
// is that usage line; the profiling flags have their own section. demo's
// --json, assist's --json and master's --report were missing from both,
// and assist from the table.
func TestUsageLinesNameEveryFlag(t *testing.T) {
	t.Parallel()
	doc := string(doccheck.Read(t, "../../docs/cli.md"))
	root := newRootCmd()
	for _, name := range []string{"info", "meter", "check", "master", "demo", "assist"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
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
