package fsmtest

import (
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// DefaultMaxLen is the longest sequence drawn when [Options.MaxLen] is 0.
const DefaultMaxLen = 32

// Options shape the sequences of [Walk], [Mutants] and [Arbitrary]. The
// zero value draws 0 to [DefaultMaxLen] statuses, ending anywhere.
type Options struct {
	// MinLen and MaxLen bound the number of statuses drawn (for [Mutants],
	// of the legal walk, before the illegal status is put in). MaxLen 0
	// means max(MinLen, DefaultMaxLen).
	MinLen, MaxLen int
	// Final: the walk ends in a final state of the machine ([Walk],
	// [Mutants]).
	Final bool
	// Unknown: symbols that are not statuses of the machine (names that are
	// only states, such as NEW, and values out of the machine's range) may
	// be drawn too ([Arbitrary]: anywhere; [Mutants]: as the illegal
	// status).
	Unknown bool
}

// bounds returns the length bounds of o, panicking on nonsense.
func (o Options) bounds() (lo, hi int) {
	lo, hi = o.MinLen, o.MaxLen
	if hi == 0 {
		hi = max(lo, DefaultMaxLen)
	}
	if lo < 0 || hi < lo {
		panic(fmt.Sprintf("fsmtest: bad length bounds [%d, %d]", o.MinLen, o.MaxLen))
	}
	return lo, hi
}

// unknowns returns the symbols of m that are in range but not statuses,
// in name order.
func unknowns[S ~uint8](m *fsm.Machine[S]) []S {
	var out []S
	for _, s := range m.States() {
		if !m.IsStatus(s) {
			out = append(out, s)
		}
	}
	return out
}
