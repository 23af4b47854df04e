package fsm_test

import (
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wcsfsm/wcsfsm/fsm"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		why  string
		err  *fsm.Error
		want string
	}{
		{
			"a sequence error: index, state, status, cause, allowed statuses",
			&fsm.Error{Machine: "Job", Index: 2, From: "IDLE", Status: "RUNNING", Allowed: []string{"FAILED", "QUEUED"}, Err: fsm.ErrIllegal},
			"Job [2]: IDLE got RUNNING: status may not follow this state; allowed: FAILED, QUEUED",
		},
		{
			"a terminal state allows none",
			&fsm.Error{Machine: "Job", Index: 0, From: "DONE", Status: "RUNNING", Allowed: []string{}, Err: fsm.ErrTerminal},
			"Job [0]: DONE got RUNNING: state is terminal: nothing may follow; allowed: none",
		},
		{
			"an unknown status",
			&fsm.Error{Machine: "Job", Index: 5, From: "QUEUED", Status: "BOGUS", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrUnknownStatus},
			"Job [5]: QUEUED got BOGUS: unknown status; allowed: FAILED, RUNNING",
		},
		{
			"a declaration error about an edge of a rule",
			&fsm.Error{Machine: "T", Index: 1, From: "A", Status: "B", Err: fsm.ErrFromTerminal},
			"T [1]: A got B: edge out of a terminal state",
		},
		{
			"a declaration error about a rule's status",
			&fsm.Error{Machine: "T", Index: 3, Status: "#9", Err: fsm.ErrUnknownStatus},
			"T [3]: #9: unknown status",
		},
		{
			"a declaration error about a state as a whole: no index",
			&fsm.Error{Machine: "T", Index: -1, From: "B", Err: fsm.ErrDeadEnd},
			"T: B: state has no way out and is not terminal",
		},
		{
			"a declaration error about a name",
			&fsm.Error{Machine: "T", Index: -1, Status: "0 names", Err: fsm.ErrBadName},
			"T: 0 names: bad name table",
		},
		{
			"neither state nor status (an unused empty name): no empty field",
			&fsm.Error{Machine: "T", Index: -1, Err: fsm.ErrUnused},
			"T: name is neither a state nor a status",
		},
		{
			"any cause, not only the package's",
			&fsm.Error{Machine: "M", Index: 0, From: "A", Status: "B", Err: io.EOF},
			"M [0]: A got B: EOF",
		},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.why, got, tt.want)
		}
		if got := tt.err.Unwrap(); got != tt.err.Err {
			t.Errorf("%s: Unwrap() = %v, want %v", tt.why, got, tt.err.Err)
		}
		if !errors.Is(tt.err, tt.err.Err) {
			t.Errorf("%s: errors.Is(err, its cause) = false", tt.why)
		}
	}
}

func TestErrorList(t *testing.T) {
	e1 := &fsm.Error{Machine: "Job", Index: 0, From: "IDLE", Status: "DONE", Allowed: []string{"FAILED", "QUEUED"}, Err: fsm.ErrIllegal}
	e2 := &fsm.Error{Machine: "Job", Index: 3, From: "DONE", Status: "QUEUED", Allowed: []string{}, Err: fsm.ErrTerminal}
	tests := []struct {
		why     string
		list    fsm.ErrorList
		want    string
		wantNil bool
	}{
		{"nil", nil, "no errors", true},
		{"empty", fsm.ErrorList{}, "no errors", true},
		{"one: just that error", fsm.ErrorList{e1}, e1.Error(), false},
		{"two: one a line, in order", fsm.ErrorList{e1, e2}, e1.Error() + "\n" + e2.Error(), false},
	}
	for _, tt := range tests {
		if got := tt.list.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.why, got, tt.want)
		}
		err := tt.list.Err()
		if (err == nil) != tt.wantNil {
			t.Errorf("%s: Err() = %v, want nil: %v", tt.why, err, tt.wantNil)
		}
		if tt.wantNil {
			continue
		}
		var back fsm.ErrorList
		if !errors.As(err, &back) || len(back) != len(tt.list) {
			t.Errorf("%s: errors.As(Err(), ErrorList) = %v", tt.why, back)
		}
		unwrapped := tt.list.Unwrap()
		if len(unwrapped) != len(tt.list) {
			t.Fatalf("%s: Unwrap() has %d elements, want %d", tt.why, len(unwrapped), len(tt.list))
		}
		for i, u := range unwrapped {
			if u != error(tt.list[i]) {
				t.Errorf("%s: Unwrap()[%d] = %v, want %v", tt.why, i, u, tt.list[i])
			}
		}
	}

	err := fsm.ErrorList{e1, e2}.Err()
	tests2 := []struct {
		why    string
		target error
		want   bool
	}{
		{"errors.Is finds the first element's cause", fsm.ErrIllegal, true},
		{"errors.Is finds the second element's cause", fsm.ErrTerminal, true},
		{"errors.Is finds an element itself", e2, true},
		{"errors.Is finds nothing else", fsm.ErrUnknownStatus, false},
	}
	for _, tt := range tests2 {
		if got := errors.Is(err, tt.target); got != tt.want {
			t.Errorf("%s: errors.Is(list, %v) = %v", tt.why, tt.target, got)
		}
	}
	var first *fsm.Error
	if !errors.As(err, &first) || first != e1 {
		t.Errorf("errors.As(list, *Error) = %v, want the first element", first)
	}
	if diff := cmp.Diff([]error{e1, e2}, fsm.ErrorList{e1, e2}.Unwrap(), cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Unwrap (-want +got)\n%s", diff)
	}
}

// TestErrorFromMachine checks the text of errors that the machine makes.
func TestErrorFromMachine(t *testing.T) {
	err := job.Validate([]Phase{Running, Queued, Running, Done, Queued, 77})
	want := "Job [0]: IDLE got RUNNING: status may not follow this state; allowed: FAILED, QUEUED\n" +
		"Job [4]: DONE got QUEUED: state is terminal: nothing may follow; allowed: none\n" +
		"Job [5]: DONE got Phase(77): unknown status; allowed: none"
	if err == nil {
		t.Fatal("Validate: no error")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Validate error text (-want +got)\n%s", diff)
	}
	_, err = fsm.Build(fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "X"},
		Rules: []fsm.Rule[uint8]{{Status: 1, From: []uint8{0, 0}}}})
	want = "T [0]: NEW got A: duplicate edge\n" +
		"T: A: state has no way out and is not terminal\n" +
		"T: X: name is neither a state nor a status"
	if err == nil {
		t.Fatal("Build: no error")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Build error text (-want +got)\n%s", diff)
	}
}
