package fsmtest_test

import (
	"fmt"

	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
)

func ExampleArbitrary() {
	// Anything a log could say about a WebSocket connection, sense or not,
	// and some things it could not (NEW is no status; State(11) is no name).
	gen := fsmtest.Arbitrary(connection.Machine, fsmtest.Options{MaxLen: 4, Unknown: true})
	for i := range 5 {
		fmt.Println(gen.Example(i))
	}
	// Output:
	// [ESTABLISHED State(11)]
	// [FAILED ESTABLISHED DISCONNECTED]
	// []
	// [NEW DISCONNECTED ESTABLISHED DISCONNECTED]
	// []
}
