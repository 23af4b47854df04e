package fsmtest

import (
	"github.com/wcsfsm/wcsfsm/fsm"
	"pgregory.net/rapid"
)

// Walk returns a generator of legal sequences of m: random walks from the
// initial state, each status drawn from the statuses allowed in the state
// the walk stands in, in name order ([fsm.Machine.Allowed]).
//
// The length lies within o.MinLen and o.MaxLen; with o.Final the walk ends
// in a final state. Neither is met by rejection: the length is drawn from
// the lengths that the machine can walk, and each status from those after
// which the rest of the walk can still be completed (for example, a walk of
// at least 2 statuses never takes a terminal status first). Walk panics if
// m has no such walk at all.
func Walk[S ~uint8](m *fsm.Machine[S], o Options) *rapid.Generator[[]S] {
	p := newPlan(m, o, nil)
	return rapid.Custom(func(t *rapid.T) []S {
		seq, _ := p.draw(t)
		return seq
	})
}
