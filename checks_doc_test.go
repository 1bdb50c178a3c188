package stemmaster

import (
	"reflect"
	"strings"
	"testing"

	"stemmaster/internal/doccheck"
)

// TestChecksDocMixFields keeps the table of the comparison with the mix in
// docs/checks.md in step with MixReport's JSON fields, and the doc with
// report.json's name for it (check_mix).
func TestChecksDocMixFields(t *testing.T) {
	t.Parallel()
	var want []string
	rt := reflect.TypeFor[MixReport]()
	for i := range rt.NumField() {
		want = append(want, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
	}
	doccheck.InStep(t, want, doccheck.FirstColumn(readTables(t, "checks.md"), "field"),
		"mix field %s is not documented: add a row to the field table of docs/checks.md",
		"docs/checks.md documents mix field %s, which MixReport does not have")
	f, ok := reflect.TypeFor[Report]().FieldByName("CheckMix")
	doc := doccheck.Read(t, "docs/checks.md")
	if !ok || !strings.Contains(doc, "`"+strings.Split(f.Tag.Get("json"), ",")[0]+"`") {
		t.Errorf("docs/checks.md does not name report.json's comparison with the mix (Report.CheckMix)")
	}
}
