package connection_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

// The package's four machines, each with its section of
// testdata/spec/machines.md and its state type.
var machines = []struct {
	why string
	c   spectest.Case
}{
	{"the WebSocket connection of a session; DISCONNECTED never follows FAILED",
		spectest.For("ConnectionStatusEvent", "State", connection.Machine)},
	{"the SIP registration of a session; AUTHENTICATION_FAIL is terminal",
		spectest.For("RegistrationStatusEvent", "RegistrationState", connection.Registration)},
	{"the debug logs of a session; nothing is terminal",
		spectest.For("SessionDebugStatusEvent", "DebugState", connection.Debug)},
	{"one data send, keyed by operationId; exactly one status",
		spectest.For("DataStatusEvent", "DataState", connection.Data)},
}

// TestMachinesMatchSpec checks each machine against machines.md, edge for
// edge: states, terminal and final states, why, and every legal and illegal
// (state, status) pair.
func TestMachinesMatchSpec(t *testing.T) {
	for _, tt := range machines {
		t.Run(tt.c.Event, func(t *testing.T) {
			t.Log(tt.why)
			tt.c.CheckSpec(t)
		})
	}
}

// TestConstDocs checks the "May be followed by" and "Terminal" lines of
// the state constants' doc comments against the machines.
func TestConstDocs(t *testing.T) {
	for _, tt := range machines {
		t.Run(tt.c.Event, func(t *testing.T) {
			t.Log(tt.why)
			tt.c.CheckDocs(t, ".")
		})
	}
}
