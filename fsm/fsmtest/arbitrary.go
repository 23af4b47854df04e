package fsmtest

import (
	"github.com/wcsfsm/wcsfsm/fsm"
	"pgregory.net/rapid"
)

// Arbitrary returns a generator of sequences of m's statuses in any order,
// legal or not, of o.MinLen to o.MaxLen statuses. With o.Unknown, it also
// draws symbols that are not statuses of m: names that are only states
// (such as NEW) and values beyond m's names. o.Final is ignored.
func Arbitrary[S ~uint8](m *fsm.Machine[S], o Options) *rapid.Generator[[]S] {
	lo, hi := o.bounds()
	list := m.Statuses()
	if o.Unknown {
		list = append(list, unknowns(m)...)
	}
	elem := rapid.Custom(func(t *rapid.T) S {
		return symbol(t, "status", m, list, o.Unknown)
	})
	return rapid.SliceOfN(elem, lo, hi)
}
