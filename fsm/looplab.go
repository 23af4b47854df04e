package fsm

import (
	"context"
	"errors"
	"sort"

	looplab "github.com/looplab/fsm"
)

// LooplabEvents returns the machine's transitions as event descriptions for
// github.com/looplab/fsm: the statuses are its events, the states its
// states. A notice that keeps the state in several states becomes one
// description per state. The order is deterministic.
func (m *Machine[S]) LooplabEvents() looplab.Events {
	t := m.t
	type key struct{ status, to uint8 }
	idx := map[key]int{}
	var evs looplab.Events
	for _, tr := range t.trans {
		k := key{tr.Status, tr.To}
		i, ok := idx[k]
		if !ok {
			i = len(evs)
			idx[k] = i
			evs = append(evs, looplab.EventDesc{Name: t.names[tr.Status], Dst: t.names[tr.To]})
		}
		evs[i].Src = append(evs[i].Src, t.names[tr.From])
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].Name != evs[j].Name {
			return evs[i].Name < evs[j].Name
		}
		return evs[i].Dst < evs[j].Dst
	})
	return evs
}

// Looplab returns a new looplab FSM of the machine, in its initial state,
// with the caller's callbacks (see looplab.NewFSM for their names), wrapped
// in a [Bridge] that handles that library's traps.
func (m *Machine[S]) Looplab(callbacks looplab.Callbacks) *Bridge {
	return &Bridge{FSM: looplab.NewFSM(m.t.names[m.t.initial], m.LooplabEvents(), callbacks)}
}

// Bridge is a looplab FSM built from a Machine. Use its methods rather than
// the FSM's own where they differ: they handle the library's traps.
//
//   - A self-loop the table allows (a repeated PUBLISHING, a notice that keeps
//     the state) makes looplab return NoTransitionError; Fire returns nil.
//   - A cancelled context passed to looplab's Event leaves the FSM stuck in
//     transition for good; Fire detaches the cancellation
//     (context.WithoutCancel) and keeps the context's values.
//   - AvailableTransitions comes in random order; Available sorts it.
//
// Two traps remain the caller's: calling Can inside a before_ or leave_
// callback deadlocks, and looplab.Visualize races with Event. Keep a Bridge
// off hot paths: the [Machine] and [Guard] answer the same questions far
// faster.
type Bridge struct {
	FSM *looplab.FSM
}

// Fire sends status as an event. It returns nil when the FSM took the
// transition (self-loops included), and looplab's error otherwise
// (InvalidEventError, UnknownEventError, CanceledError from a callback, …).
func (b *Bridge) Fire(ctx context.Context, status string, args ...any) error {
	if ctx == nil {
		ctx = context.Background()
	}
	err := b.FSM.Event(context.WithoutCancel(ctx), status, args...)
	var nt looplab.NoTransitionError
	if errors.As(err, &nt) && nt.Err == nil {
		return nil
	}
	return err
}

// Current returns the FSM's current state.
func (b *Bridge) Current() string { return b.FSM.Current() }

// Available returns the events possible in the current state, sorted.
func (b *Bridge) Available() []string {
	a := b.FSM.AvailableTransitions()
	sort.Strings(a)
	return a
}
