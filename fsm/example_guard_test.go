package fsm_test

import (
	"errors"
	"fmt"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/fsm"
)

// TrackedCall is what a REST-hook backend keeps of one call. The embedded Guard
// gives it Fire, FireName, State, Can, Allowed and Restore.
type TrackedCall struct {
	ID string
	fsm.Guard[call.State]
}

// OnCallStatus handles the status of a CallStatusEvent hook for c. An
// illegal status is refused and leaves the call as it was.
func (c *TrackedCall) OnCallStatus(status string) {
	to, err := c.FireName(status)
	if err != nil {
		fmt.Printf("%s: refused: %v\n", c.ID, err)
		return
	}
	fmt.Printf("%s: %s\n", c.ID, to)
}

// A Guard embedded in the type of a hook backend: RING after HOLD is
// refused, with the position of the status, the state and what was
// allowed, and the call goes on from HOLD.
func ExampleGuard() {
	c := &TrackedCall{ID: "9f1c"}
	c.Init(call.Machine)
	for _, status := range []string{"RING", "ESTABLISHED", "HOLD", "RING", "ESTABLISHED", "FINISH"} {
		c.OnCallStatus(status)
	}
	fmt.Println("final:", c.State(), call.Machine.Final(c.State()))
	// Output:
	// 9f1c: RING
	// 9f1c: ESTABLISHED
	// 9f1c: HOLD
	// 9f1c: refused: CallStatusEvent [3]: HOLD got RING: status may not follow this state; allowed: ESTABLISHED, FAILED, FINISH
	// 9f1c: ESTABLISHED
	// 9f1c: FINISH
	// final: FINISH true
}

// The zero Guard has no machine: it refuses everything, without panicking.
func ExampleGuard_zero() {
	var g fsm.Guard[call.State]
	_, err := g.Fire(call.Ring)
	fmt.Println(err)
	fmt.Println(errors.Is(err, fsm.ErrNoMachine), g.Can(call.Ring), g.Allowed() == nil)
	// Output:
	// fsm.Guard: RING: guard has no machine (call Init)
	// true false true
}

// Move tells which transition a goroutine made, which under concurrent use
// State cannot.
func ExampleGuard_Move() {
	g := fsm.NewGuard(call.Machine)
	for _, s := range []call.State{call.Established, call.Hold, call.Hold} {
		from, to, err := g.Move(s)
		fmt.Println(from, "->", to, err != nil)
	}
	// Output:
	// NEW -> ESTABLISHED false
	// ESTABLISHED -> HOLD false
	// HOLD -> HOLD true
}

// Restore puts a guard back into a state read from storage; it accepts
// only states of the machine.
func ExampleGuard_Restore() {
	g := fsm.NewGuard(call.Machine)
	if err := g.Restore(call.Hold); err != nil {
		fmt.Println(err)
	}
	fmt.Println(g.State(), g.Allowed())
	fmt.Println(g.Restore(call.State(42)))
	// Output:
	// HOLD [ESTABLISHED FAILED FINISH]
	// CallStatusEvent: State(42): unknown state
}
