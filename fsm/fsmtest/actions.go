package fsmtest

import (
	"fmt"
	"strings"

	"github.com/wcsfsm/wcsfsm/fsm"
	"pgregory.net/rapid"
)

// A Handler is the code under test in a state machine test: anything that
// receives the statuses of one entity and keeps its state.
//
// Fire must accept exactly the statuses that the machine allows in the
// handler's state (returning nil) and refuse the others (returning an
// error, leaving the state as it was). State reports the current state.
type Handler[S ~uint8] interface {
	Fire(status S) error
	State() S
}

// A Resetter is a [Handler] that can go back to the initial state. For one,
// [Actions] adds a "reset" action, so that a test does not spend its steps
// in a terminal state.
type Resetter interface {
	Reset()
}

// Actions returns actions for [rapid.T.Repeat] that drive h side by side
// with m, which serves as the model:
//
//   - "legal" fires a status that m allows in the model's state; h must
//     accept it. In a state that allows none (a terminal state) it does what
//     "illegal" does, for there refusing is all that h may do;
//   - "illegal" fires a status of m that the model's state does not allow;
//     h must refuse it. In a state that allows every status it checks that
//     h is in the model's state;
//   - "reset" (only if h is a [Resetter]) resets h and the model;
//   - "" checks, before the first action and after each, that h is in the
//     model's state.
//
// No action skips: whichever action rapid draws, in whatever state, it runs
// and checks h. So rapid never gives up with "can't find a valid
// (non-skipped) action", not even under fuzzing ([rapid.MakeFuzz]), where
// the input may pick one action again and again, or with a handler that
// cannot reset, which stays in a terminal state once there.
//
// Only statuses of m are fired. The model starts in m's initial state, as h
// must. Call Actions once per
// test case, with a fresh h:
//
//	rapid.Check(t, func(t *rapid.T) {
//		t.Repeat(fsmtest.Actions(m, newHandler()))
//	})
func Actions[S ~uint8](m *fsm.Machine[S], h Handler[S]) map[string]func(*rapid.T) {
	st := m.Initial()
	illegal := make([][]S, m.Len())
	for _, s := range m.States() {
		for _, x := range m.Statuses() {
			if !m.Can(s, x) {
				illegal[s] = append(illegal[s], x)
			}
		}
	}
	check := func(t *rapid.T) {
		if err := agree(m, h, st); err != nil {
			t.Fatal(err)
		}
	}
	refuse := func(t *rapid.T) {
		if len(illegal[st]) == 0 {
			check(t) // st allows every status
			return
		}
		x := rapid.SampledFrom(illegal[st]).Draw(t, "illegal")
		if err := fire(m, h, st, x); err != nil {
			t.Fatal(err)
		}
	}
	actions := map[string]func(*rapid.T){
		"legal": func(t *rapid.T) {
			allowed := m.Allowed(st)
			if len(allowed) == 0 {
				refuse(t) // st is terminal
				return
			}
			x := rapid.SampledFrom(allowed).Draw(t, "legal")
			if err := fire(m, h, st, x); err != nil {
				t.Fatal(err)
			}
			st, _ = m.Next(st, x)
		},
		"illegal": refuse,
		"":        check,
	}
	if r, ok := h.(Resetter); ok {
		actions["reset"] = func(*rapid.T) {
			r.Reset()
			st = m.Initial()
		}
	}
	return actions
}

// fire fires x at h in the model's state st and reports a disagreement on
// whether x is accepted.
func fire[S ~uint8](m *fsm.Machine[S], h Handler[S], st, x S) error {
	err := h.Fire(x)
	switch legal := m.Can(st, x); {
	case legal && err != nil:
		return fmt.Errorf("handler refused %s in %s, which allows it: %w", m.String(x), m.String(st), err)
	case !legal && err == nil:
		return fmt.Errorf("handler accepted %s in %s, which allows only %s", m.String(x), m.String(st), allowedList(m, st))
	}
	return nil
}

// agree reports a disagreement on the state.
func agree[S ~uint8](m *fsm.Machine[S], h Handler[S], st S) error {
	if got := h.State(); got != st {
		return fmt.Errorf("handler in state %s, model in %s", name(m, got), m.String(st))
	}
	return nil
}

func allowedList[S ~uint8](m *fsm.Machine[S], st S) string {
	a := m.AllowedNames(st)
	if len(a) == 0 {
		return "nothing"
	}
	return strings.Join(a, ", ")
}

// name names s, even out of m's range.
func name[S ~uint8](m *fsm.Machine[S], s S) string {
	if n := m.String(s); n != "" {
		return n
	}
	return fmt.Sprintf("#%d", uint8(s))
}
