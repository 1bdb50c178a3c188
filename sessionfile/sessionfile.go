// This file holds the entry points: Load (read, parse, validate, check the
// files) and Parse, and the syntax errors of a document YAML cannot read.

package sessionfile

import (
	"bytes"
	"errors"
	"io"
	"math"
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
