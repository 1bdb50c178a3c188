package main

import (
	"reflect"
	"strings"
	"testing"

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
