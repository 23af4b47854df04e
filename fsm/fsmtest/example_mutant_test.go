package fsmtest_test

import (
	"fmt"

	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
)

func ExampleMutants() {
	// A SIP account's registrations with one status where it may not be.
	m := connection.Registration
	gen := fsmtest.Mutants(m, fsmtest.Options{MaxLen: 4})
	for i := range 5 {
		mut := gen.Example(i)
		fmt.Printf("%v: [%d] %v in %v, which allows %v\n", mut.Seq, mut.Index, mut.Seq[mut.Index], mut.From, mut.Allowed)
	}
	// Output:
	// [UNREGISTERED REGISTERED]: [0] UNREGISTERED in NEW, which allows [AUTHENTICATION_FAIL REGISTERED]
	// [REGISTERED UNREGISTERED UNREGISTERED]: [2] UNREGISTERED in UNREGISTERED, which allows [AUTHENTICATION_FAIL REGISTERED]
	// [UNREGISTERED REGISTERED UNREGISTERED REGISTERED UNREGISTERED]: [0] UNREGISTERED in NEW, which allows [AUTHENTICATION_FAIL REGISTERED]
	// [REGISTERED UNREGISTERED AUTHENTICATION_FAIL REGISTERED]: [3] REGISTERED in AUTHENTICATION_FAIL, which allows []
	// [UNREGISTERED]: [0] UNREGISTERED in NEW, which allows [AUTHENTICATION_FAIL REGISTERED]
}
