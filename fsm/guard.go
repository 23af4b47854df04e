package fsm

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrNoMachine is the cause of the [*Error] that a [Guard] without a machine
// (a zero Guard, or one initialised with a nil machine) returns.
var ErrNoMachine = errors.New("guard has no machine (call Init)")

// Guard holds the current state of one entity (a call, a stream, a
// registration) and lets a status through only where its [Machine] allows
// it. It is meant to be embedded in the value that represents the entity,
// in the manner of text/scanner's Scanner:
//
//	type Call struct {
//		ID string
//		fsm.Guard[call.State]
//	}
//
//	c := &Call{ID: id}
//	c.Init(call.Machine)
//	if _, err := c.Fire(call.Hold); err != nil { … }
//
// A Guard is safe for concurrent use, except Init, which must happen before
// the Guard is shared. [Guard.Fire] moves the state by compare-and-swap:
// when goroutines fire at once, each status is checked against the state
// that the status before it left, so no transition is lost or taken twice.
// It takes no lock, and does not allocate when the status is accepted.
//
// Besides its state a Guard counts the statuses fired at it since Init,
// accepted or refused (see [Guard.Fired]); a refusal's [*Error] carries that
// count as its Index, the position of the refused status in the guard's
// sequence. Fed a sequence one status after another from Init on, a Guard
// therefore refuses exactly what [Machine.Validate] reports for that
// sequence, with the same errors.
//
// The zero value is a Guard with no machine: it is usable and never panics,
// but Fire, Move, FireName and Restore return an [*Error] whose cause is
// [ErrNoMachine] (with Index -1, and nothing counted), Can reports false,
// Allowed returns nil and State returns 0. Call Init, or use [NewGuard].
//
// A Guard must not be copied after first use.
type Guard[S ~uint8] struct {
	m *Machine[S]
	// v packs the state (low 8 bits) and the number of statuses fired
	// since Init (the upper 56 bits), so that one compare-and-swap moves
	// both.
	v atomic.Uint64
}

const (
	guardStateMask = 0xFF
	guardCountOne  = 1 << 8
)

// NewGuard returns a new Guard of m, in m's initial state.
func NewGuard[S ~uint8](m *Machine[S]) *Guard[S] { return new(Guard[S]).Init(m) }

// Init sets the guard's machine to m, puts the guard in m's initial state
// and resets its count of fired statuses to zero. It returns g. A nil m
// makes g a Guard with no machine, like the zero value.
//
// Init is not safe for concurrent use: call it before g is shared.
func (g *Guard[S]) Init(m *Machine[S]) *Guard[S] {
	g.m = m
	var v uint64
	if m != nil {
		v = uint64(m.t.initial)
	}
	g.v.Store(v)
	return g
}

// Machine returns the guard's machine, or nil for a Guard with no machine.
func (g *Guard[S]) Machine() *Machine[S] { return g.m }

// State returns the current state (0 for a Guard with no machine). Under
// concurrent use it is the state at some moment during the call; use the
// state that Fire returns to act on a transition.
func (g *Guard[S]) State() S { return S(g.v.Load() & guardStateMask) }

// Fired returns the number of statuses fired at the guard since Init,
// accepted or refused: the Index that the next refusal will carry. Can and
// Restore do not count.
func (g *Guard[S]) Fired() int { return int(g.v.Load() >> 8) }

// Fire moves the guard by status and returns the new state. If the machine
// refuses status in the current state, Fire returns that state, unchanged,
// and an [*Error] as [Machine.Step] makes it: From is the current state,
// Status the status, Allowed the statuses legal in From, and the cause
// [ErrIllegal], [ErrTerminal] (From is terminal) or [ErrUnknownStatus]
// (status is no status of the machine). Its Index is [Guard.Fired] at the
// moment of the refusal, the position of status among the statuses fired
// at the guard.
//
// Fire is atomic: it reads the state, looks the status up in the machine's
// table and installs the result by compare-and-swap, trying again if
// another goroutine moved the guard in between. An accepted status takes
// no lock and does not allocate.
func (g *Guard[S]) Fire(status S) (S, error) {
	_, to, err := g.Move(status)
	return to, err
}

// Move is Fire that also returns the state the guard was in when it took
// (or refused) status: under concurrent use, the one way to know which
// transition a goroutine made. On refusal from and to are the same.
func (g *Guard[S]) Move(status S) (from, to S, err error) {
	m := g.m
	if m == nil {
		return 0, 0, noMachine("", valueName(status))
	}
	for {
		v := g.v.Load()
		cur := S(v & guardStateMask)
		next, ok := m.Next(cur, status)
		if !ok {
			if g.v.CompareAndSwap(v, v+guardCountOne) {
				return cur, cur, m.violation(int(v>>8), cur, status)
			}
			continue
		}
		if g.v.CompareAndSwap(v, (v&^guardStateMask+guardCountOne)|uint64(next)) {
			return cur, next, nil
		}
	}
}

// FireName is Fire for a status given by name, as it comes in a hook's
// JSON body. A name that is no status of the machine (a state that is only
// a state, such as "NEW", included) is refused with cause
// [ErrUnknownStatus] and counts as a fired status, as in
// [Machine.ValidateNames].
func (g *Guard[S]) FireName(name string) (S, error) {
	m := g.m
	if m == nil {
		return 0, noMachine("", name)
	}
	if s, ok := m.ParseStatus(name); ok {
		return g.Fire(s)
	}
	for {
		v := g.v.Load()
		if g.v.CompareAndSwap(v, v+guardCountOne) {
			from := S(v & guardStateMask)
			return from, &Error{Machine: m.t.name, Index: int(v >> 8), From: m.String(from), Status: name, Allowed: m.AllowedNames(from), Err: ErrUnknownStatus}
		}
	}
}

// Can reports whether status may follow the current state. Under
// concurrent use the answer may be stale by the time it is read: to act on
// it, Fire and look at the error.
func (g *Guard[S]) Can(status S) bool {
	if g.m == nil {
		return false
	}
	return g.m.Can(g.State(), status)
}

// Allowed returns the statuses that may follow the current state, sorted by
// name, as [Machine.Allowed] does; nil for a Guard with no machine.
func (g *Guard[S]) Allowed() []S {
	if g.m == nil {
		return nil
	}
	return g.m.Allowed(g.State())
}

// Restore puts the guard in state s, whatever its current state, as when
// an entity's state is read back from storage. It does not change the
// count of fired statuses. If s is not a state of the machine (a notice
// that is only a status, or a value out of range), Restore leaves the
// guard as it was and returns an [*Error] with Index -1, From the name of
// s and cause [ErrUnknownState].
func (g *Guard[S]) Restore(s S) error {
	m := g.m
	if m == nil {
		return noMachine(valueName(s), "")
	}
	if !m.IsState(s) {
		name := m.String(s)
		if name == "" {
			name = NameOf[S](nil, s) // out of range: the type and number
		}
		return &Error{Machine: m.t.name, Index: -1, From: name, Err: ErrUnknownState}
	}
	for {
		v := g.v.Load()
		if g.v.CompareAndSwap(v, v&^guardStateMask|uint64(s)) {
			return nil
		}
	}
}

// valueName names s without a machine: by its String method if S has one,
// else by its type and number.
func valueName[S ~uint8](s S) string {
	if str, ok := any(s).(fmt.Stringer); ok {
		return str.String()
	}
	return NameOf[S](nil, s)
}

func noMachine(from, status string) *Error {
	return &Error{Machine: "fsm.Guard", Index: -1, From: from, Status: status, Err: ErrNoMachine}
}
