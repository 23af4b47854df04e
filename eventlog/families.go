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
