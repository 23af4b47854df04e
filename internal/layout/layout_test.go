// Package layout holds the test of the module's layers: which package may
// import which. It has no code.
package layout_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const module = "github.com/wcsfsm/wcsfsm"

// layers is the architecture, from the bottom up: a package imports only
// packages of the module on lower layers (its tests may import more). A
// package of the module missing here fails the test: place it.
var layers = map[string]int{
	"fsm":               0, // the generic core: knows nothing of WCS
	"internal/hashtab":  0, // hashing, marks, tables
	"fsm/fsmtest":       1, // generic generators: fsm (and rapid) only
	"internal/spectest": 1,
	"connection":        1, // the family machines: fsm only
	"call":              1,
	"transfer":          1,
	"stream":            1,
	"wcs":               2, // the registry of families, Event, the rules as predicates
	"hookbody":          3, // the hook-body decoder
	"synth":             3, // synthetic logs: wcs and the families, never the validator
	"wcslog":            4, // flashphoner.log
	"tracker":           4, // the engine
	"synth/synthtest":   4, // rapid's logs
	"eventlog":          5, // the Validator and the -j pipeline
	"report":            6, // the audit page: a recorder fed along the validator's pass, HTML
	"cmd/wcsfsm":        7,
	"bench/baseline":    7,
	"bench/loadgen":     7,
	"bench/maxrss":      7,
	"docs":              7,
	"internal/layout":   7,
}

// testOnly may be imported by tests alone.
var testOnly = []string{"pgregory.net/rapid", module + "/fsm/fsmtest", module + "/synth/synthtest"}

func TestNoImportRunsBackUp(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		layer, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s has no layer: place it in layers", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			for _, banned := range testOnly {
				if imp == banned && !(pkg == "fsm/fsmtest" || pkg == "synth/synthtest") {
					t.Errorf("%s imports %s, which is for tests only", pkg, imp)
				}
			}
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if l, ok := layers[dep]; ok && l >= layer {
				t.Errorf("%s (layer %d) imports %s (layer %d): an import may only run down", pkg, layer, dep, l)
			}
		}
	}
}

// TestFsmtestLinksNoWCS: the generic test package links neither synth nor
// any family (its whole dependency graph, not only its imports).
func TestFsmtestLinksNoWCS(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/fsm/fsmtest").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var mine []string
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, module+"/") {
			mine = append(mine, strings.TrimPrefix(dep, module+"/"))
		}
	}
	sort.Strings(mine)
	if diff := cmp.Diff([]string{"fsm", "fsm/fsmtest"}, mine); diff != "" {
		t.Errorf("the module's packages fsm/fsmtest links (-want +got):\n%s", diff)
	}
}

// TestPrometheusInTheCommandOnly: github.com/prometheus/client_golang (serve's
// /metrics) and what it brings are the command's alone: no other package
// links them, nor imports them in its tests. So is the NATS client
// (serve -nats, consume): TestNATSInTheCommandOnly.
func TestPrometheusInTheCommandOnly(t *testing.T) { onlyInTheCommand(t, "github.com/prometheus/") }

func TestNATSInTheCommandOnly(t *testing.T) { onlyInTheCommand(t, "github.com/nats-io/") }

func onlyInTheCommand(t *testing.T, prefix string) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		for _, dep := range fields[1:] {
			if strings.HasPrefix(dep, prefix) {
				got = append(got, strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/"))
				break
			}
		}
	}
	if diff := cmp.Diff([]string{"cmd/wcsfsm"}, got); diff != "" {
		t.Errorf("the packages that link or import %s... (-want +got):\n%s", prefix, diff)
	}
}
