package fsmtest

import (
	"slices"

	"github.com/wcsfsm/wcsfsm/fsm"
	"pgregory.net/rapid"
)

// A Mutant is a legal sequence with exactly one illegal status put in.
//
// Seq[Index] is the illegal status; it arrives in state From, where only
// Allowed may follow. Everything before and after it is legal: an illegal
// status leaves the state as it was, so the rest of the walk goes on from
// From.
type Mutant[S ~uint8] struct {
	Seq     []S
	Index   int
	From    S
	Allowed []S // m.Allowed(From)
}

// Mutants returns a generator of [Mutant] sequences of m: a walk drawn as by
// [Walk] with o, and one illegal status put in between two of its statuses
// (or before the first, or after the last). The illegal status is one of
// m's statuses that the state there does not allow; with o.Unknown, it may
// also be a symbol that is no status of m.
//
// Neither the place nor the status is found by rejection: places whose state
// allows every status are never drawn, and the walk is planned so that it
// passes through at least one state where something is illegal (a walk of
// the keep-alive machine, whose NEW allows both its statuses, leaves NEW).
// Mutants panics if m has no such walk within o.
func Mutants[S ~uint8](m *fsm.Machine[S], o Options) *rapid.Generator[Mutant[S]] {
	illegal := make([][]S, m.Len())
	mark := make([]bool, m.Len())
	var unk []S
	if o.Unknown {
		unk = unknowns(m)
	}
	for _, s := range m.States() {
		for _, x := range m.Statuses() {
			if !m.Can(s, x) {
				illegal[s] = append(illegal[s], x)
			}
		}
		illegal[s] = append(illegal[s], unk...)
		mark[s] = len(illegal[s]) > 0 || o.Unknown
	}
	p := newPlan(m, o, mark)
	return rapid.Custom(func(t *rapid.T) Mutant[S] {
		seq, states := p.draw(t)
		var at []int
		for i, s := range states {
			if mark[s] {
				at = append(at, i)
			}
		}
		i := rapid.SampledFrom(at).Draw(t, "index")
		from := states[i]
		x := symbol(t, "illegal", m, illegal[from], o.Unknown)
		return Mutant[S]{
			Seq:     slices.Insert(seq, i, x),
			Index:   i,
			From:    from,
			Allowed: m.Allowed(from),
		}
	})
}

// symbol draws from list or, if outOfRange, also a value beyond m's names:
// one draw of an index, in which len(list) stands for "out of range".
func symbol[S ~uint8](t *rapid.T, label string, m *fsm.Machine[S], list []S, outOfRange bool) S {
	if !outOfRange {
		return rapid.SampledFrom(list).Draw(t, label)
	}
	i := rapid.IntRange(0, len(list)).Draw(t, label)
	if i < len(list) {
		return list[i]
	}
	return S(rapid.Uint8Range(uint8(m.Len()), 255).Draw(t, label))
}
