package fsmtest_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOnlyTestsImport: rapid, fsmtest and synthtest are for tests. No file
// of the module that is not a test imports any of them, but the two test
// packages themselves (for rapid).
func TestOnlyTestsImport(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testOnly := map[string]bool{filepath.Join(root, "fsm", "fsmtest"): true, filepath.Join(root, "synth", "synthtest"): true}
	forbidden := map[string]bool{
		"pgregory.net/rapid":                       true,
		"github.com/wcsfsm/wcsfsm/fsm/fsmtest":     true,
		"github.com/wcsfsm/wcsfsm/synth/synthtest": true,
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || testOnly[filepath.Dir(path)] {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Logf("skipping %s: %v", path, err) // someone may be mid-edit
			return nil
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[p] {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s imports %s, which is for tests only", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no Go files found: wrong module root?")
	}
}
