package stemmaster

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"stemmaster/internal/doccheck"
)

// modulePackages returns the module's packages (directories holding
// non-test Go files, relative to the module root, the root as
// "stemmaster") with the module packages their non-test files import.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	module := modulePath(t)
	pkgs := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(p))
		if pkg == "." {
			pkg = module
		}
		imps := pkgs[pkg]
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if ip == module {
				imps = append(imps, module)
			} else if rel, ok := strings.CutPrefix(ip, module+"/"); ok {
				imps = append(imps, rel)
			}
		}
		pkgs[pkg] = imps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, imps := range pkgs {
		slices.Sort(imps)
		pkgs[p] = slices.Compact(imps)
	}
	return pkgs
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

// TestPackageTable enforces the package table of docs/architecture.md:
// every package has a row, imports only what its row allows, and every row
// names a package that exists.
func TestPackageTable(t *testing.T) {
	t.Parallel()
	allowed := map[string][]string{} // package or "dsp/*" pattern → allowed imports
	for _, tb := range readTables(t, "architecture.md") {
		if len(tb.Header) < 3 || tb.Header[0] != "package" || !strings.HasPrefix(tb.Header[2], "may import") {
			continue
		}
		for _, row := range tb.Rows {
			for _, p := range doccheck.CodeSpans(row[0]) {
				allowed[p] = doccheck.CodeSpans(row[2])
			}
		}
	}
	if len(allowed) == 0 {
		t.Fatal("docs/architecture.md has no table with the columns package | holds | may import")
	}
	pkgs := modulePackages(t)
	rowOf := func(pkg string) (string, bool) {
		if _, ok := allowed[pkg]; ok {
			return pkg, true
		}
		for row := range allowed {
			if prefix, ok := strings.CutSuffix(row, "/*"); ok && strings.HasPrefix(pkg, prefix+"/") {
				return row, true
			}
		}
		return "", false
	}
	permits := func(rules []string, imp string) bool {
		for _, r := range rules {
			prefix, tree := strings.CutSuffix(r, "/...")
			switch {
			case r == "*", r == imp, tree && (imp == prefix || strings.HasPrefix(imp, prefix+"/")):
				return true
			}
		}
		return false
	}
	for pkg, imps := range pkgs {
		row, ok := rowOf(pkg)
		if !ok {
			t.Errorf("package %s has no row in the package table of docs/architecture.md: add one (what it holds, what it may import)", pkg)
			continue
		}
		for _, imp := range imps {
			if !permits(allowed[row], imp) {
				t.Errorf("%s imports %s, which its row (%s) in docs/architecture.md does not allow; keep the dependency direction or change the table with the reason", pkg, imp, row)
			}
		}
	}
	for row := range allowed {
		if strings.HasSuffix(row, "/*") {
			continue
		}
		if _, ok := pkgs[row]; !ok {
			t.Errorf("docs/architecture.md has a row for %s, which is not a package of the module", row)
		}
	}
}

// TestNewcomersPath checks the newcomer's path of docs/architecture.md:
// every function it names is declared in the file named beside it.
func TestNewcomersPath(t *testing.T) {
	t.Parallel()
	steps := 0
	for _, tb := range readTables(t, "architecture.md") {
		col := slices.Index(tb.Header, "function")
		fileCol := slices.Index(tb.Header, "file")
		if col < 0 || fileCol < 0 {
			continue
		}
		for _, row := range tb.Rows {
			fn, file := doccheck.CodeSpans(row[col]), doccheck.CodeSpans(row[fileCol])
			if len(fn) != 1 || len(file) != 1 {
				t.Errorf("newcomer's path row %q: want one `function` and one `file`", strings.Join(row, " | "))
				continue
			}
			steps++
			if !declares(t, file[0], fn[0]) {
				t.Errorf("docs/architecture.md: step %s names %s in %s, which does not declare it", row[0], fn[0], file[0])
			}
		}
	}
	if steps < 10 {
		t.Errorf("the newcomer's path has %d steps; want the whole way from a stem file to a delivered master", steps)
	}
}

// declares reports whether the Go file declares the function name, or the
// method "Type.name".
func declares(t *testing.T, file, name string) bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path.Clean(file), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Error(err)
		return false
	}
	recv, fn, isMethod := strings.Cut(name, ".")
	if !isMethod {
		recv, fn = "", name
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn || (fd.Recv != nil) != isMethod {
			continue
		}
		if !isMethod || receiverType(fd) == recv {
			return true
		}
	}
	return false
}

// receiverType returns the name of a method's receiver type (without * and
// type parameters).
func receiverType(fd *ast.FuncDecl) string {
	x := fd.Recv.List[0].Type
	if st, ok := x.(*ast.StarExpr); ok {
		x = st.X
	}
	switch x := x.(type) {
	case *ast.IndexExpr:
		return fmt.Sprint(x.X)
	case *ast.IndexListExpr:
		return fmt.Sprint(x.X)
	}
	return fmt.Sprint(x)
}

// TestPackageDocs checks that every package says what it is for in a doc
// comment ("Package x …" or, for a command, "Command x …") and points a
// reader into docs/, where the design lives.
func TestPackageDocs(t *testing.T) {
	t.Parallel()
	docs := map[string]string{} // package directory → its doc comment
	fset := token.NewFileSet()
	for dir := range modulePackages(t) {
		if dir == modulePath(t) {
			dir = "."
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Doc != nil {
				docs[dir] += f.Doc.Text()
			}
		}
		doc := docs[dir]
		switch {
		case doc == "":
			t.Errorf("package %s has no doc comment: say what it is for (doc.go when it is long)", dir)
		case !strings.HasPrefix(doc, "Package ") && !strings.HasPrefix(doc, "Command "):
			t.Errorf("package %s: the doc comment starts %q; start with \"Package name\" (or \"Command name\")", dir, strings.SplitN(doc, "\n", 2)[0])
		case !strings.Contains(doc, "docs/"):
			t.Errorf("package %s: the doc comment does not point into docs/ (docs/architecture.md at least)", dir)
		}
	}
}
