package spectest_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

type driftState uint8

const (
	driftA driftState = iota
	driftB
	driftC
	driftN
	driftD
)

var driftMachine = fsm.MustBuild(fsm.Spec[driftState]{
	Name:    "Drift",
	Names:   []string{"A", "B", "C", "N", "D"},
	Initial: driftA,
	Rules: []fsm.Rule[driftState]{
		{Status: driftB, From: []driftState{driftA}, Why: "w", Source: "s"},
		{Status: driftC, From: []driftState{driftA, driftB}, Why: "w", Source: "s"},
		{Status: driftD, From: []driftState{driftB}, Why: "w", Source: "s"},
		{Status: driftN, From: []driftState{driftB}, Keep: true, Why: "w", Source: "s"},
	},
	Terminal: []driftState{driftC, driftD},
	Final:    []driftState{driftC, driftD},
})

// TestConstDocsFindsDrift runs the checker on a fixture that drifts from its
// machine in every way the checker reports, and on the package that holds
// no such type.
func TestConstDocsFindsDrift(t *testing.T) {
	got, err := spectest.ConstDocs("testdata/drift", "State", driftMachine)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`B (B): the doc comment ends with "May be followed by: C, N.", want "May be followed by: C, D, N."`,
		`C (C): the doc comment ends with "May be followed by: A.", want "Terminal: nothing may follow."`,
		`N (N): a notice: the doc comment must end with "Keeps the state."`,
		`X = 9: not a name of Drift`,
		`D: no constant of type State`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
}

func TestConstDocsErrors(t *testing.T) {
	tests := []struct {
		why, dir, typ, want string
	}{
		{"the type must exist", "testdata/drift", "Missing", "no type Missing"},
		{"the directory must hold Go files", "testdata/none", "State", "no Go files"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			_, err := spectest.ConstDocs(tt.dir, tt.typ, driftMachine)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one that says %q", err, tt.want)
			}
		})
	}
}
