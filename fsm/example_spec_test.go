package fsm_test

import (
	"errors"
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// Door is the machine of the examples: a door that opens, closes, locks, may
// be knocked at (a notice: it stays as it is) and may be broken for good.
type Door uint8

const (
	Closed Door = iota
	Open
	Locked
	Knock
	Broken
)

var doorNames = []string{"CLOSED", "OPEN", "LOCKED", "KNOCK", "BROKEN"}

func (d Door) String() string { return fsm.NameOf(doorNames, d) }

// door is declared once, as data, and verified when the package starts.
var door = fsm.MustBuild(fsm.Spec[Door]{
	Name:    "Door",
	Names:   doorNames,
	Initial: Closed,
	Rules: []fsm.Rule[Door]{
		{Status: Open, From: []Door{Closed}, Why: "only a closed door opens"},
		{Status: Closed, From: []Door{Open, Locked}, Why: "shut, or unlocked"},
		{Status: Locked, From: []Door{Closed}, Why: "only a closed door locks"},
		{Status: Knock, From: []Door{Closed, Locked}, Keep: true, Why: "a knock changes nothing"},
		{Status: Broken, From: []Door{Closed, Locked}, Why: "kicked in"},
	},
	Terminal: []Door{Broken},
	Final:    []Door{Closed, Locked, Broken},
})

// Build reports every problem of a spec at once. Here the rule for OPEN
// lists a terminal state, LOCKED cannot be left, and BROKEN was forgotten
// among the final states.
func ExampleBuild() {
	_, err := fsm.Build(fsm.Spec[Door]{
		Name:    "Door",
		Names:   doorNames,
		Initial: Closed,
		Rules: []fsm.Rule[Door]{
			{Status: Open, From: []Door{Closed, Broken}},
			{Status: Closed, From: []Door{Open}},
			{Status: Locked, From: []Door{Closed}},
			{Status: Knock, From: []Door{Closed}, Keep: true},
			{Status: Broken, From: []Door{Closed}},
		},
		Terminal: []Door{Broken},
		Final:    []Door{Closed},
	})
	fmt.Println(err)

	fmt.Println("edge out of a terminal state:", errors.Is(err, fsm.ErrFromTerminal))
	var list fsm.ErrorList
	if errors.As(err, &list) {
		fmt.Println("problems:", len(list))
	}
	// Output:
	// Door [0]: BROKEN got OPEN: edge out of a terminal state
	// Door: LOCKED: state has no way out and is not terminal
	// Door: BROKEN: terminal state is not final
	// edge out of a terminal state: true
	// problems: 3
}
