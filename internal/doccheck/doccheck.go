// Package doccheck reads the Markdown tables of the documents under docs/,
// so that tests can keep the documents and the code in step: a field, a
// key or a code in one and not in the other fails the test.
package doccheck

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Table is one Markdown table: its header cells and its rows' cells,
// trimmed, without the separator row.
type Table struct {
	Header []string
	Rows   [][]string
}

// Read returns the text of the document at path, failing the test when
// it cannot be read.
func Read(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Section returns the text under the heading line heading (say
// "### `info --json`") up to the next heading; ok is false when md has no
// such heading.
func Section(md, heading string) (section string, ok bool) {
	_, section, ok = strings.Cut(md, "\n"+heading+"\n")
	if next := strings.Index(section, "\n#"); next >= 0 {
		section = section[:next]
	}
	return section, ok
}

// Tables returns the tables of md in order.
func Tables(md string) []Table {
	var tables []Table
	var cur *Table
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			cur = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case cur == nil:
			tables = append(tables, Table{Header: cells})
			cur = &tables[len(tables)-1]
		case strings.Trim(cells[0], "-: ") == "":
			// the separator row
		default:
			cur.Rows = append(cur.Rows, cells)
		}
	}
	return tables
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

// CodeSpans returns the `quoted` words of a table cell.
func CodeSpans(cell string) []string {
	var out []string
	for _, m := range codeSpan.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// FirstColumn returns the `quoted` words of the first column of every
// table whose first header cell is header ("" for every table).
func FirstColumn(tables []Table, header string) []string {
	var out []string
	for _, tb := range tables {
		if header != "" && (len(tb.Header) == 0 || tb.Header[0] != header) {
			continue
		}
		for _, row := range tb.Rows {
			out = append(out, CodeSpans(row[0])...)
		}
	}
	return out
}

// InStep fails the test for every name of code the document does not
// list and every name it lists that code does not have; missing and extra
// are the messages, each with one %s for the name.
func InStep(t testing.TB, code, documented []string, missing, extra string) {
	t.Helper()
	for _, n := range code {
		if !slices.Contains(documented, n) {
			t.Errorf(missing, n)
		}
	}
	for _, n := range documented {
		if !slices.Contains(code, n) {
			t.Errorf(extra, n)
		}
	}
}
