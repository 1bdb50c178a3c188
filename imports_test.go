package stemmaster

import (
	"bufio"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStdOnly enforces the package table of docs/architecture.md: the root package holds
// domain types and imports the standard library only (yaml.v3 lives in
// package sessionfile). An import is standard when its first path element
// has no dot and it is not inside this module. Test files of the external
// package stemmaster_test may import the module itself, and every test file
// internal/doccheck (which imports the standard library only) to read docs/.
func TestStdOnly(t *testing.T) {
	t.Parallel()
	module := modulePath(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no .go files in the package directory")
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		external := strings.HasSuffix(f.Name.Name, "_test")
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(path, "/")
			inModule := path == module || strings.HasPrefix(path, module+"/")
			switch {
			case external && path == module:
			case strings.HasSuffix(name, "_test.go") && path == module+"/internal/doccheck":
			case strings.Contains(first, ".") || inModule:
				t.Errorf("%s imports %q; the root package may import the standard library only", fset.Position(imp.Pos()), path)
			}
		}
	}
}

// modulePath reads the module line of go.mod (the root package's directory
// is the module root).
func modulePath(t *testing.T) string {
	t.Helper()
	f, err := os.Open("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}
