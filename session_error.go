package stemmaster

import (
	"fmt"
	"strings"
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
}

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
	if e.Value != "" {
		b.WriteString(e.Value + " ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

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
