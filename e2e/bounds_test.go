package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"stemmaster"
)

// pageField is a number input of the page with its session path and the
// range it offers (min and max).
type pageField struct {
	Field    string  `json:"field"`
	Min, Max float64 `json:"-"`
	RawMin   string  `json:"min"`
	RawMax   string  `json:"max"`
	Step     string  `json:"step"`
	// Exclusive names a bound that is not allowed itself: "min" (a range
	// over 0) or "max" (loudness under 0 LUFS).
	Exclusive string `json:"exclusive"`
}

// laterCrossover matches a crossover after the first, whose lower bound
// is relative (1.25 × the one before) beside the absolute 20 Hz.
var laterCrossover = regexp.MustCompile(`crossovers_hz\[[1-9]\]$`)

var pathToken = regexp.MustCompile(`([A-Za-z_]+)|\[(\d+)\]`)

// setPath sets the value at a session path ("stems[0].eq[1].q") in a
// decoded JSON session, creating the objects on the way.
func setPath(doc map[string]any, path string, v float64) error {
	toks := pathToken.FindAllStringSubmatch(path, -1)
	var cur any = doc
	for i, tk := range toks {
		last := i == len(toks)-1
		if tk[1] != "" {
			m, ok := cur.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: %q is not in an object", path, tk[1])
			}
			if last {
				m[tk[1]] = v
				return nil
			}
			if m[tk[1]] == nil {
				m[tk[1]] = map[string]any{}
			}
			cur = m[tk[1]]
			continue
		}
		k, _ := strconv.Atoi(tk[2])
		a, ok := cur.([]any)
		if !ok || k >= len(a) {
			return fmt.Errorf("%s: no element %d", path, k)
		}
		if last {
			a[k] = v
			return nil
		}
		cur = a[k]
	}
	return nil
}

// sessionErrors validates the session (and against the rate) and returns
// the problems found, each at its field.
func sessionErrors(t *testing.T, doc map[string]any, rate int) []*stemmaster.SessionError {
	t.Helper()
	b, _ := json.Marshal(doc)
	var s stemmaster.Session
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%v", err)
	}
	return stemmaster.SessionErrors(errors.Join(s.Validate(), s.ValidateRate(rate)))
}

// errorAt validates the session (and against the rate) and reports whether
// a problem names field.
func errorAt(t *testing.T, doc map[string]any, field string, rate int) (bool, string) {
	t.Helper()
	for _, se := range sessionErrors(t, doc, rate) {
		if se.Field == field {
			return true, se.Error()
		}
	}
	return false, ""
}

// checkDeliverables holds the page's deliverables to the session's
// outputs: all of them ticked at once pass the session's validation (no
// format and bit depth the server refuses, no two with one file name), and
// every container the session writes is offered.
func checkDeliverables(t *testing.T, session json.RawMessage, outs []map[string]any, rate int) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(session, &doc); err != nil {
		t.Fatalf("the session: %v", err)
	}
	list := make([]any, len(outs))
	formats := map[string]bool{}
	for i, o := range outs {
		if m, ok := o["missing"]; ok {
			t.Errorf("the page's deliverable %v has no entry in DELIVERABLES", m)
		}
		if f, ok := o["format"].(string); ok {
			formats[f] = true
		}
		list[i] = o
	}
	doc["outputs"] = list
	for _, se := range sessionErrors(t, doc, rate) {
		if strings.HasPrefix(se.Field, "outputs") {
			t.Errorf("the page's deliverables, all ticked, are refused: %v", se)
		}
	}
	for _, f := range []string{stemmaster.FormatWAV, stemmaster.FormatFLAC, stemmaster.FormatAIFF} {
		if !formats[f] {
			t.Errorf("the page offers no %s deliverable (offered: %v)", f, outs)
		}
	}
}

// checkFieldBounds holds every number field of the page to the session's
// bounds: its min and max pass the session's validation at the stems'
// rate, and a step beyond either is refused by name (an exclusive bound:
// the bound refused, a step inside it allowed). The page's range is then
// the one the server enforces (docs/session.md), not a narrower or wider
// one of its own. A later crossover's lower bound is relative to the one
// before it, which the page cannot offer as a range: only its upper bound
// is checked.
func checkFieldBounds(t *testing.T, session json.RawMessage, fields []pageField, rate int) {
	t.Helper()
	if len(fields) < 60 {
		t.Errorf("only %d number fields with a session path on the page", len(fields))
	}
	t.Logf("%d number fields of the page against the session's bounds", len(fields))
	for _, f := range fields {
		lo, err1 := strconv.ParseFloat(f.RawMin, 64)
		hi, err2 := strconv.ParseFloat(f.RawMax, 64)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: the page offers no range (min %q, max %q)", f.Field, f.RawMin, f.RawMax)
			continue
		}
		// A step beyond: the input's own where it is whole (an integer
		// field takes no fraction), else a millionth of the range.
		eps := max(1e-6, 1e-6*(hi-lo))
		if st, err := strconv.ParseFloat(f.Step, 64); err == nil && st >= 1 && st == math.Trunc(st) {
			eps = st
		}
		type probe struct {
			v    float64
			want bool
		}
		probes := []probe{{lo, false}, {hi, false}, {lo - eps, true}, {hi + eps, true}}
		switch f.Exclusive {
		case "min":
			probes = []probe{{lo, true}, {lo + eps, false}, {hi, false}, {hi + eps, true}}
		case "max":
			probes = []probe{{lo, false}, {lo - eps, true}, {hi, true}, {hi - eps, false}}
		}
		if laterCrossover.MatchString(f.Field) {
			probes = probes[1:2]
			if f.Exclusive == "" {
				probes = []probe{{hi, false}, {hi + eps, true}}
			}
		}
		for _, c := range probes {
			var doc map[string]any
			json.Unmarshal(session, &doc)
			if err := setPath(doc, f.Field, c.v); err != nil {
				t.Errorf("%v", err)
				break
			}
			if got, msg := errorAt(t, doc, f.Field, rate); got != c.want {
				t.Errorf("%s = %g (the page offers %g … %g): refused %v (%s), want %v", f.Field, c.v, lo, hi, got, msg, c.want)
			}
		}
	}
}
