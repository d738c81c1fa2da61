package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dbHandles are the parameter types through which a caller hands a service its way
// into the database: given one, an exported function reads the service's tables in
// the caller's transaction or on the caller's pool.
var dbHandles = map[string][]string{
	"github.com/jackc/pgx/v5":               {"Tx", "Conn"},
	"github.com/jackc/pgx/v5/pgxpool":       {"Pool", "Conn"},
	"github.com/jackc/pgx/v5/pgconn":        {"PgConn"},
	"github.com/plein-nl/plein/platform/db": {"Beginner"},
}

// knownHandles are the exported functions that take a pool today, each with why it
// is there. The list only shrinks: a new function that reads a service's tables for
// another package is a reader type built with New… (residents.PayeeReader).
var knownHandles = map[string]string{
	"settlement.AddWorkers":         "registers the settlement's own workers on its pool: wiring, like a New…",
	"tenancy.AddWorkers":            "registers the tenancy's own workers on its pool: wiring, like a New…",
	"tenancy.Listen":                "LISTENs for the registry's notifications on the pool; reads no table",
	"tenancy.Directory.Follow":      "the directory reloads its own registry from the control pool: wiring, like a New…",
	"tenancy.Directory.Following":   "Follow as a role's part (the same wiring)",
	"tenancy.RegisterMetrics":       "registers the tenancy's own metrics, read from its own tables on that pool: wiring, like a New…",
	"controlplane.Lead":             "the control plane's run loop on its own pool (leader lock, registry): wiring, like a New…",
	"tenancy.Export":                "the offboarding export reads every table of a tenant by design (to move to tenancy/offboard)",
	"income.AuthenticateEmployer":   "the auth edge's key check, called from services/plein (to become a method of an authenticator built with New…)",
	"income.RegisterEmployer":       "called by plein seed (to become a method of an authenticator built with New…)",
	"debts.AuthenticateCreditor":    "the auth edge's key check, called from services/plein (to become a method of an authenticator built with New…)",
	"debts.RegisterCreditorPartner": "called by plein seed (to become a method of an authenticator built with New…)",
}

// TestNoTableReadersForOthers: no service exports a function, a method or an
// interface method that takes a transaction, a connection or a pool, other than a
// constructor (New…) and the known ones.
func TestNoTableReadersForOthers(t *testing.T) {
	t.Parallel()
	found, err := handleParams("../../services")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range found {
		seen[f.name] = true
		if _, ok := knownHandles[f.name]; !ok {
			t.Errorf("%s: %s takes %s: another package would read the service's tables through it; "+
				"export a reader built with New… on the service's own pool instead", f.pos, f.name, f.param)
		}
	}
	if len(seen) == 0 {
		t.Fatal("found no function at all: the walk is broken (the known ones take pools)")
	}
	for name := range knownHandles {
		if !seen[name] {
			t.Logf("%s no longer takes a pool: remove it from knownHandles", name)
		}
	}
}

// TestHandleParamsCatches: the check finds every way the bad example hands a service
// the caller's database (a transaction, an aliased pool, a connection, a beginner, an
// interface method) and nothing in the good example, a constructor, an unexported
// function or a service's internal/.
func TestHandleParamsCatches(t *testing.T) {
	t.Parallel()
	found, err := handleParams("testdata/services")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.name+"("+f.param+")")
	}
	slices.Sort(got)
	want := []string{"leaky.CountOn(*pool.Pool)", "leaky.PayeesIn(pgx.Tx)", "leaky.Reader.Rows(*pgx.Conn)",
		"leaky.Reader.Via(db.Beginner)", "leaky.Source.IDs(pgx.Tx)"}
	if !slices.Equal(got, want) {
		t.Errorf("found %v\nwant  %v", got, want)
	}
}

// handle is an exported function or method that takes a database handle.
type handle struct {
	name  string // service.Func, service.Type.Method
	param string // the parameter's type as written
	pos   string
}

// handleParams finds the exported functions and methods of the services under root
// (each directory a service; its internal/ and testdata/ skipped, and package main)
// that take a database handle and are not constructors.
func handleParams(root string) ([]handle, error) {
	var out []handle
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "internal" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if f.Name.Name != "main" {
			out = append(out, fileHandles(fset, f)...)
		}
		return nil
	})
	return out, err
}

func fileHandles(fset *token.FileSet, f *ast.File) []handle {
	banned := map[string][]string{} // the file's name of a package → its banned types
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		types, ok := dbHandles[path]
		if !ok {
			continue
		}
		name := importName(path)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		banned[name] = types
	}
	var out []handle
	check := func(name string, ft *ast.FuncType, pos token.Pos) {
		for _, p := range ft.Params.List {
			if s := bannedType(p.Type, banned); s != "" {
				out = append(out, handle{name: f.Name.Name + "." + name, param: s, pos: fset.Position(pos).String()})
			}
		}
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || strings.HasPrefix(d.Name.Name, "New") {
				continue
			}
			name := d.Name.Name
			if d.Recv != nil {
				name = receiverName(d.Recv.List[0].Type) + "." + name
			}
			check(name, d.Type, d.Pos())
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				it, ok := ts.Type.(*ast.InterfaceType)
				if !ok {
					continue
				}
				for _, m := range it.Methods.List {
					if ft, ok := m.Type.(*ast.FuncType); ok && len(m.Names) == 1 && m.Names[0].IsExported() {
						check(ts.Name.Name+"."+m.Names[0].Name, ft, m.Pos())
					}
				}
			}
		}
	}
	return out
}

// bannedType is e (a parameter's type) as written when it is a banned type, else "".
func bannedType(e ast.Expr, banned map[string][]string) string {
	star := ""
	if s, ok := e.(*ast.StarExpr); ok {
		e, star = s.X, "*"
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok || !slices.Contains(banned[pkg.Name], sel.Sel.Name) {
		return ""
	}
	return star + pkg.Name + "." + sel.Sel.Name
}

func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if g, ok := e.(*ast.IndexExpr); ok {
		e = g.X
	}
	if g, ok := e.(*ast.IndexListExpr); ok {
		e = g.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "?"
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// importName is the name a package is known by when imported without one: the last
// element of its path, or the one before a major version (pgx for …/pgx/v5).
func importName(path string) string {
	parts := strings.Split(path, "/")
	if n := len(parts); n > 1 && majorVersion.MatchString(parts[n-1]) {
		return parts[n-2]
	}
	return parts[len(parts)-1]
}
