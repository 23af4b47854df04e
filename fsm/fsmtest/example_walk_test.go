package fsmtest_test

import (
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/transfer"
)

func ExampleWalk() {
	// Legal transfers of a call, 2 to 6 statuses long, that end in a final
	// state (COMPLETED or FAILED: NEW is final too, but 2 statuses cannot
	// lead back to it).
	m := transfer.Machine
	gen := fsmtest.Walk(m, fsmtest.Options{MinLen: 2, MaxLen: 6, Final: true})
	for i := range 5 {
		seq := gen.Example(i)
		fmt.Println(seq, m.Validate(seq))
	}
	// Output:
	// [FAILED FAILED FAILED] <nil>
	// [ACCEPTED FAILED FAILED FAILED] <nil>
	// [FAILED FAILED FAILED ACCEPTED FAILED FAILED] <nil>
	// [ACCEPTED TRYING FAILED ACCEPTED FAILED] <nil>
	// [ACCEPTED COMPLETED] <nil>
}
