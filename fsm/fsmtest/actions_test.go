package fsmtest_test

import (
	"context"
	"testing"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"pgregory.net/rapid"
)

// bridge is a Handler that runs a machine as a github.com/looplab/fsm FSM,
// independent of the table it is checked against.
type bridge struct {
	m *fsm.Machine[fsm.Symbol]
	b *fsm.Bridge
}

func newBridge(m *fsm.Machine[fsm.Symbol]) *bridge { return &bridge{m, m.Looplab(nil)} }

func (h *bridge) Fire(s fsm.Symbol) error {
	return h.b.Fire(context.Background(), h.m.String(s))
}

func (h *bridge) State() fsm.Symbol {
	s, ok := h.m.ParseState(h.b.Current())
	if !ok {
		return 0xFF
	}
	return s
}

func (h *bridge) Reset() { h.b = h.m.Looplab(nil) }

// noReset hides Reset: Actions then has no "reset" action.
type noReset struct{ *bridge }

func (h noReset) Reset(int) {}

func TestActionsLooplab(t *testing.T) {
	rows := []struct {
		name, why string
		h         func(m *fsm.Machine[fsm.Symbol]) fsmtest.Handler[fsm.Symbol]
	}{
		{"reset", "a Resetter gets a reset action and leaves terminal states",
			func(m *fsm.Machine[fsm.Symbol]) fsmtest.Handler[fsm.Symbol] { return newBridge(m) }},
		{"no-reset", "without Reset the test goes on in a terminal state, firing illegal statuses",
			func(m *fsm.Machine[fsm.Symbol]) fsmtest.Handler[fsm.Symbol] { return noReset{newBridge(m)} }},
	}
	for _, row := range rows {
		for _, m := range families {
			t.Run(row.name+"/"+m.Name(), func(t *testing.T) {
				rapid.Check(t, func(rt *rapid.T) {
					h := row.h(m)
					actions := fsmtest.Actions(m, h)
					_, isResetter := h.(fsmtest.Resetter)
					if _, ok := actions["reset"]; ok != isResetter {
						rt.Fatalf("%s: reset action %v, Resetter %v", row.why, ok, isResetter)
					}
					rt.Repeat(actions)
				})
			})
		}
	}
}
