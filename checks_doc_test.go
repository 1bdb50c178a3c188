package stemmaster

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
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
	documented := map[string]bool{}
	for _, tb := range readTables(t, "checks.md") {
		if len(tb.header) == 0 || tb.header[0] != "field" {
			continue
		}
		for _, row := range tb.rows {
			for _, f := range codeSpans(row[0]) {
				documented[f] = true
			}
		}
	}
	for _, f := range want {
		if !documented[f] {
			t.Errorf("mix field %s is not documented: add a row to the field table of docs/checks.md", f)
		}
	}
	for f := range documented {
		if !slices.Contains(want, f) {
			t.Errorf("docs/checks.md documents mix field %s, which MixReport does not have", f)
		}
	}
	f, ok := reflect.TypeFor[Report]().FieldByName("CheckMix")
	doc, err := os.ReadFile("docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	if !ok || !strings.Contains(string(doc), "`"+strings.Split(f.Tag.Get("json"), ",")[0]+"`") {
		t.Errorf("docs/checks.md does not name report.json's comparison with the mix (Report.CheckMix)")
	}
}
