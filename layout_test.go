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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"stemmaster/internal/doccheck"
)

// eachModuleFile parses each of the module's non-test Go files (those
// eachGoFile walks) with mode and hands fn its path, relative to the
// module root, and its syntax.
func eachModuleFile(t *testing.T, mode parser.Mode, fn func(p string, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	eachGoFile(t, func(p string) error {
		if strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, mode)
		if err != nil {
			return err
		}
		fn(p, f)
		return nil
	})
}

// eachGoFile hands fn the path of each of the module's Go files, tests
// included, outside hidden directories, testdata, node_modules and vendor.
func eachGoFile(t *testing.T, fn func(p string) error) {
	t.Helper()
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
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		return fn(p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// modulePackages returns the module's packages (directories holding
// non-test Go files, relative to the module root, the root as
// "stemmaster") with the module packages their non-test files import.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	module := modulePath(t)
	pkgs := map[string][]string{}
	eachModuleFile(t, parser.ImportsOnly, func(p string, f *ast.File) {
		pkg := filepath.ToSlash(filepath.Dir(p))
		if pkg == "." {
			pkg = module
		}
		imps := pkgs[pkg]
		for _, imp := range f.Imports {
			switch dir, ok := moduleDir(module, imp); {
			case dir == ".":
				imps = append(imps, module)
			case ok:
				imps = append(imps, dir)
			}
		}
		pkgs[pkg] = imps
	})
	for p, imps := range pkgs {
		slices.Sort(imps)
		pkgs[p] = slices.Compact(imps)
	}
	return pkgs
}

// moduleDir returns the directory, relative to the module root ("." for
// the root package), of an import of the module's own packages; ok is
// false for any other import.
func moduleDir(module string, imp *ast.ImportSpec) (dir string, ok bool) {
	ip, _ := strconv.Unquote(imp.Path.Value)
	if ip == module {
		return ".", true
	}
	return strings.CutPrefix(ip, module+"/")
}

// moduleImports maps the name each import of the module's own packages
// has in the file to the package's directory ("." for the root package).
func moduleImports(module string, f *ast.File) map[string]string {
	imports := map[string]string{}
	for _, imp := range f.Imports {
		to, ok := moduleDir(module, imp)
		if !ok {
			continue
		}
		name := path.Base(to)
		if to == "." {
			name = path.Base(module)
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = to
	}
	return imports
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
// every function it names is declared in the file named beside it, and
// is reached from a step before it in the same table through the calls
// and function values of the module's code (refGraph). The first step
// starts the table, and so does a step the job queue starts (its "what
// happens" says "through the job queue"): no call leads there. The
// functions, files and packages a step names on the way are checked too
// (checkAsides).
func TestNewcomersPath(t *testing.T) {
	t.Parallel()
	g := refGraph(t)
	steps := 0
	for _, tb := range readTables(t, "architecture.md") {
		col := slices.Index(tb.Header, "function")
		fileCol := slices.Index(tb.Header, "file")
		if col < 0 || fileCol < 0 {
			continue
		}
		reached := map[string]bool{}
		for i, row := range tb.Rows {
			fn, file := doccheck.CodeSpans(row[col]), doccheck.CodeSpans(row[fileCol])
			if len(fn) != 1 || len(file) != 1 {
				t.Errorf("newcomer's path row %q: want one `function` and one `file`", strings.Join(row, " | "))
				continue
			}
			steps++
			fd := declared(t, file[0], fn[0])
			if fd == nil {
				t.Errorf("docs/architecture.md: step %s names %s in %s, which does not declare it", row[0], fn[0], file[0])
				continue
			}
			if what := slices.Index(tb.Header, "what happens"); what >= 0 {
				checkAsides(t, row[0], row[what], file[0])
			}
			node := path.Dir(path.Clean(file[0])) + "." + fd.Name.Name
			queued := slices.ContainsFunc(row, func(c string) bool { return strings.Contains(c, "through the job queue") })
			if i > 0 && !queued && !reached[node] {
				t.Errorf("docs/architecture.md: step %s (%s in %s) is not reached from the steps before it", row[0], fn[0], file[0])
			}
			g.reach(node, reached)
		}
	}
	if steps < 10 {
		t.Errorf("the newcomer's path has %d steps; want the whole way from a stem file to a delivered master", steps)
	}
}

// checkAsides checks the functions and files a step of the newcomer's
// path names on the way ("each stem gets its channel strip
// (`renderer.strips`, `engine/render.go`; `newStrip`, `engine/stems.go`)"):
// a file or package directory exists, and a function is declared in the
// file named after it, or in the step's own file when none follows. A
// span that is neither (a session field, `report.json`, a route) is prose;
// so is a function whose name is lower-case letters alone (`run`), which
// reads as a command's name (`master`): the function column holds those.
func checkAsides(t *testing.T, step, cell, stepFile string) {
	t.Helper()
	var pending []string // functions waiting for the file named after them
	in := func(file string) {
		for _, fn := range pending {
			if declared(t, file, fn) == nil {
				t.Errorf("docs/architecture.md: step %s names %s in %s, which does not declare it", step, fn, file)
			}
		}
		pending = nil
	}
	for _, span := range doccheck.CodeSpans(cell) {
		qual, name, qualified := strings.Cut(span, ".")
		switch {
		case qualified && goFuncName.MatchString(span) && ast.IsExported(name) && isDir(qual):
			// a package's function: `engine.Render`
			if files, _ := filepath.Glob(filepath.Join(qual, "*.go")); !slices.ContainsFunc(files, func(f string) bool {
				return !strings.HasSuffix(f, "_test.go") && declared(t, f, name) != nil
			}) {
				t.Errorf("docs/architecture.md: step %s names %s, which package %s does not declare", step, span, qual)
			}
		case strings.HasSuffix(span, ".go"):
			if _, err := os.Stat(span); err != nil {
				t.Errorf("docs/architecture.md: step %s names %s, which is not a file of the module", step, span)
				pending = nil
				continue
			}
			in(span)
		case dataFile.MatchString(span):
			// a file the program reads or writes: `report.json`
		case goFuncName.MatchString(span) && (qualified || strings.ToLower(span) != span):
			pending = append(pending, span)
		case packageDir.MatchString(span):
			if !isDir(span) {
				t.Errorf("docs/architecture.md: step %s names %s, which is not a package of the module", step, span)
			}
		}
	}
	in(stepFile)
}

// isDir reports whether the path, relative to the module root, is a directory.
func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

var (
	// goFuncName is a function or a method as the path names it: `Load`,
	// `renderer.commit` (one dot: a session field has more). A word of
	// lower-case letters alone (`master`) is a command's name, not a
	// function.
	goFuncName = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$`)
	// docFile is a Go file a package's doc comment names (a name with a
	// * stands for several).
	docFile = regexp.MustCompile(`\b[a-z][a-z0-9_*]*\.go\b`)
	// dataFile is the name of a file the program reads or writes.
	dataFile = regexp.MustCompile(`\.(json|ya?ml|html|png|wav|flac|aiff)$`)
	// packageDir is a package's directory: `dsp/stemsum`.
	packageDir = regexp.MustCompile(`^[a-z]\w*(/[a-z]\w*)+$`)
)

// TestDocsNames checks what the documents under docs/ name in code spans
// against the tree, as TestNewcomersPath checks the newcomer's path: a Go
// file exists (a bare name, in some package), a package directory exists,
// `pkg.Name` is declared by that package of the module (a function,
// method, type, variable or constant: `check.EditMinSeconds`), and
// `TestName` is a test of the module. Other spans (commands, routes,
// session fields, JSON, the package table's patterns) are prose.
func TestDocsNames(t *testing.T) {
	t.Parallel()
	mds, err := filepath.Glob("docs/*.md")
	if err != nil || len(mds) == 0 {
		t.Fatalf("no documents under docs/ (%v)", err)
	}
	dirOf := map[string]string{} // a package's name → its directory
	names := map[string]map[string]bool{}
	eachModuleFile(t, parser.SkipObjectResolution, func(p string, f *ast.File) {
		dir := filepath.ToSlash(filepath.Dir(p))
		dirOf[f.Name.Name] = dir
		if names[dir] == nil {
			names[dir] = map[string]bool{}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				names[dir][d.Name.Name] = true
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						names[dir][sp.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							names[dir][n.Name] = true
						}
					}
				}
			}
		}
	})
	var tests []string
	eachGoFile(t, func(p string) error {
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		tests = append(tests, string(b))
		return err
	})
	for _, md := range mds {
		doc := doccheck.Read(t, md)
		for {
			before, rest, ok := strings.Cut(doc, "\n```")
			if !ok {
				break
			}
			_, after, _ := strings.Cut(rest, "\n```")
			doc = before + after
		}
		checkNames(t, md, doc, dirOf, names, tests)
	}
}

// checkNames checks the code spans of one document (TestDocsNames).
func checkNames(t *testing.T, md, doc string, dirOf map[string]string, names map[string]map[string]bool, tests []string) {
	t.Helper()
	for _, span := range doccheck.CodeSpans(doc) {
		span = strings.TrimPrefix(span, "*")
		qual, name, qualified := strings.Cut(span, ".")
		switch {
		case strings.HasSuffix(span, ".go") && strings.Contains(span, "/"):
			if _, err := os.Stat(span); err != nil {
				t.Errorf("%s names %s, which is not a file of the module", md, span)
			}
		case strings.HasSuffix(span, ".go"):
			if !slices.ContainsFunc([]string{span, "*/" + span, "*/*/" + span, "*/*/*/" + span}, func(glob string) bool {
				m, _ := filepath.Glob(glob)
				return len(m) > 0
			}) {
				t.Errorf("%s names %s, which no package of the module holds", md, span)
			}
		case qualified && goFuncName.MatchString(span) && ast.IsExported(name) && dirOf[qual] != "":
			if !names[dirOf[qual]][name] {
				t.Errorf("%s names %s, which package %s does not declare", md, span, dirOf[qual])
			}
		case strings.HasPrefix(span, "Test") && goFuncName.MatchString(span):
			if !slices.ContainsFunc(tests, func(src string) bool { return strings.Contains(src, "func "+span+"(") }) {
				t.Errorf("%s names %s, which is not a test of the module", md, span)
			}
		case packageDir.MatchString(span) && strings.Count(span, "/") < 3 && isDir(strings.Split(span, "/")[0]):
			// a directory under one of the module's (not `log/slog`)
			if !isDir(span) {
				t.Errorf("%s names %s, which is not a directory of the module", md, span)
			}
		}
	}
}

// graph links each function of the module, and each package variable, as
// "dir.name" (the methods of a package that share a name are one node), to
// the nodes its body or initialiser refers to.
type graph map[string]map[string]bool

// refGraph builds the graph of the module's non-test Go files without
// type information: a name is resolved in its own package, a selector on
// an imported package's name in that package, and any other selector (a
// method or a field) in its own package when unexported, in every package
// declaring it when exported. It can hold an edge the code does not take
// (two methods of one name), never miss a call written in the code
// (calls through interfaces reach every method of the name).
func refGraph(t *testing.T) graph {
	t.Helper()
	module := modulePath(t)
	type unit struct {
		dir     string
		imports map[string]string // local name → package dir
		body    ast.Node
		node    string
	}
	var units []unit
	declaredIn := map[string][]string{} // name → dirs declaring a function or variable of that name
	eachModuleFile(t, parser.SkipObjectResolution, func(p string, f *ast.File) {
		dir := filepath.ToSlash(filepath.Dir(p))
		imports := moduleImports(module, f)
		add := func(name string, body ast.Node) {
			if name == "_" {
				return
			}
			if !slices.Contains(declaredIn[name], dir) {
				declaredIn[name] = append(declaredIn[name], dir)
			}
			if body != nil {
				units = append(units, unit{dir, imports, body, dir + "." + name})
			}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body != nil {
					add(d.Name.Name, d.Body)
				} else {
					add(d.Name.Name, nil) // assembly
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, sp := range d.Specs {
					vs := sp.(*ast.ValueSpec)
					for _, n := range vs.Names {
						if len(vs.Values) == 0 {
							add(n.Name, nil)
						}
						for _, v := range vs.Values {
							add(n.Name, v)
						}
					}
				}
			}
		}
	})
	g := graph{}
	for _, u := range units {
		out := g[u.node]
		if out == nil {
			out = map[string]bool{}
			g[u.node] = out
		}
		link := func(dir, name string) {
			if slices.Contains(declaredIn[name], dir) {
				out[dir+"."+name] = true
			}
		}
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					if dir, ok := u.imports[id.Name]; ok {
						link(dir, x.Sel.Name)
						return false
					}
				}
				if ast.IsExported(x.Sel.Name) {
					for _, dir := range declaredIn[x.Sel.Name] {
						link(dir, x.Sel.Name)
					}
				} else {
					link(u.dir, x.Sel.Name)
				}
				ast.Inspect(x.X, visit)
				return false
			case *ast.Ident:
				link(u.dir, x.Name)
			}
			return true
		}
		ast.Inspect(u.body, visit)
	}
	return g
}

// reach adds to reached every node the graph leads to from node (not node
// itself unless a path comes back to it).
func (g graph) reach(node string, reached map[string]bool) {
	todo := []string{node}
	for len(todo) > 0 {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for m := range g[n] {
			if !reached[m] {
				reached[m] = true
				todo = append(todo, m)
			}
		}
	}
}

// declared returns the declaration of the function name, or the method
// "Type.name", in the Go file, or nil.
func declared(t *testing.T, file, name string) *ast.FuncDecl {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path.Clean(file), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Error(err)
		return nil
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
			return fd
		}
	}
	return nil
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
// reader into docs/, where the design lives; a file the doc comment names
// as a map of the package (engine's "render.go (…)") is one of its files.
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
		for _, name := range docFile.FindAllString(doc, -1) {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil && !strings.Contains(name, "*") {
				t.Errorf("package %s: the doc comment names %s, which is not a file of the package", dir, name)
			}
		}
	}
}

// TestFileLength holds the module's non-test Go files to 500 lines
// (generated code aside): a file longer than that does several jobs, and
// each job gets a file of its own, named after it.
func TestFileLength(t *testing.T) {
	t.Parallel()
	eachModuleFile(t, parser.PackageClauseOnly|parser.ParseComments, func(p string, f *ast.File) {
		if ast.IsGenerated(f) {
			return
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "\n"); n > 500 {
			t.Errorf("%s has %d lines: split it by job (a file of its own for each), under 500 lines each", p, n)
		}
	})
}

// TestNoPackageSeams holds that no test sets a package variable of the
// module's (a seam through a package variable keeps every test of the
// package from running in parallel): a test varies what it needs through
// an option or an argument, as engine.Options' unexported fields do.
func TestNoPackageSeams(t *testing.T) {
	t.Parallel()
	module := modulePath(t)
	vars := map[string]map[string]bool{} // package directory → its package variables
	eachModuleFile(t, parser.SkipObjectResolution, func(p string, f *ast.File) {
		dir := filepath.ToSlash(filepath.Dir(p))
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					for _, n := range sp.(*ast.ValueSpec).Names {
						if n.Name == "_" {
							continue
						}
						if vars[dir] == nil {
							vars[dir] = map[string]bool{}
						}
						vars[dir][n.Name] = true
					}
				}
			}
		}
	})
	fset := token.NewFileSet()
	eachGoFile(t, func(p string) error {
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		// With object resolution, a name the test file declares itself
		// (a local variable) resolves; a package variable of a non-test
		// file does not.
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		imports := moduleImports(module, f)
		internal := !strings.HasSuffix(f.Name.Name, "_test")
		seam := func(x ast.Expr) {
			for {
				switch e := x.(type) {
				case *ast.IndexExpr:
					x = e.X
					continue
				case *ast.SelectorExpr:
					if id, ok := e.X.(*ast.Ident); ok && imports[id.Name] != "" && vars[imports[id.Name]][e.Sel.Name] {
						t.Errorf("%s: the test sets %s.%s, a package variable: pass it as an option instead", fset.Position(e.Pos()), id.Name, e.Sel.Name)
						return
					}
					x = e.X
					continue
				case *ast.Ident:
					if internal && vars[dir][e.Name] && e.Obj == nil {
						t.Errorf("%s: the test sets %s, a package variable: pass it as an option instead", fset.Position(e.Pos()), e.Name)
					}
				}
				return
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch s := n.(type) {
			case *ast.AssignStmt:
				if s.Tok != token.DEFINE {
					for _, l := range s.Lhs {
						seam(l)
					}
				}
			case *ast.IncDecStmt:
				seam(s.X)
			}
			return true
		})
		return nil
	})
}
