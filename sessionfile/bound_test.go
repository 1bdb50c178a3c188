package sessionfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"stemmaster"
)

// maxSession is a session with every field set and every list at its
// bound: MaxStems stems, each with every processor.
func maxSession() *stemmaster.Session {
	lengths := map[reflect.Type]int{
		reflect.TypeOf([]stemmaster.StemSpec{}):      stemmaster.MaxStems,
		reflect.TypeOf([]stemmaster.EQBand{}):        stemmaster.MaxEQBands,
		reflect.TypeOf([]stemmaster.DynamicEQBand{}): stemmaster.MaxDynamicEQBands,
		reflect.TypeOf([]stemmaster.MultibandBand{}): stemmaster.MaxMultibandBands,
		reflect.TypeOf([]float64{}):                  stemmaster.MaxMultibandBands - 1,
		reflect.TypeOf([]stemmaster.Output{}):        stemmaster.MaxOutputs,
		reflect.TypeOf([]stemmaster.Version{}):       len(stemmaster.AllVersions),
		reflect.TypeOf([]stemmaster.MatchPoint{}):    stemmaster.MaxMatchPoints,
	}
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
					fill(v.Field(i))
				}
			}
		case reflect.Slice:
			n, ok := lengths[v.Type()]
			if !ok {
				panic("maxSession: no bound for " + v.Type().String())
			}
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(v.Index(i))
			}
		case reflect.String:
			v.SetString("stems/lead-vocal_take-2.wav")
		case reflect.Float64:
			v.SetFloat(-12.25)
		case reflect.Int, reflect.Int64:
			v.SetInt(-123456)
		case reflect.Bool:
			v.SetBool(true)
		}
	}
	var s stemmaster.Session
	fill(reflect.ValueOf(&s).Elem())
	target, _ := stemmaster.TargetPreset("streaming")
	s.Master.Target = &target
	return &s
}

// nodes counts the values yaml.v3 builds for every document of data, as
// far as it parses.
func nodes(data []byte) int {
	var count func(n *yaml.Node) int
	count = func(n *yaml.Node) int {
		c := 1
		for _, x := range n.Content {
			c += count(x)
		}
		return c
	}
	total := 0
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			return total
		}
		total += count(&doc)
	}
}

// TestMaxValues: the largest session there can be — as compact and
// indented JSON, and as YAML — parses, with room to spare under MaxValues,
// and room never counts fewer values than yaml.v3 builds.
func TestMaxValues(t *testing.T) {
	t.Parallel()
	s := maxSession()
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	indented, _ := json.MarshalIndent(s, "", "  ")
	var generic any
	if err := json.Unmarshal(js, &generic); err != nil {
		t.Fatal(err)
	}
	ys, _ := yaml.Marshal(generic)
	for _, tc := range []struct {
		name string
		doc  []byte
	}{{"max.json", js}, {"indented.json", indented}, {"max.yaml", ys}} {
		n, line := room(tc.doc, MaxValues)
		if built := nodes(tc.doc); n < built || line != 0 || 2*n > MaxValues+MaxValues/5 {
			t.Errorf("%s: room %d (line %d) for %d values built; want at least as many, and under 0.6 × MaxValues", tc.name, n, line, built)
		}
		if _, err := Parse(tc.doc, tc.name); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestRoom: room counts at least the values yaml.v3 builds from documents
// written to make many values from few bytes.
func TestRoom(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"a", "[]", "{}", "[-]", "- -\n", "-\n-\n-", "--- a\n--- b\n---\n", "{a, b, c}", "{a:1,b:2}", `{"a":[1,2],"b":{}}`,
		"[a: b, c: d]", "? a\n? b\n: c\n", "? - a\n", "a: &x [1, 2]\nb: *x\nc: {<<: *x}\n", "[[[[]]]]",
		"# - - - , , ,\n- a\n  # , , ,\n- b # , ,\n", "k: |\n  - a\n  # b, c\n", "\xef\xbb\xbf- a\n- b\n",
		"a:\u2028- b", "- a\r- b\r- c", "[a,\n# b, c\n d]",
	} {
		n, _ := room([]byte(doc), MaxValues)
		if built := nodes([]byte(doc)); n < built {
			t.Errorf("%q: room %d for %d values built", doc, n, built)
		}
	}
}

// hostile documents of about size bytes, each a few bytes a value.
func hostile(size int) map[string]string {
	repeat := func(head, unit, tail string) string {
		return head + strings.Repeat(unit, (size-len(head)-len(tail))/len(unit)) + tail
	}
	return map[string]string{
		"numbers.yaml": repeat("stems: [", "1,", "1]\n"),
		"nulls.yaml":   repeat("stems:\n", "-\n", ""),
		"keys.yaml":    repeat("master: {", "a, ", "b}\n"),
		"stems.yaml":   repeat("stems:\n", "  - {file: a.wav, gain_db: -1}\n", ""),
		"stems.json":   repeat(`{"stems":[`, `{"file":"a.wav"},`, `{"file":"a.wav"}]}`),
		"nested.yaml":  repeat("stems: ", "[", ""),
	}
}

// TestHostileSessions: a document of a few bytes a value is refused
// before the parser builds its tree, by name and line, as too many
// (nested lists by the parser's own depth bound): parsing such a document
// of 1 MiB allocates a few times its size at most, never the hundreds of
// bytes a value the tree would take.
func TestHostileSessions(t *testing.T) {
	// Not parallel: the allocation count is the process's.
	for name, doc := range hostile(1 << 20) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Parse([]byte(doc), name)
		runtime.ReadMemStats(&after)
		var se *stemmaster.SessionError
		if !errors.As(err, &se) || se.File != name || se.Line == 0 {
			t.Errorf("%s: %v, want a SessionError naming the file and a line", name, err)
			continue
		}
		if name != "nested.yaml" && (se.ErrKind() != stemmaster.ErrTooMany || !strings.Contains(se.Problem, "values")) {
			t.Errorf("%s: %v, want too many values", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("%s: parsing 1 MiB allocated %d MiB", name, alloc>>20)
		}
	}
}
