package fsm_test

import (
	"errors"
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm"
)

func ExampleMachine_Next() {
	to, ok := door.Next(Closed, Open)
	fmt.Println(to, ok)
	to, ok = door.Next(Locked, Knock) // a notice: the door stays locked
	fmt.Println(to, ok)
	to, ok = door.Next(Open, Locked) // refused: the state does not change
	fmt.Println(to, ok)
	// Output:
	// OPEN true
	// LOCKED true
	// OPEN false
}

func ExampleMachine_Allowed() {
	for _, s := range door.States() {
		fmt.Printf("%s: %v\n", s, door.Allowed(s))
	}
	// Output:
	// BROKEN: []
	// CLOSED: [BROKEN KNOCK LOCKED OPEN]
	// LOCKED: [BROKEN CLOSED KNOCK]
	// OPEN: [CLOSED]
}

// Validate reports every violation of a sequence. A refused status does not
// move the machine, so the LOCKED after the refused one is legal.
func ExampleMachine_Validate() {
	err := door.Validate([]Door{Open, Locked, Closed, Locked, Broken, Open})
	fmt.Println(err)

	fmt.Println("illegal:", errors.Is(err, fsm.ErrIllegal))
	fmt.Println("after a terminal state:", errors.Is(err, fsm.ErrTerminal))
	var e *fsm.Error
	if errors.As(err, &e) {
		fmt.Printf("first: status %d (%s) in %s; allowed %v\n", e.Index, e.Status, e.From, e.Allowed)
	}
	// Output:
	// Door [1]: OPEN got LOCKED: status may not follow this state; allowed: CLOSED
	// Door [5]: BROKEN got OPEN: state is terminal: nothing may follow; allowed: none
	// illegal: true
	// after a terminal state: true
	// first: status 1 (LOCKED) in OPEN; allowed [CLOSED]
}

func ExampleMachine_ValidateNames() {
	err := door.ValidateNames([]string{"OPEN", "SLAM", "CLOSED"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, fsm.ErrUnknownStatus))
	// Output:
	// Door [1]: OPEN got SLAM: unknown status; allowed: CLOSED
	// true
}
