package fsm_test

import (
	"context"
	"errors"
	"fmt"

	looplab "github.com/looplab/fsm"
)

func ExampleMachine_Looplab() {
	b := door.Looplab(looplab.Callbacks{
		"enter_state": func(_ context.Context, e *looplab.Event) {
			fmt.Printf("%s: %s -> %s\n", e.Event, e.Src, e.Dst)
		},
		"before_BROKEN": func(_ context.Context, e *looplab.Event) {
			e.Cancel(errors.New("the door holds"))
		},
	})
	ctx := context.Background()
	for _, status := range []string{"LOCKED", "KNOCK", "OPEN", "BROKEN", "CLOSED"} {
		if err := b.Fire(ctx, status); err != nil {
			fmt.Println(status+":", err)
		}
	}
	fmt.Println("now", b.Current(), "allows", b.Available())
	// Output:
	// LOCKED: CLOSED -> LOCKED
	// OPEN: event OPEN inappropriate in current state LOCKED
	// BROKEN: transition canceled with error: the door holds
	// CLOSED: LOCKED -> CLOSED
	// now CLOSED allows [BROKEN KNOCK LOCKED OPEN]
}
