package main

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// documentedKeys returns the keys in the first column of the table under
// the Markdown heading of docs/cli.md.
func documentedKeys(t *testing.T, heading string) []string {
	t.Helper()
	data, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/cli.md has no heading %q", heading)
	}
	if next := strings.Index(section, "\n#"); next >= 0 {
		section = section[:next]
	}
	first := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")
	var keys []string
	for _, m := range first.FindAllStringSubmatch(section, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func jsonKeys(typ reflect.Type) []string {
	var keys []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	return keys
}

// TestCLIDoc keeps the JSON keys of info and meter and docs/cli.md in step.
func TestCLIDoc(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		heading string
		typ     reflect.Type
	}{
		{"### `info --json`", reflect.TypeFor[infoJSON]()},
		{"### `meter --json`", reflect.TypeFor[meterJSON]()},
	} {
		doc, code := documentedKeys(t, c.heading), jsonKeys(c.typ)
		for _, k := range code {
			if !slices.Contains(doc, k) {
				t.Errorf("%s: key %s is not in docs/cli.md", c.heading, k)
			}
		}
		for _, k := range doc {
			if !slices.Contains(code, k) {
				t.Errorf("%s: docs/cli.md lists %s, which the command does not print", c.heading, k)
			}
		}
	}
}
