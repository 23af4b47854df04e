package spectest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/doc"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// Doc-comment lines of a state constant, as the family packages write them.
const (
	followedBy = "May be followed by: "
	terminal   = "Terminal: nothing may follow."
	keeps      = "Keeps the state."
)

// ConstDocs checks the doc comments of the constants of type typeName,
// declared in the Go package in dir (test files left out), against m. The
// doc comment of a state must end with a line "May be followed by: A, B."
// (the allowed statuses, sorted by name, as m.AllowedNames gives them) or,
// for a terminal state, "Terminal: nothing may follow."; that of a notice (a
// status that is no state) must say "Keeps the state.". Every name of m
// needs a constant. ConstDocs returns one problem a string, or none; err is
// for a package it cannot read.
func ConstDocs[S ~uint8](dir, typeName string, m *fsm.Machine[S]) (problems []string, err error) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("spectest: no Go files in %s", dir)
	}
	values, err := constValues(fset, files)
	if err != nil {
		return nil, err
	}
	pkg, err := doc.NewFromFiles(fset, files, "example.com/"+files[0].Name.Name)
	if err != nil {
		return nil, err
	}
	var typ *doc.Type
	for _, t := range pkg.Types {
		if t.Name == typeName {
			typ = t
		}
	}
	if typ == nil {
		return nil, fmt.Errorf("spectest: no type %s in %s", typeName, dir)
	}
	seen := make([]bool, m.Len())
	for _, v := range typ.Consts {
		for _, spec := range v.Decl.Specs {
			vs := spec.(*ast.ValueSpec)
			for _, id := range vs.Names {
				val, ok := values[id.Name]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s: no constant value", id.Name))
					continue
				}
				if val < 0 || val >= int64(m.Len()) {
					problems = append(problems, fmt.Sprintf("%s = %d: not a name of %s", id.Name, val, m.Name()))
					continue
				}
				s := S(val)
				seen[s] = true
				if p := checkDoc(m, s, vs.Doc.Text()); p != "" {
					problems = append(problems, fmt.Sprintf("%s (%s): %s", id.Name, m.String(s), p))
				}
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no constant of type %s", m.String(S(i)), typeName))
		}
	}
	return problems, nil
}

func checkDoc[S ~uint8](m *fsm.Machine[S], s S, text string) string {
	flat := strings.Join(strings.Fields(text), " ")
	if !m.IsState(s) {
		if !strings.HasSuffix(flat, keeps) {
			return fmt.Sprintf("a notice: the doc comment must end with %q", keeps)
		}
		return ""
	}
	want := terminal
	if !m.Terminal(s) {
		want = followedBy + strings.Join(m.AllowedNames(s), ", ") + "."
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last != want {
		return fmt.Sprintf("the doc comment ends with %q, want %q", last, want)
	}
	if strings.Contains(flat, keeps) {
		return fmt.Sprintf("a state, but the doc comment says %q", keeps)
	}
	return ""
}

// constValues type-checks files for the values of their package-level
// constants. Imports are not resolved: the constants of a state enum need
// none, and every other error is beside the point here.
func constValues(fset *token.FileSet, files []*ast.File) (map[string]int64, error) {
	conf := types.Config{
		Importer: noImports{},
		Error:    func(error) {},
	}
	pkg, _ := conf.Check(files[0].Name.Name, fset, files, nil)
	if pkg == nil {
		return nil, errors.New("spectest: cannot type-check")
	}
	out := map[string]int64{}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		c, ok := scope.Lookup(name).(*types.Const)
		if !ok || c.Val().Kind() != constant.Int {
			continue
		}
		if v, exact := constant.Int64Val(c.Val()); exact {
			out[name] = v
		}
	}
	return out, nil
}

type noImports struct{}

func (noImports) Import(path string) (*types.Package, error) {
	return nil, fmt.Errorf("spectest: imports are not resolved (%s)", path)
}
