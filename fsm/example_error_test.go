package fsm_test

import (
	"errors"
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// An ErrorList holds every violation; range over it for the details.
func ExampleErrorList() {
	err := door.Validate([]Door{Locked, Open, Knock, Broken, Closed})
	var list fsm.ErrorList
	if !errors.As(err, &list) {
		return
	}
	for _, e := range list {
		switch {
		case errors.Is(e, fsm.ErrTerminal):
			fmt.Printf("#%d %s: too late, the door is %s\n", e.Index, e.Status, e.From)
		default:
			fmt.Printf("#%d %s: not while %s\n", e.Index, e.Status, e.From)
		}
	}
	// Output:
	// #1 OPEN: not while LOCKED
	// #4 CLOSED: too late, the door is BROKEN
}

func ExampleErrorList_Err() {
	var errs fsm.ErrorList
	fmt.Println(errs.Err() == nil)
	errs = append(errs, &fsm.Error{Machine: "Door", Index: 0, From: "OPEN", Status: "LOCKED", Err: fsm.ErrIllegal})
	fmt.Println(errs.Err())
	// Output:
	// true
	// Door [0]: OPEN got LOCKED: status may not follow this state
}
