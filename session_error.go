package stemmaster

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SessionError is a problem in a session: the field (a path such as
// "stems[2].eq[0].freq_hz"), the value found there, what is wrong with it and,
// for a session file, the file and line. It prints as
//
//	session.yaml:7: stems[2].eq[0].freq_hz: 30000 is above Nyquist (24000 Hz)
//
// Validate and ValidateRate return it, as does the session-file reader
// (package sessionfile) for syntax and schema errors.
type SessionError struct {
	File    string // session file name; empty for sessions built in code
	Line    int    // 1-based; 0 when unknown
	Field   string
	Value   string // as the user wrote it (strings quoted)
	Problem string
	// Kind classifies the problem for programs; "" is ErrInvalid.
	Kind ErrorKind
}

// ErrorKind classifies a SessionError, so that callers (the web service
// turning errors into HTTP answers, tools filtering them) never match the
// English text of Problem.
type ErrorKind string

// Kinds of session errors.
const (
	ErrInvalid      ErrorKind = "invalid"       // a value out of range or not one of the allowed
	ErrSyntax       ErrorKind = "syntax"        // the document does not parse
	ErrUnknownField ErrorKind = "unknown_field" // a field the schema does not have
	ErrTooMany      ErrorKind = "too_many"      // a list longer than its bound
	ErrDuplicate    ErrorKind = "duplicate"     // an entry listed twice
	ErrFileMissing  ErrorKind = "file_missing"  // a referenced file does not exist
	ErrFileUnusable ErrorKind = "file_unusable" // a referenced file cannot be read or is a directory
	ErrNoFile       ErrorKind = "no_file"       // a referenced file is not among those available (the service's uploads)
)

// ErrKind returns the error's kind, ErrInvalid when unset.
func (e *SessionError) ErrKind() ErrorKind {
	if e.Kind == "" {
		return ErrInvalid
	}
	return e.Kind
}

// SessionErrors returns the SessionErrors in err (one, or those joined by
// errors.Join), in order.
func SessionErrors(err error) []*SessionError {
	var out []*SessionError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if se, ok := e.(*SessionError); ok {
			out = append(out, se)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var se *SessionError
		if errors.As(e, &se) {
			out = append(out, se)
		}
	}
	walk(err)
	return out
}

// maxShownValue bounds the bytes of a value an error message shows.
const maxShownValue = 120

func (e *SessionError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	if v := e.Value; len(v) > maxShownValue {
		// A value as long as a session file may be (a file name of
		// megabytes) is cut: the message stays one readable line.
		cut := maxShownValue
		for !utf8.RuneStart(v[cut]) {
			cut--
		}
		fmt.Fprintf(&b, "%s… (%d bytes) ", v[:cut], len(v))
	} else if v != "" {
		b.WriteString(v + " ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// FieldLine returns the session file line of a field (a path such as
// "stems[2].file"), or of its nearest parent present in Lines; 0 when none
// is.
func (s *Session) FieldLine(path string) int { return s.line(path) }

// line returns the session file line of a field, or of its nearest parent
// present in Lines; 0 when none is (a session built in code).
func (s *Session) line(path string) int {
	for path != "" {
		if l, ok := s.Lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}
