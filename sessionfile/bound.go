package sessionfile

import (
	"fmt"

	"stemmaster"
)

// MaxValues bounds the values — mappings, lists and single values — a
// session document may write. The YAML parser builds a node of about 200
// bytes for each before anything can look at the tree, so MaxBytes of
// "1," would take 400 MB before the session could be refused. A session
// of MaxStems stems with every processor and every list at its longest
// has room for about 130,000 as compact JSON (TestMaxValues), half as
// many as YAML.
const MaxValues = 250_000

// room counts, in one pass over the bytes and before any parsing, how many
// values data can hold at most — every value but a document's root is an
// entry of a list, opened by "- " (or a "---" starting a document), "[" or
// ","; or a key or value of a mapping, opened by ":", "?", "{" or ",".
// Indicators inside quoted text, plain scalars or after a "#" on a line
// count too, so room overestimates, never under. Lines whose first
// non-blank byte is "#" are skipped: in YAML that is a comment or the text
// of a quoted or block scalar, which write no value. A comment is taken to
// end at a line break and at any byte outside ASCII (NEL, LS and PS are
// line breaks too), which only ever counts more; in a UTF-16 document (its
// byte-order mark) nothing is skipped and every "-" counts.
//
// room stops at the first line where the count passes limit and returns
// that line; line is 0 when data has room for limit values or fewer.
func room(data []byte, limit int) (n, line int) {
	utf16 := len(data) >= 2 && (data[0] == 0xfe && data[1] == 0xff || data[0] == 0xff && data[1] == 0xfe)
	n, line = 2, 1 // the first document and its root
	lineStart, comment := true, false
	for i, c := range data {
		switch {
		case c == '\n' || c == '\r':
			if c == '\n' || i+1 == len(data) || data[i+1] != '\n' {
				line++
			}
			lineStart, comment = true, false
			continue
		case comment && c < 0x80:
			continue
		case lineStart && (c == ' ' || c == '\t'):
			continue
		case lineStart && c == '#' && !utf16:
			lineStart, comment = false, true
			continue
		}
		lineStart, comment = false, false
		switch c {
		case ':', '?', '{', ',':
			n += 2
		case '[':
			n++
		case '-':
			// "-" opens an entry or ends "---" only before a blank, a
			// break or the end (-12, a-b.wav open nothing).
			if utf16 || i+1 == len(data) || blankOrBreak(data[i+1]) {
				n += 2
			}
		}
		if n > limit {
			return n, line
		}
	}
	return n, 0
}

// blankOrBreak reports whether c may be a blank, a line break or the end
// (NUL) after an indicator; any byte outside ASCII may start NEL, LS or PS.
func blankOrBreak(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0 || c >= 0x80
}

// tooManyValues is the error of a document with room for more than
// MaxValues values by line.
func tooManyValues(name string, line int) error {
	return &stemmaster.SessionError{File: name, Line: line, Kind: stemmaster.ErrTooMany,
		Problem: fmt.Sprintf("by this line the session has more than %d values (lists, mappings, numbers and names; a session of %d stems with every processor has about half as many): not a session", MaxValues, stemmaster.MaxStems)}
}
