package fsmtest_test

import (
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/transfer"
)

func ExampleTransitionPaths() {
	// A table test that takes every edge of the transfer machine once.
	m := transfer.Machine
	for _, p := range fsmtest.TransitionPaths(m) {
		fmt.Println(p.Seq, "->", p.To, m.Validate(p.Seq))
	}
	// Output:
	// [ACCEPTED COMPLETED] -> COMPLETED <nil>
	// [ACCEPTED FAILED] -> FAILED <nil>
	// [ACCEPTED TRYING] -> TRYING <nil>
	// [FAILED ACCEPTED] -> ACCEPTED <nil>
	// [FAILED FAILED] -> FAILED <nil>
	// [ACCEPTED] -> ACCEPTED <nil>
	// [FAILED] -> FAILED <nil>
	// [ACCEPTED TRYING COMPLETED] -> COMPLETED <nil>
	// [ACCEPTED TRYING FAILED] -> FAILED <nil>
	// [ACCEPTED TRYING TRYING] -> TRYING <nil>
}

func ExampleStatePaths() {
	m := transfer.Machine
	for _, p := range fsmtest.StatePaths(m) {
		fmt.Println(p.To, p.Seq)
	}
	// Output:
	// ACCEPTED [ACCEPTED]
	// COMPLETED [ACCEPTED COMPLETED]
	// FAILED [FAILED]
	// NEW []
	// TRYING [ACCEPTED TRYING]
}
