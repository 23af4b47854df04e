package eventlog

import (
	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// Family identifies one of the eight WCS event families.
type Family uint8

// The families, in the order of the source page.
const (
	Connection Family = iota
	Registration
	Call
	Transfer
	Stream
	KeepAlive
	Debug
	Data
	NumFamilies = iota
)

// machines is the one registry of the families' machines; everything that
// lists families (the validator, spec, gen, docs) goes through it.
var machines = [NumFamilies]*fsm.Machine[fsm.Symbol]{
	Connection:   connection.Machine.Untyped(),
	Registration: connection.Registration.Untyped(),
	Call:         call.Machine.Untyped(),
	Transfer:     transfer.Machine.Untyped(),
	Stream:       stream.Machine.Untyped(),
	KeepAlive:    stream.KeepAlive.Untyped(),
	Debug:        connection.Debug.Untyped(),
	Data:         connection.Data.Untyped(),
}

// Machine returns the family's machine, untyped.
func (f Family) Machine() *fsm.Machine[fsm.Symbol] { return machines[f] }

// String returns the family's event name, e.g. "CallStatusEvent".
func (f Family) String() string {
	if f >= NumFamilies {
		return ""
	}
	return machines[f].Name()
}

// Families returns every family, in the order of the source page.
func Families() []Family {
	out := make([]Family, NumFamilies)
	for i := range out {
		out[i] = Family(i)
	}
	return out
}

// ParseFamily returns the family whose event name is name.
func ParseFamily(name string) (Family, bool) {
	for f, m := range machines {
		if m.Name() == name {
			return Family(f), true
		}
	}
	return 0, false
}

// hookOnly[f] is the status of family f that only an invocation hook
// delivers (hooks.md, section 2: connect, call, OnCallEvent, OnDataEvent),
// never f's own status event; 0 where there is none.
var hookOnly = [NumFamilies]fsm.Symbol{
	Connection: fsm.Symbol(connection.Pending),
	Call:       fsm.Symbol(call.Pending),
	Data:       fsm.Symbol(connection.DataPending),
}

// StatusEventCarries reports whether a status event of family f may carry
// status st: every status of f's machine but the one that only an
// invocation hook delivers (the PENDING of a connection, a call or a data
// send).
func StatusEventCarries(f Family, st fsm.Symbol) bool {
	return f < NumFamilies && int(st) < f.Machine().Len() && (hookOnly[f] == 0 || st != hookOnly[f])
}

// statusEventReach[f][s]: state s of family f is reached from the initial
// state by statuses a status event carries (StatusEventCarries).
var statusEventReach = func() (out [NumFamilies][]bool) {
	for f := range out {
		m := Family(f).Machine()
		out[f] = make([]bool, m.Len())
		out[f][m.Initial()] = true
		for grew := true; grew; {
			grew = false
			for _, tr := range m.Transitions() {
				if out[f][tr.From] && !out[f][tr.To] && StatusEventCarries(Family(f), tr.Status) {
					out[f][tr.To], grew = true, true
				}
			}
		}
	}
	return
}()

// StatusEventTakes reports whether a log of status events alone can take
// the transition tr of family f: not one that only an invocation hook
// delivers, nor one out of the state such a hook leads to.
func StatusEventTakes(f Family, tr fsm.Transition[fsm.Symbol]) bool {
	return f < NumFamilies && int(tr.From) < len(statusEventReach[f]) && statusEventReach[f][tr.From] && StatusEventCarries(f, tr.Status)
}
