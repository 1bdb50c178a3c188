package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandlersReadThroughService: the HTTP handlers decode the request,
// call service.Projects and encode the answer; none reads or writes the
// metadata store or the blob store itself. Only New, which wires the
// Config's stores into service.Projects, names Config.Meta or
// Config.Blobs.
func TestHandlersReadThroughService(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "New" && path == "server.go" {
				continue // the wiring
			}
			ast.Inspect(d, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Meta" && sel.Sel.Name != "Blobs") {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "store" {
					return true // the type store.Blobs
				}
				t.Errorf("%s: uses .%s: read the store through service.Projects", fset.Position(sel.Pos()), sel.Sel.Name)
				return true
			})
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files: not run in the server package's directory?", checked)
	}
}
