package sessionfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"stemmaster"
)

// Load reads a session file (YAML or JSON), resolves its paths against the
// file's directory and validates it (every check that needs no audio; see
// stemmaster.Session.Validate). Errors name the file as path is written
// (several songs' session.yaml must not read alike in a batch). Every
// problem is reported at once: a value of the wrong type or an unknown
// field does not hide the range errors and missing files of the rest (the
// checks of a value that could not be read are left out). The returned
// error is a *stemmaster.SessionError, or several joined with errors.Join
// in the order of their lines, or an *os.PathError when the file is
// unreadable, not a file or a pipe, or longer than MaxBytes.
func Load(path string) (*stemmaster.Session, error) {
	data, err := readSession(path)
	if err != nil {
		return nil, err
	}
	s, d, err := parse(data, path)
	if err != nil {
		return nil, err
	}
	s.Dir = filepath.Dir(path)
	if len(s.Stems) > stemmaster.MaxStems {
		// Validate refuses the session; a file check of every stem
		// would print a line each.
		return nil, errors.Join(append(d.errs, s.Validate())...)
	}
	errs := d.errs
	for _, se := range stemmaster.SessionErrors(errors.Join(s.Validate(), CheckFiles(s))) {
		if !d.unread(se.Field) {
			errs = append(errs, se)
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b error) int { return lineOf(a) - lineOf(b) })
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// lineOf is the line a SessionError points at, for ordering; errors
// without one go last.
func lineOf(err error) int {
	if se, ok := err.(*stemmaster.SessionError); ok && se.Line > 0 {
		return se.Line
	}
	return math.MaxInt
}

// Parse decodes a session from YAML or JSON (JSON is read as the YAML subset
// it is, so both get line numbers). name labels errors and becomes the
// session's Name; the session's Lines map each field path to its line.
// Unknown fields, duplicate keys, values of the wrong type and a document
// with room for more than MaxValues values are errors
// (*stemmaster.SessionError, every one found, joined); Parse does not
// validate values (call Validate, which Load does). YAML anchors, aliases
// and merge keys (<<: *base) are read as YAML defines them.
func Parse(data []byte, name string) (*stemmaster.Session, error) {
	s, d, err := parse(data, name)
	if err != nil {
		return nil, err
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return s, nil
}

// parse is Parse that hands back the session decoded as far as it could
// be beside the errors of its fields (d.errs), so that Load can validate
// the rest. err is a problem of the whole document (syntax, size).
func parse(data []byte, name string) (*stemmaster.Session, *nodeDecoder, error) {
	if _, line := room(data, MaxValues); line > 0 {
		return nil, nil, tooManyValues(name, line)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, nil, yamlSyntaxError(name, data, err)
	}
	s := &stemmaster.Session{Name: name, Lines: map[string]int{}}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil, &stemmaster.SessionError{File: name, Problem: "the session is empty"}
	}
	// A second document ("---") would be dropped unread: a session file
	// is one document (an empty one after it, a stray "---", loses
	// nothing).
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, yamlSyntaxError(name, data, err)
		}
		if len(next.Content) > 0 && !isNull(next.Content[0]) {
			return nil, nil, &stemmaster.SessionError{File: name, Line: next.Line, Problem: "a second YAML document starts here (after ---): a session file holds one", Kind: stemmaster.ErrSyntax}
		}
	}
	d := &nodeDecoder{name: name, lines: s.Lines, budget: aliasBudget(doc.Content[0])}
	if err := d.decode(doc.Content[0], reflect.ValueOf(s).Elem(), ""); err != nil {
		return nil, nil, errors.Join(append(d.errs, err)...)
	}
	s.Name = name
	return s, d, nil
}

// yamlSyntaxError turns "yaml: line 3: …" into "session.yaml:3: …", saying
// so when a tab on that line is the cause (YAML indents with spaces only,
// and its own message does not say it).
func yamlSyntaxError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if lines := bytes.Split(data, []byte("\n")); line > 0 && line <= len(lines) && bytes.ContainsRune(lines[line-1], '\t') {
		msg += " (a tab on this line: YAML indents with spaces only)"
	}
	return &stemmaster.SessionError{File: name, Line: line, Problem: "syntax error: " + msg, Kind: stemmaster.ErrSyntax}
}

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

// aliasBudget bounds the nodes a decode of root visits: every node the
// document writes out, and aliases repeating them up to 16 times as many
// (an EQ curve anchored once and reused on every stem stays well within),
// but never more than MaxValues, what no session comes near: 600 KB of
// stems aliasing one 16-band EQ passed 16 times and took 380 MB of paths
// and lines to refuse.
func aliasBudget(root *yaml.Node) int {
	written := 0
	var count func(n *yaml.Node)
	count = func(n *yaml.Node) {
		written++
		for _, c := range n.Content {
			count(c)
		}
	}
	count(root)
	return min(16*written+10000, MaxValues)
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

// fieldUnits are the units session fields carry in their names' endings
// (docs/session.md), longest ending first.
var fieldUnits = []struct{ ending, unit string }{
	{"_dbtp", "dBTP"}, {"_lufs", "LUFS"}, {"_lu", "LU"}, {"_db", "dB"}, {"_hz", "Hz"}, {"_ms", "ms"}, {"_samples", "samples"},
}

// unitHint says how to write a figure given with its unit ("0.5dB",
// "3 kHz", "-14 LUFS") in a numeric field: the number alone, in the unit
// the field's name carries (kHz turned into Hz); "" for any other value.
func unitHint(path, value string) string {
	i := strings.IndexFunc(value, func(r rune) bool { return r == ' ' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '%' })
	if i <= 0 {
		return ""
	}
	x, err := strconv.ParseFloat(value[:i], 64)
	if err != nil {
		return ""
	}
	field := path[strings.LastIndexAny(path, ".]")+1:]
	for _, u := range fieldUnits {
		if !strings.HasSuffix(field, u.ending) {
			continue
		}
		written := strings.TrimSpace(value[i:])
		if u.unit == "Hz" && (strings.EqualFold(written, "k") || strings.EqualFold(written, "khz")) {
			x *= 1000
		}
		return fmt.Sprintf(" (write the number alone, %s: the field's unit, %s, is in its name)", stemmaster.FormatNumber(x), u.unit)
	}
	return ""
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
			if err := d.failKind(stemmaster.ErrUnknownField, k, pathOr(path, "session"), strconv.Quote(key), "is not a known field ("+strings.Join(known, ", ")+")"); err != nil {
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

// pair is a key and its value in a mapping.
type pair struct{ key, value *yaml.Node }

// pairs returns the entries of the mapping n with its merge keys
// (<<: *base, or <<: [*a, *b]) resolved as YAML defines them: the mapping's
// own keys first (a key written twice stays twice, for decodeStruct to
// refuse), then each merged mapping's keys that are not set yet, earlier
// mappings first. An engineer anchors a compressor once and writes
// {<<: *glue, ratio: 4} where one stem needs more.
func (d *nodeDecoder) pairs(n *yaml.Node, path string) ([]pair, error) {
	var own []pair
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged = append(merged, val)
			continue
		}
		own = append(own, pair{k, val})
	}
	if len(merged) == 0 {
		return own, nil
	}
	set := map[string]bool{}
	for _, p := range own {
		set[p.key.Value] = true
	}
	out := own
	for _, m := range merged {
		var sources []*yaml.Node
		switch r := resolve(m); r.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{r}
		case yaml.SequenceNode:
			sources = r.Content
		default:
			if err := d.failKind(stemmaster.ErrInvalid, m, path, describe(r), "is merged (<<) but is not a mapping or a list of mappings"); err != nil {
				return nil, err
			}
			continue
		}
		for _, src := range sources {
			src = resolve(src)
			if src.Kind != yaml.MappingNode {
				if err := d.failKind(stemmaster.ErrInvalid, m, path, describe(src), "is merged (<<) but is not a mapping"); err != nil {
					return nil, err
				}
				continue
			}
			if d.budget -= len(src.Content) / 2; d.budget < 0 {
				return nil, d.spent(src, path)
			}
			ps, err := d.pairs(src, path)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if !set[p.key.Value] {
					set[p.key.Value] = true
					out = append(out, p)
				}
			}
		}
	}
	return out, nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
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

// CheckFiles checks that every file the session names (stems and mix,
// relative to its Dir) exists and is a regular file, for callers about to
// open them: a missing one is reported with the field and line that name
// it (kind ErrFileMissing or ErrFileUnusable). Session.Validate does not
// touch the disk.
func CheckFiles(s *stemmaster.Session) error {
	var errs []error
	check := func(path, name string) {
		if name == "" {
			return // Validate reports it
		}
		add := func(kind stemmaster.ErrorKind, problem string) {
			errs = append(errs, &stemmaster.SessionError{File: s.Name, Line: s.FieldLine(path), Field: path, Value: strconv.Quote(name), Problem: problem, Kind: kind})
		}
		fi, err := os.Stat(s.Path(name))
		switch {
		case errors.Is(err, os.ErrNotExist):
			add(stemmaster.ErrFileMissing, "does not exist")
		case err != nil:
			msg := err.Error()
			if u := errors.Unwrap(err); u != nil {
				msg = u.Error()
			}
			add(stemmaster.ErrFileUnusable, "cannot be read: "+msg)
		case !fi.Mode().IsRegular():
			add(stemmaster.ErrFileUnusable, "is "+NotAFile(fi)+", not a file")
		}
	}
	for i, st := range s.Stems {
		check(fmt.Sprintf("stems[%d].file", i), st.File)
	}
	if s.Mix != "" {
		check("mix", s.Mix)
		stems := make([]string, len(s.Stems))
		for i, st := range s.Stems {
			stems[i] = s.Path(st.File)
		}
		if i := MixAmongStems(s.Path(s.Mix), stems); i >= 0 {
			errs = append(errs, &stemmaster.SessionError{File: s.Name, Line: s.FieldLine("mix"), Field: "mix", Value: strconv.Quote(s.Mix),
				Problem: fmt.Sprintf("is also stems[%d].file (%s): %s", i, s.Stems[i].File, mixAmongStems), Kind: stemmaster.ErrDuplicate})
		}
	}
	return errors.Join(errs...)
}

// NotAFile names what fi is when it is not a regular file: "a directory",
// "a named pipe" (which would block its reader until something writes to
// it), "a device", "a socket"; "" for a regular file.
func NotAFile(fi os.FileInfo) string {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// NotAFileError is the error of a path the commands refuse to open
// because it is not a regular file ("" kind: nil).
func NotAFileError(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return nil // the opener reports it
	}
	if kind := NotAFile(fi); kind != "" {
		return fmt.Errorf("%s is %s, not an audio file", path, kind)
	}
	return nil
}

// mixAmongStems says why a mix given as a stem too is refused.
const mixAmongStems = "the mix is the reference the stems are compared with; summed as a stem it puts the song in the sum twice"

// MixAmongStems returns the index of the first of stems that is the same
// file as mix (the same path, a link to it or a hard link), or -1.
// Files that cannot be read are left to the callers' own errors.
func MixAmongStems(mix string, stems []string) int {
	mi, err := os.Stat(mix)
	if err != nil {
		return -1
	}
	for i, st := range stems {
		if si, err := os.Stat(st); err == nil && os.SameFile(mi, si) {
			return i
		}
	}
	return -1
}

// MixAmongStemsError is the error of a mix given as a stem too (the check
// command's arguments).
func MixAmongStemsError(mix, stem string) error {
	return fmt.Errorf("the mix %s is also given as the stem %s: %s", mix, stem, mixAmongStems)
}
