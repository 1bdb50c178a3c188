// This file holds the node decoder: it fills a session's Go values from the
// YAML node tree field by field (scalars, structs, the target preset or
// mapping), recording each field's line and every value it cannot read as a
// SessionError with its path, up to maxErrors problems.

package sessionfile

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"stemmaster"
)

// nodeDecoder fills Go values from a yaml.Node tree, the way
// yaml.Decoder.KnownFields(true) would, but recording every field's line and
// reporting errors as SessionErrors with the field's path. Field names are
// the types' json tags, so a session file and the service's JSON share one
// schema.
type nodeDecoder struct {
	name  string
	lines map[string]int
	// errs are the problems found so far, each field's own: the walk
	// goes on past them, so that one run names them all.
	errs []error
	// failed are the paths whose values could not be read (the wrong
	// type, not a mapping): what validation says of them (a required
	// field "absent") repeats the error already given.
	failed []string
	// budget is how many more nodes decode may visit. Aliases make the
	// tree a graph: a 30 KiB file whose list of aliases points at a list
	// of aliases expands to millions of fields (gigabytes of paths and
	// lines), so the walk is bounded by the document's own size.
	budget int
}

// maxErrors bounds the problems one decode reports: a document of
// thousands of wrong values (a file that is no session) needs no line for
// each.
const maxErrors = 50

// fail records that the value at path could not be read and goes on (nil),
// or stops the walk (the error) once maxErrors problems are recorded.
func (d *nodeDecoder) fail(n *yaml.Node, path, value, problem string) error {
	d.failed = append(d.failed, path)
	return d.failKind(stemmaster.ErrInvalid, n, path, value, problem)
}

// failKind records a problem without marking the value unread (an unknown
// field, a key given twice: the rest of its mapping is read).
func (d *nodeDecoder) failKind(kind stemmaster.ErrorKind, n *yaml.Node, path, value, problem string) error {
	if kind == stemmaster.ErrInvalid {
		kind = ""
	}
	d.errs = append(d.errs, &stemmaster.SessionError{File: d.name, Line: n.Line, Field: path, Value: value, Problem: problem, Kind: kind})
	if len(d.errs) >= maxErrors {
		return &stemmaster.SessionError{File: d.name, Line: n.Line, Problem: fmt.Sprintf("more problems from here on (%d above): fix those first", maxErrors), Kind: stemmaster.ErrTooMany}
	}
	return nil
}

// spent is the error of a walk past its budget.
func (d *nodeDecoder) spent(n *yaml.Node, path string) error {
	return &stemmaster.SessionError{File: d.name, Line: n.Line, Field: pathOr(path, "session"), Kind: stemmaster.ErrTooMany,
		Problem: fmt.Sprintf("its aliases (*name) repeat the session past the values it may hold (16 times those written out, at most %d)", MaxValues)}
}

// unread reports whether field lies at or under a path whose value could
// not be read.
func (d *nodeDecoder) unread(field string) bool {
	for _, p := range d.failed {
		if field == p || strings.HasPrefix(field, p) && (field[len(p)] == '.' || field[len(p)] == '[') {
			return true
		}
	}
	return false
}

var targetType = reflect.TypeOf(stemmaster.Target{})

func (d *nodeDecoder) decode(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if d.budget--; d.budget < 0 {
		return d.spent(n, path)
	}
	if path != "" {
		d.lines[path] = n.Line
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, v.Elem(), path)
	}
	if v.Type() == targetType {
		return d.decodeTarget(n, v, path)
	}
	switch v.Kind() {
	case reflect.Struct:
		if path != "" && isNull(n) {
			// A field written as null is left out, as a null list is.
			v.SetZero()
			return nil
		}
		return d.decodeStruct(n, v, path)
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return d.fail(n, path, describe(n), "is not a list")
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	return d.decodeScalar(n, v, path)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe shows a node in an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!str" {
		return strconv.Quote(n.Value)
	}
	return n.Value
}

func (d *nodeDecoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.ScalarNode {
		return d.fail(n, path, describe(n), "is not a single value")
	}
	var want string
	switch v.Kind() {
	case reflect.String:
		if n.Tag != "!!str" {
			return d.fail(n, path, n.Value, "is not a string (quote it)")
		}
		v.SetString(n.Value)
		return nil
	case reflect.Bool:
		want = "true or false"
	case reflect.Float64:
		want = "a number"
	case reflect.Int, reflect.Int64:
		want = "a whole number"
	default:
		// A session type grew a field of a kind this decoder does not
		// know: a programming error, not bad input.
		panic("sessionfile: session field of unexpected kind " + v.Kind().String())
	}
	if n.Tag == "!!str" || isNull(n) {
		return d.fail(n, path, describe(n), "is not "+want+unitHint(path, n.Value))
	}
	if want == "a whole number" && n.Tag == "!!float" {
		// yaml.v3 truncates 1.5 into an int as 1: a value silently
		// changed. A whole number written with a point (48000.0) is fine.
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || f != math.Trunc(f) {
			return d.fail(n, path, n.Value, "is not "+want)
		}
		if math.Abs(f) >= 1<<62 {
			return d.fail(n, path, n.Value, "is out of range")
		}
		v.SetInt(int64(f))
		return nil
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		if n.Tag == "!!int" {
			// A whole number, but too large for any field.
			return d.fail(n, path, n.Value, "is out of range")
		}
		return d.fail(n, path, n.Value, "is not "+want)
	}
	return nil
}

func (d *nodeDecoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		return d.fail(n, pathOr(path, "session"), describe(n), "is not a mapping of fields")
	}
	t := v.Type()
	fields := map[string]int{}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag == "" || tag == "-" || !t.Field(i).IsExported() {
			continue
		}
		fields[tag] = i
		known = append(known, tag)
	}
	ps, err := d.pairs(n, pathOr(path, "session"))
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range ps {
		k, val := p.key, p.value
		key := k.Value
		fi, ok := fields[key]
		if !ok {
			if err := d.failKind(stemmaster.ErrUnknownField, k, pathOr(path, "session"), strconv.Quote(key), "is not a known field ("+strings.Join(known, ", ")+")"+didYouMean(key, known)); err != nil {
				return err
			}
			continue
		}
		if seen[key] {
			if err := d.failKind(stemmaster.ErrInvalid, k, join(path, key), "", "is given twice"); err != nil {
				return err
			}
			continue
		}
		seen[key] = true
		if err := d.decode(val, v.Field(fi), join(path, key)); err != nil {
			return err
		}
		// A nested block's own line is its first entry; point at the key.
		d.lines[join(path, key)] = k.Line
	}
	return nil
}

// decodeTarget reads `target: streaming`, `target: none`, `target: -14`
// (a loudness in LUFS, as --target takes it), or a mapping {preset} /
// {integrated_lufs, true_peak_dbtp}.
func (d *nodeDecoder) decodeTarget(n *yaml.Node, v reflect.Value, path string) error {
	var preset *string
	var lufs, tp *float64
	unreadable := false
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!int" || n.Tag == "!!float" {
			// target: -14 is the integrated loudness, as --target -14
			// reads it on the command line.
			var f float64
			if err := d.decodeScalar(n, reflect.ValueOf(&f).Elem(), join(path, "integrated_lufs")); err != nil {
				return err
			}
			lufs = &f
			break
		}
		if hint := targetHint(n.Value); hint != "" {
			return d.fail(n, path, strconv.Quote(n.Value), "is not a preset or a number"+hint)
		}
		s := n.Value
		preset = &s
	case yaml.MappingNode:
		ps, err := d.pairs(n, path)
		if err != nil {
			return err
		}
		for _, p := range ps {
			k, val := p.key, p.value
			fp := join(path, k.Value)
			d.lines[fp] = val.Line
			before := len(d.errs)
			switch k.Value {
			case "preset":
				var s string
				if err := d.decodeScalar(val, reflect.ValueOf(&s).Elem(), fp); err != nil {
					return err
				}
				preset = &s
			case "integrated_lufs", "true_peak_dbtp":
				var f float64
				if err := d.decodeScalar(val, reflect.ValueOf(&f).Elem(), fp); err != nil {
					return err
				}
				if k.Value == "integrated_lufs" {
					lufs = &f
				} else {
					tp = &f
				}
			default:
				if err := d.failKind(stemmaster.ErrUnknownField, k, path, strconv.Quote(k.Value), "is not a known field (preset, integrated_lufs, true_peak_dbtp)"); err != nil {
					return err
				}
			}
			unreadable = unreadable || len(d.errs) > before
		}
	default:
		return d.fail(n, path, describe(n), "is not a preset name or a mapping")
	}
	if unreadable {
		// The target is reported; building or validating it from what
		// was read would add errors about values the file does not hold.
		d.failed = append(d.failed, path)
		return nil
	}
	t, err := stemmaster.BuildTarget(preset, lufs, tp)
	if err != nil {
		err.File, err.Field = d.name, join(path, err.Field)
		err.Line = d.lines[err.Field]
		if err.Line == 0 {
			err.Line = n.Line
		}
		d.failed = append(d.failed, path)
		d.errs = append(d.errs, err)
		return nil
	}
	v.Set(reflect.ValueOf(t))
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathOr(path, def string) string {
	if path == "" {
		return def
	}
	return path
}
