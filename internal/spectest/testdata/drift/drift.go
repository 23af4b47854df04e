// Package drift is a fixture of the doc-comment checker: the constants of
// State drift from the machine of docs_test.go in every way it reports.
package drift

import "example.com/unresolved"

// State is a state of the fixture machine.
type State uint8

const (
	// A: right.
	// May be followed by: B, C.
	A State = iota
	// B: a status is missing from the list.
	// May be followed by: C, N.
	B
	// C: terminal, but the comment says otherwise.
	// May be followed by: A.
	C
	// N: a notice whose comment does not say that it keeps the state.
	N
	// X: no name of the machine.
	// Terminal: nothing may follow.
	X State = 9
)

// Other constants are not checked.
const Other = 1

var _ = unresolved.Name
